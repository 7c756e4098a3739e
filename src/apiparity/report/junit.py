"""JUnit XML: what CI systems show as test results.

`diff`: one testcase per operation. `fuzz`/`check`: one testsuite per operation (spec diff,
differential fuzz, conformance, 5xx), plus a `gates` suite for `check`. An operation that was never
exercised is a skipped case with its reason, but never the only kind of case: a run that exercised
nothing fails its `run` case, so "every case skipped" cannot read as green.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from apiparity.model import Change, MismatchGroup, Report
from apiparity.report.sections import EVENT_LOOP_GATE, BlockRow, event_loop_view, load_view
from apiparity.report.view import (
    DOCUMENT_LEVEL,
    build_view,
    change_operation,
    decided_by_line,
    gate_in_verdict,
    group_fails,
    group_operations,
    operation_sort_key,
)

_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(slots=True)
class Case:
    name: str
    classname: str
    failure: str | None = None  # message
    failure_text: str = ""
    skipped: str | None = None
    output: str = ""
    time: float = 0.0


@dataclass(slots=True)
class Suite:
    name: str
    cases: list[Case] = field(default_factory=list)


def render(report: Report) -> str:
    suites = build_suites(report)
    root = ET.Element("testsuites", name=clean(f"apiparity {report.command}"))
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite in suites:
        failures = sum(1 for c in suite.cases if c.failure is not None)
        skipped = sum(1 for c in suite.cases if c.skipped is not None)
        element = ET.SubElement(
            root,
            "testsuite",
            name=clean(suite.name),
            tests=str(len(suite.cases)),
            failures=str(failures),
            errors="0",
            skipped=str(skipped),
        )
        totals["tests"] += len(suite.cases)
        totals["failures"] += failures
        totals["skipped"] += skipped
        for case in suite.cases:
            node = ET.SubElement(element, "testcase", name=clean(case.name), classname=clean(case.classname), time=f"{case.time:.3f}")
            if case.failure is not None:
                failure = ET.SubElement(node, "failure", message=clean(case.failure), type="apiparity")
                failure.text = clean(case.failure_text or case.failure)
            elif case.skipped is not None:
                ET.SubElement(node, "skipped", message=clean(case.skipped))
            if case.output:
                ET.SubElement(node, "system-out").text = clean(case.output)
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def build_suites(report: Report) -> list[Suite]:
    suites: list[Suite] = []
    from apiparity.report.view import incomplete_text

    stopped = incomplete_text(report)
    if stopped:  # a run that could not complete fails a case of its own, first: CI never reads it as a pass
        suites.append(Suite("run completion", [Case(name="the run completed", classname="run", failure=stopped)]))
    if report.verdict is not None:
        gates = Suite("gates")
        for gate in report.verdict.gates:
            details = "\n".join(gate.details)
            gates.cases.append(
                Case(
                    name=gate.name,
                    classname="gates",
                    failure=None if not gate.failing else f"{gate.description}: measured {gate.measured}, threshold {gate.threshold}"
                    + (f" (could not run: {gate.reason})" if gate.status == "could-not-run" else ""),
                    failure_text=details,
                    skipped=f"not run: {gate.reason}" if gate.status == "not-run" else None,
                    output=f"threshold {gate.threshold}, measured {gate.measured}; {decided_by_line(report.verdict)}",
                )
            )
        suites.append(gates)
    feature_suites = [suite for suite in (event_loop_suite(report), load_suite(report)) if suite is not None]
    if report.command == "diff" or (report.fuzz is None and (report.diff is not None or not feature_suites)):
        suites.append(diff_suite(report))
    elif report.fuzz is not None:
        suites += operation_suites(report)
    return suites + feature_suites


def event_loop_suite(report: Report) -> Suite | None:
    """One failing case per operation that blocked NEW's event loop; one passing case when none did."""
    view = event_loop_view(report)
    if view is None:
        return None
    suite = Suite("event loop")
    classname = "event-loop"
    # the gate may tolerate some blocks (event_loop.max_blocks): then they are reported, not failed
    tolerated = report.verdict is not None and any(g.name == EVENT_LOOP_GATE and g.passed for g in report.verdict.gates)
    if view.problem or view.error:
        suite.cases.append(Case(name="event-loop monitor", classname=classname, failure=view.summary))
    for block in view.blocks:
        message = (f"blocked the event loop {block.count}x over {view.threshold_ms:g} ms, max {block.max_ms:.1f} ms, "
                   f"p95 {block.p95_ms:.1f} ms at {block.where}")
        case = Case(name=block.operation, classname=classname, time=block.total_ms / 1000)
        if tolerated:
            case.output = f"{message} (tolerated by the gate)\n{_block_text(block)}"
        else:
            case.failure, case.failure_text = message, _block_text(block)
        suite.cases.append(case)
    notes = []
    if view.unattributed:
        notes.append(f"not counted: {sum(b.count for b in view.unattributed)} block(s) with no app frame on the stack")
    notes += [f"static: {f.operation}: {f.call} at {f.where}; fix: {f.fix_hint}" for f in view.static]
    if not suite.cases:
        suite.cases.append(Case(name=f"no block over {view.threshold_ms:g} ms", classname=classname, output="\n".join([view.summary, *notes])))
    elif notes:  # hints, not measurements: kept apart from the failing cases
        suite.cases.append(Case(name="static scan and uncounted blocks", classname=classname, output="\n".join(notes)))
    return suite


