"""tests/cpu_profile.py: the per-file CPU table the suite's measurements are read from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.cpu_profile import file_weights, heaviest_files_first, summary


def test_tests_of_each_worker_add_up_per_file_heaviest_first(tmp_path: Path) -> None:
    lines = {"gw0": [("tests/a.py::t1", 1.0), ("tests/b.py::t1", 5.0)], "gw1": [("tests/a.py::t2", 2.5)]}
    for worker, tests in lines.items():
        (tmp_path / f"{worker}.jsonl").write_text("".join(json.dumps({"test": t, "cpu": cpu, "wall": cpu * 2, "load": 1.0}) + "\n" for t, cpu in tests))
    table = summary(tmp_path).splitlines()
    assert table[0] == "3 tests: 8 CPU s, 17 wall s (summed over workers)"
    assert table[2].split() == ["5.0", "10.0", "1", "tests/b.py"]
    assert table[3].split() == ["3.5", "7.0", "2", "tests/a.py"]
    assert table[5].split() == ["5.0", "10.0", "tests/b.py::t1"]


def test_weights_are_cpu_seconds_per_file_heaviest_first_above_a_floor(tmp_path: Path) -> None:
    tests = [("tests/a.py::t1", 1.0), ("tests/b.py::t1", 5.0), ("tests/a.py::t2", 2.5), ("tests/c.py::t1", 0.2)]
    (tmp_path / "gw0.jsonl").write_text("".join(json.dumps({"test": t, "cpu": cpu, "wall": cpu, "load": 1.0}) + "\n" for t, cpu in tests))
    assert list(file_weights(tmp_path).items()) == [("tests/b.py", 5.0), ("tests/a.py", 3.5)]


def test_heaviest_files_come_first_each_keeping_its_order() -> None:
    @dataclass
    class Item:
        nodeid: str

    items = [Item(n) for n in ("tests/a.py::t1", "tests/a.py::t2", "tests/b.py::t1", "tests/c.py::t1", "tests/b.py::t2", "tests/d.py::t1")]
    ordered = heaviest_files_first(items, {"tests/b.py": 9.0, "tests/a.py": 3.5})  # type: ignore[arg-type]
    assert [i.nodeid for i in ordered] == ["tests/b.py::t1", "tests/b.py::t2", "tests/a.py::t1", "tests/a.py::t2", "tests/c.py::t1", "tests/d.py::t1"]
