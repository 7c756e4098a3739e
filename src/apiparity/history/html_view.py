"""What the HTML report draws from `Report.history`: the trend chart (operations ready per
run) and one status strip per operation. Numbers and labels only; the template escapes every label.
A section that is not the expected shape (an edited JSON report) is left out, never half-drawn."""

from __future__ import annotations

from dataclasses import dataclass

from apiparity.history.recorder import trend_line
from apiparity.model_sections import HistorySection

CHART_WIDTH = 640
CHART_HEIGHT = 180
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 40, 28, 34
CELL = 12  # one run in an operation's strip
STATUS_COLOURS = {"ready": "#2da44e", "blocked": "#cf222e", "not-exercised": "#9a6700", "out-of-scope": "#d0d7de"}
STATUS_WORDS = {"ready": "ready", "blocked": "blocked", "not-exercised": "not exercised", "out-of-scope": "not in this run"}


@dataclass(slots=True)
class TrendPointView:
    x: float
    y: float
    run: str
    ready: int
    total: int
    recorded_at: str
    new: int
    fixed: int


@dataclass(slots=True)
class StripCell:
    x: int
    colour: str
    title: str


@dataclass(slots=True)
class StripRow:
    operation: str
    ready: bool
    cells: list[StripCell]


@dataclass(slots=True)
class HistoryView:
    line: str
    file: str
    window: int
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    max_total: int
    points: list[TrendPointView]
    polyline: str
    rows: list[StripRow]
    strip_width: int
    regressed: list[str]
    baseline: str | None
    fail_on_regress: bool
    note: str | None


def history_view(section: HistorySection | None) -> HistoryView | None:
    """What the HTML report draws of `Report.history`; None without one, or without a point."""
    if section is None or not section.points:
        return None
    raw_points = section.points
    max_total = max(max(p.total for p in raw_points), 1)
    plot_w = CHART_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = CHART_HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(raw_points) - 1, 1)
    points = []
    for index, point in enumerate(raw_points):
        ready, total = point.ready, point.total
        x = PAD_LEFT + (index * step if len(raw_points) > 1 else plot_w / 2)
        y = PAD_TOP + plot_h * (1 - ready / max_total)
        points.append(TrendPointView(x=round(x, 1), y=round(y, 1), run=point.run, ready=ready, total=total,
                                     recorded_at=(point.recorded_at or "")[:16].replace("T", " "),
                                     new=len(point.new), fixed=len(point.fixed)))
    rows = []
    for op in section.operations:
        statuses = op.statuses[-len(points):]
        cells = [StripCell(x=index * CELL, colour=STATUS_COLOURS.get(status, "#d0d7de"),
                           title=f"{points[index].run}: {STATUS_WORDS.get(status, status)}")
                 for index, status in enumerate(statuses)]
        rows.append(StripRow(operation=op.operation, ready=op.ready, cells=cells))
    return HistoryView(
        line=trend_line(section) or "",
        file=section.file,
        window=section.window or 1,
        width=CHART_WIDTH, height=CHART_HEIGHT,
        plot_left=PAD_LEFT, plot_right=CHART_WIDTH - PAD_RIGHT, plot_top=PAD_TOP, plot_bottom=CHART_HEIGHT - PAD_BOTTOM,
        max_total=max_total,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        rows=rows,
        strip_width=max(len(points), 1) * CELL,
        regressed=list(section.regressed),
        baseline=section.baseline or None,
        fail_on_regress=section.fail_on_regress,
        note=section.note or None,
    )
