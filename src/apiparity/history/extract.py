"""A `Report` as a `RunRecord`: each operation's status and the causes attributed to it.

An operation is ready in a run when it was exercised (at least the gate's cases per operation) and
no blocking cause touches it: a regression-tier mismatch group, an unwaived breaking change, a
conformance issue of NEW against OLD's document, a 5xx from NEW where OLD answered below 500, or
(when load ran) a p95 ratio over the load gate. A cause shared by several operations (a group
listing several operations, a document-level breaking change) is attributed to each of them.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from apiparity.history.model import (
    REGRESSION_TIER,
    WAIVED_TIER,
    Cause,
    CauseKind,
    OperationResult,
    OpStatus,
    RunRecord,
)
from apiparity.model import MismatchGroup, Report, is_out_of_scope

DEFAULT_LOAD_MAX_P95_RATIO = 1.2


def group_tier(group: MismatchGroup) -> str:
    """The group's tier: a waived group is "waived"; a `tier` attribute when the model has one
    (legacy-bug-fixed, harmless, accepted, ...); otherwise every group is a regression."""
    if group.waived_by:
        return WAIVED_TIER
    tier = getattr(group, "tier", None)
    if tier is None or tier == "":
        return REGRESSION_TIER
    return str(getattr(tier, "value", tier)).lower()


def group_operations(group: MismatchGroup) -> list[str]:
    """Every operation a group touches: its `operations` when the model lists several, else its one."""
    listed = getattr(group, "operations", None)
    names: list[str] = []
    for item in listed or ():
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and isinstance(item.get("operation"), str):
            names.append(item["operation"])
        elif isinstance(getattr(item, "operation", None), str):
            names.append(item.operation)
    if group.operation and group.operation not in names:
        names.insert(0, group.operation)
    return names


def failing_tiers(report: Report) -> set[str]:
    """The group tiers that fail the gate, hence block readiness: the run's `fail_on_tiers` threshold
    when it has one, else regression only. Accepted and waived groups never block."""
    listed = report.gate_thresholds.fail_on_tiers if report.gate_thresholds is not None else []
    tiers = {t.lower() for t in listed} if listed else {REGRESSION_TIER}
    return tiers - {"accepted", WAIVED_TIER}


def group_key(group: MismatchGroup) -> str:
    cause = getattr(group, "cause_key", None)
    return f"group: {cause}" if isinstance(cause, str) and cause else f"group: {group.key}"


def exercised_options(report: Report) -> dict[str, str]:
    """The options that change what a run exercises, as a later run compares them: the credentials
    (the names of the headers passed with -H/--old-header/--new-header and the login flows, never
    their values), --include/--exclude, the probes and the phases. Not the seed nor --max-examples:
    another sample of the same requests is still comparable."""
    if report.fuzz is None:
        return {}
    settings = report.fuzz.settings or {}

    def names(value: object) -> list[str]:
        return sorted(str(name) for name in value) if isinstance(value, (dict, list, tuple)) else []

    credentials = [f"-H {name}" for name in names(settings.get("headers"))]
    credentials += [f"--{side}-header {name}" for side in ("old", "new") for name in names(settings.get(f"{side}_headers"))]
    credentials += [f"--{side}-auth" for side in ("old", "new") if settings.get(f"{side}_auth")]
    probes = settings.get("probes")
    return {
        "credentials": ", ".join(credentials) or "none",
        "include": ", ".join(names(settings.get("include"))) or "all",
        "exclude": ", ".join(names(settings.get("exclude"))) or "none",
        "probes": ("all" if probes is None else ", ".join(names(probes)) or "none")
                  + "".join(f" -{name}" for name in names(settings.get("no_probe"))),
        "phases": ", ".join(str(p) for p in settings.get("phases") or []) or "default",
    }


def run_record(report: Report, *, provenance: dict[str, str | None] | None = None, label: str | None = None) -> RunRecord:
    """The per-operation record of one finished run (check or fuzz)."""
    provenance = provenance or {}
    seed = report.fuzz.seed if report.fuzz is not None else None
    record = RunRecord(
        recorded_at=report.generated_at or _now(),
        command=report.command,
        tool_version=report.tool_version,
        old_ref=report.old.ref if report.old else "",
        new_ref=report.new.ref if report.new else "",
        verdict=report.verdict.label if report.verdict is not None and report.command == "check" else None,
        complete=report.complete,
        shard=report.shard,
        seed=seed if isinstance(seed, int) else None,
        commit=provenance.get("commit"),
        branch=provenance.get("branch"),
        ci=provenance.get("ci"),
        batch=provenance.get("batch"),
        label=label,
        spec_ran=report.diff is not None,
        fuzz_ran=report.fuzz is not None,
        load_ran=report.load is not None,
        gates=[{"name": g.name, "passed": g.passed, "measured": g.measured} for g in (report.verdict.gates if report.verdict else [])],
        spec_changes=_spec_counts(report),
        options=exercised_options(report),
    )
    results = _operations(report)
    causes = _causes(report, results)
    by_operation: dict[str, list[Cause]] = defaultdict(list)
    for cause in causes:
        by_operation[cause.operation].append(cause)
    for result in results.values():
        mine = by_operation.get(result.operation, [])
        tiers: dict[str, int] = defaultdict(int)
        for cause in mine:
            if cause.kind is CauseKind.GROUP:
                tiers[cause.tier] += 1
        result.groups_by_tier = dict(sorted(tiers.items()))
        result.breaking = sum(1 for c in mine if c.kind is CauseKind.BREAKING_CHANGE)
        result.conformance = sum(c.count for c in mine if c.kind is CauseKind.CONFORMANCE)
        if result.status is OpStatus.READY and any(c.blocking for c in mine):
            result.status = OpStatus.BLOCKED
    record.operations = sorted(results.values(), key=lambda r: (r.path, r.method))
    record.causes = sorted(causes, key=lambda c: (c.key, c.operation))
    return record


def _operations(report: Report) -> dict[str, OperationResult]:
    minimum = report.gate_thresholds.min_cases_per_operation if report.gate_thresholds is not None else 1
    results: dict[str, OperationResult] = {}
    if report.fuzz is not None:
        for stats in report.fuzz.operations:
            if is_out_of_scope(stats.skipped_reason):
                status = OpStatus.OUT_OF_SCOPE
            elif stats.cases < max(minimum, 1):
                status = OpStatus.NOT_EXERCISED
            else:
                status = OpStatus.READY  # until a blocking cause says otherwise
            results[stats.operation] = OperationResult(
                operation=stats.operation, status=status, cases=stats.cases, mismatches=stats.mismatches,
                new_5xx=stats.new_5xx_where_old_ok,
            )
    if report.diff is not None:
        # operations the fuzz never listed (it did not run, or crashed): known, never exercised
        for change in report.diff.changes:
            name = f"{change.method} {change.path}"
            if change.method and name not in results and change.rule_id != "api-operation-added":
                results[name] = OperationResult(operation=name, status=OpStatus.NOT_EXERCISED)
    return results


def _causes(report: Report, results: dict[str, OperationResult]) -> list[Cause]:
    causes: dict[tuple[str, str], Cause] = {}

    by_path: dict[str, list[str]] = defaultdict(list)
    for name in results:
        by_path[name.partition(" ")[2]].append(name)

    def add(cause: Cause) -> None:
        if cause.operation in results:
            causes.setdefault((cause.key, cause.operation), cause)
            return
        # a method no operation declares on the path (a probe's HEAD, OPTIONS, an undeclared method):
        # the route answers it, so the cause is every operation of that path's
        for operation in by_path.get(cause.operation.partition(" ")[2], []):
            causes.setdefault((cause.key, operation), dataclasses.replace(cause, operation=operation))

    in_scope = [name for name, r in results.items() if r.status is not OpStatus.OUT_OF_SCOPE]
    failing = failing_tiers(report)
    if report.fuzz is not None:
        for group in report.fuzz.groups:
            tier = group_tier(group)
            for operation in group_operations(group):
                add(Cause(group_key(group), operation, CauseKind.GROUP, tier, _group_title(group), group.count,
                          blocking=tier in failing))
        conformance: dict[tuple[str, str], int] = defaultdict(int)
        for issue in report.fuzz.conformance:
            # an issue a mismatch group explains is that group's cause, counted (and tiered) there
            if issue.side == "new-vs-old-spec" and not getattr(issue, "explained_by", None):
                conformance[(issue.operation, issue.check)] += issue.count
        for (operation, check), count in conformance.items():
            add(Cause(f"conformance: {operation} {check}", operation, CauseKind.CONFORMANCE, REGRESSION_TIER,
                      f"NEW's answers break OLD's document ({check})", count))
        for stats in report.fuzz.operations:
            if stats.new_5xx_where_old_ok:
                add(Cause(f"new-5xx: {stats.operation}", stats.operation, CauseKind.NEW_5XX, REGRESSION_TIER,
                          "NEW answers 5xx where OLD answered below 500", stats.new_5xx_where_old_ok))
    if report.diff is not None:
        for change in report.diff.changes:
            if change.severity != "breaking":
                continue
            key = f"change: {change.rule_id} {change.method} {change.path} {change.old_pointer or change.new_pointer or ''}".rstrip()
            tier = WAIVED_TIER if change.waived_by else REGRESSION_TIER
            targets = [f"{change.method} {change.path}"] if change.method else in_scope  # document-level: every operation
            for operation in targets:
                add(Cause(key, operation, CauseKind.BREAKING_CHANGE, tier, f"{change.rule_id}: {change.message}",
                          blocking=not change.waived_by))
    load = report.load
    if load is not None:
        extra = report.gate_thresholds.extra if report.gate_thresholds is not None else {}
        limit = float(extra.get("load_max_p95_ratio", DEFAULT_LOAD_MAX_P95_RATIO))
        for row in load.operations:
            ratio = row.ratio.p95
            name = row.operation
            if name in results and ratio is not None:
                results[name].load_p95_ratio = float(ratio)
                if ratio > limit:
                    add(Cause(f"load-latency: {name}", name, CauseKind.LOAD_LATENCY, REGRESSION_TIER,
                              f"p95 NEW/OLD x{ratio:.2f} over the load gate's x{limit:g}"))
    for name, result in results.items():
        if result.status is OpStatus.NOT_EXERCISED:
            add(Cause(f"not-exercised: {name}", name, CauseKind.NOT_EXERCISED, REGRESSION_TIER,
                      f"not exercised ({result.cases} case(s))"))
    return list(causes.values())


def _group_title(group: MismatchGroup) -> str:
    title = getattr(group, "title", None)
    text = title if isinstance(title, str) and title else group.signature
    return f"{text} [{group.divergence}]" if group.divergence else text


def _spec_counts(report: Report) -> dict[str, int]:
    if report.diff is None:
        return {}
    counts: dict[str, int] = {"breaking": 0, "warning": 0, "info": 0, "waived": 0}
    for change in report.diff.changes:
        if change.waived_by:
            counts["waived"] += 1
        else:
            counts[change.severity] = counts.get(change.severity, 0) + 1
    return counts


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


