"""`check --baseline previous.json`: what is newly broken and newly fixed since an accepted report.

Findings are matched by identity, not wording: a change by (rule ID, operation, pointers), a
mismatch group by (operation, signature). Only what can fail a gate counts: unwaived breaking and
warning changes, unwaived mismatch groups.
"""

from __future__ import annotations

from apiparity.model import BaselineComparison, Change, MismatchGroup, Report


def change_identity(change: Change) -> tuple[str, str, str, str, str]:
    return (change.rule_id, change.method, change.path, change.old_pointer or "", change.new_pointer or "")


def change_label(change: Change) -> str:
    where = f"{change.method} {change.path}" if change.method else "(document)"
    return f"{change.severity} {change.rule_id} {where}: {change.message}"


def group_label(group: MismatchGroup) -> str:
    return f"mismatch {group.key}"


def _counted_changes(report: Report) -> list[Change]:
    if report.diff is None:
        return []
    return [c for c in report.diff.changes if not c.waived_by and c.severity in ("breaking", "warning")]


def _counted_groups(report: Report) -> list[MismatchGroup]:
    if report.fuzz is None:
        return []
    return [g for g in report.fuzz.groups if not g.waived_by]


def compare_with_baseline(report: Report, baseline: Report, path: str) -> BaselineComparison:
    """Mark each finding of `report` new or existing and list what the baseline had that is gone."""
    before_changes = {change_identity(c): c for c in _counted_changes(baseline)}
    # a baseline written before header titles lost their doubled word ("header header:allow ...")
    before_groups = {g.key.replace(" header header:", " header:"): g for g in _counted_groups(baseline)}
    comparison = BaselineComparison(path=path, verdict_before=baseline.verdict.label if baseline.verdict else None)
    now_changes = set()
    for change in _counted_changes(report):
        identity = change_identity(change)
        now_changes.add(identity)
        change.baseline = "existing" if identity in before_changes else "new"
        if change.baseline == "new":
            comparison.newly_broken.append(change_label(change))
    now_groups = set()
    for group in _counted_groups(report):
        now_groups.add(group.key)
        group.baseline = "existing" if group.key in before_groups else "new"
        if group.baseline == "new":
            comparison.newly_broken.append(group_label(group))
    comparison.newly_fixed += [change_label(c) for key, c in before_changes.items() if key not in now_changes]
    comparison.newly_fixed += [group_label(g) for key, g in before_groups.items() if key not in now_groups]
    return comparison
