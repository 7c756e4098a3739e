"""run_limits.py: --max-run-time stops the run like Ctrl-C, from wherever the main thread waits."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from apiparity.errors import ConfigError
from apiparity.run_limits import RunDeadline, RunDeadlineReached


def test_the_deadline_interrupts_a_wait_like_ctrl_c() -> None:
    deadline = RunDeadline(0.05).start()
    try:
        with pytest.raises(KeyboardInterrupt) as raised:  # every place that keeps a partial run on Ctrl-C
            time.sleep(30)
        assert isinstance(raised.value, RunDeadlineReached) and deadline.reached
    finally:
        deadline.cancel()
    assert deadline.detail == "--max-run-time 0.05 s passed before the run's end"


def test_cancel_disarms_the_timer_and_restores_the_previous_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    deadline = RunDeadline(0.2).start()
    assert signal.getsignal(signal.SIGALRM) != before
    deadline.cancel()
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    time.sleep(0.3)  # nothing fires
    assert not deadline.reached
    deadline.cancel()  # twice is harmless


def test_no_deadline_and_no_deadline_off_the_main_thread() -> None:
    assert not RunDeadline(None).start()._armed
    assert not RunDeadline(0).start()._armed
    started: list[bool] = []
    worker = threading.Thread(target=lambda: started.append(RunDeadline(5).start()._armed))
    worker.start()
    worker.join()
    assert started == [False]


@pytest.mark.parametrize("seconds", [float("inf"), float("nan")])
def test_a_deadline_that_is_no_finite_number_is_bad_input(seconds: float) -> None:
    with pytest.raises(ConfigError, match="--max-run-time"):
        RunDeadline(seconds)
