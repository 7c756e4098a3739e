"""Combine the shard reports of `check --shard i/n` into the report a single run would give.

Every shard runs the whole spec diff and fuzzes only its own operations (the others are listed
with skipped_reason "not in this shard"), so: the diff comes from any shard, each operation's
statistics from the shard that owned it, and groups, noise and conformance are concatenated.
The verdict is decided again over the merged report by the caller.

Sections of later features (`Report.event_loop`, `.load`, ...): the event-loop sections are combined by
`apiparity.asyncio_check.gate.merge_loop_sections` (counts add up, max of max); undocumented
traffic adds up per endpoint; a load comparison measures whole services, not a shard's operations, so
the first one is kept, and shards that ran different load experiments (other URLs or settings)
are refused.
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from apiparity.errors import ApiparityError
from apiparity.fuzz.group import same_routing_answer
from apiparity.model import NOT_IN_SHARD, UNANSWERED_KEPT, ConformanceIssue, FuzzResult, MismatchGroup, OperationStats, Report
from apiparity.report.sequences import combine_links, combine_sequences
from apiparity.model_sections import EXTRAS_SECTIONS, SECTIONS_BY_KEY, LoadSection, UndocumentedRequest


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
        complete=not missing and all(r.complete or r.shard for r in reports),
        shard=None,
        tool_version=first.tool_version,
        generated_at=max(r.generated_at for r in reports),
    )
    _merge_sections(merged, reports, names)
    merged.merged_from = [r.shard or "1/1" for r in reports]
    if missing:
        merged.missing_shards = [f"{i}/{expected}" for i in missing]
    interrupted = [name for name, r in zip(names, reports) if not r.complete and not r.shard]
    if interrupted:
        merged.interrupted_shards = interrupted
    stopped = next(((name, r.incomplete) for name, r in zip(names, reports) if r.incomplete is not None), None)
    if stopped is not None:  # a shard that could not complete leaves the merged run incomplete, for its reason
        name, why = stopped
        merged.mark_incomplete(why.cause, f"{name}: {why.detail}", phase=why.phase)
    return merged


def _merge_sections(merged: Report, reports: list[Report], names: list[str]) -> None:
    """The sections of later features: each from the first shard that has it (a shard that alone
    was monitored, ...), then the event loop, undocumented traffic and load combined."""
    for section in EXTRAS_SECTIONS:
        value = next((getattr(r, section.attribute) for r in reports if section.present(getattr(r, section.attribute))), None)
        if value is not None:
            setattr(merged, section.attribute, copy.deepcopy(value))
    for report in reports:  # sections this version could not read, and keys it does not know: kept as written
        for key, raw in report.unread_extras.items():
            if key not in SECTIONS_BY_KEY or not SECTIONS_BY_KEY[key].present(getattr(merged, SECTIONS_BY_KEY[key].attribute)):
                merged.unread_extras.setdefault(key, copy.deepcopy(raw))
    if any(r.event_loop is not None for r in reports):
        from apiparity.asyncio_check.gate import merge_loop_sections

        merged.event_loop = merge_loop_sections([r.event_loop for r in reports])
    if any(r.undocumented_traffic for r in reports):
        merged.undocumented_traffic = merge_undocumented_requests([r.undocumented_traffic or [] for r in reports])
    loads = [(name, r.load) for name, r in zip(names, reports) if r.load is not None]
    if loads:
        merged.load = merge_load(loads)


def merge_undocumented_requests(sections: list[list[UndocumentedRequest]]) -> list[UndocumentedRequest]:
    """Undocumented traffic of several reports: counts of one (method, path, reason) add up; most frequent first."""
    counts: dict[tuple[str, str, str], int] = {}
    for section in sections:
        for item in section:
            key = (item.method, item.path, item.reason)
            counts[key] = counts.get(key, 0) + item.count
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [UndocumentedRequest(method=m, path=p, reason=r, count=c) for (m, p, r), c in ordered]


def merge_load(loads: list[tuple[str, LoadSection]]) -> LoadSection:
    """The first load section; ApiparityError when another one measured something else."""
    first_name, first = loads[0]
    signature = _load_signature(first)
    for name, load in loads[1:]:
        if _load_signature(load) != signature:
            raise ApiparityError(
                f"{name}: its load comparison ({_describe_load(load)}) differs from {first_name}'s ({_describe_load(first)}); "
                "merge reports of one load run only"
            )
    return copy.deepcopy(first)


def _load_signature(load: LoadSection) -> tuple[Any, ...]:
    return (load.old.url if load.old else None, load.new.url if load.new else None, load.settings)


def _describe_load(load: LoadSection) -> str:
    settings = load.settings
    return (
        f"{load.old.url if load.old else None} vs {load.new.url if load.new else None}, {settings.users} users, "
        f"{settings.duration} s, seed {settings.seed}"
    )


def _merge_fuzz(results: list[FuzzResult]) -> FuzzResult:
    first = results[0]
    owned: dict[str, OperationStats] = {}
    # A stateful sequence runs whole in its source operation's shard, so an operation's chained
    # steps may have been sent by a shard that does not own it ("not in this shard" with cases).
    borrowed: dict[str, list[OperationStats]] = {}
    order: list[str] = []
    for result in results:
        for stats in result.operations:
            if stats.operation not in order:
                order.append(stats.operation)
            if stats.skipped_reason == NOT_IN_SHARD:
                if stats.cases:
                    borrowed.setdefault(stats.operation, []).append(stats)
                owned.setdefault(stats.operation, copy.deepcopy(stats))
            elif owned.get(stats.operation) is None or owned[stats.operation].skipped_reason == NOT_IN_SHARD:
                owned[stats.operation] = copy.deepcopy(stats)
    for label, extra in borrowed.items():
        stats = owned[label]
        for part in extra:
            stats.add_counts(part)
            stats.old_latency_ms.extend(part.old_latency_ms)
            stats.new_latency_ms.extend(part.new_latency_ms)
            stats.unanswered.extend(part.unanswered[: max(0, UNANSWERED_KEPT - len(stats.unanswered))])
        if stats.skipped_reason == NOT_IN_SHARD and stats.cases:
            stats.skipped_reason = None  # reached only through sequences, but reached
    position = {label: index for index, label in enumerate(order)}
    groups = combine_groups([g for r in results for g in r.groups], documented=set(order))
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
        conformance=sorted(_combine_conformance([c for r in results for c in r.conformance]),
                           key=lambda c: (c.operation, c.side, c.check, c.message)),
        operations=[owned[label] for label in order],
        settings=settings,
        errors=errors,
        links=combine_links([r.links for r in results]),
        sequences=combine_sequences([r.sequences for r in results]),
    )


def combine_groups(groups: list[MismatchGroup], *, documented: Collection[str] | None = None) -> list[MismatchGroup]:
    """One group per key, as one run would have it: counts add up, examples kept up to the most any shard kept.
    `documented`: the operations the runs had statistics for; a group operation outside them is a
    method a probe sent that the document does not declare (`HEAD /users`), merged as a run merges it."""
    combined: dict[str, MismatchGroup] = {}
    limit = max((len(g.examples) for g in groups), default=0)
    for group in groups:
        current = combined.get(group.key)
        if current is None:
            combined[group.key] = copy.deepcopy(group)
            continue
        current.count += group.count
        current.examples = (current.examples + copy.deepcopy(group.examples))[:limit]
        current.related = current.related + [r for r in group.related if r not in current.related]
        current.rank = min(current.rank, group.rank)
        for entry in group.operations:
            existing = next((o for o in current.operations if o.operation == entry.operation), None)
            if existing is None:
                current.operations.append(copy.deepcopy(entry))
            else:
                existing.count += entry.count
    from apiparity.fuzz.group import merge_across_operations

    # one cause seen on operations of several shards is one group, as in a single run
    off_contract = set() if documented is None else {
        o for g in combined.values() for o in [g.operation, *(e.operation for e in g.operations)] if o not in documented}
    return merge_across_operations(_fold_subset_groups(list(combined.values()), limit), limit, off_contract=off_contract)


def _fold_subset_groups(groups: list[MismatchGroup], limit: int) -> list[MismatchGroup]:
    """What the run's grouper does once it has seen every case (fuzz/group.py): a group whose root
    differences are a subset of another group's of the same operation, answered with statuses that
    group's cases show too, is the same cause seen with fewer fields, so it is folded into it. A
    shard saw only some of the cases, so this is redone over the merged groups."""
    def roots(group: MismatchGroup) -> frozenset[str]:
        return frozenset(group.signature.split(" + "))

    def statuses(group: MismatchGroup) -> set[tuple[int, int]]:
        return {(e.old.status, e.new.status) for e in group.examples}

    def status_only(group: MismatchGroup) -> bool:
        return all(root.startswith("status ") for root in roots(group))

    def belongs(group: MismatchGroup, host: MismatchGroup) -> bool:
        if host.operation != group.operation:
            return False
        if status_only(group) and status_only(host) and same_routing_answer(statuses(group) | statuses(host)):
            return True
        return roots(group) < roots(host) and statuses(group) <= statuses(host)

    # the worst first (rank), as the run's grouper titles a group by its worst case
    ordered = sorted(groups, key=lambda g: (-len(roots(g)), g.rank, -g.count, g.signature))
    kept: list[MismatchGroup] = []
    for group in ordered:
        host = next((k for k in kept if belongs(group, k)), None)
        if host is None:
            kept.append(group)
            continue
        host.count += group.count
        host.examples = (host.examples + group.examples)[:limit]
        host.rank = min(host.rank, group.rank)
        host.related += [r for r in [group.signature, *group.related] if r != host.signature and r not in host.related]
        for entry in group.operations:
            existing = next((o for o in host.operations if o.operation == entry.operation), None)
            if existing is None:
                host.operations.append(entry)
            else:
                existing.count += entry.count
    return kept


def _combine_conformance(issues: list[ConformanceIssue]) -> list[ConformanceIssue]:
    combined: dict[tuple[str, str, str, str], ConformanceIssue] = {}
    for issue in issues:
        key = (issue.operation, issue.side, issue.check, issue.message)
        if key in combined:
            combined[key].count += issue.count
        else:
            combined[key] = copy.deepcopy(issue)
    return list(combined.values())


def _ref(report: Report, side: str) -> str | None:
    info = getattr(report, side)
    return info.ref if info is not None else None