def _block_text(block: BlockRow) -> str:
    lines = [f"at {block.where}" + (f" in {block.function}" if block.function else "")]
    if block.blocking_call:
        lines.append(f"blocking call: {block.blocking_call}")
    if block.example_request:
        lines.append(f"e.g. {block.example_request}")
    if block.stack:
        lines += ["stack (outermost first):", *(f"  {frame}" for frame in block.stack)]
    lines.append(f"fix: {block.fix_hint}")
    return "\n".join(lines)


def load_suite(report: Report) -> Suite | None:
    """The load comparison as output of one case; its gate fails the case unless the verdict already lists it."""
    view = load_view(report)
    if view is None:
        return None
    case = Case(name="load comparison", classname="load", output=view.summary)
    if view.problem:
        case.failure = view.problem
    elif view.gate is not None and not gate_in_verdict(report, view.gate.name) and not view.gate.passed:
        case.failure = f"{view.gate.name}: measured {view.gate.measured}, threshold {view.gate.threshold}"
        case.failure_text = "\n".join(view.gate.details)
    rows = [
        f"{row.operation}: req/s {row.old.rps} -> {row.new.rps} ({row.rps_ratio}), p95 {row.old.p95} -> {row.new.p95} ms "
        f"({row.p95_ratio}), errors {row.old.error_rate} -> {row.new.error_rate}"
        for row in view.rows
    ]
    case.output = "\n".join([case.output, *rows])
    return Suite("load", [case])


def diff_suite(report: Report) -> Suite:
    suite = Suite("spec diff")
    by_operation = _changes_by_operation(report.diff.changes if report.diff else [])
    for operation in sorted(by_operation, key=lambda op: (op == DOCUMENT_LEVEL, operation_sort_key(op))):
        suite.cases.append(_diff_case(operation, by_operation[operation], classname="diff"))
    if not suite.cases:
        suite.cases.append(Case(name="no changes", classname="diff", output="the documents are equivalent"))
    return suite


