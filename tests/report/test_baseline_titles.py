"""`check --baseline`: a group whose title only lost its doubled word ("header header:allow" ->
"header:allow") is the same finding, not newly broken and newly fixed at once."""

from __future__ import annotations

from apiparity.model import FuzzResult, MismatchGroup, Report
from apiparity.report.baseline import compare_with_baseline


def _report(signature: str) -> Report:
    group = MismatchGroup(operation="GET /books", signature=signature, kind="header", count=2)
    return Report(command="check", fuzz=FuzzResult(seed=1, cases=2, groups=[group]))


def test_a_baseline_with_the_old_header_wording_matches() -> None:
    now = _report("status 200 != 404 + header:allow value changed")
    comparison = compare_with_baseline(now, _report("status 200 != 404 + header header:allow value changed"), "before.json")
    assert comparison.newly_broken == [] and comparison.newly_fixed == []
    assert now.fuzz is not None and now.fuzz.groups[0].baseline == "existing"


def test_another_header_is_still_new() -> None:
    comparison = compare_with_baseline(_report("header:etag value changed"), _report("header header:allow value changed"), "b.json")
    assert comparison.newly_broken == ["mismatch GET /books | header:etag value changed"]
