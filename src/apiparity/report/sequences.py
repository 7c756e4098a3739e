"""What the stateful phase did, as the text and HTML reports show it: the multi-step sequences run
from the path hierarchy, and each declared link that never fired with its reason (every link's
outcome is in the JSON report, `fuzz.links`)."""

from __future__ import annotations

from apiparity.model import FuzzResult, LinkNote


def sequence_line(fuzz: FuzzResult) -> str | None:
    """"16 sequences from the path hierarchy, 80 steps compared, 4 to 6 steps each" or None."""
    stats = fuzz.sequences
    if stats is None or not stats.sequences:
        return None
    lengths = sorted(int(n) for n in stats.by_length)
    span = f"{lengths[0]} to {lengths[-1]} steps each" if lengths[0] != lengths[-1] else f"{lengths[0]} steps each"
    return (f"{stats.sequences} sequence{'s' if stats.sequences != 1 else ''} from the path hierarchy, "
            f"{stats.steps} steps compared, {span}")


def link_line(fuzz: FuzzResult) -> str | None:
    """"links: 3 declared (2 fired), 8 inferred (6 fired)" or None when the run followed none."""
    if not fuzz.links:
        return None
    parts = []
    for declared, word in ((True, "declared"), (False, "inferred")):
        own = [n for n in fuzz.links if n.declared == declared]
        if own:
            parts.append(f"{len(own)} {word} ({sum(1 for n in own if n.fired)} fired)")
    return "links: " + ", ".join(parts)


def silent_links(fuzz: FuzzResult) -> list[LinkNote]:
    """Declared links that never fired: a link the document promises and no sequence followed."""
    return [note for note in fuzz.links if note.declared and not note.fired]


def silent_link_text(note: LinkNote) -> str:
    return f"{note.source} -> {note.target} (link {note.name!r} on {note.status}) never fired: {note.reason}: {note.detail}"