def operation_suites(report: Report) -> list[Suite]:
    assert report.fuzz is not None
    view = build_view(report)
    by_operation = _changes_by_operation(report.diff.changes if report.diff else [])
    groups: dict[str, list[MismatchGroup]] = {}
    for group in report.fuzz.groups:
        for operation in group_operations(group):  # a cause seen on several operations fails each
            groups.setdefault(operation, []).append(group)
    conformance: dict[str, list] = {}
    for issue in report.fuzz.conformance:
        conformance.setdefault(issue.operation, []).append(issue)
    suites = []
    for row in view.rows:
        suite = Suite(row.operation)
        classname = row.operation
        if report.diff is not None:
            suite.cases.append(_diff_case(row.operation, by_operation.get(row.operation, []), classname=classname, name="spec diff"))
        if row.operation == DOCUMENT_LEVEL:
            suites.append(suite)
            continue
        # a failing tier fails the case; legacy-bug-fixed / harmless / accepted groups are output only
        active = [g for g in groups.get(row.operation, []) if group_fails(report, g)]
        shown = [g for g in groups.get(row.operation, []) if not g.waived_by and not group_fails(report, g)]
        waived = [g for g in groups.get(row.operation, []) if g.waived_by]
        fuzz_case = Case(name="differential fuzz", classname=classname, output=f"{row.cases} cases")
        if not row.fuzzed or row.cases == 0:
            fuzz_case.skipped = row.skipped_reason or "not exercised"
        if active:
            fuzz_case.skipped = None
            fuzz_case.failure = "; ".join(f"[{g.tier}] {g.signature} ({g.count}x)" for g in active)
            fuzz_case.failure_text = "\n\n".join(_group_text(g) for g in active)
        if shown:
            fuzz_case.output += "\nnot failing: " + "; ".join(
                f"[{g.tier}] {g.signature} ({g.count}x)" + (f": {g.tier_reason}" if g.tier_reason else "") for g in shown)
        if waived:
            fuzz_case.output += "\nwaived: " + "; ".join(f"{g.signature}: {g.waived_by}" for g in waived)
        suite.cases.append(fuzz_case)
        issues = conformance.get(row.operation, [])
        suite.cases.append(
            Case(
                name="conformance",
                classname=classname,
                failure="; ".join(f"{i.side} {i.check}: {i.message}" for i in issues) or None,
                skipped=None if issues or (row.fuzzed and row.cases) else (row.skipped_reason or "not exercised"),
            )
        )
        suite.cases.append(
            Case(
                name="no new 5xx",
                classname=classname,
                failure=f"{row.new_5xx_where_old_ok} case(s) where NEW answered 5xx and OLD below 500" if row.new_5xx_where_old_ok else None,
                skipped=None if row.new_5xx_where_old_ok or (row.fuzzed and row.cases) else (row.skipped_reason or "not exercised"),
            )
        )
        suites.append(suite)
    run = Suite("run")
    reached = view.summary.operations_reached
    run.cases.append(
        Case(
            name="operations exercised",
            classname="run",
            failure=None if reached else "no operation was exercised",
            output=f"{reached}/{view.summary.operations_total} operations reached, {report.fuzz.cases} cases"
            + ("" if report.complete or report.shard else "; the run was interrupted (incomplete)"),
        )
    )
    suites.append(run)
    return suites


def _changes_by_operation(changes: list[Change]) -> dict[str, list[Change]]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change_operation(change), []).append(change)
    return grouped


def _diff_case(operation: str, changes: list[Change], *, classname: str, name: str | None = None) -> Case:
    breaking = [c for c in changes if c.severity == "breaking" and not c.waived_by]
    others = [c for c in changes if c not in breaking]
    case = Case(name=name or operation, classname=classname)
    if breaking:
        case.failure = f"{len(breaking)} breaking change(s): " + "; ".join(c.rule_id for c in breaking)
        case.failure_text = "\n".join(f"{c.rule_id}: {c.message}" for c in breaking)
    case.output = "\n".join(
        f"{'waived' if c.waived_by else c.severity} {c.rule_id}: {c.message}" + (f" (waived: {c.waived_by})" if c.waived_by else "")
        for c in others
    )
    return case


def _group_text(group: MismatchGroup) -> str:
    lines = [f"[{group.tier}] {group.signature} ({group.count} cases)"]
    if group.explanation:
        lines.append(group.explanation)
    if group.fix_hint:
        lines.append(f"Fix: {group.fix_hint}")
    for example in group.examples[:1]:
        lines += example.differences[:10]
        lines += [f"OLD: {example.curl_old}", f"NEW: {example.curl_new}"]
    return "\n".join(lines)


def clean(text: str) -> str:
    """Strip characters XML 1.0 cannot carry (control bytes from hostile responses)."""
    return _INVALID_XML.sub("\ufffd", str(text))
