"""The verdict gate "no blocking of the event loop over the threshold".

It reads only the report model: `Report.event_loop`, written from the runtime monitor
(`LoopBlockMonitor.to_extras()`) during `fuzz`/`check`, optionally with the static scan's findings
added under `"static"` (`static_section()`), shown in the details but not failing the gate: a
static finding is a hint, a measured block is a fact.

Register it in the verdict's gate registry with
``register_gate(GATE_NAME)(gate_event_loop)``; settings come from `GateThresholds.extra`:
``event_loop`` (bool, default on) and ``event_loop_max_blocks`` (int, default 0).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from apiparity.model import Gate
from apiparity.model_sections import EventLoopSection, LoopBlock, StarvedStalls

__all__ = ["GATE_NAME", "EXTRAS_KEY", "gate_event_loop", "event_loop_gate", "static_section", "merge_event_loop_sections",
           "merge_loop_sections"]

GATE_NAME = "no-event-loop-blocking"
EXTRAS_KEY = "event_loop"
_FRAMEWORKS = ("fastapi", "asgi")


def gate_event_loop(report: Any, thresholds: Any) -> Gate | None:
    """Registry signature `(report, thresholds)`: None when off, not an ASGI NEW side, or not monitored."""
    extra = getattr(thresholds, "extra", None) or {}
    if extra.get("event_loop", True) is False:
        return None
    new = getattr(report, "new", None)
    if new is not None and new.framework not in _FRAMEWORKS:
        return None
    return event_loop_gate(report.event_loop, max_blocks=int(extra.get("event_loop_max_blocks", 0)))


def event_loop_gate(section: EventLoopSection | dict[str, Any] | None, *, max_blocks: int = 0) -> Gate | None:
    """The gate for one event-loop section (`Report.event_loop`, or its JSON data); None when the
    loop was not monitored."""
    if not section:
        return None
    loop = section if isinstance(section, EventLoopSection) else EventLoopSection.from_dict(section)
    description = "no blocking of the event loop over the threshold"
    threshold = f"<= {max_blocks} block(s) over {loop.threshold_ms:g} ms"
    if loop.error:
        return Gate(name=GATE_NAME, description=description, threshold=threshold, measured="not measured",
                    passed=False, details=[f"event-loop monitor failed: {loop.error}"],
                    status="could-not-run", reason="the event-loop monitor failed")
    blocks = [b for b in loop.blocks if b.attributed]
    count = sum(b.count for b in blocks)
    details = [_block_line(b) for b in blocks]
    for finding in loop.static or []:
        details.append(
            f"static: {finding.operation}: {finding.call} at {_display_path(str(finding.file))}:{finding.line}"
            f" ({' -> '.join(finding.chain)}); fix: {finding.fix_hint}"
        )
    unattributed = loop.unattributed
    if unattributed:
        longest = max(b.max_ms for b in unattributed)
        total = sum(b.count for b in unattributed)
        details.append(f"not counted: {total} block(s) with no app frame on the stack (framework/warm-up), longest {longest:.1f} ms")
    starved = loop.starved
    if starved is not None and starved.count:
        details.append(
            f"not counted: {starved.count} stall(s) while the loop thread was waiting for a CPU (a busy machine, not the app),"
            f" longest {starved.max_ms:.1f} ms"
        )
    if count:
        longest = max(b.max_ms for b in blocks)
        measured = f"{count} block(s) in {len(blocks)} operation(s), longest {longest:.1f} ms"
    else:
        measured = f"no block over {loop.threshold_ms:g} ms in {loop.monitored_seconds:.1f} s watched"
    return Gate(name=GATE_NAME, description=description, threshold=threshold, measured=measured,
                passed=count <= max_blocks, details=details)


def _block_line(block: LoopBlock) -> str:
    where = _display_path(block.where or "unknown")
    function = f" in {block.function}" if block.function else ""
    example = f"; e.g. {block.example_request}" if block.example_request else ""
    return (
        f"{block.operation}: blocked {block.count}x, max {block.max_ms:.1f} ms, "
        f"p95 {block.p95_ms:.1f} ms at {where}{function}{example}"
    )


def _display_path(path: str) -> str:
    """Relative to the current folder when under it: shorter, and the same on every checkout."""
    import os

    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def static_section(findings: list[Any]) -> list[dict[str, Any]]:
    """Static scan findings as plain dicts for the JSON of `Report.event_loop.static`."""
    return [f.to_dict() if hasattr(f, "to_dict") else dict(f) for f in findings]


def merge_event_loop_sections(sections: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """`merge_loop_sections` over JSON data (each section as the JSON report's extras.event_loop holds it)."""
    merged = merge_loop_sections([EventLoopSection.from_dict(s) if s else None for s in sections])
    return merged.to_dict() if merged is not None else None


def merge_loop_sections(sections: list[EventLoopSection | None]) -> EventLoopSection | None:
    """One event-loop section from the sections of several shard reports (for `merge`).

    Counts and totals add up, max is the max; p95 is the largest shard p95 (an upper bound: the
    individual durations are not in the reports). None when no shard was monitored.
    """
    present = [s for s in sections if s is not None]
    if not present:
        return None
    merged = EventLoopSection(
        source="runtime",
        threshold_ms=max(s.threshold_ms for s in present),
        monitored_seconds=round(sum(s.monitored_seconds for s in present), 3),
        events_dropped=sum(s.events_dropped for s in present),
    )
    errors = [s.error for s in present if s.error]
    if errors:
        merged.error = "; ".join(errors)
    for key in ("blocks", "unattributed"):
        by_operation: dict[str, LoopBlock] = {}
        for section in present:
            for block in getattr(section, key):
                into = by_operation.get(block.operation)
                if into is None:
                    by_operation[block.operation] = dataclasses.replace(block, locations=list(block.locations), stack=list(block.stack))
                    continue
                if block.max_ms > into.max_ms:
                    into.max_ms, into.where, into.function = block.max_ms, block.where, block.function
                    into.stack, into.example_request = list(block.stack), block.example_request
                into.count += block.count
                into.total_ms = round(into.total_ms + block.total_ms, 1)
                into.p95_ms = max(into.p95_ms, block.p95_ms)
                into.locations += [loc for loc in block.locations if loc not in into.locations]
        setattr(merged, key, sorted(by_operation.values(), key=lambda b: (-b.max_ms, b.operation)))
    starved = [s.starved for s in present if s.starved is not None]
    if starved:
        merged.starved = StarvedStalls(count=sum(s.count for s in starved), max_ms=max(s.max_ms for s in starved),
                                       cpu_accounting=all(s.cpu_accounting for s in starved))
    static = {(f.operation, f.file, f.line): f for s in present for f in s.static or []}
    if static:
        merged.static = list(static.values())
    return merged
