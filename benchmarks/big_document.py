"""Memory budget for a 50 MB OpenAPI document: generate it, then load, load+validate and diff it
(each in its own process, so peak RSS is that step's own), and compare with oasdiff when
node_modules/.bin/oasdiff exists.

    python benchmarks/big_document.py [--mb 50] [--keep DIR] [--no-validate]

Budget: loading, validating and diffing a 50 MB document stays under BUDGET_MB of peak RSS per step.
Prints seconds and peak RSS per step, and apiparity/oasdiff ratios for the diff measured in this run.
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
BUDGET_MB = 3000  # peak RSS per step for a 50 MB document (about 60x the file: dicts of str are big)


def generate(path: Path, target_bytes: int, *, variant: int = 0) -> int:
    """Write an OpenAPI 3.1 document of about `target_bytes`; `variant` 1 changes a few operations."""
    paths: dict = {}
    schemas: dict = {}
    size = 0
    index = 0
    while size < target_bytes:
        name = f"Model{index}"
        properties = {f"field_{k}": {"type": "string" if k % 3 else "integer", "description": f"Field {k} of {name}. " * 3} for k in range(20)}
        if variant and index % 500 == 0:
            properties.pop("field_1")  # a removed response field: breaking for clients
        schemas[name] = {"type": "object", "required": ["field_0", "field_1"] if not (variant and index % 500 == 0) else ["field_0"],
                         "properties": properties}
        operation = {
            "operationId": f"get_resource_{index}",
            "summary": f"Read resource {index}",
            "description": "Returns the resource. " * 10,
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "expand", "in": "query", "schema": {"type": "boolean"}},
            ],
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
                "404": {"description": "not found"},
            },
        }
        paths[f"/resources{index}/{{id}}"] = {"get": operation}
        size += len(json.dumps(schemas[name])) + len(json.dumps(operation)) + 40
        index += 1
    document = {"openapi": "3.1.0", "info": {"title": "big", "version": str(variant)}, "paths": paths, "components": {"schemas": schemas}}
    path.write_text(json.dumps(document), encoding="utf-8")
    return index


def measure(argv: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if process.stderr is not None:
        process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="document size in MB (default 50)")
    parser.add_argument("--keep", type=Path, default=None, help="write the documents here and keep them")
    parser.add_argument("--no-validate", action="store_true",
                        help="skip `apiparity spec` (openapi-spec-validator takes about 20 minutes on 50 MB)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="apiparity-big-"))
    folder.mkdir(parents=True, exist_ok=True)
    old, new = folder / "big-old.json", folder / "big-new.json"
    operations = generate(old, int(args.mb * 2**20))
    generate(new, int(args.mb * 2**20), variant=1)
    print(f"documents: {old.stat().st_size / 2**20:.1f} MB and {new.stat().st_size / 2**20:.1f} MB, {operations} operations each")

    python = sys.executable
    apiparity = str(Path(python).parent / "apiparity")
    steps = {
        "python: json.load only (floor)": [python, "-c", f"import json; json.load(open({str(old)!r}))"],
        "apiparity: load (read + safety checks)": [python, "-c", f"from pathlib import Path; from apiparity.targets import load_target; load_target({str(old)!r})"],
        **({} if args.no_validate else {"apiparity spec (load + validate)": [apiparity, "spec", str(old), "-o", os.devnull]}),
        "apiparity diff": [apiparity, "diff", str(old), str(new), "--format", "json", "-o", os.devnull],
    }
    oasdiff = ROOT / "node_modules" / ".bin" / "oasdiff"
    if oasdiff.exists():
        steps["oasdiff breaking"] = [str(oasdiff), "breaking", str(old), str(new)]
    results: dict[str, tuple[float, float, int]] = {}
    print(f"{'step':42} {'seconds':>8} {'peak RSS MB':>12} {'exit':>5}")
    for name, argv in steps.items():
        results[name] = measure(argv)
        seconds, rss, code = results[name]
        over = "  OVER BUDGET" if name.startswith("apiparity") and rss > BUDGET_MB * args.mb / 50 else ""
        print(f"{name:42} {seconds:8.1f} {rss:12.0f} {code:5d}{over}")
    if "oasdiff breaking" in results:
        ours, theirs = results["apiparity diff"], results["oasdiff breaking"]
        print(f"apiparity diff / oasdiff: time x{ours[0] / theirs[0]:.2f}, peak RSS x{ours[1] / theirs[1]:.2f}")
    else:
        print("oasdiff not installed (node_modules/.bin/oasdiff): no peer ratio")
    print(f"budget: {BUDGET_MB * args.mb / 50:.0f} MB peak RSS per apiparity step for a {args.mb:g} MB document")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
