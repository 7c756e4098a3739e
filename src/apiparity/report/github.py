"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per finding.

Values are escaped the way the Actions runner expects, so a message with a newline or `::` cannot
start a command of its own.
"""

from __future__ import annotations

from apiparity.model import Report
from apiparity.report.view import change_operation, sorted_changes, status_text

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
    if report.verdict is not None:
        for gate in report.verdict.gates:
            if not gate.passed:
                lines.append(command("error", f"{gate.description}: measured {gate.measured}, threshold {gate.threshold}", title=f"gate {gate.name}"))
        level = "notice" if report.verdict.ready else "error"
        lines.append(command(level, status_text(report), title="apiparity verdict"))
    return "".join(line + "\n" for line in lines)


def command(level: str, message: str, **properties: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items() if value)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
