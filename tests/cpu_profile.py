"""CPU seconds per test file: how heavy the suite is on a machine whose wall time says little.

On a shared 2-core machine the suite's wall time follows the load of everything else; the CPU each
test costs does not. Opt-in plugin:

    APIPARITY_TEST_CPU=/tmp/cpu python -m pytest -q -p no:cacheprovider -n 2 -p tests.cpu_profile
    python -m tests.cpu_profile /tmp/cpu            # per file: CPU s, wall s, tests; the heaviest tests
    python -m tests.cpu_profile /tmp/cpu --weights  # rewrite tests/cpu_weights.json from that run

Each process (each xdist worker) appends one JSON line per test as it ends, so a run that is stopped
still leaves what it measured. CPU is the process's own plus its waited-for children's (servers and
interpreters a test starts and stops); a child reaped during a later test is counted there.

tests/cpu_weights.json (CPU s per file of a whole run) orders the suite on xdist workers: the
heaviest files first (tests/conftest.py), so that with `--dist worksteal` the last tests to run are
short ones and neither worker waits long on the other at the end. Stale weights only change the order.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

VARIABLE = "APIPARITY_TEST_CPU"
WEIGHTS = Path(__file__).with_name("cpu_weights.json")


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    folder = os.environ.get(VARIABLE)
    cpu, wall = _cpu_seconds(), time.perf_counter()
    yield
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        line = {"test": item.nodeid, "cpu": round(_cpu_seconds() - cpu, 3), "wall": round(time.perf_counter() - wall, 3),
                "load": os.getloadavg()[0]}
        with open(Path(folder) / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.jsonl", "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def _tests(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]


def file_weights(folder: Path, least: float = 1.0) -> dict[str, float]:
    """CPU seconds per test file of a recorded run, the files of at least `least` seconds, heaviest first."""
    cpu: dict[str, float] = defaultdict(float)
    for test in _tests(folder):
        cpu[test["test"].split("::")[0]] += test["cpu"]
    return {name: round(seconds, 1) for name, seconds in sorted(cpu.items(), key=lambda f: -f[1]) if seconds >= least}


def heaviest_files_first(items: list[pytest.Item], weights: dict[str, float]) -> list[pytest.Item]:
    """The items of the heaviest files first; a file's items keep their order, as do the files of equal
    (or no) weight. `weights` maps file node IDs (`tests/x/test_y.py`) to CPU seconds."""
    return sorted(items, key=lambda item: -weights.get(item.nodeid.split("::")[0], 0.0))


def summary(folder: Path, top: int = 25) -> str:
    tests = _tests(folder)
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for test in tests:
        row = files[test["test"].split("::")[0]]
        row[0] += test["cpu"]
        row[1] += test["wall"]
        row[2] += 1
    lines = [f"{len(tests)} tests: {sum(t['cpu'] for t in tests):.0f} CPU s, {sum(t['wall'] for t in tests):.0f} wall s (summed over workers)",
             "    CPU s   wall s  tests  file"]
    lines += [f"{cpu:9.1f} {wall:8.1f} {count:6d}  {name}" for name, (cpu, wall, count) in sorted(files.items(), key=lambda f: -f[1][0])[:top]]
    lines.append("    CPU s   wall s  test")
    lines += [f"{t['cpu']:9.1f} {t['wall']:8.1f}  {t['test']}" for t in sorted(tests, key=lambda t: -t["cpu"])[:top]]
    return "\n".join(lines)


if __name__ == "__main__":
    if "--weights" in sys.argv[2:]:
        WEIGHTS.write_text(json.dumps(file_weights(Path(sys.argv[1])), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS}")
    else:
        print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
