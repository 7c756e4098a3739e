"""SARIF 2.1.0 for spec-diff findings (GitHub code scanning and IDE viewers).

One rule entry per rule ID used. When the report names the spec files
(`Report.extras["new_source_file"]` / `["old_source_file"]`), each result points at the line its
JSON pointer starts on; otherwise it carries a logical location (the operation). Waived changes are
kept as suppressed results so the waiver stays visible.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apiparity.model import Change, Report
from apiparity.report.locate import pointer_line
from apiparity.report.view import change_operation, sorted_changes

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"breaking": "error", "warning": "warning", "info": "note"}


def render(report: Report) -> str:
    changes = sorted_changes(report.diff.changes) if report.diff else []
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for change in changes:
        if change.rule_id not in rules:
            rules[change.rule_id] = {
                "id": change.rule_id,
                "name": _rule_name(change.rule_id),
                "shortDescription": {"text": change.rule_id},
                "fullDescription": {"text": change.message},
                "defaultConfiguration": {"level": LEVEL.get(change.severity, "note")},
                "properties": {"severity": change.severity, "direction": change.direction},
            }
        results.append(_result(report, change, list(rules).index(change.rule_id)))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "apiparity",
                "version": report.tool_version or "0",
                "informationUri": "https://pypi.org/project/apiparity/",
                "rules": list(rules.values()),
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if report.old is not None and report.new is not None:
        run["properties"] = {"old": report.old.ref, "new": report.new.ref}
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _result(report: Report, change: Change, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": change.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL.get(change.severity, "note"),
        "message": {"text": f"{change_operation(change)}: {change.message}"},
    }
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": change_operation(change), "kind": "function"}],
    }
    physical = _physical_location(report, change)
    if physical:
        location["physicalLocation"] = physical
    result["locations"] = [location]
    result["partialFingerprints"] = {"apiparity/v1": f"{change.rule_id}|{change_operation(change)}|{change.old_pointer or change.new_pointer or ''}"}
    if change.waived_by:
        result["suppressions"] = [{"kind": "external", "justification": change.waived_by}]
    return result


def _physical_location(report: Report, change: Change) -> dict[str, Any] | None:
    # A removal exists only in OLD's file; everything else is best shown where NEW has it.
    candidates = [("new_source_file", change.new_pointer), ("old_source_file", change.old_pointer)]
    if change.new_pointer is None:
        candidates.reverse()
    for key, pointer in candidates:
        source = report.extras.get(key)
        if not isinstance(source, str) or not source or pointer is None:
            continue
        line = pointer_line(source, pointer)
        if line is None:
            continue
        return {"artifactLocation": {"uri": _uri(source)}, "region": {"startLine": line}}
    return None


def _uri(source: str) -> str:
    path = Path(source)
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("/", "-").split("-") if part)
