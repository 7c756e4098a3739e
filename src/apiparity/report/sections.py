"""Rows of the sections later features add to a report, derived once for every renderer.

- `Report.load`: `apiparity load` (OLD vs NEW under the same request mix), see `apiparity.load`;
- `Report.event_loop`: the event-loop monitor of NEW (and the static scan's findings), see
  `apiparity.asyncio_check`;
- `Report.undocumented_traffic`: requests of `replay`/`shadow` that OLD's document does not describe.

The sections are typed (`apiparity.model_sections`). A report read from JSON written by another
version (or edited by hand) may hold a section that could not be read: it is then shown as a
`problem` line (`Report.section_problem`) instead of an exception: a renderer must never fail on a
report it can otherwise show. Nothing here reads files named in a report (a report from a CI
artifact is untrusted input).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from apiparity.model import Report
from apiparity.model_sections import EventLoopSection, LatencyStats, LoadRunSettings, LoadSection, LoopBlock

LOAD_KEY = "load"
EVENT_LOOP_KEY = "event_loop"
EVENT_LOOP_GATE = "no-event-loop-blocking"  # apiparity.asyncio_check.gate.GATE_NAME (not imported: light module)

# A NEW/OLD p95 ratio above this is shown as "slower": the default of `apiparity load --max-p95-ratio`
# (`latency_gate`), so a row is flagged exactly when it would fail the gate at its default.
SLOWER_P95_RATIO = 1.2

GENERIC_FIX = (
    "a blocking call in async code holds the event loop, so every other request waits: declare the "
    "handler with plain `def` (FastAPI runs it in its threadpool), or `await run_in_threadpool(fn, ...)` "
    "around the call, or use an async library (asyncio.sleep, httpx.AsyncClient, an async DB driver)"
)


# ----------------------------------------------------------------------------------- load


@dataclass(slots=True)
class LoadSide:
    """One side's numbers of one operation, formatted ("-" when the side sent nothing)."""

    requests: str = "-"
    rps: str = "-"
    p50: str = "-"
    p95: str = "-"
    p99: str = "-"
    error_rate: str = "-"


@dataclass(slots=True)
class LoadRow:
    operation: str
    old: LoadSide
    new: LoadSide
    rps_ratio: str = "-"
    p95_ratio: str = "-"
    slower: bool = False  # NEW's p95 over SLOWER_P95_RATIO x OLD's
    more_errors: bool = False  # NEW's error rate above OLD's
    overall: bool = False

    @property
    def flagged(self) -> bool:
        return self.slower or self.more_errors


@dataclass(slots=True)
class LoadGateView:
    name: str
    passed: bool
    threshold: str
    measured: str
    details: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LoadView:
    headline: str = ""  # how the load was made: users, duration, mix
    old_url: str = ""
    new_url: str = ""
    rows: list[LoadRow] = field(default_factory=list)  # operations, then "overall" last
    gate: LoadGateView | None = None
    error_samples: list[tuple[str, str]] = field(default_factory=list)  # (OLD/NEW, message)
    problem: str | None = None  # the section could not be read

    @property
    def overall(self) -> LoadRow | None:
        return next((row for row in self.rows if row.overall), None)

    @property
    def summary(self) -> str:
        """'p95 7.68 -> 4.56 ms (x0.59), req/s 1536 -> 1679 (x1.09)' over all operations."""
        row = self.overall
        if row is None:
            return self.problem or "no load measured"
        return (
            f"p95 {row.old.p95} -> {row.new.p95} ms ({row.p95_ratio}), req/s {row.old.rps} -> {row.new.rps} ({row.rps_ratio}), "
            f"errors {row.old.error_rate} -> {row.new.error_rate}"
        )


def load_view(report: Report) -> LoadView | None:
    """The load section's rows; None when the report has none."""
    if report.load is None:
        problem = report.section_problem(LOAD_KEY)
        return LoadView(problem=problem) if problem else None
    try:
        return _load_view(report.load)
    except (TypeError, ValueError, AttributeError, ZeroDivisionError) as exc:
        return LoadView(problem=f"extras.load is malformed ({type(exc).__name__}: {exc})")


