"""Combine the shard reports of `check --shard i/n` into the report a single run would give.

Every shard runs the whole spec diff and fuzzes only its own operations (the others are listed
with skipped_reason "not in this shard"), so: the diff comes from any shard, each operation's
statistics from the shard that owned it, and groups, noise and conformance are concatenated.
The verdict is decided again over the merged report by the caller.
"""

from __future__ import annotations

import copy

from apiparity.errors import ApiparityError
from apiparity.model import FuzzResult, OperationStats, Report

NOT_IN_SHARD = "not in this shard"


def parse_shard(text: str) -> tuple[int, int]:
    """'2/3' -> (2, 3); ApiparityError for anything else."""
    index, sep, count = text.partition("/")
    try:
        pair = (int(index), int(count))
    except ValueError:
        pair = (0, 0)
    if not sep or pair[1] < 1 or not 1 <= pair[0] <= pair[1]:
        raise ApiparityError(f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. 2/3")
    return pair


def merge_reports(reports: list[Report], *, names: list[str] | None = None) -> Report:
    """The merged report (without a verdict); ApiparityError when the shards do not belong together."""
    if not reports:
        raise ApiparityError("merge: no shard reports given")
    names = names or [f"report {i + 1}" for i in range(len(reports))]
    first = reports[0]
    for name, report in zip(names, reports):
        if report.command != "check":
            raise ApiparityError(f"{name}: a {report.command!r} report, not a shard of `apiparity check`")
        if _ref(report, "old") != _ref(first, "old") or _ref(report, "new") != _ref(first, "new"):
            raise ApiparityError(f"{name}: compares {_ref(report, 'old')} with {_ref(report, 'new')}, not the same targets as {names[0]}")
        if (report.fuzz and first.fuzz) and report.fuzz.seed != first.fuzz.seed:
            raise ApiparityError(f"{name}: seed {report.fuzz.seed} differs from {names[0]}'s {first.fuzz.seed}; shards must share one seed")
    shards = [parse_shard(r.shard) for r in reports if r.shard]
    counts = {count for _, count in shards}
    if len(counts) > 1:
        raise ApiparityError(f"merge: shards of different splits ({', '.join(sorted(f'/{c}' for c in counts))})")
    seen = [index for index, _ in shards]
    duplicates = sorted({i for i in seen if seen.count(i) > 1})
    if duplicates:
        raise ApiparityError(f"merge: shard {duplicates[0]} given twice")
    expected = next(iter(counts)) if counts else 1
    missing = sorted(set(range(1, expected + 1)) - set(seen)) if counts else []

    merged = Report(
        command="check",
        old=copy.deepcopy(first.old),
        new=copy.deepcopy(first.new),
        diff=copy.deepcopy(first.diff),
        fuzz=_merge_fuzz([r.fuzz for r in reports if r.fuzz is not None]) if any(r.fuzz for r in reports) else None,
        extras={k: v for k, v in copy.deepcopy(first.extras).items()},
        complete=not missing and all(r.complete or r.shard for r in reports),
        shard=None,
        tool_version=first.tool_version,
        generated_at=max(r.generated_at for r in reports),
    )
    merged.extras["merged_from"] = [r.shard or "1/1" for r in reports]
    if missing:
        merged.extras["missing_shards"] = [f"{i}/{expected}" for i in missing]
    interrupted = [name for name, r in zip(names, reports) if not r.complete and not r.shard]
    if interrupted:
        merged.extras["interrupted_shards"] = interrupted
    return merged


def _merge_fuzz(results: list[FuzzResult]) -> FuzzResult:
    first = results[0]
    owned: dict[str, OperationStats] = {}
    order: list[str] = []
    for result in results:
        for stats in result.operations:
            if stats.operation not in order:
                order.append(stats.operation)
            current = owned.get(stats.operation)
            if current is None or (current.skipped_reason == NOT_IN_SHARD and stats.skipped_reason != NOT_IN_SHARD):
                owned[stats.operation] = copy.deepcopy(stats)
    position = {label: index for index, label in enumerate(order)}
    groups = [copy.deepcopy(g) for r in results for g in r.groups]
    groups.sort(key=lambda g: (position.get(g.operation, len(order)), -g.count, g.signature))
    errors: list[str] = []
    for result in results:
        for error in result.errors:
            if error not in errors:
                errors.append(error)
    settings = dict(first.settings)
    return FuzzResult(
        seed=first.seed,
        cases=sum(r.cases for r in results),
        operations_total=max(r.operations_total for r in results),
        groups=groups,
        noise=sorted((copy.deepcopy(n) for r in results for n in r.noise), key=lambda n: (position.get(n.operation, 0), n.field_path)),
        conformance=sorted(
            (copy.deepcopy(c) for r in results for c in r.conformance), key=lambda c: (c.operation, c.side, c.check, c.message)
        ),
        operations=[owned[label] for label in order],
        settings=settings,
        errors=errors,
    )


def _ref(report: Report, side: str) -> str | None:
    info = getattr(report, side)
    return info.ref if info is not None else None
