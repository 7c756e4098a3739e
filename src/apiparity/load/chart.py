"""An inline SVG latency chart of a load comparison, for the HTML report.

One band per operation (overall first): OLD and NEW bars from p50 to p95, a tick at p99. Only the
load section (`Report.load`, or its JSON data) is read; the output is a standalone <svg> element, escaped, no scripts.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from apiparity.model_sections import LoadSection

_COLORS = {"old": "#8c8c8c", "new": "#2f6fdf"}
_ROW_H = 34
_LABEL_W = 260
_PLOT_W = 480
_TOP = 28


def latency_svg(load: LoadSection | dict[str, Any]) -> str:
    section = load if isinstance(load, LoadSection) else LoadSection.from_dict(load)
    rows = sorted(section.operations, key=lambda r: (r.operation != "overall", r.operation))
    values = [v for r in rows for s in (r.old, r.new) if s and s.requests for v in (s.p50_ms, s.p99_ms)]
    top = _nice_max(max(values, default=1.0))
    height = _TOP + _ROW_H * len(rows) + 30
    width = _LABEL_W + _PLOT_W + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11" role="img" aria-label="Latency per operation, OLD vs NEW">',
        f'<text x="{_LABEL_W}" y="14">latency ms (bar: p50 to p95, tick: p99)</text>',
        f'<rect x="{_LABEL_W + _PLOT_W - 130}" y="5" width="10" height="10" fill="{_COLORS["old"]}"/>'
        f'<text x="{_LABEL_W + _PLOT_W - 116}" y="14">OLD</text>'
        f'<rect x="{_LABEL_W + _PLOT_W - 80}" y="5" width="10" height="10" fill="{_COLORS["new"]}"/>'
        f'<text x="{_LABEL_W + _PLOT_W - 66}" y="14">NEW</text>',
    ]
    for index, row in enumerate(rows):
        y = _TOP + index * _ROW_H
        label = row.operation if len(row.operation) <= 40 else row.operation[:39] + "…"
        out.append(f'<text x="4" y="{y + 20}">{escape(label)}</text>')
        for offset, side, stats in ((4, "old", row.old), (17, "new", row.new)):
            if not stats or not stats.requests:
                continue
            x50, x95, x99 = (_LABEL_W + _PLOT_W * value / top for value in (stats.p50_ms, stats.p95_ms, stats.p99_ms))
            out.append(
                f'<rect x="{x50:.1f}" y="{y + offset}" width="{max(x95 - x50, 1.5):.1f}" height="11" fill="{_COLORS[side]}">'
                f"<title>{side.upper()} {escape(row.operation)}: p50 {stats.p50_ms} ms, p95 {stats.p95_ms} ms, "
                f"p99 {stats.p99_ms} ms</title></rect>"
                f'<line x1="{x99:.1f}" x2="{x99:.1f}" y1="{y + offset}" y2="{y + offset + 11}" stroke="{_COLORS[side]}" stroke-width="2"/>'
            )
    axis_y = _TOP + _ROW_H * len(rows) + 4
    out.append(f'<line x1="{_LABEL_W}" x2="{_LABEL_W + _PLOT_W}" y1="{axis_y}" y2="{axis_y}" stroke="#444"/>')
    for step in range(5):
        value = top * step / 4
        x = _LABEL_W + _PLOT_W * step / 4
        out.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle">{value:g}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice_max(value: float) -> float:
    """A round axis end at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude
