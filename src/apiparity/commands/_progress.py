"""The progress display of `check` and `fuzz` (one implementation, rich, on stderr).

On a terminal: a live bar (operations done, cases sent, the current operation). Piped or in CI
(where a silent job gets killed and a live bar is noise): one plain line per finished operation, at
most one every `APIPARITY_PROGRESS_EVERY` seconds (default 0: every operation), plus a heartbeat
line during an operation that runs longer than 30 s. `--no-progress` turns it off;
`APIPARITY_PROGRESS=bar|lines|off` overrides the choice. rich's console honours `NO_COLOR`,
`FORCE_COLOR` and `COLUMNS`; FORCE_COLOR colours the lines, it does not turn a log into a live bar.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from apiparity.pipeline import Event

Mode = Literal["bar", "lines", "off"]
HEARTBEAT_SECONDS = 30.0


def progress_mode(flag: bool | None, stream: TextIO | None = None) -> Mode:
    """`--progress/--no-progress` (None: not given) and the environment -> how to show progress."""
    forced = os.environ.get("APIPARITY_PROGRESS", "").strip().lower()
    if forced in ("bar", "lines", "off"):
        return forced  # type: ignore[return-value]
    if flag is False:
        return "off"
    stream = stream or sys.stderr
    interactive = bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")
    return "bar" if interactive else "lines"


class ProgressDisplay:
    """Context manager yielding the handler of the pipeline's events (`apiparity.pipeline.Event`) that
    shows the fuzz phase's progress (None when off); other events are not its business."""

    def __init__(self, label: str, mode: Mode, *, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.mode = mode
        self.stream = stream
        self.clock = clock
        self.every = _float_env("APIPARITY_PROGRESS_EVERY", 0.0)
        self._progress: Any = None
        self._task: Any = None
        self._console: Any = None
        self._started = 0.0
        self._last_line = 0.0
        self._last_operation: str | None = None

    def __enter__(self) -> Callable[[Event], None] | None:
        if self.mode == "off":
            return None
        from rich.console import Console

        # a live bar only on a real terminal; lines never carry cursor movement, so force_terminal stays
        # rich's own choice (FORCE_COLOR / NO_COLOR) and only colours them
        self._console = Console(file=self.stream or sys.stderr, highlight=False, soft_wrap=True)
        self._started = self._last_line = self.clock()
        if self.mode == "lines":
            return self._line
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn(f"[bold]{self.label}"), BarColumn(), MofNCompleteColumn(), TextColumn("operations"),
            TextColumn("{task.fields[cases]} cases"), TextColumn("{task.fields[current]}"), TimeElapsedColumn(),
            console=self._console, transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=None, cases=0, current="")
        return self._bar

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _bar(self, event: Event) -> None:
        from apiparity.pipeline import CaseCompared, FuzzFinished, OperationFinished, OperationsPlanned

        if isinstance(event, OperationsPlanned):
            self._progress.update(self._task, total=event.operations_total or None, completed=0, cases=0, current="")
        elif isinstance(event, (CaseCompared, OperationFinished)):
            self._progress.update(self._task, total=event.operations_total or None, completed=event.operations_done,
                                  cases=event.cases_sent, current=event.operation)
        elif isinstance(event, FuzzFinished):
            self._progress.update(self._task, total=event.operations_total or None, completed=event.operations_done,
                                  cases=event.cases_sent, current="")

    def _line(self, event: Event) -> None:
        from apiparity.pipeline import CaseCompared, FuzzFinished, OperationFinished, OperationsPlanned

        now = self.clock()
        elapsed = _clock(now - self._started)
        if isinstance(event, OperationsPlanned):
            self._say(f"{self.label}: {event.operations_total} operation(s) to run", now)
        elif isinstance(event, OperationFinished):
            last = event.operations_done >= event.operations_total
            if last or now - self._last_line >= self.every:
                self._say(f"{self.label}: [{event.operations_done}/{event.operations_total}] {event.operation} done, "
                          f"{event.cases_sent} cases sent, {elapsed}", now)
        elif isinstance(event, CaseCompared):
            if now - self._last_line >= max(HEARTBEAT_SECONDS, self.every):
                self._say(f"{self.label}: [{event.operations_done}/{event.operations_total}] {event.operation} running, "
                          f"{event.cases_sent} cases sent, {elapsed}", now)
        elif isinstance(event, FuzzFinished):
            self._say(f"{self.label}: finished {event.operations_done}/{event.operations_total} operation(s), "
                      f"{event.cases_sent} cases in {elapsed}", now)

    def _say(self, text: str, now: float) -> None:
        from rich.markup import escape

        self._console.print(f"[dim]{escape(text)}[/dim]")
        self._last_line = now


def event_printer(progress: Callable[[Event], None] | None) -> Callable[[Event], None]:
    """The CLI's handler of pipeline events: `Notice` lines on stderr, the rest to the progress display."""
    import click

    from apiparity.pipeline import Notice

    def handle(event: Event) -> None:
        if isinstance(event, Notice):
            click.echo(event.text, err=True)
        elif progress is not None:
            progress(event)

    return handle


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _float_env(name: str, default: float) -> float:
    try:
        return max(float(os.environ.get(name, default)), 0.0)
    except ValueError:
        return default
