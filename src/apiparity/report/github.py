"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding.

Values are escaped the way the Actions runner expects, so a message with a newline or `::` cannot
start a command of its own.
"""

from __future__ import annotations

from apiparity.model import Report
from apiparity.report.sections import EVENT_LOOP_GATE, event_loop_view, load_view, undocumented_traffic
from apiparity.report.view import change_operation, gate_in_verdict, sorted_changes, status_text

LEVEL = {"breaking": "error", "warning": "warning", "info": "notice"}


def render(report: Report) -> str:
    lines: list[str] = []
    source = report.extras.get("new_source_file") or report.extras.get("old_source_file")
    file_property = {"file": str(source)} if isinstance(source, str) and source else {}
    if report.diff is not None:
        for change in sorted_changes(report.diff.changes):
            if change.waived_by:
                continue
            level = LEVEL.get(change.severity, "notice")
            title = f"{change.rule_id} {change_operation(change)}"
            lines.append(command(level, change.message, title=title, **file_property))
    if report.fuzz is not None:
        for group in report.fuzz.groups:
            if group.waived_by:
                continue
            message = f"{group.signature} ({group.count} cases)"
            if group.explanation:
                message += f"\n{group.explanation}"
            if group.fix_hint:
                message += f"\nFix: {group.fix_hint}"
            if group.examples:
                message += f"\n{group.examples[0].curl_new}"
            lines.append(command("error", message, title=f"mismatch {group.operation}"))
        for issue in report.fuzz.conformance:
            lines.append(command("warning", f"{issue.check}: {issue.message} ({issue.count}x)", title=f"conformance {issue.side} {issue.operation}"))
    lines += feature_annotations(report)
    if report.verdict is not None:
        for gate in report.verdict.gates:
            if not gate.passed:
                lines.append(command("error", f"{gate.description}: measured {gate.measured}, threshold {gate.threshold}", title=f"gate {gate.name}"))
        level = "notice" if report.verdict.ready else "error"
        lines.append(command(level, status_text(report), title="apiparity verdict"))
    return "".join(line + "\n" for line in lines)


def feature_annotations(report: Report) -> list[str]:
    """Event-loop blocks at their file and line (so they show on the diff of a pull request),
    static-scan hints, undocumented traffic, and a failed load gate the verdict does not list."""
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
            lines.append(command("warning" if tolerated else "error", message, **_place(block.file, block.line), title=f"event loop blocked: {block.operation}"))
        for finding in loop.static:
            message = f"{finding.call} reachable from async code ({' -> '.join(finding.chain)})\nFix: {finding.fix_hint}"
            lines.append(command("warning", message, **_place(finding.file, finding.line), title=f"blocking call in async code: {finding.operation}"))
        if loop.problem or loop.error:
            lines.append(command("error", loop.summary, title="event loop"))
    for row in undocumented_traffic(report):
        reason = f": {row.reason}" if row.reason else ""
        lines.append(command("warning", f"{row.count} recorded request(s){reason}", title=f"undocumented traffic {row.method} {row.path}"))
    load = load_view(report)
    if load is not None:
        if load.problem:
            lines.append(command("warning", load.problem, title="load comparison"))
        elif load.gate is not None and not load.gate.passed and not gate_in_verdict(report, load.gate.name):
            details = "".join(f"\n{detail}" for detail in load.gate.details)
            lines.append(command("error", f"measured {load.gate.measured}, threshold {load.gate.threshold}{details}", title=f"gate {load.gate.name}"))
    return lines


def _place(file: str | None, line: int | None) -> dict[str, str]:
    if not file or line is None:
        return {}
    return {"file": file, "line": str(line)}


def command(level: str, message: str, **properties: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