def _load_view(section: LoadSection) -> LoadView:
    view = LoadView(
        headline=_load_headline(section.settings),
        old_url=section.old.url if section.old else "",
        new_url=section.new.url if section.new else "",
    )
    rows = list(section.operations)
    rows.sort(key=lambda r: r.operation == "overall")  # stable: the load module's order, overall last
    for data in rows:
        old, new, p95_ratio = data.old, data.new, data.ratio.p95
        old_errors = old.error_rate if old else 0.0
        new_errors = new.error_rate if new else 0.0
        view.rows.append(
            LoadRow(
                operation=data.operation,
                old=_load_side(old),
                new=_load_side(new),
                rps_ratio=_ratio(data.ratio.rps),
                p95_ratio=_ratio(p95_ratio),
                slower=p95_ratio is not None and p95_ratio > SLOWER_P95_RATIO,
                more_errors=new_errors > old_errors,
                overall=data.operation == "overall",
            )
        )
    gate = section.gate
    if gate is not None:
        view.gate = LoadGateView(name=gate.name, passed=gate.passed, threshold=gate.threshold, measured=gate.measured,
                                 details=list(gate.details))
    for side, run in (("OLD", section.old), ("NEW", section.new)):
        for sample in run.error_samples if run else []:
            view.error_samples.append((side, sample))
    return view


def _load_headline(settings: LoadRunSettings) -> str:
    if settings == LoadRunSettings():
        return ""
    bounds = f"{_number(settings.duration)} s"
    if settings.max_requests:
        bounds += f" or {settings.max_requests} requests"
    source = settings.source or "?"
    if settings.seed is not None:
        source += f", seed {settings.seed}"
    methods = "all methods (--allow-unsafe)" if settings.allow_unsafe else "GET/HEAD only"
    return f"{settings.users} users, {bounds} per side; mix of {settings.mix_size} requests from {source}; {methods}"


def _load_side(stats: LatencyStats | None) -> LoadSide:
    if not stats:
        return LoadSide()
    if not stats.requests:
        return LoadSide(requests="0")
    return LoadSide(
        requests=str(stats.requests),
        rps=_measure(stats.rps),
        p50=_measure(stats.p50_ms),
        p95=_measure(stats.p95_ms),
        p99=_measure(stats.p99_ms),
        error_rate=f"{stats.error_rate * 100:.1f}%",
    )


def _measure(value: Any) -> str:
    """Three significant digits at most, like the load module's own table."""
    number = _float(value)
    if number is None:
        return "-"
    return f"{number:.0f}" if number >= 100 else f"{number:.1f}" if number >= 10 else f"{number:.2f}"


def _ratio(value: Any) -> str:
    number = _float(value)
    return "-" if number is None else f"x{number:.2f}"


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def _number(value: Any) -> str:
    number = _float(value)
    return "?" if number is None else f"{number:g}"


# ----------------------------------------------------------------------------------- event loop


@dataclass(slots=True)
class BlockRow:
    """Blocks of the event loop during one operation."""

    operation: str
    count: int
    max_ms: float
    p95_ms: float
    total_ms: float
    where: str  # "app/items.py:57" (relative when under the current folder), or "unknown"
    file: str | None
    line: int | None
    function: str | None
    stack: list[str] = field(default_factory=list)  # user frames, outermost first
    example_request: str | None = None
    locations: list[str] = field(default_factory=list)
    fix_hint: str = GENERIC_FIX
    blocking_call: str | None = None  # the static scan's call at that place, when it found one


@dataclass(slots=True)
class StaticRow:
    """A blocking call the static scan found reachable from an async handler (a hint, not a measurement)."""

    operation: str
    call: str
    where: str
    file: str | None
    line: int | None
    chain: list[str] = field(default_factory=list)
    fix_hint: str = ""


@dataclass(slots=True)
class EventLoopView:
    threshold_ms: float = 20.0
    monitored_seconds: float = 0.0
    events_dropped: int = 0
    blocks: list[BlockRow] = field(default_factory=list)  # attributed to the app's code: what the gate counts
    unattributed: list[BlockRow] = field(default_factory=list)  # no app frame on the stack: not counted
    static: list[StaticRow] = field(default_factory=list)
    error: str | None = None  # the monitor failed
    static_error: str | None = None
    problem: str | None = None  # the section could not be read

    @property
    def blocked(self) -> bool:
        return bool(self.blocks) or bool(self.error) or bool(self.problem)

    @property
    def summary(self) -> str:
        if self.problem:
            return self.problem
        if self.error:
            return f"not measured: the event-loop monitor failed: {self.error}"
        if not self.blocks:
            return f"no block over {self.threshold_ms:g} ms in {self.monitored_seconds:.1f} s watched"
        count = sum(b.count for b in self.blocks)
        longest = max(b.max_ms for b in self.blocks)
        return (
            f"{count} block(s) over {self.threshold_ms:g} ms in {len(self.blocks)} operation(s), "
            f"longest {longest:.1f} ms, in {self.monitored_seconds:.1f} s watched"
        )


