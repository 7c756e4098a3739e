"""What explains what, across a report's sections, so each cause is counted once and read in one place.

- `fold_conformance`: NEW's answers are judged by its own document and by OLD's; the same finding
  under both is one issue (kept under OLD's document, the one clients were written against). An
  issue of NEW that a mismatch group shows (same operation, the status pair of its example among
  the group's, and for a body finding the field it names in the group's differences, or the only
  body group of that answer) is folded into that group: listed there, `explained_by` set, and not
  counted again by the conformance gate.
- `served_after_all`: an operation the spec diff says NEW removed, that NEW answered like OLD on
  the wire (same status, not 404/405) and no group shows missing, is hidden from NEW's document
  (FastAPI `include_in_schema=False`, a route added outside the router), not removed: the finding
  is kept as a warning saying so, and no longer fails the spec-diff gate.
- `cross_link`: a spec-diff finding and the mismatch group that shows it on the wire point at each
  other (`Change.mismatch_groups`, `MismatchGroup.spec_changes`): a response field the diff says
  was removed or retyped and a group whose differences name that field; a request narrowed (a new
  required parameter, a removed enum value, a tighter bound) and a group where NEW refuses (4xx)
  what OLD accepted; an operation removed and a group where NEW answers 404/405.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apiparity.model import Change, ConformanceIssue, FuzzResult, MismatchGroup, Report

_QUOTED = re.compile(r"[`'\"]([A-Za-z_][\w-]*)[`'\"]")
_FIELD = re.compile(r"\$\.?([\w.\[\]*-]*)")


def _operations(group: MismatchGroup) -> list[str]:
    return [o.operation for o in group.operations] or [group.operation]


def _status_pairs(group: MismatchGroup) -> set[tuple[int, int]]:
    pairs = {(e.old.status, e.new.status) for e in group.examples}
    for text in [group.signature, *group.related]:
        for old, new in re.findall(r"status (\d{3}) != (\d{3})", text):
            pairs.add((int(old), int(new)))
    return pairs


def _names(text: str) -> set[str]:
    """Field names a message or a signature mentions: quoted names, and every key of a `$.a.b[*].c` path."""
    names = set(_QUOTED.findall(text))
    for path in _FIELD.findall(text):
        names |= {part for part in re.split(r"[.\[\]*]+", path) if part}
    return names


def fold_conformance(fuzz: FuzzResult) -> None:
    """Count each conformance issue once (see the module doc); changes `fuzz` in place."""
    against_old = {(i.operation, i.check, i.message) for i in fuzz.conformance if i.side == "new-vs-old-spec"}
    fuzz.conformance = [i for i in fuzz.conformance if not (i.side == "new" and (i.operation, i.check, i.message) in against_old)]
    for issue in fuzz.conformance:
        if issue.side == "old" or issue.example is None:
            continue
        group = _explaining_group(issue, fuzz.groups)
        if group is not None:
            issue.explained_by = group.key
            line = f"{issue.side}: {issue.check}: {issue.message} ({issue.count}x)"
            if line not in group.conformance:
                group.conformance.append(line)


def _explaining_group(issue: ConformanceIssue, groups: list[MismatchGroup]) -> MismatchGroup | None:
    assert issue.example is not None
    pair = (issue.example.old.status, issue.example.new.status)
    candidates = [g for g in groups if issue.operation in _operations(g) and pair in _status_pairs(g)]
    if pair[0] != pair[1]:
        status = [g for g in candidates if g.kind == "status"]
        return status[0] if status else None
    body = [g for g in candidates if g.kind in ("body", "order", "header")]
    named = _names(issue.message)
    by_field = [g for g in body if named & _names(" ".join([g.signature, *g.related]))]
    if by_field:
        return by_field[0]
    bodies = [g for g in body if g.kind == "body"]
    return bodies[0] if len(bodies) == 1 else None


def cross_link(report: Report) -> None:
    """Link spec-diff findings and the mismatch groups that show them (see the module doc)."""
    if report.diff is None or report.fuzz is None:
        return
    for change in report.diff.changes:
        if change.severity == "info" or not change.method:
            continue
        operation = f"{change.method} {change.path}"
        for group in report.fuzz.groups:
            if operation in _operations(group) and _shows(change, group):
                if group.key not in change.mismatch_groups:
                    change.mismatch_groups.append(group.key)
                link = f"{change.rule_id} {operation}"
                if link not in group.spec_changes:
                    group.spec_changes.append(link)


HIDDEN_NOTE = ("NEW still serves it: {served} case(s) answered like OLD (not 404/405); it is missing from NEW's "
               "document, not from NEW (FastAPI `include_in_schema=False`?): clients are not broken, its contract is unpublished")


def served_after_all(report: Report) -> None:
    """Downgrade an operation removal NEW contradicts on the wire (see the module doc); run after
    `cross_link`, which tells whether a group shows NEW answering 404/405 for it."""
    if report.diff is None or report.fuzz is None:
        return
    stats = {s.operation: s for s in report.fuzz.operations}
    for change in report.diff.changes:
        if change.severity != "breaking" or change.direction != "operation" or not change.method \
                or not change.rule_id.endswith("removed") or change.mismatch_groups:
            continue
        served = stats.get(f"{change.method} {change.path}")
        if served is None or served.new_served == 0 or served.new_transport_errors:
            continue
        change.severity = "warning"
        change.message = f"{change.message} ({HIDDEN_NOTE.format(served=served.new_served)})"


def _shows(change: Change, group: MismatchGroup) -> bool:
    pairs = _status_pairs(group)
    if change.direction == "operation" and change.rule_id.endswith("removed"):
        # NEW refusing the removed operation's own method (a HEAD/OPTIONS 405 on its path is Flask's, not this)
        return any(e.request.method.upper() == change.method and e.new.status in (404, 405) and e.old.status != e.new.status
                   for e in group.examples)
    if change.direction == "request":
        return group.kind == "status" and any(old < 400 <= new < 500 for old, new in pairs)
    if change.direction == "response":
        fields = set(_QUOTED.findall(change.message))
        return bool(fields & _names(" ".join([group.signature, *group.related])))
    return False


def relink(report: Report) -> None:
    """Redo both for a report whose groups were rebuilt (`apiparity merge`: a shard's group keys
    change once causes seen in several shards are one group)."""
    if report.fuzz is not None:
        for group in report.fuzz.groups:
            group.conformance, group.spec_changes = [], []
        for issue in report.fuzz.conformance:
            issue.explained_by = None
        fold_conformance(report.fuzz)
    if report.diff is not None:
        for change in report.diff.changes:
            change.mismatch_groups = []
    cross_link(report)
    served_after_all(report)
