"""Numbers and tables every renderer shows, derived once from the report model.

Renderers format; they do not decide what a row contains. Keeping the derivation here means the
text, Markdown, HTML and JUnit outputs can never disagree on a count.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from apiparity.model import SEVERITY_ORDER, Change, Gate, MismatchGroup, PathMove, Report, Verdict

DOCUMENT_LEVEL = "(document)"


@dataclass(slots=True)
class OperationRow:
    """One line of the per-operation matrix."""

    operation: str
    breaking: int = 0
    warnings: int = 0
    info: int = 0
    waived: int = 0
    fuzzed: bool = False
    cases: int = 0
    mismatches: int = 0
    groups: int = 0
    conformance: int = 0
    new_5xx_where_old_ok: int = 0
    transport_errors: int = 0  # requests either side gave no answer to: nothing was tested by them
    skipped_reason: str | None = None

    @property
    def status(self) -> str:
        """fail / warn / ok / untested: the colour of the row."""
        if self.breaking or self.groups or self.new_5xx_where_old_ok or self.transport_errors:
            return "fail"
        if self.warnings or self.conformance:
            return "warn"
        if self.fuzzed and self.cases == 0:
            return "untested"
        return "ok"


@dataclass(slots=True)
class Summary:
    breaking: int = 0
    warnings: int = 0
    info: int = 0
    waived: int = 0
    groups: int = 0
    groups_waived: int = 0
    mismatches: int = 0
    cases: int = 0
    operations_reached: int = 0
    operations_total: int = 0
    conformance: int = 0
    severity_line: str = ""
    noise_line: str = ""
    tiers: dict[str, int] = field(default_factory=dict)  # mismatch groups per tier (apiparity.fuzz.tiers)
    tier_line: str = ""  # "2 regression, 1 legacy-bug-fixed, 0 harmless, 0 accepted"
    top_causes: list[str] = field(default_factory=list)  # the worst groups, one line each (cause_line)


@dataclass(slots=True)
class ReportView:
    summary: Summary
    rows: list[OperationRow] = field(default_factory=list)


def change_operation(change: Change) -> str:
    return f"{change.method} {change.path}" if change.method else DOCUMENT_LEVEL


def operation_sort_key(operation: str) -> tuple[str, str]:
    method, _, path = operation.partition(" ")
    return (path, method)


def sorted_changes(changes: list[Change]) -> list[Change]:
    """Most severe first, then by operation and rule, so reports read top-down."""
    return sorted(
        changes,
        key=lambda c: (-SEVERITY_ORDER.get(c.severity, 0), operation_sort_key(change_operation(c)), c.rule_id),
    )


def changes_by_operation(changes: list[Change]) -> dict[str, list[Change]]:
    grouped: dict[str, list[Change]] = {}
    for change in sorted(changes, key=lambda c: (operation_sort_key(change_operation(c)), -SEVERITY_ORDER.get(c.severity, 0), c.rule_id)):
        grouped.setdefault(change_operation(change), []).append(change)
    return grouped


def build_view(report: Report) -> ReportView:
    rows: dict[str, OperationRow] = {}

    def row(operation: str) -> OperationRow:
        if operation not in rows:
            rows[operation] = OperationRow(operation)
        return rows[operation]

    summary = Summary()
    if report.diff is not None:
        for change in report.diff.changes:
            target = row(change_operation(change))
            if change.waived_by:
                target.waived += 1
                summary.waived += 1
            elif change.severity == "breaking":
                target.breaking += 1
                summary.breaking += 1
            elif change.severity == "warning":
                target.warnings += 1
                summary.warnings += 1
            else:
                target.info += 1
                summary.info += 1
        summary.severity_line = severity_line(summary.breaking, summary.warnings, summary.info, summary.waived)
        summary.noise_line = noise_line(report)
    if report.fuzz is not None:
        fuzz = report.fuzz
        for stats in fuzz.operations:
            target = row(stats.operation)
            target.fuzzed = True
            target.cases += stats.cases
            target.mismatches += stats.mismatches
            target.new_5xx_where_old_ok += stats.new_5xx_where_old_ok
            target.transport_errors += stats.old_transport_errors + stats.new_transport_errors
            target.skipped_reason = stats.skipped_reason or target.skipped_reason
        for group in fuzz.groups:
            if group.waived_by:
                summary.groups_waived += 1
                continue
            for operation in group_operations(group):
                row(operation).groups += 1
            summary.groups += 1
            summary.mismatches += group.count
        for issue in fuzz.conformance:
            if issue.explained_by:
                continue  # counted once, in the mismatch group whose cause it is
            row(issue.operation).conformance += issue.count
            summary.conformance += issue.count
        from apiparity.fuzz.tiers import tier_counts, tier_line

        summary.tiers = tier_counts(fuzz.groups)
        summary.tier_line = tier_line(summary.tiers)
        summary.top_causes = [cause_line(g) for g in active_groups(report)]
        summary.cases = fuzz.cases
        summary.operations_reached = sum(1 for stats in fuzz.operations if stats.cases > 0)
        summary.operations_total = fuzz.operations_total or len(fuzz.operations)
    if report.diff is not None and report.fuzz is not None:
        # breaking spec findings no mismatch group shows on the wire are causes too (a response field
        # retyped where the fuzz never reached it): one line per rule and message, every operation named
        summary.top_causes = move_cause_lines(report) + top_cause_lines(summary.top_causes, spec_cause_lines(report))
    else:
        summary.top_causes = summary.top_causes[:TOP_CAUSES]
    ordered = sorted(rows.values(), key=lambda r: (r.operation == DOCUMENT_LEVEL, operation_sort_key(r.operation)))
    return ReportView(summary=summary, rows=ordered)


def path_move_line(move: PathMove) -> str:
    """One sentence for a prefix move (`DiffResult.path_moves`), the same in every format."""
    old_prefix = "" if move.old_prefix == "/" else move.old_prefix
    new_prefix = "" if move.new_prefix == "/" else move.new_prefix
    slash = f"; {move.trailing_slash_added} of them end in '/' in NEW only" if move.trailing_slash_added else ""
    return (f"{move.operations} of the {move.removed} removed operations moved: {old_prefix or '/'}… in OLD is "
            f"{new_prefix or '/'}… in NEW (e.g. {move.example_old} -> {move.example_new}){slash}. Clients calling "
            f"OLD's URLs fail unless a proxy maps one prefix onto the other: one mount to fix, not {move.operations} removals.")


def severity_line(breaking: int, warnings: int, info: int, waived: int = 0) -> str:
    text = f"{breaking} breaking, {warnings} warning{'s' if warnings != 1 else ''}, {info} info"
    if waived:
        text += f", {waived} waived"
    return text


def noise_line(report: Report) -> str:
    """'ignored as framework noise: rule-a 24, rule-b 3' (empty when nothing was ignored)."""
    if report.diff is None or not report.diff.ignored_noise:
        return ""
    counts: Counter[str] = Counter()
    for noise in report.diff.ignored_noise:
        counts[noise.rule_id] += noise.count
    parts = [f"{rule} {count}" for rule, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return "ignored as framework noise: " + ", ".join(parts)


TOP_CAUSES = 12  # causes listed one line each at the top of every report
SPEC_CAUSES_KEPT = 3  # of which this many at least go to breaking spec findings no group shows, when there are any


def top_cause_lines(group_lines: list[str], spec_lines: list[str]) -> list[str]:
    """The worst groups first, then the spec-only causes; many groups never crowd out every spec
    cause (a field retyped where the fuzz never reached it is a cause a reader must see)."""
    groups = min(len(group_lines), TOP_CAUSES - min(len(spec_lines), SPEC_CAUSES_KEPT))
    return group_lines[:groups] + spec_lines[: TOP_CAUSES - groups]


def active_groups(report: Report) -> list[MismatchGroup]:
    """Unwaived groups, regressions first, then by severity (rank) and size."""
    if report.fuzz is None:
        return []
    from apiparity.fuzz.tiers import display_order

    return sorted((g for g in report.fuzz.groups if not g.waived_by), key=display_order)


def move_cause_lines(report: Report) -> list[str]:
    """A '[moved] ...' line per prefix move, above every other cause: it explains many removals and
    their not-found groups at once."""
    return [f"[moved] {path_move_line(move)}" for move in report.diff.path_moves] if report.diff else []


def spec_cause_lines(report: Report) -> list[str]:
    """'[breaking] response-body-type-changed: response body `revenue`: type number -> string (GET /admin/stats, POST /admin/reset)'."""
    import re

    if report.diff is None:
        return []
    buckets: dict[tuple[str, str], list[str]] = {}
    for change in report.diff.changes:
        if change.severity != "breaking" or change.waived_by or change.mismatch_groups:
            continue
        message = re.sub(r"\bresponse \d{3} ", "response ", change.message)
        buckets.setdefault((change.rule_id, message), []).append(change_operation(change))
    return [f"[breaking] {rule}: {message} ({', '.join(dict.fromkeys(ops))})" for (rule, message), ops in buckets.items()]


def group_operations(group: MismatchGroup) -> list[str]:
    """Every operation a group's cause was seen on (its own when the report predates the list)."""
    return [o.operation for o in group.operations] or [group.operation]


