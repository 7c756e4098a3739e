"""The leak checks' process finder sees this test process's children and nobody else's."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from tests.sides.procs import OWNER_VARIABLE, pids_with, wait_until_gone


def _sleeper(marker: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker], env=env)


def test_a_process_started_here_is_found_and_another_owners_is_not():
    marker = f"procs-{uuid.uuid4().hex}"
    mine = _sleeper(marker, dict(os.environ))
    foreign = _sleeper(marker, {**os.environ, OWNER_VARIABLE: "someone-else"})
    try:
        assert pids_with(marker) == [mine.pid]
    finally:
        for process in (mine, foreign):
            process.kill()
            process.wait()
    assert wait_until_gone(marker, timeout=5) == []
