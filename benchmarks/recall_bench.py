"""Benchmark: recall of seeded regressions on every pair in tests/pairs, apiparity against
schemathesis alone.

For each pair with a `regressed` port and an `expected.json`, seeds 1-5 at the default budget:
- apiparity: `apiparity check legacy.py:app regressed.py:app --seed S`; a seeded regression is found
  when the report names its operation (a mismatch group, a breaking spec change, or a
  new-vs-old-spec conformance issue on it) — an operation-level reading of the pair tests' own
  matchers, which pin the exact group;
- the faithful port (`modern.py`) with the same seed: its mismatch groups are false groups;
- pool hits: of the cases filled from the value pool, how many OLD answered with success (they
  reached a record that exists);
- schemathesis alone, the peer: the same generated cases (apiparity's generator, same seed and
  budget) sent to the regressed port only and judged by OLD's document with schemathesis' own
  checks; a seeded regression is found when a check fails on its operation.

    python benchmarks/recall_bench.py [--seeds 1-5] [--pairs tickets,ledger] [--max-examples 20] [--no-peer]
    python benchmarks/recall_bench.py --extra "--no-value-pool --probes trailing-slash,if-none-match,no-credentials"  # as before
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
PAIRS = ROOT / "tests" / "pairs"
# what a user passes for a pair (the contract of a plain Flask app, the API key, the bearer token)
OPTIONS = {
    "blog": ("--contract", str(PAIRS / "blog" / "contract.yaml")),
    "events": ("--contract", str(PAIRS / "events" / "contract.yaml")),
    "notes": ("--contract", str(PAIRS / "notes" / "contract.yaml")),
    "tickets": ("-H", "X-Token: s3cret"),
    "media": ("-H", "Authorization: Bearer mda_live_4f9c2b7e1d83a6"),
}


def pairs_with_regressions(only: list[str] | None) -> list[str]:
    found = sorted(p.name for p in PAIRS.iterdir() if (p / "regressed.py").is_file() and (p / "expected.json").is_file())
    return [p for p in found if not only or p in only]


def apiparity_check(pair: str, module: str, seed: int, max_examples: int, out: Path, extra: tuple[str, ...] = ()) -> tuple[dict, float]:
    json_path = out / f"{pair}-{module}-{seed}.json"
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    subprocess.run([sys.executable, "-c", "from apiparity.cli import main; main()", "check", f"{PAIRS / pair / 'legacy.py'}:app",
                    f"{PAIRS / pair / module}.py:app", *OPTIONS.get(pair, ()), "--seed", str(seed),
                    "--max-examples", str(max_examples), *extra, "--json", str(json_path)],
                   cwd=ROOT, capture_output=True, check=False, env=env)
    elapsed = time.perf_counter() - started
    return (json.loads(json_path.read_text()) if json_path.is_file() else {}), elapsed


def flagged_operations(report: dict) -> set[str]:
    fuzz = report.get("fuzz") or {}
    flagged = {g["operation"] for g in fuzz.get("groups", []) if not g.get("waived_by")}
    flagged |= {i["operation"] for i in fuzz.get("conformance", []) if i["side"] == "new-vs-old-spec"}
    flagged |= {f"{c['method']} {c['path']}" for c in (report.get("diff") or {}).get("changes", []) if c["severity"] == "breaking"}
    return flagged


def pooled_hits(report: dict) -> tuple[int, int]:
    """(pooled cases OLD answered with success, pooled cases): how many cases reached existing records."""
    operations = (report.get("fuzz") or {}).get("operations", [])
    return sum(o.get("pooled_found", 0) for o in operations), sum(o.get("pooled_cases", 0) for o in operations)


def schemathesis_alone(pair: str, seed: int, max_examples: int) -> tuple[set[str], float]:
    """Operations where schemathesis' checks fail on the regressed port, judged by OLD's document."""
    from apiparity.fuzz.generate import generate_cases, load_schema, plan_operations
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.targets import load_target
    from apiparity.targets.apps import import_object

    old = load_target(f"{PAIRS / pair / 'legacy.py'}:app")
    if pair in ("blog", "events", "notes"):
        from apiparity.targets import load_target as load

        old = load(str(PAIRS / pair / "contract.yaml"))
    new_ref = f"{PAIRS / pair / 'regressed.py'}:app"
    new = load_target(new_ref)
    reset = import_object(new_ref, module=str(PAIRS / pair / "regressed.py"), attribute="reset")
    headers = dict([OPTIONS[pair][1].split(": ", 1)]) if pair in ("tickets", "media") else {}
    settings = FuzzSettings(max_examples=max_examples, seed=seed)
    schema = load_schema(old.document)
    failing: set[str] = set()
    started = time.perf_counter()
    for item in plan_operations(schema, settings):
        if item.operation is None:
            continue
        cases, _ = generate_cases(item.operation, settings, label=item.label)
        for generated in cases:
            reset()
            case = generated.case
            case.headers = {**(case.headers or {}), **headers}
            try:
                response = case.call(app=new.app)
                case.validate_response(response)
            except KeyboardInterrupt:
                raise
            except BaseException:  # noqa: BLE001 - a failed check is the result here
                failing.add(item.label)
    return failing, time.perf_counter() - started


def parse_seeds(text: str) -> list[int]:
    """`1,3,4` or `1-5` (or both: `1-3,7`) -> the seeds in order, each once."""
    seeds: list[int] = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        seeds += list(range(int(low), int(high) + 1)) if high else [int(low)]
    return list(dict.fromkeys(seeds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-5", help="seeds to run each pair with: 1,2,3 or a range 1-5 (default)")
    parser.add_argument("--pairs", default=None, help="comma-separated pair names (default: every pair with a regressed port)")
    parser.add_argument("--max-examples", type=int, default=20, help="the default budget")
    parser.add_argument("--no-peer", action="store_true", help="skip schemathesis alone")
    parser.add_argument("--extra", default="", help="more check options, e.g. \"--no-value-pool --probes none\" (a run as before)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    seeds = parse_seeds(args.seeds)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for pair in pairs_with_regressions(args.pairs.split(",") if args.pairs else None):
            seeded = json.loads((PAIRS / pair / "expected.json").read_text())
            wanted = {r["id"]: r["operation"] for r in seeded}
            for seed in seeds:
                extra = tuple(args.extra.split())
                report, seconds = apiparity_check(pair, "regressed", seed, args.max_examples, out, extra)
                flagged = flagged_operations(report)
                found = sorted(i for i, operation in wanted.items() if operation in flagged)
                faithful, faithful_s = apiparity_check(pair, "modern", seed, args.max_examples, out, extra)
                false_groups = len([g for g in (faithful.get("fuzz") or {}).get("groups", []) if not g.get("waived_by")])
                peer, peer_s = (set(), 0.0) if args.no_peer else schemathesis_alone(pair, seed, args.max_examples)
                peer_found = sorted(i for i, operation in wanted.items() if operation in peer)
                rows.append((pair, seed, len(found), len(wanted), false_groups, seconds + faithful_s, len(peer_found), peer_s,
                             sorted(set(wanted) - set(found)), pooled_hits(report)))
                print(f"{pair:<10} seed {seed}: apiparity {len(found)}/{len(wanted)} found (missed {', '.join(rows[-1][8]) or '-'}), "
                      f"{false_groups} false group(s) on the faithful port, {seconds + faithful_s:.1f} s; "
                      f"schemathesis alone {len(peer_found)}/{len(wanted)} in {peer_s:.1f} s", flush=True)
    total = sum(r[3] for r in rows)
    print()
    print(f"{'pair':<10} {'seed':>4} {'apiparity':>10} {'false':>6} {'seconds':>8} {'schemathesis':>13} {'seconds':>8} {'pool hits':>10}")
    for pair, seed, found, wanted, false_groups, seconds, peer, peer_s, _, (hits, pooled) in rows:
        shown = "-" if args.no_peer else f"{peer}/{wanted}"
        print(f"{pair:<10} {seed:>4} {f'{found}/{wanted}':>10} {false_groups:>6} {seconds:>8.1f} {shown:>13} {peer_s:>8.1f} "
              f"{f'{hits}/{pooled}':>10}")
    if total:
        print(f"{'all':<10} {'':>4} {sum(r[2] for r in rows) / total:>10.0%} {sum(r[4] for r in rows):>6} "
              f"{sum(r[5] for r in rows):>8.1f} {'-' if args.no_peer else format(sum(r[6] for r in rows) / total, '.0%'):>13} "
              f"{sum(r[7] for r in rows):>8.1f}")
    if total and len(seeds) > 1:
        print()  # the share of seeded regressions found with each seed, every pair together
        print(f"{'seed':>4} {'apiparity':>10} {'share':>6} {'false':>6} {'seconds':>8} {'schemathesis':>13} {'share':>6}")
        for seed in seeds:
            of_seed = [r for r in rows if r[1] == seed]
            wanted, found, peer = sum(r[3] for r in of_seed), sum(r[2] for r in of_seed), sum(r[6] for r in of_seed)
            peer_shown = ("-", "-") if args.no_peer else (f"{peer}/{wanted}", f"{peer / wanted:.0%}")
            print(f"{seed:>4} {f'{found}/{wanted}':>10} {found / wanted:>6.0%} {sum(r[4] for r in of_seed):>6} "
                  f"{sum(r[5] for r in of_seed):>8.1f} {peer_shown[0]:>13} {peer_shown[1]:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
