"""The deadline of a whole run (`--max-run-time SECONDS`): when it passes, the run stops the way
Ctrl-C stops it (what ran so far is kept and reported), and the report says why it is incomplete.

The deadline is a SIGALRM timer whose handler raises `RunDeadlineReached` (a KeyboardInterrupt, so
every place that already keeps a partial result on Ctrl-C keeps it here too) in the main thread,
wherever the run is waiting: a request, a reset hook, a side that never answers. Where there is no
SIGALRM (Windows) or the run is not on the main thread, no deadline is set.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


class RunDeadlineReached(KeyboardInterrupt):
    """The run's own deadline passed (not the user's Ctrl-C)."""


class RunDeadline:
    """`start()` arms the timer, `cancel()` disarms it (always, before the reports are written)."""

    def __init__(self, seconds: float | None) -> None:
        import math

        from apiparity.errors import ConfigError

        if seconds is not None and not math.isfinite(seconds):
            raise ConfigError(f"--max-run-time: a finite number of seconds, not {seconds}")
        self.seconds = seconds
        self.reached = False
        self._previous: object = None
        self._armed = False

    def start(self) -> RunDeadline:
        if not self.seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return self
        self._previous = signal.signal(signal.SIGALRM, self._fire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
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
