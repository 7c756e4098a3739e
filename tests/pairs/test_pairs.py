"""apiparity judged from outside: three Flask -> FastAPI migrations it was never tuned on.

- notes: plain Flask (blueprints, request.args, jsonify, abort) vs a FastAPI port, one hand-kept
  contract (`--contract`);
- tickets: flask-openapi3 (APIBlueprint, nested models, enums, uuid4 ids and now() timestamps,
  query arrays, header auth) vs FastAPI routers/response_model/Depends, plus a regressed port;
- ledger: redirects (301/308, trailing slash), Link pagination headers, HEAD, 204, Decimal,
  nullable fields, plus a regressed port.

Each faithful port must be READY with 0 breaking changes and 0 mismatch groups; each regressed
port must report exactly its seeded differences (expected.json). Where apiparity is wrong today
the real assertion stays and the test is a strict xfail naming the module and the root cause.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiparity.model import Report
from tests.conftest import run_cli
from tests.scenario import Scenarios
from tests.pairs.views import group_keys, groups_of, new_vs_old_issues, unwaived_breaking

pytestmark = pytest.mark.scenario("pairs")

PAIRS = Path(__file__).resolve().parent
FAST = ("--seed", "1", "--max-examples", "10")
# Per pair: extra options a user would pass (the contract for plain Flask, the API key).
PAIR_OPTIONS = {
    "notes": ("--contract", str(PAIRS / "notes" / "contract.yaml")),
    "tickets": ("-H", "X-Token: s3cret"),
    "ledger": (),
}


def target(pair: str, module: str) -> str:
    return f"{PAIRS / pair / module}.py:app"


def check(pair: str, new_module: str, scenarios: Scenarios, *extra: str) -> tuple[int, Report, str]:
    """`apiparity check` on a pair, as a user would run it; the module-level reset() is found. One run
    per command line, shared by the tests that read it (tests/scenario.py)."""
    run = scenarios.run("check", target(pair, "legacy"), target(pair, new_module), *PAIR_OPTIONS[pair], *FAST, *extra)
    assert run.exit_code in (0, 1), run.stderr
    return run.exit_code, run.report(), run.stdout


def expected(pair: str) -> list[dict]:
    return json.loads((PAIRS / pair / "expected.json").read_text())


# --------------------------------------------------------------------------------------------------
# Faithful ports: READY, nothing to report
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pair",
    [
        "notes",
        "tickets",
        "ledger",
    ],
)
def test_faithful_port_is_ready(pair: str, scenarios: Scenarios) -> None:
    code, report, stdout = check(pair, "modern", scenarios)
    assert unwaived_breaking(report) == []
    assert group_keys(report) == []
    assert new_vs_old_issues(report) == []
    assert code == 0 and report.verdict.ready, stdout
    assert report.fuzz.operations_total == report.old.operations
    spec_gate = next(g for g in report.verdict.gates if g.name == "no-breaking-changes")
    if "--contract" in PAIR_OPTIONS[pair]:
        # one contract for both sides: nothing was diffed, so the gate says "not run", never "passed"
        assert (spec_gate.status, spec_gate.reason) == ("not-run", "--contract")
        assert report.verdict.summary == "READY (no-breaking-changes not run: --contract)"
        assert "READY (no-breaking-changes not run: --contract)" in stdout
    else:
        assert spec_gate.status == "passed" and report.verdict.summary == "READY"


# The ledger per operation, so each false alarm is pinned to its own operation and root cause: read
# from the faithful port's run (one run per operation with --include asserted the same, six times the cost).
LEDGER_OPERATIONS = [
    "GET /accounts/",
    "GET /accounts/{account_id}",
    "DELETE /accounts/{account_id}",
    "GET /balances/{account_id}",
    "POST /transfers",
    "POST /transfer",
]


@pytest.mark.parametrize("operation", LEDGER_OPERATIONS)
def test_ledger_faithful_operation_has_nothing_to_report(operation: str, scenarios: Scenarios) -> None:
    _, report, stdout = check("ledger", "modern", scenarios)
    exercised = [o for o in report.fuzz.operations if o.operation == operation]
    assert exercised and exercised[0].cases > 0
    assert [g.key for g in groups_of(report, operation)] == [], stdout
    assert [i for i in new_vs_old_issues(report) if i.startswith(f"{operation}: ")] == [], stdout


@pytest.mark.parametrize(
    "pair",
    [
        "notes",  # integer -> string path parameter: a widening since the diff reads parameters as text
        "tickets",
        "ledger",
    ],
)
def test_spec_diff_of_faithful_port_has_no_breaking_change(pair: str) -> None:
    """What a new user runs first: `apiparity diff legacy.py:app modern.py:app`."""
    result = run_cli("diff", target(pair, "legacy"), target(pair, "modern"), "--format", "json")
    changes = json.loads(result.stdout)["diff"]["changes"]
    breaking = [f"{c['method']} {c['path']}: {c['rule_id']}" for c in changes if c["severity"] == "breaking"]
    assert breaking == []
    assert result.exit_code == 0


# --------------------------------------------------------------------------------------------------
# Regressed ports: every seeded difference reported, nothing else
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tickets_regressed(scenarios: Scenarios) -> Report:
    _, report, _ = check("tickets", "regressed", scenarios)
    return report


@pytest.fixture(scope="module")
def ledger_regressed(scenarios: Scenarios) -> Report:
    _, report, _ = check("ledger", "regressed", scenarios)
    return report


def test_tickets_regressed_reports_exactly_the_seeded_operations(tickets_regressed: Report) -> None:
    report = tickets_regressed
    assert not report.verdict.ready
    seeded = expected("tickets")
    assert {f"{c.method} {c.path}" for c in report.diff.changes if c.severity == "breaking"} == {
        r["operation"] for r in seeded if r["kind"] == "spec"
    }
    flagged = {g.operation for g in report.fuzz.groups} | {i.operation for i in report.fuzz.conformance if i.side == "new-vs-old-spec"}
    assert flagged == {r["operation"] for r in seeded}


TICKETS_FOUND = {
    "R1": lambda r: any(c.rule_id == "request-body-enum-value-removed" and c.path == "/v1/tickets" for c in r.diff.changes),
    "R2": lambda r: any(g.signature.startswith("body $.total") for g in groups_of(r, "GET /v1/tickets")),
    "R3": lambda r: any("uuid" in i.message for i in r.fuzz.conformance if i.operation == "POST /v1/tickets" and i.side == "new-vs-old-spec"),
    "R4": lambda r: any(g.signature.startswith("body $ ") for g in groups_of(r, "PATCH /v1/tickets/{ticket_id}")),
}


@pytest.mark.parametrize("seeded_id", sorted(TICKETS_FOUND))
def test_tickets_regressed_names_each_seeded_difference(seeded_id: str, tickets_regressed: Report) -> None:
    assert TICKETS_FOUND[seeded_id](tickets_regressed), next(r for r in expected("tickets") if r["id"] == seeded_id)["summary"]


def test_tickets_r3_format_change_of_a_noisy_field_is_a_mismatch(tickets_regressed: Report) -> None:
    assert any("$.id" in g.signature for g in groups_of(tickets_regressed, "POST /v1/tickets"))


def test_tickets_r2_one_root_cause_is_one_group(tickets_regressed: Report) -> None:
    assert len(groups_of(tickets_regressed, "GET /v1/tickets")) == 1


def test_tickets_r2_array_parameter_is_not_labelled_a_repeated_scalar(tickets_regressed: Report) -> None:
    assert all(g.divergence != "repeated-query-param" for g in groups_of(tickets_regressed, "GET /v1/tickets"))


def test_tickets_r3_conformance_issue_is_counted_once(tickets_regressed: Report) -> None:
    issues = [i for i in tickets_regressed.fuzz.conformance if i.operation == "POST /v1/tickets" and i.side == "new-vs-old-spec"]
    assert len(issues) == 1


LEDGER_FOUND = {
    "L1": lambda r: any(g.signature.startswith("header:link") for g in groups_of(r, "GET /accounts/")),
    "L2": lambda r: any("307" in g.signature for g in groups_of(r, "GET /accounts/")),
    "L3": lambda r: any(g.signature == "status 301 != 307" for g in groups_of(r, "GET /balances/{account_id}")),
    "L4": lambda r: any(g.signature.startswith("body $.balance") for g in groups_of(r, "GET /accounts/{account_id}")),
}


@pytest.mark.parametrize("found", list(LEDGER_FOUND.values()), ids=list(LEDGER_FOUND))
def test_ledger_regressed_names_each_seeded_difference(found, ledger_regressed: Report) -> None:
    assert not ledger_regressed.verdict.ready
    assert found(ledger_regressed)
