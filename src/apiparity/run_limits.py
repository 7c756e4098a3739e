"""The deadline of a whole run (`--max-run-time SECONDS`): when it passes, the run stops the way
Ctrl-C stops it (what ran so far is kept and reported), and the report says why it is incomplete.

The deadline is a SIGALRM timer whose handler raises `RunDeadlineReached` (a KeyboardInterrupt, so
every place that already keeps a partial result on Ctrl-C keeps it here too) in the main thread,
wherever the run is waiting: a request, a reset hook, a side that never answers. Where there is no
SIGALRM (Windows) or the run is not on the main thread, no deadline is set.

The time counts from the command's start (`command_started`, set by the CLI as it parses the
command line; a run called as a library counts from its own start), not from the first request: loading the targets, starting a side's server (`--new-python`, `--new-cmd`) and
validating the documents are part of the run. `start()` arms the timer for what is left, and raises
at once when nothing is left (setup alone took longer). What follows the deadline is the margin:
the partial result is kept, the reports written and started servers stopped (about a second); a
setup step itself is not interrupted, so when it alone outlasts the bound the run stops as soon as
it returns.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType


_command_started: float | None = None  # time.monotonic() when the running CLI command started (cli.py sets it)


def command_started(at: float | None) -> None:
    """The running command started at `at` (None: no command runs; a run counts from its own start)."""
    global _command_started
    _command_started = at


class RunDeadlineReached(KeyboardInterrupt):
    """The run's own deadline passed (not the user's Ctrl-C)."""


class RunDeadline:
    """Made at the command's start; `start()` arms the timer for the time left (inside the block
    that keeps a partial result), `cancel()` disarms it (always, before the reports are written)."""

    def __init__(self, seconds: float | None) -> None:
        import math

        from apiparity.errors import ConfigError

        if seconds is not None and not math.isfinite(seconds):
            raise ConfigError(f"--max-run-time: a finite number of seconds, not {seconds}")
        self.seconds = seconds
        self.began = _command_started if _command_started is not None else time.monotonic()
        self.reached = False
        self._previous: object = None
        self._armed = False

    def start(self) -> RunDeadline:
        if not self.seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return self
        left = self.seconds - (time.monotonic() - self.began)
        if left <= 0:  # the setup alone used the whole run's time
            self.reached = True
            raise RunDeadlineReached()
        self._previous = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, left)
        self._armed = True
        return self

    def _fire(self, signum: int, frame: FrameType | None) -> None:
        self.reached = True
        raise RunDeadlineReached()

    def cancel(self) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]
            self._armed = False

    @property
    def detail(self) -> str:
        return f"--max-run-time {self.seconds:g} s passed before the run's end"
