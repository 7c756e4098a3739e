"""What the stateful phase did, as the text and HTML reports show it: the multi-step sequences run
from the path hierarchy, and each declared link that never fired with its reason (every link's
outcome is in the JSON report, `fuzz.links`)."""

from __future__ import annotations

import dataclasses

from apiparity.model import FuzzResult, LinkNote, SequenceStats


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


def combine_links(parts: list[list[LinkNote]]) -> list[LinkNote]:
    """Shards' link notes as one run's (`apiparity merge`): fired counts add up; a link no shard
    fired keeps the reason of a shard that ran its source (`not-run` only when none did)."""
    combined: dict[tuple[str, str, str], LinkNote] = {}
    for notes in parts:
        for note in notes:
            key = (note.name, note.source, note.target)
            current = combined.get(key)
            if current is None:
                combined[key] = dataclasses.replace(note)
                continue
            current.fired += note.fired
            if current.reason == "not-run" and note.reason not in (None, "not-run"):
                current.reason, current.detail = note.reason, note.detail
    for note in combined.values():
        if note.fired:
            note.reason, note.detail = None, ""
    return list(combined.values())


def combine_sequences(parts: list[SequenceStats | None]) -> SequenceStats | None:
    """Shards' sequence counts added up (each sequence is counted by the shard of its first create)."""
    present = [p for p in parts if p is not None]
    if not present:
        return None
    total = SequenceStats()
    for part in present:
        total.sequences += part.sequences
        total.steps += part.steps
        total.longest = max(total.longest, part.longest)
        for table, own in ((total.by_length, part.by_length), (total.by_resource, part.by_resource)):
            for key, count in own.items():
                table[key] = table.get(key, 0) + count
        total.stopped.extend(s for s in part.stopped if s not in total.stopped)
    return total
