"""What the pair tests read from a report: the loud findings a user acts on."""

from __future__ import annotations

from apiparity.model import MismatchGroup, Report


def unwaived_breaking(report: Report) -> list[str]:
    return [f"{c.method} {c.path}: {c.rule_id}" for c in report.diff.changes if c.severity == "breaking" and not c.waived_by]


def group_keys(report: Report) -> list[str]:
    return [g.key for g in report.fuzz.groups if not g.waived_by]


def new_vs_old_issues(report: Report) -> list[str]:
    return [f"{i.operation}: {i.check}: {i.message}" for i in report.fuzz.conformance if i.side == "new-vs-old-spec"]


def groups_of(report: Report, operation: str) -> list[MismatchGroup]:
    return [g for g in report.fuzz.groups if g.operation == operation and not g.waived_by]