def event_loop_view(report: Report) -> EventLoopView | None:
    """The event-loop section's rows, each block with a fix hint; None when the loop was not monitored."""
    if report.event_loop is None:
        problem = report.section_problem(EVENT_LOOP_KEY)
        return EventLoopView(problem=problem) if problem else None
    try:
        return _event_loop_view(report.event_loop)
    except (TypeError, ValueError, AttributeError) as exc:
        return EventLoopView(problem=f"extras.event_loop is malformed ({type(exc).__name__}: {exc})")


def _event_loop_view(section: EventLoopSection) -> EventLoopView:
    static = [
        StaticRow(
            operation=f.operation,
            call=f.call,
            where=f"{display_path(f.file or '')}:{f.line}",
            file=display_path(f.file) if f.file else None,
            line=f.line,
            chain=list(f.chain),
            fix_hint=f.fix_hint,
        )
        for f in section.static or []
    ]
    view = EventLoopView(
        threshold_ms=section.threshold_ms,
        monitored_seconds=section.monitored_seconds,
        events_dropped=section.events_dropped,
        static=static,
        error=section.error or None,
        static_error=section.static_error or None,
    )
    for block in section.blocks:
        # an older or merged section may carry library-only blocks in "blocks": the gate skips them too
        target = view.blocks if block.attributed else view.unattributed
        target.append(_block_row(block, static))
    view.unattributed += [_block_row(block, static) for block in section.unattributed]
    return view


def _block_row(block: LoopBlock, static: list[StaticRow]) -> BlockRow:
    raw_where = block.where
    file, line = split_location(raw_where) if raw_where else (None, None)
    where = f"{file}:{line}" if file and line is not None else (display_path(raw_where) if raw_where else "unknown")
    row = BlockRow(
        operation=block.operation,
        count=block.count,
        max_ms=block.max_ms,
        p95_ms=block.p95_ms,
        total_ms=block.total_ms,
        where=where,
        file=file,
        line=line,
        function=block.function or None,
        stack=[_display_frame(frame) for frame in block.stack],
        example_request=block.example_request or None,
        locations=[_display_frame(loc) for loc in block.locations],
    )
    finding = _matching_static(row, static)
    if finding is not None:
        row.fix_hint = finding.fix_hint or GENERIC_FIX
        row.blocking_call = finding.call
    return row


def _matching_static(row: BlockRow, static: list[StaticRow]) -> StaticRow | None:
    """The static finding that explains a measured block: same place first, then a place on its
    stack, then any finding of the same operation (the scan knows *which* call blocks and its fix)."""
    same_operation = [f for f in static if f.operation == row.operation]
    stack_places = {frame.split(" in ", 1)[0] for frame in row.stack}
    for candidates in (
        [f for f in static if f.where == row.where],
        [f for f in same_operation if f.where in stack_places],
        same_operation,
    ):
        if candidates:
            return candidates[0]
    return None


def split_location(location: str) -> tuple[str | None, int | None]:
    """'/abs/app.py:57' -> ('app.py', 57) with the path shown relative to the current folder."""
    path, sep, line = location.rpartition(":")
    if not sep or not line.isdigit():
        return (display_path(location) if location else None), None
    return display_path(path), int(line)


def display_path(path: str) -> str:
    """Relative to the current folder when under it: shorter, the same on every checkout, and what
    GitHub annotations expect (`file=` is relative to the workspace the job runs in)."""
    if not os.path.isabs(path):
        return path
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return path if relative.startswith("..") else relative


def _display_frame(frame: str) -> str:
    """'/abs/app.py:57 in handler' -> 'app.py:57 in handler' (also 'file:line (3x)')."""
    for separator in (" in ", " ("):
        place, sep, rest = frame.partition(separator)
        if sep:
            file, line = split_location(place)
            return f"{file}:{line}{sep}{rest}" if file and line is not None else frame
    file, line = split_location(frame)
    return f"{file}:{line}" if file and line is not None else frame



# ----------------------------------------------------------------------------------- traffic


@dataclass(slots=True)
class UndocumentedRow:
    method: str
    path: str
    count: int
    reason: str = ""


def undocumented_traffic(report: Report) -> list[UndocumentedRow]:
    """Recorded requests OLD's document does not describe, most frequent first."""
    rows = [UndocumentedRow(item.method, item.path, item.count, item.reason) for item in report.undocumented_traffic or []]
    rows.sort(key=lambda r: (-r.count, r.path, r.method))
    return rows


def is_undocumented_error(line: str) -> bool:
    """The `fuzz.errors` lines replay/shadow add for undocumented traffic (shown in their own section)."""
    return line.startswith("undocumented traffic: ")
