"""Benchmark: `apiparity fuzz` on the bookstore vs plain schemathesis against each app alone.

Same seed, same N fuzzing examples per operation, same phases, in the same run. The schemathesis
baseline uses its Python API: cases from each app's own schema, `case.call()` in-process and
`case.validate_response()` with its default checks. apiparity makes three calls per case (OLD
twice, NEW once), so ~1.5x the sum of the two single runs is the floor; the goal is <= 1.6x.

The default probes (`apiparity probes`) are measured against the same run with only the three
probes the runner sent before the registry, and with none.

    python benchmarks/fuzz_bench.py [--examples N] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOKSTORE = ROOT / "examples" / "bookstore"


def schemathesis_alone(ref: str, n: int, seed: int) -> tuple[int, float]:
    """Cases sent and seconds for plain schemathesis against one app."""
    import schemathesis

    from apiparity.fuzz.generate import generate_cases
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.targets import load_target
    from apiparity.targets.apps import import_object

    target = load_target(ref)
    module = ref.rsplit(":", 1)[0]
    reset = import_object(ref, module=module, attribute="reset")
    settings = FuzzSettings(max_examples=n, seed=seed)
    started = time.perf_counter()
    schema = schemathesis.openapi.from_dict(target.document)
    schema.app = target.app  # in-process transport chosen by schemathesis from the app object
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        cases, _ = generate_cases(operation, settings, label=f"{operation.method.upper()} {operation.path}")
        for generated in cases:
            reset()
            response = generated.case.call(app=target.app)
            sent += 1
            try:
                generated.case.validate_response(response)
            except BaseException as exc:  # noqa: BLE001 - failures are results here, not errors
                if isinstance(exc, KeyboardInterrupt):
                    raise
    return sent, time.perf_counter() - started


def apiparity_fuzz(old_ref: str, new_ref: str, n: int, seed: int, probes: tuple[str, ...] | None = None,
                   value_pool: bool = True) -> tuple[int, float, int]:
    """Cases, seconds and groups of one run; `probes` as --probes (None: the default, every probe)."""
    from apiparity.fuzz.runner import run_fuzz
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.targets import load_target

    old, new = load_target(old_ref), load_target(new_ref)
    started = time.perf_counter()
    result = run_fuzz(old, new, FuzzSettings(max_examples=n, seed=seed, probes=probes, value_pool=value_pool))
    return result.cases, time.perf_counter() - started, len(result.groups)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20)  # the default budget
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    old_ref, new_ref = f"{BOOKSTORE / 'legacy_app.py'}:app", f"{BOOKSTORE / 'modern_app.py'}:app"
    # warm imports and the apps' first-call costs so no side pays them alone
    apiparity_fuzz(old_ref, new_ref, 1, args.seed)
    old_cases, old_s = schemathesis_alone(old_ref, args.examples, args.seed)
    new_cases, new_s = schemathesis_alone(new_ref, args.examples, args.seed)
    cases, fuzz_s, groups = apiparity_fuzz(old_ref, new_ref, args.examples, args.seed)
    print(f"schemathesis alone, OLD: {old_cases} cases in {old_s:.2f} s ({old_cases / old_s:.0f} cases/s)")
    print(f"schemathesis alone, NEW: {new_cases} cases in {new_s:.2f} s ({new_cases / new_s:.0f} cases/s)")
    print(f"apiparity fuzz:          {cases} cases in {fuzz_s:.2f} s ({cases / fuzz_s:.0f} cases/s, 3 calls each), {groups} groups")
    ratio = fuzz_s / (old_s + new_s)
    print(f"ratio apiparity / (OLD alone + NEW alone) = {ratio:.2f}x (goal <= 1.6x; 3 calls per case make ~1.5x the floor)")
    # what the default probes and the value pool cost: the same run as before them (the three
    # probes of before the registry: trailing-slash, if-none-match, no-credentials; no pool)
    before = ("trailing-slash", "if-none-match", "no-credentials")
    old_cases, old_s, _ = apiparity_fuzz(old_ref, new_ref, args.examples, args.seed, probes=before, value_pool=False)
    probes_cases, probes_s, _ = apiparity_fuzz(old_ref, new_ref, args.examples, args.seed, value_pool=False)
    print(f"apiparity fuzz as before (3 probes, no value pool): {old_cases} cases in {old_s:.2f} s")
    print(f"apiparity fuzz, every probe, no value pool:         {probes_cases} cases in {probes_s:.2f} s")
    print(f"apiparity fuzz, the default (every probe + pool):   {cases} cases in {fuzz_s:.2f} s "
          f"= {fuzz_s / old_s:.2f}x the run as before (budget <= 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
