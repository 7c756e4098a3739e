"""GitLab Code Quality (`codequality`): the JSON array GitLab CI reads from a job's
`artifacts: reports: codequality:` file and shows on merge requests (the widget and the diff).

One issue per finding SARIF reports, with the same answer on what fails: spec changes at their
severity, mismatch groups at their tier (a tier that fails the gate is `critical`, one shown but
not failing is `info`), conformance causes and event-loop findings; waived or accepted findings are
left out (Code Quality has no suppression); a run that could not complete is a `blocker` issue of
its own (`run-incomplete`), as SARIF's `executionSuccessful: false`. Each issue has GitLab's documented fields:
`description`, `check_name` (SARIF's rule ID), `fingerprint` (a SHA-256 of SARIF's partial
fingerprint, so it is stable across runs with the same `--seed` and unique in the file),
`severity` (info, minor, major, critical, blocker), `location.path` (relative to the repository,
no `./`) and `location.lines.begin` — placed where SARIF places it (the spec line or the handler),
else at NEW's (then OLD's) app module, else at NEW's target file.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

from apiparity.model import Report
from apiparity.report.places import Place, app_place, change_place, conformance_place, file_place, group_place
from apiparity.report.sections import EVENT_LOOP_GATE, event_loop_view
from apiparity.report.view import change_operation, group_fails, group_tier, incomplete_text, sorted_changes

# SARIF level (apiparity.report.sarif) -> Code Quality severity
SEVERITY = {"error": "critical", "warning": "minor", "note": "info"}
SARIF_LEVEL = {"breaking": "error", "warning": "warning", "info": "note"}  # a spec change's severity, as SARIF's LEVEL
SEVERITIES = ("info", "minor", "major", "critical", "blocker")  # GitLab's documented values


@dataclass(slots=True, frozen=True)
class Issue:
    description: str
    check_name: str
    key: str  # SARIF's partial fingerprint: what makes the finding itself, no run-specific value
    severity: str
    path: str
    line: int

    def as_json(self, fingerprint: str) -> dict[str, Any]:
        return {"type": "issue", "description": self.description, "check_name": self.check_name, "fingerprint": fingerprint,
                "severity": self.severity, "location": {"path": self.path, "lines": {"begin": self.line}}}


def render(report: Report) -> str:
    issues = issues_of(report)
    seen: dict[str, int] = {}
    out = []
    for issue in issues:
        digest = _digest(issue.key)
        seen[digest] = seen.get(digest, 0) + 1
        if seen[digest] > 1:  # GitLab keeps one issue per fingerprint: a repeated key gets its ordinal
            digest = _digest(f"{issue.key}#{seen[digest]}")
        out.append(issue.as_json(digest))
    return json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def issues_of(report: Report) -> list[Issue]:
    """A run that could not complete first (a `blocker`: what the report does not hold was never
    checked), then every finding not waived or accepted, in SARIF's order: spec changes, mismatch
    groups, conformance causes, event-loop findings."""
    fallback = _fallback(report)
    issues: list[Issue] = []
    stopped = incomplete_text(report)
    if stopped:
        cause = report.incomplete.cause if report.incomplete is not None else "interrupted"
        issues.append(Issue(stopped, "run-incomplete", f"run-incomplete|{cause}", "blocker", _path(fallback.file), fallback.line or 1))
    if report.diff is not None:
        for change in sorted_changes(report.diff.changes):
            if change.waived_by:
                continue
            operation = change_operation(change)
            issues.append(_issue(f"{operation}: {change.message}", change.rule_id,
                                 f"{change.rule_id}|{operation}|{change.old_pointer or change.new_pointer or ''}",
                                 SARIF_LEVEL.get(change.severity, "note"), change_place(report, change), fallback))
    if report.fuzz is not None:
        for group in report.fuzz.groups:
            tier = group_tier(group)
            if group.waived_by or tier == "accepted":
                continue
            description = f"[{tier}] {group.operation}: {group.signature} ({group.count} case{'s' if group.count != 1 else ''})"
            if group.explanation:
                description += f". {group.explanation}"
            if group.fix_hint:
                description += f" Fix: {group.fix_hint}"
            check = f"mismatch/{group.divergence}" if group.divergence else f"mismatch/{group.kind}"
            issues.append(_issue(description, check, f"mismatch|{group.key}", "error" if group_fails(report, group) else "note",
                                 group_place(report, group), fallback))
        for issue in report.fuzz.conformance:
            side = {"old": "OLD", "new": "NEW", "new-vs-old-spec": "NEW against OLD's document"}.get(issue.side, issue.side)
            issues.append(_issue(f"{side} {issue.operation}: {issue.message} ({issue.count}x)", f"conformance/{issue.check}",
                                 f"conformance|{issue.side}|{issue.operation}|{issue.check}|{issue.message}", "warning",
                                 conformance_place(report, issue), fallback))
    issues += _event_loop_issues(report, fallback)
    return issues


def _event_loop_issues(report: Report, fallback: Place) -> list[Issue]:
    view = event_loop_view(report)
    if view is None:
        return []
    tolerated = report.verdict is not None and any(g.name == EVENT_LOOP_GATE and g.passed for g in report.verdict.gates)
    out = []
    for block in view.blocks:
        description = (f"{block.operation} blocked the event loop {block.count}x, max {block.max_ms:.1f} ms"
                       + (f" in {block.function}" if block.function else "") + f". Fix: {block.fix_hint}")
        out.append(_issue(description, "event-loop/blocked", f"event-loop/blocked|{block.operation}|{block.where}",
                          "warning" if tolerated else "error", file_place(report, block.file, block.line), fallback))
    for finding in view.static:
        description = f"{finding.operation}: {finding.call} reachable from async code ({' -> '.join(finding.chain)}). Fix: {finding.fix_hint}"
        out.append(_issue(description, "event-loop/blocking-call",
                          f"event-loop/blocking-call|{finding.operation}|{finding.where}|{finding.call}", "warning",
                          file_place(report, finding.file, finding.line), fallback))
    return out


def _issue(description: str, check: str, key: str, level: str, place: Place | None, fallback: Place) -> Issue:
    where = place if place is not None and place.relative else fallback  # GitLab links only repository paths
    line = where.line if where.line is not None and where.line >= 1 else 1
    return Issue(description, check, key, SEVERITY[level], _path(where.file), line)


def _path(file: str) -> str:
    """Posix, relative to the repository, without a leading `./` (GitLab matches it to the diff)."""
    path = file.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path or "."


def _fallback(report: Report) -> Place:
    """Where a finding with no place in the repository goes: NEW's app module, OLD's, else NEW's
    (then OLD's) target file (a spec file, or the file of a `file.py:app` reference), else the
    repository itself; the first of them inside the repository."""
    candidates = [app_place(report, "new"), app_place(report, "old")]
    for target in (report.new, report.old):
        ref = target.ref if target is not None else ""
        file = ref.split(":", 1)[0] if ref.split(":", 1)[0].endswith(".py") else ref
        if ref and "://" not in ref and os.path.splitext(file)[1] in (".py", ".json", ".yaml", ".yml"):
            candidates.append(file_place(report, file, 1))
    return next((place for place in candidates if place is not None and place.relative), Place(".", 1))
