"""One-page HTML report: self-contained (inline CSS and SVG, no script, no network), phone-readable.

Rendered with jinja2 and autoescape on for every value: response bodies, messages and spec text
come from the apps under test and are hostile input. A Content-Security-Policy that forbids every
script is a second line of defence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from apiparity.model import Report
from apiparity.report.sections import LoadView, event_loop_view, is_undocumented_error, load_view, undocumented_traffic
from apiparity.report.sequences import link_line, sequence_line, silent_link_text, silent_links
from apiparity.report.view import (
    active_groups,
    build_view,
    decided_by_line,
    format_body,
    format_value,
    gate_in_verdict,
    gate_result,
    incomplete_text,
    is_good,
    OperationRow,
    path_move_line,
    percent,
    request_line,
    sorted_changes,
    status_text,
    title_for,
    waived_groups,
)

CHART_ROW_HEIGHT = 22
CHART_LABEL_WIDTH = 300
CHART_BAR_WIDTH = 440


@dataclass(slots=True)
class ChartBar:
    label: str
    y: int
    matched_width: float
    mismatched_width: float
    cases: int
    mismatches: int
    breaking: int
    status: str


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    bars: list[ChartBar]
    label_width: int
    bar_width: int


def render(report: Report) -> str:
    view = build_view(report)
    template = _environment().get_template("report.html.j2")
    load = load_view(report)
    load_chart, load_chart_problem = latency_chart(report, load)
    undocumented = undocumented_traffic(report)
    return template.render(
        report=report,
        view=view,
        summary=view.summary,
        title=title_for(report),
        status=status_text(report),
        incomplete=incomplete_text(report),
        good=is_good(report),
        changes=sorted_changes(report.diff.changes) if report.diff else [],
        groups=active_groups(report),
        waived_groups=waived_groups(report),
        chart=build_chart(view.rows) if report.fuzz is not None else None,
        load=load,
        load_chart=load_chart,
        load_chart_problem=load_chart_problem,
        event_loop=event_loop_view(report),
        history=_history_view(report),
        undocumented=undocumented,
        fuzz_errors=[e for e in report.fuzz.errors if not (undocumented and is_undocumented_error(e))] if report.fuzz else [],
        stateful_lines=[line for line in (sequence_line(report.fuzz), link_line(report.fuzz)) if line] if report.fuzz else [],
        silent_links=silent_links(report.fuzz) if report.fuzz else [],
        silent_link_text=silent_link_text,
        gate_in_verdict=lambda name: gate_in_verdict(report, name),
        gate_result=gate_result,
        decided_by=decided_by_line(report.verdict) if report.verdict is not None else None,
        percent=percent,
        format_body=format_body,
        format_value=format_value,
        request_line=request_line,
        path_move_line=path_move_line,
    )


def latency_chart(report: Report, load: LoadView | None) -> tuple[Any, str | None]:
    """(the load module's SVG latency chart, sanitized and marked safe for the template, or None;
    why it is missing). The SVG is drawn by `apiparity.load.latency_svg` from the report's numbers."""
    if load is None or load.problem is not None or not load.rows:
        return None, None
    from markupsafe import Markup

    from apiparity.load import latency_svg
    from apiparity.report.svg import UnsafeSvg, sanitize_svg

    try:
        svg = latency_svg(report.load) if report.load is not None else ""
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError) as exc:
        return None, f"no latency chart: the load section cannot be drawn ({type(exc).__name__}: {exc})"
    try:
        return Markup(sanitize_svg(svg)), None  # noqa: S704 - re-serialized from an allow-list, every value escaped
    except UnsafeSvg as exc:
        return None, f"latency chart left out: {exc}"


def _history_view(report: Report) -> Any:
    """The trend chart and per-operation strips of `report.history` (check/fuzz with a history), or None."""
    from apiparity.history.html_view import history_view

    return history_view(report.history)


def build_chart(rows: list[OperationRow]) -> Chart | None:
    """Bars of matched vs mismatched cases per operation, plus the count of breaking changes."""
    bars_rows = [row for row in rows if row.fuzzed or row.breaking]
    if not bars_rows:
        return None
    most_cases = max((row.cases for row in bars_rows), default=0) or 1
    bars = []
    for index, row in enumerate(bars_rows):
        mismatched = min(row.mismatches, row.cases)
        bars.append(
            ChartBar(
                label=row.operation,
                y=index * CHART_ROW_HEIGHT + 8,
                matched_width=CHART_BAR_WIDTH * (row.cases - mismatched) / most_cases,
                mismatched_width=CHART_BAR_WIDTH * mismatched / most_cases,
                cases=row.cases,
                mismatches=row.mismatches,
                breaking=row.breaking,
                status=row.status,
            )
        )
    return Chart(
        width=CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 160,
        height=len(bars) * CHART_ROW_HEIGHT + 16,
        bars=bars,
        label_width=CHART_LABEL_WIDTH,
        bar_width=CHART_BAR_WIDTH,
    )


def code_spans(text: object) -> Any:
    """Escaped text with `backtick` spans as <code> (fix hints quote code that way)."""
    import re

    from markupsafe import Markup, escape

    return Markup(re.sub(r"`([^`\n]+)`", r"<code>\1</code>", str(escape(str(text)))))  # noqa: S704 - escaped first


def anchor(key: object) -> str:
    """A stable HTML id for a group key or a spec-diff finding ("rule-id METHOD /path"), for cross-links."""
    import hashlib

    return "x" + hashlib.sha1(str(key).encode("utf-8")).hexdigest()[:12]  # noqa: S324 - an id, not a secret


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("apiparity.report", "templates"),
        autoescape=True,  # every value, whatever the template's name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["code_spans"] = code_spans
    environment.filters["anchor"] = anchor
    return environment
