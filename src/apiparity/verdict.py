"""READY / NOT READY: a pure function from a report and thresholds to named gates.

Each gate is a small function registered by name (like schemathesis checks): it reads the report
model and returns a `Gate` (threshold, measured value, pass/fail, details) or None when it does not
apply to this run. Later features register their own gates (e.g. event-loop blocking from
`Report.event_loop`) with `@register_gate("name")`; `decide` runs them all in registration order.

Every gate that applies is required for READY, with one exception. A gate has a status:
- passed / failed: it ran;
- could-not-run: it should have run and could not (a crash, an error, a phase that did not run):
  it fails, never reads as a pass;
- not-run: the user explicitly chose a run in which it cannot apply (`--contract`: one document for
  both sides, so there is no spec diff); it is shown with its reason, never as a pass, and does not
  by itself block READY. The verdict line names it: "READY (no-breaking-changes not run: --contract)".
READY needs at least one gate that ran and passed, no failing gate, and a complete run. The verdict
records which gates decided it (`Verdict.decided_by`, `Verdict.summary`); see docs/cutover.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from apiparity.model import Gate, OperationStats, Report, Verdict, is_out_of_scope
from apiparity.model_sections import GateThresholds  # in the report model (extras.gate_thresholds); re-exported here

GateFunction = Callable[[Report, "GateThresholds"], "Gate | None"]


GATES: dict[str, GateFunction] = {}


def register_gate(name: str) -> Callable[[GateFunction], GateFunction]:
    """Register a gate under `name` (re-registering a name replaces it)."""

    def decorator(func: GateFunction) -> GateFunction:
        GATES[name] = func
        return func

    return decorator


def decide(report: Report, thresholds: GateThresholds | None = None) -> Verdict:
    """Run every registered gate; READY when every applicable gate passes (and there is one)."""
    thresholds = thresholds or GateThresholds()
    gates = []
    for name, func in GATES.items():
        gate = func(report, thresholds)
        if gate is not None:
            gate.name = gate.name or name
            gates.append(gate)
    # a run that could not complete is never READY (a shard stopped by its deadline included)
    incomplete = report.incomplete is not None or (not report.complete and not report.shard)
    failing = [g for g in gates if g.failing]
    passed = [g for g in gates if g.status == "passed"]
    ready = bool(passed) and not failing and not incomplete
    verdict = Verdict(ready=ready, gates=gates, decided_by=[g.name for g in (passed if ready else failing)],
                      summary=verdict_line(ready, gates, incomplete=incomplete))
    if report.fuzz is not None:
        from apiparity.fuzz.tiers import tier_counts

        verdict.tiers = tier_counts(report.fuzz.groups)
        verdict.failing_tiers = [t for t in thresholds.fail_on_tiers if t != "accepted"]
    return verdict


def verdict_line(ready: bool, gates: list[Gate], *, incomplete: bool = False) -> str:
    """READY / NOT READY and, in parentheses, what decided it: the gates not run by choice for
    READY; the failing gates (and why a gate could not run) for NOT READY."""
    if ready:
        skipped = [f"{g.name} not run: {g.reason or 'skipped'}" for g in gates if g.status == "not-run"]
        return "READY" + (f" ({'; '.join(skipped)})" if skipped else "")
    parts = []
    failed = [g.name for g in gates if g.status == "failed"]
    if failed:
        parts.append("failed: " + ", ".join(failed))
    parts += [f"{g.name} could not run: {g.reason or 'not run'}" for g in gates if g.status == "could-not-run"]
    if incomplete:
        parts.append("INCOMPLETE run")
    if not gates:
        parts.append("no gate applies to this run")
    elif not parts:
        parts.append("no gate ran")
    return "NOT READY (" + "; ".join(parts) + ")"


def exit_code(report: Report) -> int:
    """0 READY, 1 NOT READY, 130 interrupted, 2 a run that could not complete for another reason
    (`Report.incomplete`: a side died, the run's deadline, an internal error). An incomplete run is never READY."""
    if report.incomplete is not None:
        return 130 if report.incomplete.cause == "interrupted" else 2
    if not report.complete and not report.shard:
        return 130
    return 0 if report.verdict is not None and report.verdict.ready else 1


# -------------------------------------------------------------------------------------- the gates


@register_gate("valid-documents")
def gate_valid_documents(report: Report, thresholds: GateThresholds) -> Gate | None:
    # NEW's document is what clients will be generated from: it must be valid. OLD's problems are
    # shown (flask-openapi3 emits `securitySchemes: null`, for instance) but are not NEW's fault.
    if not thresholds.require_valid_new_document or report.new is None:
        return None
    problems = report.new.validation_errors
    old_problems = report.old.validation_errors if report.old is not None else []
    return Gate(
        name="valid-documents",
        description="NEW's OpenAPI document is valid",
        threshold="0 problems",
        measured=f"{len(problems)} problem(s)" + (f" (OLD: {len(old_problems)}, not gated)" if old_problems else ""),
        passed=not problems,
        details=[f"NEW {p}" for p in problems[:50]] + [f"OLD (not gated) {p}" for p in old_problems[:20]],
    )


@register_gate("no-breaking-changes")
def gate_no_breaking_changes(report: Report, thresholds: GateThresholds) -> Gate | None:
    description = "No unwaived breaking change in the spec diff"
    contract = report.contract
    if contract is not None:
        # one contract document for both sides: nothing to diff. The user chose that; say so.
        ref = contract.ref or None
        return Gate(name="no-breaking-changes", description=description, threshold="0", measured="not run",
                    passed=False, status="not-run", reason="--contract",
                    details=[f"OLD and NEW are both judged against one contract{f' ({ref})' if ref else ''}: there are no "
                             "two documents to diff; compare a side's own document with `apiparity diff CONTRACT NEW`"])
    if report.diff is None:
        return _not_run("no-breaking-changes", description, "0", "the spec diff")
    breaking = [c for c in report.diff.changes if c.severity == "breaking" and not c.waived_by]
    return Gate(
        name="no-breaking-changes",
        description="No unwaived breaking change in the spec diff",
        threshold="0",
        measured=str(len(breaking)),
        passed=not breaking,
        details=[f"{c.method} {c.path}: {c.rule_id}: {c.message}" if c.method else f"{c.rule_id}: {c.message}" for c in breaking],
    )


@register_gate("no-mismatch-groups")
def gate_no_mismatch_groups(report: Report, thresholds: GateThresholds) -> Gate | None:
    description = "No mismatch group of a failing tier (" + ", ".join(thresholds.fail_on_tiers) + ") between OLD and NEW"
    if report.fuzz is None:
        return _not_run("no-mismatch-groups", description, "0", "the differential fuzz")
    from apiparity.fuzz.tiers import failing_groups, tier_counts, tier_line

    groups = failing_groups(report.fuzz.groups, thresholds.fail_on_tiers)
    cases = sum(g.count for g in groups)
    counts = tier_counts(report.fuzz.groups)
    shown = sum(counts.values()) - len(groups)
    return Gate(
        name="no-mismatch-groups",
        description=description,
        threshold="0",
        measured=f"{len(groups)}" + (f" ({cases} cases)" if groups else "") + (f"; tiers: {tier_line(counts)}" if shown else ""),
        passed=not groups,
        details=[f"{g.key} ({g.count}x)" for g in groups],
    )


@register_gate("operations-exercised")
def gate_operations_exercised(report: Report, thresholds: GateThresholds) -> Gate | None:
    share = thresholds.min_operations_share
    minimum = thresholds.min_cases_per_operation
    threshold = f">= {share:.0%} of operations, >= {minimum} case{'s' if minimum != 1 else ''} each, OLD answering one"
    description = "Every OLD operation exercised"
    if report.fuzz is None:
        return _not_run("operations-exercised", description, threshold, "the differential fuzz")
    fuzz = report.fuzz
    # Operations another shard owns, or that exist only in NEW's document, are not OLD operations
    # this run was asked to exercise.
    stats = {s.operation: s for s in fuzz.operations if not is_out_of_scope(s.skipped_reason)}
    out_of_scope = sum(1 for s in fuzz.operations if is_out_of_scope(s.skipped_reason))
    total = max(fuzz.operations_total - out_of_scope, len(stats))
    reached = [s for s in stats.values() if not _unexercised(s, minimum)]
    measured_share = len(reached) / total if total else 0.0
    short = sorted(
        (s for s in stats.values() if _unexercised(s, minimum)),
        key=lambda s: s.operation,
    )
    details = [f"{s.operation}: {_unexercised(s, minimum)}" for s in short]
    details += [f"{s.operation}: {_refusals_only(s)} (not failing: its success path was not compared on both sides)"
                for s in sorted(reached, key=lambda s: s.operation) if _refusals_only(s)]
    if total > len(stats):
        details.append(f"{total - len(stats)} operation(s) with no statistics at all")
    details += fuzz.errors[:20]
    return Gate(
        name="operations-exercised",
        description=description,
        threshold=threshold,
        measured=f"{measured_share:.0%} ({len(reached)}/{total})",
        passed=total > 0 and measured_share + 1e-9 >= share,
        details=details,
    )


def _unexercised(stats: OperationStats, minimum: int) -> str:
    """Why an operation does not count as exercised ("" when it does): fewer than `minimum` cases, or
    OLD answered none of them with success (2xx/3xx) while NEW did: only NEW served it (cases from
    NEW's document that OLD 404/405s, a handler OLD always refused), so nothing of OLD's was compared
    with NEW's answers. Fail-closed. A report written before the success counts existed
    (`old_success` None) is judged on its cases only."""
    reason = f" ({stats.skipped_reason})" if stats.skipped_reason else ""
    if stats.cases < minimum:
        return f"{stats.cases} case(s){reason}"
    if stats.old_success == 0 and stats.new_success:
        return (f"{stats.cases} case(s), OLD answered none with success (2xx/3xx), NEW {stats.new_success}: "
                f"only NEW served it{reason}")
    return ""


def _refusals_only(stats: OperationStats) -> str:
    """Which side never answered an exercised operation with success ("" when both did): shown
    under the gate, not failing it (both refusing every case is parity on what was sent)."""
    silent = [side for side, count in (("OLD", stats.old_success), ("NEW", stats.new_success)) if count == 0]
    return f"{' and '.join(silent)} answered no case with 2xx/3xx" if silent else ""


@register_gate("new-conforms-to-old-spec")
def gate_conformance(report: Report, thresholds: GateThresholds) -> Gate | None:
    description = "NEW's answers conform to OLD's document"
    limit = thresholds.max_conformance_issues
    if report.fuzz is None:
        return _not_run("new-conforms-to-old-spec", description, f"<= {limit} issues", "the differential fuzz")
    # an issue a mismatch group explains is counted there (apiparity.fuzz.explain), not twice
    issues = [i for i in report.fuzz.conformance if i.side == "new-vs-old-spec" and not i.explained_by]
    explained = sum(i.count for i in report.fuzz.conformance if i.side == "new-vs-old-spec" and i.explained_by)
    count = sum(i.count for i in issues)
    return Gate(
        name="new-conforms-to-old-spec",
        description=description,
        threshold=f"<= {limit} issue{'s' if limit != 1 else ''}",
        measured=str(count) + (f" ({explained} more in mismatch groups)" if explained else ""),
        passed=count <= limit,
        details=[f"{i.operation}: {i.check}: {i.message} ({i.count}x)" for i in issues],
    )


@register_gate("no-new-5xx")
def gate_no_new_5xx(report: Report, thresholds: GateThresholds) -> Gate | None:
    description = "No 5xx from NEW where OLD answered below 500"
    limit = thresholds.max_new_5xx
    if report.fuzz is None:
        return _not_run("no-new-5xx", description, f"<= {limit}", "the differential fuzz")
    offenders = [s for s in report.fuzz.operations if s.new_5xx_where_old_ok]
    count = sum(s.new_5xx_where_old_ok for s in offenders)
    return Gate(
        name="no-new-5xx",
        description=description,
        threshold=f"<= {limit}",
        measured=str(count),
        passed=count <= limit,
        details=[f"{s.operation}: {s.new_5xx_where_old_ok} case(s)" for s in offenders],
    )


@register_gate("no-transport-errors")
def gate_no_transport_errors(report: Report, thresholds: GateThresholds) -> Gate | None:
    # a request that got no answer tested nothing: it is neither a pass nor NEW's 5xx
    description = "No transport errors (every request answered by both sides)"
    limit = thresholds.max_transport_errors
    if report.fuzz is None:
        return _not_run("no-transport-errors", description, f"<= {limit}", "the differential fuzz")
    operations = report.fuzz.operations
    new = sum(s.new_transport_errors for s in operations)
    old = sum(s.old_transport_errors for s in operations)
    details = [f"{s.operation}: transport errors on NEW {s.new_transport_errors}, on OLD {s.old_transport_errors}"
               for s in operations if s.new_transport_errors or s.old_transport_errors]
    from apiparity.report.unanswered import unanswered_lines

    details += [f"e.g. {line}" for line in unanswered_lines(operations, unsendable=False)]  # the requests themselves
    return Gate(
        name="no-transport-errors",
        description=description,
        threshold=f"<= {limit}",
        measured=f"transport errors on NEW {new}, on OLD {old}",
        passed=new + old <= limit,
        details=details,
    )


def _both_sides_over_http(report: Report) -> bool:
    """How the run called each side (an app target given --old-url/--new-url is called over HTTP),
    else the targets' own interface."""
    assert report.fuzz is not None and report.old is not None and report.new is not None
    transports = report.fuzz.settings.get("transports") if isinstance(report.fuzz.settings, dict) else None
    if isinstance(transports, dict) and {"old", "new"} <= set(transports):
        return transports["old"] == "http" and transports["new"] == "http"
    return report.old.interface == "http" and report.new.interface == "http"


@register_gate("latency")
def gate_latency(report: Report, thresholds: GateThresholds) -> Gate | None:
    # In-process latencies compare two frameworks' call overhead, not two deployments: only gate
    # when both sides were called over HTTP.
    factor = thresholds.latency_factor
    if factor is None or report.fuzz is None or report.old is None or report.new is None:
        return None
    if not _both_sides_over_http(report):
        return None
    old = [v for s in report.fuzz.operations for v in s.old_latency_ms]
    new = [v for s in report.fuzz.operations for v in s.new_latency_ms]
    if not old or not new:
        return None
    old_p95, new_p95 = percentile(old, 95), percentile(new, 95)
    limit = old_p95 * factor
    slow = []
    for stats in report.fuzz.operations:
        if stats.old_latency_ms and stats.new_latency_ms:
            op_old, op_new = percentile(stats.old_latency_ms, 95), percentile(stats.new_latency_ms, 95)
            if op_new > op_old * factor:
                slow.append(f"{stats.operation}: NEW p95 {op_new:.1f} ms vs OLD p95 {op_old:.1f} ms")
    return Gate(
        name="latency",
        description="NEW p95 latency within a factor of OLD's (HTTP)",
        threshold=f"<= OLD p95 x {factor:g} = {limit:.1f} ms",
        measured=f"{new_p95:.1f} ms (OLD {old_p95:.1f} ms)",
        passed=new_p95 <= limit,
        details=slow,
    )




@register_gate("load-latency")
def gate_load_latency(report: Report, thresholds: GateThresholds) -> Gate | None:
    # Only when a load run was requested (check --load-duration); settings from `extra`:
    # load_max_p95_ratio (default 1.2) and load_max_error_rate_increase (default 0.01).
    # report.load: `apiparity.load.compare_sides` (check --load-duration); report.load_error: a
    # requested load run that could not finish: the gate fails, never passes
    section = report.load
    error = report.load_error
    ratio = float(thresholds.extra.get("load_max_p95_ratio", 1.2))
    if error:
        return Gate(name="load-latency", description="NEW answers at least as fast as OLD under the same load",
                    threshold=f"p95 NEW/OLD <= {ratio:g}", measured="not measured", passed=False, details=[str(error)],
                    status="could-not-run", reason="the load run failed")
    if section is None or section.overall is None:
        return None
    from apiparity.load.gate import latency_gate

    return latency_gate(section, max_p95_ratio=ratio,
                        max_error_rate_increase=float(thresholds.extra.get("load_max_error_rate_increase", 0.01)))


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: a value that was measured)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _not_run(name: str, description: str, threshold: str, section: str) -> Gate:
    return Gate(name=name, description=description, threshold=threshold, measured="not run", passed=False,
                details=[f"{section} did not run"], status="could-not-run", reason=f"{section} did not run")


def _register_feature_gates() -> None:
    """Gates that live with their feature (they read only the report model)."""
    try:
        from apiparity.asyncio_check.gate import GATE_NAME, gate_event_loop
    except ImportError:  # pragma: no cover - the feature is not installed in this tree
        return
    register_gate(GATE_NAME)(gate_event_loop)
    from apiparity.history.gate import GATE_NAME as HISTORY_GATE, gate_readiness_regression

    register_gate(HISTORY_GATE)(gate_readiness_regression)


_register_feature_gates()
