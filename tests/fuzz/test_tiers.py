"""Tiers of mismatch groups on real Flask/FastAPI answers, and the gate reading them."""

from __future__ import annotations

import pytest

from apiparity.config import RawConfig, settings_from_raw
from apiparity.errors import ConfigError
from apiparity.fuzz.compare import Change, CompareOptions, Difference, compare_responses
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.tiers import apply_acceptances, case_rank, failing_groups
from apiparity.fuzz.transports import ASGITransport, WSGITransport
from apiparity.fuzz.wire import WireRequest
from apiparity.model import FuzzResult, OperationStats, Report
from apiparity.targets import load_target
from apiparity.verdict import GateThresholds, decide
from tests.conftest import ROOT

APPS = ROOT / "tests" / "apps"


@pytest.fixture(scope="module")
def groups():
    old = load_target(f"{APPS / 'label_corpus_flask.py'}:app")
    new = load_target(f"{APPS / 'label_corpus_fastapi.py'}:app")
    old_side, new_side = WSGITransport(old.app), ASGITransport(new.app)
    grouper = Grouper(old_side=SideView("http://old"), new_side=SideView("http://new"), redact=False,
                      document=old.document, new_document=new.document)
    for method, operation, path in (("GET", "GET /crash/{thing_id}", "/crash/1"),            # Flask crashes, FastAPI 404
                                    ("DELETE", "DELETE /items/{item_id}", "/items/1"),       # empty 204, no content type
                                    ("GET", "GET /accounts/{profile_id}", "/accounts/1"),    # a key dropped: regression
                                    ("GET", "GET /slots/{event_id}", "/slots/1")):           # +00:00 vs Z
        request = WireRequest(method, path, operation=operation)
        o, n = old_side.send(request), new_side.send(request)
        grouper.add(request, o, n, compare_responses(o, n, CompareOptions(compare_headers=("content-type",))))
    old_side.close()
    new_side.close()
    return {g.operation: g for g in grouper.groups()}


def report_of(groups) -> Report:
    operations = [OperationStats(op, cases=1, mismatches=1) for op in groups]
    return Report(command="fuzz", fuzz=FuzzResult(cases=4, operations_total=4, groups=list(groups.values()), operations=operations))


def test_tiers_from_what_the_cases_show(groups) -> None:
    assert groups["GET /crash/{thing_id}"].tier == "legacy-bug-fixed"
    assert "OLD crashed" in groups["GET /crash/{thing_id}"].tier_reason
    assert groups["DELETE /items/{item_id}"].tier == "harmless"
    assert groups["GET /accounts/{profile_id}"].tier == "regression"
    assert groups["GET /slots/{event_id}"].tier == "regression"
    # the worst first: a field missing from a 2xx body before a value changed, before a header
    ranks = {op: g.rank for op, g in groups.items()}
    assert ranks["GET /accounts/{profile_id}"] < ranks["GET /slots/{event_id}"] < ranks["DELETE /items/{item_id}"]


def test_the_gate_fails_on_regressions_only_by_default_and_counts_every_tier(groups) -> None:
    report = report_of(groups)
    verdict = decide(report, GateThresholds(latency_factor=None))
    gate = next(g for g in verdict.gates if g.name == "no-mismatch-groups")
    assert gate.measured.startswith("2 ") and "1 legacy-bug-fixed, 0 added, 1 harmless" in gate.measured
    assert verdict.tiers == {"regression": 2, "legacy-bug-fixed": 1, "added": 0, "harmless": 1, "accepted": 0}
    # configurable: legacy bugs fixed can fail the gate too
    strict = decide(report, GateThresholds(latency_factor=None, fail_on_tiers=["regression", "legacy-bug-fixed"]))
    assert next(g for g in strict.gates if g.name == "no-mismatch-groups").measured.startswith("3 ")


def test_accepting_a_label_with_a_reason(groups) -> None:
    report = report_of({k: v for k, v in groups.items()})
    apply_acceptances(report.fuzz.groups, [{"label": "datetime-offset-spelling", "reason": "clients parse ISO 8601"},
                                           {"cause": "body $.secret_score *", "reason": "internal field", "operation": "GET /acc*"}])
    assert {g.operation: g.tier for g in report.fuzz.groups}["GET /slots/{event_id}"] == "accepted"
    assert {g.operation: g.tier_reason for g in report.fuzz.groups}["GET /accounts/{profile_id}"] == "accepted: internal field"
    assert failing_groups(report.fuzz.groups) == []
    assert decide(report, GateThresholds(latency_factor=None)).tiers["accepted"] == 2


def test_accept_entries_need_a_reason_and_a_label_or_cause() -> None:
    settings = settings_from_raw(RawConfig(data={"gates": {"accept": [{"label": "html-error-page", "reason": "no client parses errors"}],
                                                           "fail_on_tiers": ["regression", "harmless"]}}))
    assert settings.gates.accept == [{"label": "html-error-page", "reason": "no client parses errors"}]
    assert settings.gates.fail_on_tiers == ["regression", "harmless"]
    for bad in ({"accept": [{"label": "x"}]}, {"accept": [{"reason": "r"}]}, {"accept": [{"label": "x", "reason": "r", "op": 1}]},
                {"fail_on_tiers": ["regressions"]}):
        with pytest.raises(ConfigError, match="gates"):
            settings_from_raw(RawConfig(data={"gates": bad}))


def test_rank_order() -> None:
    def status(old: int, new: int) -> Difference:
        return Difference("status", Change.STATUS, statuses=(old, new))

    assert case_rank(200, 500, None, [status(200, 500)]) == 0
    assert case_rank(200, 422, None, [status(200, 422)]) == 1
    assert case_rank(200, 200, None, [Difference("body", Change.MISSING, ("id",))]) == 2
    assert case_rank(404, 422, None, [status(404, 422)]) == 3
    assert case_rank(200, 200, None, [Difference("header", Change.VALUE_CHANGED, header="etag")]) == 4


def test_a_route_only_new_serves_is_added_not_a_regression(tmp_path) -> None:
    """A faithful port that adds routes: OLD's router answering not-found there is no client's loss;
    NEW crashing on its own route, and OLD's route changing, stay regressions."""
    import json

    from tests.conftest import run_cli

    result = run_cli("fuzz", f"{APPS / 'added_route_flask.py'}:app", f"{APPS / 'added_route_fastapi.py'}:app",
                     "--seed", "1", "--max-examples", "5", "--format", "json", "-o", str(tmp_path / "r.json"))
    groups = json.loads((tmp_path / "r.json").read_text())["fuzz"]["groups"]
    tiers = {(g["operation"], g["signature"]): g["tier"] for g in groups}
    assert tiers[("GET /healthz", "status 404 != 200")] == "added"
    assert tiers[("DELETE /orders/{order_id}", "status 405 != 204")] == "added"  # OLD's path, a method OLD never served
    assert tiers[("HEAD /healthz", "status 404 != 405")] == "added"  # a probe on NEW's own path
    assert tiers[("GET /orders/{order_id}/receipt", "status 404 != 500")] == "regression"  # NEW crashes there
    assert tiers[("HEAD /orders/{order_id}", "status 200 != 405")] == "regression"  # OLD's route lost HEAD
    added = next(g for g in groups if g["operation"] == "GET /healthz")
    assert added["tier_reason"].startswith("a route only NEW serves")
    assert result.exit_code == 1  # the regressions fail; the added routes alone would not
