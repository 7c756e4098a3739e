"""Benchmark: does the event-loop gate hold on a busy machine?

Starts CPU-bound processes beside `apiparity check` (default 2: a 2-core CI runner with other jobs)
and runs the bundled bookstore migration RUNS times in a row:

- the faithful port (`examples/bookstore/modern_app.py`): every run should be READY (exit 0) and its
  `no-event-loop-blocking` gate should pass;
- the same port with one `async def` handler calling `time.sleep(0.05)`
  (`tests/asyncio_check/blocking_bookstore.py`): every run should fail that gate on GET /health, and
  on GET /health only.

Printed: the pass count of each, and the gate's details of every run that missed.

    python benchmarks/loop_gate_under_load.py [--runs 10] [--hogs 2] [--max-examples N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOKSTORE = ROOT / "examples" / "bookstore"
BLOCKING = ROOT / "tests" / "asyncio_check" / "blocking_bookstore.py"
GATE = "no-event-loop-blocking"
HOG = "import time\nwhile True:\n    sum(range(10_000))\n"


def run_check(new: Path, out: Path, max_examples: int | None, seed: int) -> tuple[int, dict]:
    command = [
        sys.executable, "-c", "from apiparity.cli import main; main()", "check",
        f"{BOOKSTORE / 'legacy_app.py'}:app", f"{new}:app",
        "--reset-old", f"{BOOKSTORE / 'legacy_app.py'}:reset", "--reset-new", f"{new}:reset",
        "--seed", str(seed), "--json", str(out),
    ]
    if max_examples is not None:
        command += ["--max-examples", str(max_examples)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if not out.exists():
        raise SystemExit(f"check wrote no report (exit {completed.returncode}):\n{completed.stderr[-2000:]}")
    report = json.loads(out.read_text())
    gate = next((g for g in report["verdict"]["gates"] if g["name"] == GATE), None)
    return completed.returncode, gate or {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--blocking-runs", type=int, default=None, help="runs of the blocking port (default: --runs)")
    parser.add_argument("--hogs", type=int, default=2, help="CPU-bound processes running beside the check")
    parser.add_argument("--max-examples", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    blocking_runs = args.runs if args.blocking_runs is None else args.blocking_runs
    hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(args.hogs)]
    ready = caught = 0
    try:
        with tempfile.TemporaryDirectory() as folder:
            for index in range(args.runs):
                code, gate = run_check(BOOKSTORE / "modern_app.py", Path(folder) / f"ready-{index}.json", args.max_examples, args.seed)
                ok = code == 0 and gate.get("passed") is True
                ready += ok
                print(f"faithful run {index + 1}: exit {code}, gate {'pass' if gate.get('passed') else 'FAIL'}: {gate.get('measured')}", flush=True)
                if not ok:
                    for line in gate.get("details") or []:
                        print(f"    {line}")
            for index in range(blocking_runs):
                code, gate = run_check(BLOCKING, Path(folder) / f"blocking-{index}.json", args.max_examples, args.seed)
                blocked = {d.split(":")[0] for d in gate.get("details") or [] if d.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE "))}
                ok = code == 1 and gate.get("passed") is False and blocked == {"GET /health"}
                caught += ok
                print(f"blocking run {index + 1}: exit {code}, gate {'pass' if gate.get('passed') else 'FAIL'}: {gate.get('measured')}", flush=True)
                if not ok:
                    for line in gate.get("details") or []:
                        print(f"    {line}")
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    print(f"\nwith {args.hogs} CPU-bound process(es) beside it:")
    print(f"  faithful port READY (gate passed): {ready}/{args.runs}")
    print(f"  blocking port caught on GET /health only: {caught}/{blocking_runs}")
    return 0 if ready == args.runs and caught == blocking_runs else 1


if __name__ == "__main__":
    sys.exit(main())
