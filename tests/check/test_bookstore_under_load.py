"""The bookstore verdict does not depend on how busy the machine is (issue 14, item 1).

Slow (several full `check` runs with two CPU-bound processes beside them): runs only with
APIPARITY_SLOW=1, e.g. ``APIPARITY_SLOW=1 pytest -m slow tests/check/test_bookstore_under_load.py``.
APIPARITY_SLOW_RUNS sets the runs of each port (default 3); `benchmarks/loop_gate_under_load.py`
is the same measurement as a script that prints the pass counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

BOOKSTORE = EXAMPLES / "bookstore"
BLOCKING = ROOT / "tests" / "asyncio_check" / "blocking_bookstore.py"
RUNS = int(os.environ.get("APIPARITY_SLOW_RUNS", "3"))
HOG = "while True:\n    sum(range(10_000))\n"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(3600),
    pytest.mark.skipif(not os.environ.get("APIPARITY_SLOW"), reason="slow: set APIPARITY_SLOW=1"),
]


@pytest.fixture(scope="module")
def two_cpu_hogs() -> Iterator[None]:
    hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def check(new: Path, out: Path) -> tuple[int, dict]:
    completed = subprocess.run(
        [sys.executable, "-c", "from apiparity.cli import main; main()", "check",
         f"{BOOKSTORE / 'legacy_app.py'}:app", f"{new}:app",
         "--reset-old", f"{BOOKSTORE / 'legacy_app.py'}:reset", "--reset-new", f"{new}:reset",
         "--seed", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert out.exists(), completed.stderr[-2000:]
    report = json.loads(out.read_text())
    return completed.returncode, next(g for g in report["verdict"]["gates"] if g["name"] == "no-event-loop-blocking")


def test_faithful_port_is_ready_in_every_run_beside_two_cpu_hogs(two_cpu_hogs: None, tmp_path: Path) -> None:
    misses = []
    for index in range(RUNS):
        code, gate = check(BOOKSTORE / "modern_app.py", tmp_path / f"ready-{index}.json")
        if code != 0 or not gate["passed"]:
            misses.append((index, code, gate["measured"], gate["details"]))
    assert not misses, misses


def test_async_time_sleep_is_caught_in_every_run_beside_two_cpu_hogs(two_cpu_hogs: None, tmp_path: Path) -> None:
    misses = []
    for index in range(RUNS):
        code, gate = check(BLOCKING, tmp_path / f"blocking-{index}.json")
        blocked = {d.split(":")[0] for d in gate["details"] if not d.startswith(("static:", "not counted:"))}
        if code != 1 or gate["passed"] or blocked != {"GET /health"}:
            misses.append((index, code, gate["measured"], gate["details"]))
    assert not misses, misses
