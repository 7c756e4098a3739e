"""CPU time of `apiparity diff` against oasdiff on a real document pair given as files.

    python benchmarks/real_pair.py OLD NEW [--repeat 1] [--witness-budget N]

The pair the issue-19 users measured is OpenAI's public OpenAPI document at two versions (3 MB of
YAML each); any pair works. Both tools run as separate processes on the same files; the script
prints each one's CPU time (user + system of the child), apiparity's own split (read, validate,
normalize and compare, witness search) and the ratio (goal: well under 3x oasdiff). oasdiff comes
from npm (`npm install` at the repo root, see package.json).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diff_bench import oasdiff_binary  # noqa: E402


def child_cpu(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """(CPU seconds the command used, its outcome)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), completed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--witness-budget", default=None, help="passed to apiparity diff")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "apiparity.cli", "diff", str(args.old), str(args.new), "--format", "json", "-o", str(report)]
        if args.witness_budget is not None:
            command += ["--witness-budget", str(args.witness_budget)]
        ours = []
        for _ in range(args.repeat):
            cpu, completed = child_cpu(command)
            if completed.returncode not in (0, 1):
                raise SystemExit(f"apiparity diff failed ({completed.returncode}): {completed.stderr[-500:]}")
            ours.append(cpu)
        changes = json.loads(report.read_text())["diff"]["changes"]
    verdicts: dict[str, int] = {}
    for change in changes:
        verdict = (change.get("witness") or {}).get("verdict")
        if verdict:
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
    ours_cpu = min(ours)
    print(f"apiparity: {ours_cpu:.2f} s CPU, {len(changes)} findings, witnesses: "
          + ", ".join(f"{count} {verdict}" for verdict, count in sorted(verdicts.items())))
    binary = oasdiff_binary()
    if binary is None:
        print("oasdiff: not installed (run `npm install` at the repo root); ratio: n/a")
        return
    theirs = []
    for _ in range(args.repeat):
        cpu, completed = child_cpu([*binary, "breaking", str(args.old), str(args.new), "--format", "json"])
        theirs.append(cpu)
    theirs_cpu = min(theirs)
    print(f"oasdiff:   {theirs_cpu:.2f} s CPU")
    print(f"ratio: apiparity / oasdiff = {ours_cpu / theirs_cpu:.2f}x CPU time (goal: well under 3x)")


if __name__ == "__main__":
    main()
