"""ComparisonSession: one accounting for every case source (fuzz, replay, shadow)."""

from __future__ import annotations

import json

from apiparity.fuzz.compare import CompareOptions
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.session import ComparisonSession, LatencyRecent, LatencyReservoir
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import FuzzResult, OperationStats, Report
from apiparity.verdict import GateThresholds, decide

OPERATION = "GET /things/{thing_id}"


def _session(**kwargs: object) -> ComparisonSession:
    grouper = Grouper(old_side=SideView("http://old"), new_side=SideView("http://new"), redact=True)
    return ComparisonSession(options=CompareOptions(), grouper=grouper, **kwargs)  # type: ignore[arg-type]


def _request() -> WireRequest:
    return WireRequest("GET", "/things/1", operation=OPERATION)


def _json(status: int, body: object, ms: float = 1.0) -> WireResponse:
    return WireResponse(status, [("content-type", "application/json")], json.dumps(body).encode(), elapsed_ms=ms)


REFUSED = WireResponse(0, error="transport: ConnectError: [Errno 111] Connection refused", connection_failed=True)
TIMED_OUT = WireResponse(0, error="timeout: no answer within 5 s", timed_out=True)
RAISED = WireResponse(0, error="app raised RuntimeError: boom")


def test_a_transport_error_is_counted_apart_never_as_a_5xx() -> None:
    session = _session()
    for new in (REFUSED, TIMED_OUT):
        session.observe(_request(), _json(200, {"id": 1}), None, new)
    stats = session.operations[OPERATION]
    assert (stats.new_transport_errors, stats.old_transport_errors) == (2, 0)
    assert (stats.new_5xx, stats.new_5xx_where_old_ok) == (0, 0)


def test_an_in_process_handler_that_raised_is_the_5xx_a_server_would_answer() -> None:
    session = _session()
    session.observe(_request(), _json(200, {"id": 1}), None, RAISED)
    stats = session.operations[OPERATION]
    assert (stats.new_5xx, stats.new_5xx_where_old_ok, stats.new_transport_errors) == (1, 1, 0)


def test_new_5xx_where_old_gave_no_answer_is_not_a_new_5xx() -> None:
    session = _session()
    session.observe(_request(), REFUSED, None, _json(500, {"detail": "boom"}))
    stats = session.operations[OPERATION]
    assert (stats.old_transport_errors, stats.old_5xx, stats.new_5xx, stats.new_5xx_where_old_ok) == (1, 0, 1, 0)


def test_held_differences_are_judged_with_noise_learned_later() -> None:
    session = _session()
    # the first exchange's `at` differs, but only the second teaches that `at` is noise
    session.observe(_request(), _json(200, {"id": 1, "at": 1}), None, _json(200, {"id": 1, "at": 2}), hold=True)
    session.observe(_request(), _json(200, {"id": 1, "at": 3}), _json(200, {"id": 1, "at": 4}), _json(200, {"id": 1, "at": 5}), hold=True)
    assert session.groups() == []  # nothing judged yet
    session.settle()
    assert session.groups() == [] and session.operations[OPERATION].mismatches == 0
    assert [(n.field_path, n.count) for n in session.noise_report()] == [("$.at", 2)]
    # judged at once, a difference that no noise explains is grouped and counted
    kept = session.observe(_request(), _json(200, {"id": 1}), None, _json(200, {"id": 2}))
    assert kept and session.operations[OPERATION].mismatches == 1 and len(session.groups()) == 1


def test_latency_policies_bound_what_is_kept() -> None:
    recent = _session(latency=LatencyRecent(3))
    reservoir = _session(latency=LatencyReservoir(3, seed=1))
    for ms in range(10):
        for session in (recent, reservoir):
            session.observe(_request(), _json(200, {}, ms), None, _json(200, {}, ms))
    assert recent.operations[OPERATION].old_latency_ms == [7.0, 8.0, 9.0]
    assert len(reservoir.operations[OPERATION].old_latency_ms) == 3 and reservoir.operations[OPERATION].cases == 10


def _report(new_errors: int, old_errors: int = 0) -> Report:
    stats = OperationStats(OPERATION, cases=5, new_transport_errors=new_errors, old_transport_errors=old_errors)
    return Report(command="fuzz", fuzz=FuzzResult(cases=5, operations_total=1, operations=[stats]))


