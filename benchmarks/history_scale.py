"""How the run history scales: append RUNS runs of OPS operations, then time `apiparity history`
and `apiparity plan` on the file (both read only the recent runs they need).

    python benchmarks/history_scale.py [--runs 1000] [--operations 100]

Measured on the 2-core shared dev machine (1000 runs x 100 operations, 17 MB file): append ~23 ms
a run (one transaction each); `history` ~1.4 s and `plan` ~1.2 s wall (~0.3 s CPU), where reading
every run and a quadratic readiness scan took 52 s and 21 s before.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--operations", type=int, default=100)
    args = parser.parse_args()
    from apiparity.history.extract import run_record
    from apiparity.history.store import open_store
    from tests.history.factory import report

    ops = tuple(f"GET /r{i}/{{id}}" for i in range(args.operations))
    record = run_record(report(operations=ops, groups=[(ops[i], "status 200 != 500") for i in range(0, len(ops), 3)]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite"
        started = time.perf_counter()
        with open_store(path) as store:
            for _ in range(args.runs):
                store.append(record)
        append = time.perf_counter() - started
        print(f"append: {args.runs} runs x {args.operations} operations in {append:.1f} s "
              f"({append / args.runs * 1000:.1f} ms a run), file {path.stat().st_size / 1e6:.1f} MB")
        for command in (["history"], ["plan"]):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "apiparity.cli", *command, "--history", str(path)], check=True,
                           stdout=subprocess.DEVNULL)
            print(f"apiparity {command[0]}: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
