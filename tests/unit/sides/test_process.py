"""SideProcess.stop(): when it returns, nothing of the side's process group is alive."""

from __future__ import annotations

import sys
import time
import uuid

from apiparity.sides.process import SideProcess
from tests.sides.procs import pids_with

# The leader starts a child that ignores SIGTERM and outlives it, as a server's worker can.
STUBBORN = """
import signal, subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)", sys.argv[1] + "-child"])
time.sleep(60)
"""


def test_stop_returns_once_a_stubborn_child_is_gone(tmp_path):
    marker = f"side-{uuid.uuid4().hex}"
    process = SideProcess.spawn("new", [sys.executable, "-c", STUBBORN, marker], log_path=tmp_path / "new.log")
    for _ in range(600):
        if pids_with(f"{marker}-child"):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the child never started")
    process.stop()
    assert pids_with(marker) == []