def operations_text(group: MismatchGroup, limit: int = 3) -> str:
    """'GET /a (12x), POST /a (3x) and 2 more' for a cause seen on several operations."""
    if len(group.operations) <= 1:
        return group.operation
    shown = ", ".join(f"{o.operation} ({o.count}x)" for o in group.operations[:limit])
    more = len(group.operations) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def cause_line(group: MismatchGroup) -> str:
    """One line per cause: '[regression] GET /a: status 200 != 422 (41x) - validation-status'."""
    where = group.operation if len(group.operations) <= 1 else f"{group.operation} and {len(group.operations) - 1} more operation(s)"
    label = f" - {group.divergence}" if group.divergence else ""
    return f"[{group.tier}] {where}: {group.signature} ({group.count}x){label}"


def failing_tiers(report: Report) -> tuple[str, ...]:
    """The tiers that fail the gate: the verdict's, or regressions when there is no verdict."""
    from apiparity.fuzz.tiers import DEFAULT_FAILING_TIERS

    return tuple(report.verdict.failing_tiers) if report.verdict is not None and report.verdict.failing_tiers else DEFAULT_FAILING_TIERS


def group_tier(group: MismatchGroup) -> str:
    """A group's tier as every format shows it (a waived group is accepted)."""
    return "accepted" if group.waived_by else group.tier


