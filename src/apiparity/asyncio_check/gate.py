"""The verdict gate "no blocking of the event loop over the threshold".

It reads only the report model: `Report.extras["event_loop"]`, written by the runtime monitor
(`LoopBlockMonitor.to_extras()`) during `fuzz`/`check`, optionally with the static scan's findings
added under `"static"` (`static_section()`), shown in the details but not failing the gate: a
static finding is a hint, a measured block is a fact.

Register it in the verdict's gate registry with
``register_gate(GATE_NAME)(gate_event_loop)``; settings come from `GateThresholds.extra`:
``event_loop`` (bool, default on) and ``event_loop_max_blocks`` (int, default 0).
"""

from __future__ import annotations

from typing import Any

from apiparity.model import Gate

__all__ = ["GATE_NAME", "EXTRAS_KEY", "gate_event_loop", "event_loop_gate", "static_section", "merge_event_loop_sections"]

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
    return event_loop_gate((report.extras or {}).get(EXTRAS_KEY), max_blocks=int(extra.get("event_loop_max_blocks", 0)))


def event_loop_gate(section: dict[str, Any] | None, *, max_blocks: int = 0) -> Gate | None:
    """The gate for one `extras["event_loop"]` section; None when the loop was not monitored."""
    if not section:
        return None
    threshold_ms = float(section.get("threshold_ms", 20.0))
    description = "no blocking of the event loop over the threshold"
    threshold = f"<= {max_blocks} block(s) over {threshold_ms:g} ms"
    if section.get("error"):
        return Gate(name=GATE_NAME, description=description, threshold=threshold, measured="not measured",
                    passed=False, details=[f"event-loop monitor failed: {section['error']}"],
                    status="could-not-run", reason="the event-loop monitor failed")
    blocks = [b for b in section.get("blocks") or [] if b.get("attributed", True)]
    count = sum(int(b.get("count", 0)) for b in blocks)
    details = [_block_line(b) for b in blocks]
    for finding in section.get("static") or []:
        details.append(
            f"static: {finding.get('operation')}: {finding.get('call')} at {_display_path(str(finding.get('file')))}:{finding.get('line')}"
            f" ({' -> '.join(finding.get('chain') or [])}); fix: {finding.get('fix_hint')}"
        )
    unattributed = section.get("unattributed") or []
    if unattributed:
        longest = max(float(b.get("max_ms", 0)) for b in unattributed)
        total = sum(int(b.get("count", 0)) for b in unattributed)
        details.append(f"not counted: {total} block(s) with no app frame on the stack (framework/warm-up), longest {longest:.1f} ms")
    starved = section.get("starved") or {}
    if int(starved.get("count", 0)):
        details.append(
            f"not counted: {starved['count']} stall(s) while the loop thread was waiting for a CPU (a busy machine, not the app),"
            f" longest {float(starved.get('max_ms', 0)):.1f} ms"
        )
    if count:
        longest = max(float(b.get("max_ms", 0)) for b in blocks)
        measured = f"{count} block(s) in {len(blocks)} operation(s), longest {longest:.1f} ms"
    else:
        measured = f"no block over {threshold_ms:g} ms in {float(section.get('monitored_seconds', 0)):.1f} s watched"
    return Gate(name=GATE_NAME, description=description, threshold=threshold, measured=measured,
                passed=count <= max_blocks, details=details)


def _block_line(block: dict[str, Any]) -> str:
    where = _display_path(block.get("where") or "unknown")
    function = f" in {block['function']}" if block.get("function") else ""
    example = f"; e.g. {block['example_request']}" if block.get("example_request") else ""
    return (
        f"{block.get('operation')}: blocked {block.get('count')}x, max {float(block.get('max_ms', 0)):.1f} ms, "
        f"p95 {float(block.get('p95_ms', 0)):.1f} ms at {where}{function}{example}"
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
    """Static scan findings as plain dicts for `extras["event_loop"]["static"]`."""
    return [f.to_dict() if hasattr(f, "to_dict") else dict(f) for f in findings]


def merge_event_loop_sections(sections: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """One `extras["event_loop"]` from the sections of several shard reports (for `merge`).

    Counts and totals add up, max is the max; p95 is the largest shard p95 (an upper bound: the
    individual durations are not in the reports). None when no shard was monitored.
    """
    present = [s for s in sections if s]
    if not present:
        return None
    merged: dict[str, Any] = {
        "source": "runtime",
        "threshold_ms": max(float(s.get("threshold_ms", 20.0)) for s in present),
        "monitored_seconds": round(sum(float(s.get("monitored_seconds", 0)) for s in present), 3),
        "events_dropped": sum(int(s.get("events_dropped", 0)) for s in present),
    }
    errors = [s["error"] for s in present if s.get("error")]
    if errors:
        merged["error"] = "; ".join(errors)
    for key in ("blocks", "unattributed"):
        by_operation: dict[str, dict[str, Any]] = {}
        for section in present:
            for block in section.get(key) or []:
                into = by_operation.get(block["operation"])
                if into is None:
                    by_operation[block["operation"]] = {**block, "locations": list(block.get("locations") or [])}
                    continue
                if float(block.get("max_ms", 0)) > float(into.get("max_ms", 0)):
                    for field in ("max_ms", "where", "function", "stack", "example_request"):
                        into[field] = block.get(field)
                into["count"] = int(into.get("count", 0)) + int(block.get("count", 0))
                into["total_ms"] = round(float(into.get("total_ms", 0)) + float(block.get("total_ms", 0)), 1)
                into["p95_ms"] = max(float(into.get("p95_ms", 0)), float(block.get("p95_ms", 0)))
                into["locations"] += [loc for loc in block.get("locations") or [] if loc not in into["locations"]]
        merged[key] = sorted(by_operation.values(), key=lambda b: (-float(b.get("max_ms", 0)), b["operation"]))
    starved = [s["starved"] for s in present if s.get("starved")]
    if starved:
        merged["starved"] = {
            "count": sum(int(s.get("count", 0)) for s in starved),
            "max_ms": max(float(s.get("max_ms", 0)) for s in starved),
            "cpu_accounting": all(bool(s.get("cpu_accounting")) for s in starved),
        }
    static = {(f.get("operation"), f.get("file"), f.get("line")): f for s in present for f in s.get("static") or []}
    if static:
        merged["static"] = list(static.values())
    return merged
