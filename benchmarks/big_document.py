"""Memory and time of `apiparity diff` on a 50,000-operation pair (about 48 MiB each): generate
the pair, then run each step in its own process (peak RSS is that step's own) and compare.

    python benchmarks/big_document.py [--operations 50000] [--keep DIR] [--validate] [--oasdiff]

Targets (issue 19): the diff's peak RSS under BUDGET_MIB, and its time within TIME_FACTOR x the
floor, a process that only `json.load`s both files and normalizes both documents. Prints seconds
(wall and CPU) and peak RSS per step and both ratios; with --oasdiff (node_modules/.bin/oasdiff,
`npm install`) also apiparity/oasdiff ratios (oasdiff took 262 s on the 10,000-operation pair; the
issue's peer ratio is measured on 5,000 operations by benchmarks/diff_bench.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MIB = 600  # peak RSS of `apiparity diff` on the pair
TIME_FACTOR = 3.0  # the diff's time against json.load of both files plus their normalization

_FLOOR = """
import json, sys
from apiparity.spec.normalize import normalize_document
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as handle:
        normalize_document(json.load(handle))
"""


def generate(path: Path, operations: int, *, variant: int = 0) -> int:
    """Write an OpenAPI 3.1 document of `operations` operations, each with its own component
    (about 1 KB of JSON per operation); `variant` 1 changes a few of them. Returns the byte size."""
    paths: dict = {}
    schemas: dict = {}
    for index in range(operations):
        name = f"Model{index}"
        changed = variant and index % 500 == 0
        properties = {f"field_{k}": {"type": "string" if k % 3 else "integer", "description": f"Field {k}"} for k in range(8)}
        if changed:
            properties.pop("field_1")  # a removed response field: breaking for clients
        schemas[name] = {"type": "object", "required": ["field_0"] if changed else ["field_0", "field_1"], "properties": properties}
        paths[f"/resources{index}/{{id}}"] = {"get": {
            "operationId": f"get_resource_{index}",
            "summary": f"Read resource {index}",
            "description": "Returns the resource.",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "expand", "in": "query", "schema": {"type": "boolean"}},
            ],
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
                "404": {"description": "not found"},
            },
        }}
    document = {"openapi": "3.1.0", "info": {"title": "big", "version": str(variant)}, "paths": paths, "components": {"schemas": schemas}}
    text = json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return len(text)


def measure(argv: list[str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MiB, exit code) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if process.stderr is not None:
        process.stderr.close()
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=50_000, help="operations per document (default 50,000)")
    parser.add_argument("--keep", type=Path, default=None, help="write the documents here and keep them")
    parser.add_argument("--validate", action="store_true",
                        help="also time `apiparity spec` (openapi-spec-validator takes about 20 minutes on 48 MiB)")
    parser.add_argument("--oasdiff", action="store_true", help="also time `oasdiff breaking` (minutes to hours at this size)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="apiparity-big-"))
    folder.mkdir(parents=True, exist_ok=True)
    old, new = folder / "big-old.json", folder / "big-new.json"
    generate(old, args.operations)
    generate(new, args.operations, variant=1)
    print(f"documents: {old.stat().st_size / 2**20:.1f} MiB and {new.stat().st_size / 2**20:.1f} MiB, {args.operations:,} operations each")

    python = sys.executable
    apiparity = str(Path(python).parent / "apiparity")
    steps = {
        "python: json.load of both": [python, "-c", f"import json; [json.load(open(n)) for n in ({str(old)!r}, {str(new)!r})]"],
        "floor: json.load + normalize, both": [python, "-c", _FLOOR, str(old), str(new)],
        "apiparity: load (read + safety checks)": [python, "-c", f"from apiparity.targets import load_target; load_target({str(old)!r})"],
        **({"apiparity spec (load + validate)": [apiparity, "spec", str(old), "-o", os.devnull]} if args.validate else {}),
        "apiparity diff": [apiparity, "diff", str(old), str(new), "--format", "json", "-o", os.devnull],
    }
    oasdiff = ROOT / "node_modules" / ".bin" / "oasdiff"
    if args.oasdiff and oasdiff.exists():
        steps["oasdiff breaking"] = [str(oasdiff), "breaking", str(old), str(new)]
    results: dict[str, tuple[float, float, float, int]] = {}
    print(f"{'step':40} {'wall s':>7} {'CPU s':>7} {'peak RSS MiB':>13} {'exit':>5}")
    for name, argv in steps.items():
        results[name] = measure(argv)
        wall, cpu, rss, code = results[name]
        print(f"{name:40} {wall:7.1f} {cpu:7.1f} {rss:13.0f} {code:5d}")
    diff, floor = results["apiparity diff"], results["floor: json.load + normalize, both"]
    print(f"memory: apiparity diff peak RSS {diff[2]:.0f} MiB = {diff[2] / BUDGET_MIB:.2f}x the {BUDGET_MIB} MiB budget"
          f" ({'within' if diff[2] <= BUDGET_MIB else 'OVER'})")
    print(f"time: apiparity diff / (json.load + normalize of both) = {diff[0] / floor[0]:.2f}x wall, {diff[1] / floor[1]:.2f}x CPU"
          f" (goal <= {TIME_FACTOR:g}x)")
    if "oasdiff breaking" in results:
        theirs = results["oasdiff breaking"]
        print(f"apiparity diff / oasdiff: time x{diff[0] / theirs[0]:.2f} wall, x{diff[1] / theirs[1]:.2f} CPU, peak RSS x{diff[2] / theirs[2]:.2f}")
    elif args.oasdiff:
        print("oasdiff not installed (node_modules/.bin/oasdiff): no peer ratio")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