def test_transport_errors_have_their_own_gate() -> None:
    gates = {g.name: g for g in decide(_report(3, 1)).gates}
    gate = gates["no-transport-errors"]
    assert not gate.passed and gate.measured == "transport errors on NEW 3, on OLD 1"
    assert gates["no-new-5xx"].passed  # a request that got no answer is not NEW's 5xx
    assert {g.name: g.passed for g in decide(_report(0)).gates}["no-transport-errors"]
    assert {g.name: g.passed for g in decide(_report(2), GateThresholds(max_transport_errors=2)).gates}["no-transport-errors"]


def test_both_sides_without_an_answer_is_no_mismatch_but_never_a_pass() -> None:
    from apiparity.report.view import build_view

    session = _session()
    for _ in range(3):
        session.observe(_request(), REFUSED, None, TIMED_OUT)
    stats = session.operations[OPERATION]
    assert (stats.old_transport_errors, stats.new_transport_errors, stats.new_5xx_where_old_ok) == (3, 3, 0)
    report = Report(command="fuzz", fuzz=FuzzResult(cases=3, operations_total=1, operations=[stats], groups=session.groups()))
    assert not {g.name: g.passed for g in decide(report).gates}["no-transport-errors"]
    [row] = build_view(report).rows
    assert row.transport_errors == 6 and row.status == "fail"


CREATE = "POST /users"


def _create() -> WireRequest:
    return WireRequest("POST", "/users", headers=[("content-type", "application/json")], body=b'{"email": "a@b.c"}', operation=CREATE)


def test_a_create_that_conflicts_when_repeated_does_not_make_status_noise() -> None:
    # OLD has no reset: its second call of the same create conflicts (409). That is the first call
    # changing OLD's state, not an unstable answer: NEW's 422 on the next case is still a finding.
    session = _session()
    session.observe(_create(), _json(201, {"id": 1}), _json(409, {"error": "exists"}), _json(201, {"id": 1}))
    kept = session.observe(_create(), _json(201, {"id": 2}), _json(409, {"error": "exists"}), _json(422, {"detail": "bad"}))
    assert [d.kind for d in kept] == ["status"]
    assert [g.signature for g in session.groups()] == ["status 201 != 422"]
    assert [n.field_path for n in session.noise_report()] == []


def test_a_read_whose_status_flips_between_two_calls_is_noise() -> None:
    session = _session()
    session.observe(_request(), _json(200, {"id": 1}), _json(503, {"error": "busy"}), _json(200, {"id": 1}))
    kept = session.observe(_request(), _json(200, {"id": 1}), _json(200, {"id": 1}), _json(503, {"error": "busy"}))
    assert kept == [] and session.groups() == []
    assert "status" in [n.field_path for n in session.noise_report()]


def test_a_create_answered_alike_twice_still_teaches_its_field_noise() -> None:
    session = _session()
    session.observe(_create(), _json(201, {"id": 1, "at": 1}), _json(201, {"id": 2, "at": 2}), _json(201, {"id": 7, "at": 3}))
    assert session.groups() == []
    assert sorted(n.field_path for n in session.noise_report()) == ["$.at", "$.id"]


def _delete() -> WireRequest:
    return WireRequest("DELETE", "/users/1", operation="DELETE /users/{id}")


def _read() -> WireRequest:
    return WireRequest("GET", "/users/1", operation="GET /users/{id}")


def test_an_old_crash_after_the_run_wrote_to_old_is_not_a_legacy_bug_fixed() -> None:
    # no reset: the DELETE drained OLD, and its view then crashes on the missing record
    session = _session()
    session.observe(_delete(), _json(204, {}), _json(404, {}), _json(204, {}))
    session.observe(_read(), WireResponse(500, [], b"Internal Server Error"), WireResponse(500, [], b""), _json(404, {"detail": "gone"}))
    (group,) = session.groups()
    assert (group.signature, group.tier) == ("status 500 != 404", "regression")
    assert "--reset" in (group.tier_reason or "")


def test_with_reset_or_before_any_write_an_old_crash_is_a_legacy_bug_fixed() -> None:
    for session, write_first in ((_session(old_resets=True), True), (_session(), False)):
        if write_first:
            session.observe(_delete(), _json(204, {}), _json(404, {}), _json(204, {}))
        session.observe(_read(), WireResponse(500, [], b"Internal Server Error"), WireResponse(500, [], b""), _json(404, {"detail": "gone"}))
        (group,) = session.groups()
        assert group.tier == "legacy-bug-fixed"