def group_fails(report: Report, group: MismatchGroup) -> bool:
    """Does this group fail the gate (a failing tier, not waived)? Every format reads this one answer:
    text/HTML list it as failing, JUnit as a failure, SARIF as level error, GitHub as an error."""
    return not group.waived_by and group.tier in failing_tiers(report)


def failing_count(report: Report) -> int:
    """Groups that fail the gate: the verdict's failing tiers, or regressions when there is no verdict."""
    if report.fuzz is None:
        return 0
    return sum(1 for g in report.fuzz.groups if group_fails(report, g))


def waived_groups(report: Report) -> list[MismatchGroup]:
    if report.fuzz is None:
        return []
    return [g for g in report.fuzz.groups if g.waived_by]


def format_body(body: Any, limit: int = 2000) -> str:
    """A response or request body as readable text, cut at `limit` characters."""
    if body is None:
        return ""
    if isinstance(body, (dict, list, int, float, bool)):
        text = json.dumps(body, indent=2, ensure_ascii=False, sort_keys=False, default=str)
    else:
        text = str(body)
    return truncate(text, limit)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"


def format_value(value: Any, limit: int = 120) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return truncate(value, limit)
    return truncate(json.dumps(value, ensure_ascii=False, default=str), limit)


def request_line(method: str, path: str, query: list[tuple[str, str]] | list[list[str]]) -> str:
    from urllib.parse import urlencode

    text = f"{method} {path}"
    if query:
        text += "?" + urlencode([(str(k), str(v)) for k, v in query])
    return text


def percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "-"
    return f"{100 * part / whole:.0f}%"


def title_for(report: Report) -> str:
    if report.command == "check":
        return "apiparity cutover readiness"
    if report.command == "diff":
        return "apiparity spec diff"
    if report.command == "fuzz":
        return "apiparity differential fuzz"
    if report.command == "load":
        return "apiparity load comparison"
    if report.command == "replay":
        return "apiparity traffic replay"
    return f"apiparity {report.command}"


def status_text(report: Report) -> str:
    """The one-word outcome shown in banners and first lines."""
    if report.verdict is not None:
        label = report.verdict.line
        if report.verdict.summary and not report.complete and not report.shard:
            return label  # decide() names it: "NOT READY (...; INCOMPLETE run)"
    elif report.diff is not None and report.fuzz is None:
        label = "BREAKING CHANGES" if report.diff.count("breaking") else "NO BREAKING CHANGES"
    elif report.fuzz is not None:
        unwaived = failing_count(report)
        label = f"{unwaived} MISMATCH GROUP{'S' if unwaived != 1 else ''}" if unwaived else "NO MISMATCHES"
        if not unwaived and report.fuzz.cases == 0 and report.fuzz.operations_total > 0:
            label = "NOTHING COMPARED"  # no case was sent: not a pass
    elif report.load is not None or "load" in report.unread_extras:
        label = "LOAD COMPARED"
    else:
        label = "NO RESULTS"
    if not report.complete:
        label += " (INCOMPLETE)" if not report.shard else f" (SHARD {report.shard})"
    return label


GATE_RESULT = {"passed": "pass", "failed": "FAIL", "not-run": "not run", "could-not-run": "FAIL (not run)"}


def gate_result(gate: Gate) -> str:
    """The result cell of a gate: pass, FAIL, not run (skipped by the user's choice), FAIL (not run)."""
    return GATE_RESULT.get(gate.status, "pass" if gate.passed else "FAIL")


def decided_by_line(verdict: Verdict) -> str:
    """Which gates decided the verdict: the failing ones for NOT READY; for READY the ones that
    passed and the ones not run (with why)."""
    failing = [g for g in verdict.gates if g.failing]
    not_run = [f"{g.name} ({g.reason or 'skipped'})" for g in verdict.gates if g.status == "not-run"]
    if not verdict.ready:
        if not failing:
            return "Decided by: no gate failed, but the run is not complete" if verdict.gates else "Decided by: no gate applies"
        return "Decided by: " + "; ".join(
            f"{g.name} " + (f"could not run ({g.reason})" if g.status == "could-not-run" else "failed") for g in failing)
    passed = [g.name for g in verdict.gates if g.status == "passed"]
    return "Decided by: passed: " + ", ".join(passed) + ("; not run: " + ", ".join(not_run) if not_run else "")


def incomplete_text(report: Report) -> str | None:
    """The line every format shows for a run that could not complete (None when it completed, and
    for a shard, incomplete by design, unless it could not complete either)."""
    stopped = report.incomplete
    if stopped is None:
        if report.complete or report.shard:
            return None
        return "Incomplete: the run was interrupted; this report holds what ran before."
    where = f" during {stopped.phase}" if stopped.phase else ""
    return f"Incomplete ({stopped.cause}{where}): {stopped.detail}; this report holds what ran before, and is never READY."


def gate_in_verdict(report: Report, name: str) -> bool:
    """True when the verdict already lists gate `name` (its section then need not repeat it)."""
    return report.verdict is not None and any(gate.name == name for gate in report.verdict.gates)


def is_good(report: Report) -> bool:
    if report.verdict is not None:
        return report.verdict.ready and report.complete
    bad = 0
    if report.diff is not None:
        bad += report.diff.count("breaking")
    if report.fuzz is not None:
        bad += failing_count(report)
        if report.fuzz.cases == 0 and report.fuzz.operations_total > 0:
            return False  # nothing compared is not green
    return bad == 0 and report.complete
