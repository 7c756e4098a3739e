"""The side-by-side text table of a load comparison (reads only the load section: `Report.load`, or its JSON data)."""

from __future__ import annotations

from typing import Any

from apiparity.model_sections import LatencyStats, LoadSection


def render_text(load: LoadSection | dict[str, Any]) -> str:
    section = load if isinstance(load, LoadSection) else LoadSection.from_dict(load)
    settings = section.settings
    if section.old is None or section.new is None or settings.spawn_rate is None:
        raise ValueError("a load section without both sides' runs")
    bounds = f"{settings.duration:g} s"
    if settings.max_requests:
        bounds += f" or {settings.max_requests} requests, whichever comes first,"
    source = settings.source
    if settings.seed is not None:
        source += f", seed {settings.seed}"
    lines = [
        f"Load: {settings.users} users (spawn {settings.spawn_rate:g}/s), {bounds} per side; "
        f"mix of {settings.mix_size} requests from {source}; "
        + ("all methods (--allow-unsafe)" if settings.allow_unsafe else "GET/HEAD only"),
        f"OLD {section.old.url}  ({section.old.elapsed_s:.1f} s)   NEW {section.new.url}  ({section.new.elapsed_s:.1f} s)",
        "",
    ]
    header = ["operation", "req/s OLD", "NEW", "NEW/OLD", "p50 OLD", "NEW", "p95 OLD", "NEW", "NEW/OLD", "p99 OLD", "NEW", "err% OLD", "NEW"]
    table = [header]
    for row in section.operations:
        old, new, ratio = row.old, row.new, row.ratio
        table.append(
            [
                row.operation,
                _num(old, "rps"),
                _num(new, "rps"),
                _ratio(ratio.rps),
                _num(old, "p50_ms"),
                _num(new, "p50_ms"),
                _num(old, "p95_ms"),
                _num(new, "p95_ms"),
                _ratio(ratio.p95),
                _num(old, "p99_ms"),
                _num(new, "p99_ms"),
                _pct(old),
                _pct(new),
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for index, cells in enumerate(table):
        if index == len(table) - 1:
            lines.append("  ".join("-" * w for w in widths))
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)).rstrip())
    lines.append("")
    lines.append("latencies in ms; req/s NEW/OLD > 1 and p95 NEW/OLD < 1 mean NEW is faster; errors = 5xx and transport failures")
    for side, run in (("old", section.old), ("new", section.new)):
        for sample in run.error_samples:
            lines.append(f"{side.upper()} error: {sample}")
    return "\n".join(lines) + "\n"


def _num(stats: LatencyStats | None, key: str) -> str:
    if not stats or not stats.requests:
        return "-"
    value = float(getattr(stats, key))
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"x{value:.2f}"


def _pct(stats: LatencyStats | None) -> str:
    if not stats or not stats.requests:
        return "-"
    return f"{stats.error_rate * 100:.1f}"
