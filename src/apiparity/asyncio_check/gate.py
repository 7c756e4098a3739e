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

__all__ = ["GATE_NAME", "EXTRAS_KEY", "gate_event_loop", "event_loop_gate", "static_section"]

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
                    passed=False, details=[f"event-loop monitor failed: {section['error']}"])
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
