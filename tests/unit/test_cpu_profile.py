"""tests/cpu_profile.py: the per-file CPU table the suite's measurements are read from."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cpu_profile import summary


def test_tests_of_each_worker_add_up_per_file_heaviest_first(tmp_path: Path) -> None:
    lines = {"gw0": [("tests/a.py::t1", 1.0), ("tests/b.py::t1", 5.0)], "gw1": [("tests/a.py::t2", 2.5)]}
    for worker, tests in lines.items():
        (tmp_path / f"{worker}.jsonl").write_text("".join(json.dumps({"test": t, "cpu": cpu, "wall": cpu * 2, "load": 1.0}) + "\n" for t, cpu in tests))
    table = summary(tmp_path).splitlines()
    assert table[0] == "3 tests: 8 CPU s, 17 wall s (summed over workers)"
    assert table[2].split() == ["5.0", "10.0", "1", "tests/b.py"]
    assert table[3].split() == ["3.5", "7.0", "2", "tests/a.py"]
    assert table[5].split() == ["5.0", "10.0", "tests/b.py::t1"]
