"""SARIF 2.1.0 for GitHub code scanning and IDE viewers.

Results: spec changes, mismatch groups, conformance causes and event-loop blocks (measured, and
static-scan hints). Each result is placed in the user's code (`apiparity.report.places`): the
spec file's line, or for app targets the operation's handler, relative to `%SRCROOT%` (the git
work tree). One rule entry per rule used, with the rule's own documentation as its description
and `helpUri` into docs/rules.md or the README when apiparity's repository is known
(`apiparity.report.links`). Waived findings stay as suppressed results so the waiver stays visible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from apiparity.model import Change, ConformanceIssue, MismatchGroup, Report
from apiparity.report import links
from apiparity.report.places import Place, change_place, conformance_place, file_place, group_place, source_root
from apiparity.report.sections import event_loop_view
from apiparity.report.view import change_operation, group_fails, group_tier, sorted_changes

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
LEVEL = {"breaking": "error", "warning": "warning", "info": "note"}

# documentation of the rules that are not spec-diff rules (those come from the rule registry)
MISMATCH_KIND_DOCS = {
    "status": "NEW answers a request with another status code than OLD, which existing clients branch on.",
    "header": "NEW answers a request with different response headers than OLD (content type, caching, location...).",
    "body": "NEW's response body differs from OLD's for the same request (a field's value, type, or presence).",
    "order": "NEW returns the same items as OLD in another order.",
    "transport": "NEW failed to answer (connection error, invalid response) where OLD answered.",
    "timeout": "NEW timed out where OLD answered.",
}
CONFORMANCE_DOC = ("A response does not conform to the OpenAPI document it is checked against "
                   "(schemathesis check `{check}`): clients generated from the document may reject it.")
EVENT_LOOP_BLOCK_DOC = ("A request blocked NEW's asyncio event loop longer than the threshold: while it runs, every other "
                        "request on that worker waits. Measured by apiparity's event-loop watchdog during the fuzz.")
EVENT_LOOP_STATIC_DOC = ("A blocking call (sync I/O, sleep, CPU-bound work) is reachable from an async handler; "
                         "found by the static scan of `apiparity lint-async`.")


@dataclass(slots=True)
class _Rules:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def index(self, rule_id: str, make: Any) -> int:
        if rule_id not in self.entries:
            self.entries[rule_id] = make()
        return list(self.entries).index(rule_id)


def render(report: Report) -> str:
    rules = _Rules()
    results: list[dict[str, Any]] = []
    if report.diff is not None:
        for change in sorted_changes(report.diff.changes):
            results.append(_change_result(report, change, rules))
    if report.fuzz is not None:
        for group in report.fuzz.groups:
            results.append(_group_result(report, group, rules))
        for issue in report.fuzz.conformance:
            results.append(_conformance_result(report, issue, rules))
    results += _event_loop_results(report, rules)
    driver: dict[str, Any] = {"name": "apiparity", "version": report.tool_version or "0", "rules": list(rules.entries.values())}
    information = links.repository_url()
    if information:
        driver["informationUri"] = information
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": source_root(report).as_uri().rstrip("/") + "/"}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if report.old is not None and report.new is not None:
        run["properties"] = {"old": report.old.ref, "new": report.new.ref}
    from apiparity.report.view import incomplete_text

    stopped = incomplete_text(report)
    if stopped:  # SARIF's own way to say the analysis did not finish
        run["invocations"] = [{"executionSuccessful": False,
                               "toolExecutionNotifications": [{"level": "error", "message": {"text": stopped}}]}]
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


# ----------------------------------------------------------------------------------- rules


def _rule(rule_id: str, *, short: str, full: str, level: str, help_link: tuple[str, str] | None,
          properties: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": rule_id,
        "name": _rule_name(rule_id),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": full},
        "defaultConfiguration": {"level": level},
        "properties": properties,
    }
    if help_link is not None:
        uri = links.docs_url(*help_link)
        if uri:
            entry["helpUri"] = uri
    return entry


def _diff_rule(change: Change) -> dict[str, Any]:
    from apiparity.diff.registry import RULES

    rule = RULES.get(change.rule_id)
    if rule is None:  # a report from another version of apiparity
        return _rule(change.rule_id, short=change.rule_id, full=change.rule_id, level=LEVEL.get(change.severity, "note"),
                     help_link=(links.RULES_DOC, ""), properties={"severity": change.severity, "direction": change.direction})
    full = f"{rule.description} Severity {rule.severity}, direction {rule.direction}."
    return _rule(rule.id, short=rule.description, full=full, level=LEVEL.get(rule.severity, "note"),
                 help_link=(links.RULES_DOC, links.slug(rule.family)),
                 properties={"severity": rule.severity, "direction": rule.direction, "family": rule.family,
                             "tags": ["api-contract", rule.family]})


def _group_rule_id(group: MismatchGroup) -> str:
    return f"mismatch/{group.divergence}" if group.divergence else f"mismatch/{group.kind}"


def _group_rule(group: MismatchGroup) -> dict[str, Any]:
    rule_id = _group_rule_id(group)
    if group.divergence:
        from apiparity.fuzz.divergences import CATALOG

        entry = next((d for d in CATALOG if d.id == group.divergence), None)
        if entry is not None:
            full = f"{entry.title}. {entry.explanation} Fix: {entry.fix_hint}"
            return _rule(rule_id, short=entry.title, full=full, level="error", help_link=links.FUZZ_ANCHOR,
                         properties={"kind": group.kind, "tags": ["runtime-mismatch", "known-divergence"]})
    doc = MISMATCH_KIND_DOCS.get(group.kind, f"NEW and OLD answer the same request differently ({group.kind}).")
    return _rule(rule_id, short=f"Response {group.kind} differs from OLD", full=doc, level="error", help_link=links.FUZZ_ANCHOR,
                 properties={"kind": group.kind, "tags": ["runtime-mismatch"]})


# ----------------------------------------------------------------------------------- results


def _result(rule_id: str, index: int, level: str, message: str, place: Place | None, logical: str,
            fingerprint: str, *, suppressed_by: str | None = None, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": logical, "kind": "function"}]}
    if place is not None:
        location["physicalLocation"] = _physical(place)
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {"apiparity/v1": fingerprint},
    }
    if suppressed_by:
        result["suppressions"] = [{"kind": "external", "justification": suppressed_by}]
    if properties:
        result["properties"] = properties
    return result


def _physical(place: Place) -> dict[str, Any]:
    from pathlib import Path

    artifact: dict[str, Any] = (
        {"uri": place.file, "uriBaseId": SRCROOT} if place.relative else {"uri": Path(place.file).as_uri()}
    )
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if place.line is not None and place.line >= 1:
        physical["region"] = {"startLine": place.line}
    return physical


def _change_result(report: Report, change: Change, rules: _Rules) -> dict[str, Any]:
    index = rules.index(change.rule_id, lambda: _diff_rule(change))
    operation = change_operation(change)
    return _result(
        change.rule_id, index, LEVEL.get(change.severity, "note"), f"{operation}: {change.message}",
        change_place(report, change), operation,
        f"{change.rule_id}|{operation}|{change.old_pointer or change.new_pointer or ''}", suppressed_by=change.waived_by,
    )


def _group_result(report: Report, group: MismatchGroup, rules: _Rules) -> dict[str, Any]:
    """A mismatch group at its tier: level `error` when its tier fails the gate, `note` when it is
    shown but not failing (legacy-bug-fixed, harmless), suppressed when accepted (a waiver or
    `[[gates.accept]]`, with the reason); `properties` carry the tier, whether it fails, why, and
    its severity rank."""
    from apiparity.fuzz.tiers import RANK_NAMES

    rule_id = _group_rule_id(group)
    index = rules.index(rule_id, lambda: _group_rule(group))
    tier, fails = group_tier(group), group_fails(report, group)
    message = f"[{tier}] {group.operation}: {group.signature} ({group.count} case{'s' if group.count != 1 else ''})"
    if group.tier_reason and not group.waived_by:
        message += f". {group.tier_reason[0].upper()}{group.tier_reason[1:]}"
    if group.explanation:
        message += f". {group.explanation}"
    if group.fix_hint:
        message += f" Fix: {group.fix_hint}"
    if group.examples:
        message += f" Reproduce: {group.examples[0].curl_new}"
    properties: dict[str, Any] = {"tier": tier, "failing": fails, "rank": group.rank,
                                  "severity": RANK_NAMES.get(group.rank, str(group.rank)),
                                  "operations": [o.operation for o in group.operations] or [group.operation],
                                  "tags": ["runtime-mismatch", tier]}
    if group.tier_reason:
        properties["tierReason"] = group.tier_reason
    if group.divergence:
        properties["divergence"] = group.divergence
    suppressed = group.waived_by or ((group.tier_reason or "accepted") if tier == "accepted" else None)
    return _result(rule_id, index, "error" if fails else "note", message, group_place(report, group), group.operation,
                   f"mismatch|{group.key}", suppressed_by=suppressed, properties=properties)


def _conformance_result(report: Report, issue: ConformanceIssue, rules: _Rules) -> dict[str, Any]:
    rule_id = f"conformance/{issue.check}"
    index = rules.index(rule_id, lambda: _rule(
        rule_id, short=f"Response fails {issue.check}", full=CONFORMANCE_DOC.format(check=issue.check), level="warning",
        help_link=links.FUZZ_ANCHOR, properties={"tags": ["conformance"]}))
    side = {"old": "OLD", "new": "NEW", "new-vs-old-spec": "NEW against OLD's document"}.get(issue.side, issue.side)
    message = f"{side} {issue.operation}: {issue.message} ({issue.count}x)"
    return _result(rule_id, index, "warning", message, conformance_place(report, issue), issue.operation,
                   f"conformance|{issue.side}|{issue.operation}|{issue.check}|{issue.message}")


def _event_loop_results(report: Report, rules: _Rules) -> list[dict[str, Any]]:
    from apiparity.report.sections import EVENT_LOOP_GATE

    view = event_loop_view(report)
    if view is None:
        return []
    tolerated = report.verdict is not None and any(g.name == EVENT_LOOP_GATE and g.passed for g in report.verdict.gates)
    out: list[dict[str, Any]] = []
    for block in view.blocks:
        rule_id = "event-loop/blocked"
        index = rules.index(rule_id, lambda: _rule(
            "event-loop/blocked", short="Request blocked the event loop", full=EVENT_LOOP_BLOCK_DOC, level="error",
            help_link=links.EVENT_LOOP_ANCHOR, properties={"tags": ["performance", "asyncio"]}))
        message = (f"{block.operation} blocked the event loop {block.count}x, max {block.max_ms:.1f} ms, p95 {block.p95_ms:.1f} ms"
                   + (f" in {block.function}" if block.function else "")
                   + (f": {block.blocking_call}" if block.blocking_call else "") + f". Fix: {block.fix_hint}")
        out.append(_result(rule_id, index, "warning" if tolerated else "error", message, file_place(report, block.file, block.line),
                           block.operation, f"{rule_id}|{block.operation}|{block.where}"))
    for finding in view.static:
        rule_id = "event-loop/blocking-call"
        index = rules.index(rule_id, lambda: _rule(
            "event-loop/blocking-call", short="Blocking call reachable from async code", full=EVENT_LOOP_STATIC_DOC, level="warning",
            help_link=links.EVENT_LOOP_ANCHOR, properties={"tags": ["performance", "asyncio"]}))
        message = f"{finding.operation}: {finding.call} reachable from async code ({' -> '.join(finding.chain)}). Fix: {finding.fix_hint}"
        out.append(_result(rule_id, index, "warning", message, file_place(report, finding.file, finding.line),
                           finding.operation, f"{rule_id}|{finding.operation}|{finding.where}|{finding.call}"))
    return out


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace("/", "-").split("-") if part)
