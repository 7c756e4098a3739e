"""A mismatch group's tier reads the same in every format: a group of a failing tier is a failure
(JUnit), an error (SARIF level, GitHub annotation); a legacy-bug-fixed or harmless group is shown
and not failing (JUnit system-out, SARIF note, GitHub notice); an accepted one is suppressed with
its reason (SARIF) and never failing. SARIF results carry the tier in `properties`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from apiparity.model import GroupOperation, MismatchGroup, Report
from apiparity.report import render
from tests.report.sample_reports import check_report, example
from tests.sarif_schema import sarif_errors


def _group(operation: str, signature: str, tier: str, reason: str | None, *, old: int = 200, new: int = 200,
           rank: int = 3, waived_by: str | None = None) -> MismatchGroup:
    kind = "status" if signature.startswith("status") else "body"
    return MismatchGroup(operation=operation, signature=signature, kind=kind, count=3, examples=[example(old, new)],  # type: ignore[arg-type]
                         tier=tier, tier_reason=reason, rank=rank, waived_by=waived_by,  # type: ignore[arg-type]
                         operations=[GroupOperation(operation, 3)])


def tiered_report(failing_tiers: list[str]) -> Report:
    report = check_report()
    assert report.fuzz is not None and report.verdict is not None
    report.fuzz.groups = [
        _group("GET /books/{book_id}", "body $.isbn missing in NEW", "regression", None, rank=2),
        _group("POST /books", "status 500 != 422", "legacy-bug-fixed", "OLD crashed and NEW answers deliberately on every case (500 -> 422)",
               old=500, new=422, rank=1),
        _group("DELETE /books/{book_id}", "header content-type value changed", "harmless",
               "known harmless framework difference `no-content-type-204`", old=204, new=204, rank=4),
        _group("GET /books", "body $.etag value changed", "accepted", "accepted: ETag format change announced (API-231)"),
        _group("GET /legacy", "status 200 != 404", "accepted", "waived: known", old=200, new=404, rank=1, waived_by="known"),
    ]
    report.verdict = replace(report.verdict, failing_tiers=failing_tiers)
    return report


def _sarif_groups(report: Report) -> dict[str, dict]:
    document = json.loads(render(report, "sarif"))
    assert sarif_errors(document) == []
    return {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r for r in document["runs"][0]["results"]
            if r["ruleId"].startswith("mismatch/")}


def _junit_fuzz_cases(report: Report) -> dict[str, ET.Element]:
    root = ET.fromstring(render(report, "junit"))
    return {case.get("classname", ""): case for case in root.iter("testcase") if case.get("name") == "differential fuzz"}


def _github_levels(report: Report) -> dict[str, str]:
    out = {}
    for line in render(report, "github").splitlines():
        level, _, rest = line[2:].partition(" ")
        if "title=mismatch " in rest:
            out[rest.split("title=mismatch ", 1)[1].split("::", 1)[0].split(",", 1)[0]] = level
    return out


@pytest.mark.parametrize("failing", [["regression"], ["regression", "legacy-bug-fixed"]])
def test_every_format_reads_the_tier_the_gate_reads(failing: list[str]) -> None:
    report = tiered_report(failing)
    fails = {"GET /books/{book_id}": True, "POST /books": "legacy-bug-fixed" in failing, "DELETE /books/{book_id}": False,
             "GET /books": False}

    sarif = _sarif_groups(report)
    for operation, failing_here in fails.items():
        result = sarif[operation]
        assert result["level"] == ("error" if failing_here else "note"), operation
        assert result["properties"]["failing"] is failing_here
        assert result["message"]["text"].startswith(f"[{result['properties']['tier']}] ")
    assert {op: r["properties"]["tier"] for op, r in sarif.items()} == {
        "GET /books/{book_id}": "regression", "POST /books": "legacy-bug-fixed", "DELETE /books/{book_id}": "harmless",
        "GET /books": "accepted", "GET /legacy": "accepted"}
    assert sarif["POST /books"]["properties"]["tierReason"].startswith("OLD crashed")
    assert sarif["GET /books/{book_id}"]["properties"]["severity"] == "2xx body field missing or type changed"
    assert "suppressions" not in sarif["POST /books"] and "suppressions" not in sarif["DELETE /books/{book_id}"]
    assert sarif["GET /books"]["suppressions"][0]["justification"] == "accepted: ETag format change announced (API-231)"
    assert sarif["GET /legacy"]["suppressions"][0]["justification"] == "known"

    junit = _junit_fuzz_cases(report)
    for operation, failing_here in fails.items():
        case = junit[operation]
        assert (case.find("failure") is not None) is failing_here, operation
        if not failing_here:
            assert "not failing: [" in (case.findtext("system-out") or ""), operation

    github = _github_levels(report)
    for operation, failing_here in fails.items():
        assert github[operation] == ("error" if failing_here else "notice"), operation
    assert "GET /legacy" not in github  # waived: not annotated
