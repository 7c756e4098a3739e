"""The GitLab Code Quality report (apiparity.report.codequality): GitLab's documented shape, the same
answer as SARIF on what fails, fingerprints that are unique and stable across runs with --seed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from apiparity.model import Report
from apiparity.report import render
from apiparity.report.codequality import SEVERITY
from tests.conftest import ROOT, run_cli
from tests.report.sample_reports import check_report, diff_report, empty_check_report, extras_report

# https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format: an array of issues, each
# with these fields required; the line either as `lines.begin` or `positions.begin.line`
GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    # relative to the repository, not prefixed with ./
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^(\\./|/)"}},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                    "positions": {"type": "object"},
                },
                "oneOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}


def codequality(report: Report) -> list[dict[str, Any]]:
    issues = json.loads(render(report, "codequality"))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab keeps one issue per fingerprint"
    return issues


@pytest.mark.parametrize("make", [check_report, diff_report, extras_report, empty_check_report])
def test_every_issue_has_gitlab_s_documented_fields(make) -> None:
    issues = codequality(make())
    assert isinstance(issues, list)


def test_the_schema_refuses_what_gitlab_does_not_read() -> None:
    good = codequality(check_report())[0]
    for broken in ({**good, "severity": "error"}, {**good, "location": {"path": "./a.py", "lines": {"begin": 1}}},
                   {k: v for k, v in good.items() if k != "fingerprint"}, {**good, "location": {"path": "a.py"}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([broken], GITLAB_CODE_QUALITY)


def _sarif_results(report: Report) -> list[dict[str, Any]]:
    document = json.loads(render(report, "sarif"))
    return [r for r in document["runs"][0]["results"] if not r.get("suppressions")]


@pytest.mark.parametrize("make", [check_report, extras_report])
def test_severity_is_sarif_s_answer_and_waived_findings_are_left_out(make) -> None:
    """One issue per unsuppressed SARIF result, same rule, same level: a group whose tier fails the gate
    is critical, one shown but not failing is info (SARIF error/note), a waived one is not there."""
    report = make()
    issues, results = codequality(report), _sarif_results(report)
    assert [(i["check_name"], i["severity"]) for i in issues] == [(r["ruleId"], SEVERITY[r["level"]]) for r in results]
    assert "mismatch/header" not in {i["check_name"] for i in issues}  # the waived header group


def test_a_group_in_a_tier_that_does_not_fail_is_info() -> None:
    report = check_report()
    groups = report.fuzz.groups
    groups[1].tier, groups[1].tier_reason = "legacy-bug-fixed", "OLD answered 500, NEW a deliberate 422"
    groups[0].tier, groups[0].tier_reason = "accepted", "accepted: clients never read isbn"
    by_check = {i["check_name"]: i["severity"] for i in codequality(report)}
    assert by_check["mismatch/validation-status"] == "info"
    assert "mismatch/response-model-drops-fields" not in by_check
    assert by_check["response-property-removed"] == "critical"  # a breaking spec change fails the gate


def test_issues_are_placed_at_the_spec_line_else_at_new_s_target(tmp_path: Path) -> None:
    report = diff_report()
    spec = tmp_path / "new.yaml"
    spec.write_text("openapi: 3.1.0\npaths:\n  /books/{book_id}:\n    get:\n      responses:\n        '200':\n          description: ok\n")
    report.extras["new_source_file"] = str(spec)
    report.extras["handlers"] = {"root": str(tmp_path)}  # the repository the paths are relative to
    placed = codequality(report)
    assert {(i["location"]["path"], i["location"]["lines"]["begin"]) for i in placed if i["check_name"] == "response-property-removed"} \
        == {("new.yaml", 6)}
    outside = diff_report()  # the spec file is outside the repository: GitLab could not link it
    outside.extras["new_source_file"] = str(spec)
    assert {(i["location"]["path"], i["location"]["lines"]["begin"]) for i in codequality(outside)} == {("new.yaml", 1)}  # NEW's target


def test_fingerprints_are_stable_across_runs_with_a_seed_and_point_at_the_handler(tmp_path: Path) -> None:
    pair = ROOT / "tests" / "apps" / "sorted_list_pair.py"
    runs = []
    for attempt in (1, 2):
        out = tmp_path / f"gl-code-quality-{attempt}.json"
        result = run_cli("fuzz", f"{pair}:legacy", f"{pair}:modern", "--seed", "1", "--max-examples", "5", "--phases", "examples",
                         "--no-progress", "--format", "codequality", "-o", str(out))
        assert result.exit_code == 1, result.stdout + result.stderr
        issues = json.loads(out.read_text())
        jsonschema.validate(issues, GITLAB_CODE_QUALITY)
        runs.append(issues)
    first, second = runs
    assert first and [i["fingerprint"] for i in first] == [i["fingerprint"] for i in second]
    assert any(i["location"]["path"] == "tests/apps/sorted_list_pair.py" and i["location"]["lines"]["begin"] > 1 for i in first)


def test_report_and_check_write_it(tmp_path: Path) -> None:
    saved = tmp_path / "report.json"
    saved.write_text(render(check_report(), "json"))
    result = run_cli("report", str(saved), "--format", "codequality", "-o", str(tmp_path / "cq.json"))
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "cq.json").read_text()) == codequality(check_report())
    assert "--codequality FILE" in run_cli("check", "--help").stdout  # found by the registry, no option declared by hand


def test_a_run_that_could_not_complete_is_a_blocker() -> None:
    report = check_report(ready=True)
    report.mark_incomplete("side-died", "the server `gunicorn app:app` ended during the run (exit 9)", phase="fuzz")
    first = codequality(report)[0]
    assert (first["check_name"], first["severity"]) == ("run-incomplete", "blocker")
    assert "side-died" in first["description"] and "exit 9" in first["description"]
    assert all(i["check_name"] != "run-incomplete" for i in codequality(check_report(ready=True)))
