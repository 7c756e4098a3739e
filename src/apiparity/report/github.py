"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding.

Values are escaped the way the Actions runner expects, so a message with a newline or `::` cannot
start a command of its own.
"""

from __future__ import annotations

from apiparity.model import Report
from apiparity.report.places import Place, change_place, conformance_place, file_place, group_place
from apiparity.report.sections import EVENT_LOOP_GATE, event_loop_view, load_view, undocumented_traffic
from apiparity.report.view import change_operation, gate_in_verdict, group_fails, sorted_changes, status_text

LEVEL = {"breaking": "error", "warning": "warning", "info": "notice"}
# GitHub shows at most 10 annotations of each level per step and drops the rest silently
MAX_PER_LEVEL = 10


def render(report: Report) -> str:
    """The verdict and failing gates first (so they are never the ones dropped), then one line per
    finding placed at its file and line, at most MAX_PER_LEVEL per level, then a notice saying how
    many were left out and where to read them."""
    head: list[str] = []
    if report.verdict is not None:
        level = "notice" if report.verdict.ready else "error"
        tiers = ", ".join(f"{n} {tier}" for tier, n in report.verdict.tiers.items())
        head.append(command(level, status_text(report) + (f" (mismatch groups: {tiers})" if tiers else ""), title="apiparity verdict"))
        for gate in report.verdict.gates:
            if gate.status == "not-run":
                head.append(command("notice", f"{gate.description}: not run ({gate.reason})", title=f"gate {gate.name}"))
            elif not gate.passed:
                head.append(command("error", f"{gate.description}: measured {gate.measured}, threshold {gate.threshold}", title=f"gate {gate.name}"))
    head += load_gate_annotation(report)
    from apiparity.report.view import incomplete_text

    stopped = incomplete_text(report)
    if stopped:
        head.insert(0, command("error", stopped, title="apiparity run incomplete"))
    return "".join(line + "\n" for line in cap_annotations(head, finding_annotations(report)))


def finding_annotations(report: Report) -> list[str]:
    """Spec changes, mismatch groups, conformance causes and feature findings, taken in turn (one of
    each kind, then the next of each) so a long list of one kind cannot hide every other kind
    behind the per-level cap."""
    changes: list[str] = []
    groups: list[str] = []
    conformance: list[str] = []
    lines = changes
    if report.diff is not None:
        for change in sorted_changes(report.diff.changes):
            if change.waived_by:
                continue
            level = LEVEL.get(change.severity, "notice")
            title = f"{change.rule_id} {change_operation(change)}"
            lines.append(command(level, change.message, title=title, **_at(change_place(report, change))))
    if report.fuzz is not None:
        for group in report.fuzz.groups:
            if group.waived_by:
                continue
            message = f"[{group.tier}] {group.signature} ({group.count} cases)"
            if group.tier_reason:
                message += f"\n{group.tier_reason}"
            if group.explanation:
                message += f"\n{group.explanation}"
            if group.fix_hint:
                message += f"\nFix: {group.fix_hint}"
            if group.examples:
                message += f"\n{group.examples[0].curl_new}"
            level = "error" if group_fails(report, group) else "notice"  # a tier the gate does not fail on: shown, not failing
            groups.append(command(level, message, title=f"mismatch {group.operation}", **_at(group_place(report, group))))
        for issue in report.fuzz.conformance:
            conformance.append(command("warning", f"{issue.check}: {issue.message} ({issue.count}x)", title=f"conformance {issue.side} {issue.operation}",
                                 **_at(conformance_place(report, issue))))
    kinds = [changes, groups, conformance, feature_annotations(report)]
    return [kind[i] for i in range(max(map(len, kinds))) for kind in kinds if i < len(kind)]


def cap_annotations(head: list[str], lines: list[str], limit: int = MAX_PER_LEVEL) -> list[str]:
    """`head` then `lines`, at most `limit` annotations per level (one notice slot kept for the
    note on what was left out)."""
    kept: list[str] = []
    used: dict[str, int] = {}
    dropped: dict[str, int] = {}
    for line in head + lines:
        level = line[2:].split(" ", 1)[0].split("::", 1)[0]
        room = limit - 1 if level == "notice" else limit
        if used.get(level, 0) < room:
            kept.append(line)
            used[level] = used.get(level, 0) + 1
        else:
            dropped[level] = dropped.get(level, 0) + 1
    if dropped:
        counts = ", ".join(f"{count} {level}{'s' if count != 1 else ''}" for level, count in sorted(dropped.items()))
        kept.append(command("notice", f"{counts} more not annotated (GitHub shows {limit} per level and step): "
                                      "every finding is in the job summary and the report files", title="apiparity: more findings"))
    return kept


def feature_annotations(report: Report) -> list[str]:
    """Event-loop blocks at their file and line (so they show on the diff of a pull request),
    static-scan hints, undocumented traffic, and a load run that could not be compared."""
    lines: list[str] = []
    loop = event_loop_view(report)
    if loop is not None:
        tolerated = report.verdict is not None and any(g.name == EVENT_LOOP_GATE and g.passed for g in report.verdict.gates)
        for block in loop.blocks:
            message = (
                f"{block.operation} blocked the event loop {block.count}x, max {block.max_ms:.1f} ms, p95 {block.p95_ms:.1f} ms"
                + (f" in {block.function}" if block.function else "")
                + (f": {block.blocking_call}" if block.blocking_call else "")
                + (f"\ne.g. {block.example_request}" if block.example_request else "")
                + ("\nstack: " + " -> ".join(block.stack[-6:]) if block.stack else "")
                + f"\nFix: {block.fix_hint}"
            )
            lines.append(command("warning" if tolerated else "error", message, **_at(file_place(report, block.file, block.line)), title=f"event loop blocked: {block.operation}"))
        for finding in loop.static:
            message = f"{finding.call} reachable from async code ({' -> '.join(finding.chain)})\nFix: {finding.fix_hint}"
            lines.append(command("warning", message, **_at(file_place(report, finding.file, finding.line)), title=f"blocking call in async code: {finding.operation}"))
        if loop.problem or loop.error:
            lines.append(command("error", loop.summary, title="event loop"))
    for row in undocumented_traffic(report):
        reason = f": {row.reason}" if row.reason else ""
        lines.append(command("warning", f"{row.count} recorded request(s){reason}", title=f"undocumented traffic {row.method} {row.path}"))
    load = load_view(report)
    if load is not None and load.problem:
        lines.append(command("warning", load.problem, title="load comparison"))
    return lines


def load_gate_annotation(report: Report) -> list[str]:
    """A failed load gate the verdict does not list (a `load` report): shown with the gates."""
    load = load_view(report)
    if load is None or load.problem or load.gate is None or load.gate.passed or gate_in_verdict(report, load.gate.name):
        return []
    details = "".join(f"\n{detail}" for detail in load.gate.details)
    return [command("error", f"measured {load.gate.measured}, threshold {load.gate.threshold}{details}", title=f"gate {load.gate.name}")]


def _at(place: Place | None) -> dict[str, str]:
    """`file=` (relative to the repository root, as GitHub resolves it) and `line=`."""
    if place is None:
        return {}
    return {"file": place.file, **({"line": str(place.line)} if place.line is not None else {})}


def command(level: str, message: str, **properties: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
