"""A gate that did not run never reads as a pass (issue 14 §4): its status says whether the user
chose to skip it (not-run: shown, does not block READY) or it could not run (fails); the verdict
says which gates decided it, in every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from apiparity.model import Report
from apiparity.report import render
from apiparity.report.text import render_text
from apiparity.verdict import decide
from tests.report.sample_reports import check_report, empty_check_report


def contract_report() -> Report:
    report = empty_check_report()
    report.extras["contract"] = {"ref": "contract.yaml", "notes": []}
    report.verdict = decide(report)
    return report


def test_the_spec_diff_gate_is_not_run_with_a_contract_and_the_verdict_says_so() -> None:
    verdict = contract_report().verdict
    gate = next(g for g in verdict.gates if g.name == "no-breaking-changes")
    assert (gate.status, gate.passed, gate.reason, gate.measured) == ("not-run", False, "--contract", "not run")
    assert verdict.ready
    assert verdict.summary == "READY (no-breaking-changes not run: --contract)"
    assert "no-breaking-changes" not in verdict.decided_by and "no-mismatch-groups" in verdict.decided_by


def test_without_a_contract_the_spec_diff_gate_runs() -> None:
    verdict = decide(empty_check_report())
    gate = next(g for g in verdict.gates if g.name == "no-breaking-changes")
    assert gate.status == "passed" and verdict.summary == "READY"


def test_a_section_that_could_not_run_fails_and_is_named() -> None:
    report = empty_check_report()
    report.fuzz = None
    verdict = decide(report)
    assert not verdict.ready
    statuses = {g.name: g.status for g in verdict.gates}
    assert statuses["no-mismatch-groups"] == "could-not-run" and statuses["no-breaking-changes"] == "passed"
    assert "no-mismatch-groups" in verdict.decided_by and "no-breaking-changes" not in verdict.decided_by
    assert "no-mismatch-groups could not run: the differential fuzz did not run" in verdict.summary


def test_only_skipped_gates_is_not_ready() -> None:
    report = empty_check_report()
    report.extras["contract"] = {"ref": "c.yaml"}
    from apiparity.verdict import GateThresholds

    verdict = decide(report, GateThresholds(require_valid_new_document=False))
    assert verdict.ready  # the fuzz gates ran and passed
    report.fuzz = None
    assert not decide(report).ready


def test_an_incomplete_run_is_not_ready_whatever_its_gates() -> None:
    report = empty_check_report()
    report.complete = False
    verdict = decide(report)
    assert not verdict.ready and verdict.summary == "NOT READY (INCOMPLETE run)"


def test_not_ready_names_the_failing_gates() -> None:
    verdict = decide(check_report())
    assert verdict.summary.startswith("NOT READY (failed: no-breaking-changes, no-mismatch-groups")
    assert set(verdict.decided_by) == {g.name for g in verdict.gates if not g.passed}


def test_every_format_shows_not_run_and_what_decided() -> None:
    report = contract_report()
    text = render_text(report)
    assert "READY (no-breaking-changes not run: --contract)" in text
    row = next(line for line in text.splitlines() if "No unwaived breaking change" in line)
    assert "not run" in row and "pass" not in row
    assert "Decided by: passed: " in text and "not run: no-breaking-changes (--contract)" in text
    markdown = render(report, "markdown")
    assert "⚪ not run" in markdown and "Decided by: passed:" in markdown
    assert "READY (no-breaking-changes not run: --contract)" in markdown
    html = render(report, "html")
    assert "not run: --contract" in html and "Decided by: passed:" in html
    data = json.loads(render(report, "json"))
    gate = next(g for g in data["verdict"]["gates"] if g["name"] == "no-breaking-changes")
    assert gate["status"] == "not-run" and gate["reason"] == "--contract" and gate["passed"] is False
    assert data["verdict"]["summary"] == "READY (no-breaking-changes not run: --contract)"
    junit = ET.fromstring(render(report, "junit").split("\n", 1)[1])
    case = next(c for c in junit.iter("testcase") if c.get("name") == "no-breaking-changes")
    assert case.find("skipped") is not None and case.find("failure") is None
    assert "Decided by:" in (case.findtext("system-out") or "")
    github = render(report, "github")
    assert "::notice" in github and "not run (--contract)" in github and "::error" not in github


def test_a_gate_read_back_from_json_keeps_its_status() -> None:
    report = contract_report()
    again = Report.from_dict(json.loads(render(report, "json")))
    assert [(g.name, g.status) for g in again.verdict.gates] == [(g.name, g.status) for g in report.verdict.gates]
    assert again.verdict.line == report.verdict.summary


def test_could_not_run_renders_as_a_failure() -> None:
    report = empty_check_report()
    report.fuzz = None
    report.verdict = decide(report)
    text = render_text(report)
    assert "FAIL (not run)" in text
    assert "Decided by: no-mismatch-groups could not run (the differential fuzz did not run)" in text
    junit = ET.fromstring(render(report, "junit").split("\n", 1)[1])
    case = next(c for c in junit.iter("testcase") if c.get("name") == "no-mismatch-groups")
    assert case.find("failure") is not None
