"""Trust defects new users met running `check` on real Flask -> FastAPI ports, each on the small pair
tests/pairs/trust (plain Flask with an audit hook keyed by method and a custom 404 handler; its
FastAPI port with GET routes only), run in-process with a small budget."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile

import pytest

from apiparity.fuzz.group import merge_across_operations
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.model import FuzzResult, GroupOperation, HttpRequest, HttpResponse, MismatchExample, MismatchGroup
from apiparity.report.merge import combine_groups
from apiparity.targets import load_target
from tests.conftest import ROOT

PAIR = ROOT / "tests" / "pairs" / "trust"
GET_OPERATIONS = ["/books", "/books/{book_id}", "/reports/{report_id}", "/users", "/users/{user_id}"]


@pytest.fixture(scope="module")
def run() -> FuzzResult:
    old, new = load_target(f"{PAIR / 'legacy.py'}:app"), load_target(f"{PAIR / 'modern.py'}:app")
    return run_fuzz(old, new, FuzzSettings(seed=1, max_examples=5))


# ------------------------------------------------------------------ 1. a title names the method sent


def test_a_probe_group_is_titled_by_the_method_its_examples_sent(run: FuzzResult) -> None:
    """An OPTIONS probe built from `GET /books` answered 200 != 405: the group reads `OPTIONS /books`,
    never `GET /books ... 200 != 405` over an OPTIONS example."""
    for group in run.groups:
        assert group.examples
        method = group.operation.partition(" ")[0]
        assert group.examples[0].request.method == method, group.key
        for entry in group.operations:
            assert any(e.request.method == entry.operation.partition(" ")[0] for e in group.examples) or len(group.examples) < len(
                group.operations), (group.key, entry.operation)
    options = [g for g in run.groups if g.divergence == "head-options-405"]
    assert [g.operation.partition(" ")[0] for g in options] == ["OPTIONS"]
    assert all(e.request.method == "OPTIONS" for e in options[0].examples)


# ------------------------------------------------------------------ 2. one probe-method cause, one group


def test_a_head_crash_on_every_route_is_one_group_listing_every_operation(run: FuzzResult) -> None:
    """Flask answers HEAD from the GET view, where the audit hook raises KeyError (500); FastAPI
    routes no HEAD (405). One cause (the method's routing), one group, every path listed."""
    head = [g for g in run.groups if g.operation.startswith("HEAD ")]
    assert len(head) == 1, [g.key for g in head]
    (group,) = head
    assert group.signature == "status 500 != 405" and group.divergence is None
    assert sorted(o.operation for o in group.operations) == [f"HEAD {p}" for p in GET_OPERATIONS]
    assert group.count == sum(o.count for o in group.operations)
    # the undeclared-method probe (DELETE on GET-only paths) hits the same hook: its own method, its own group
    delete = [g for g in run.groups if g.operation.startswith("DELETE ")]
    assert len(delete) == 1 and len(delete[0].operations) == len(GET_OPERATIONS)


def test_declared_operations_keep_their_status_groups_apart() -> None:
    """Only off-contract methods merge: two declared routes answering the same unlabelled status
    pair are two handlers' decisions."""
    def group(operation: str) -> MismatchGroup:
        method, _, path = operation.partition(" ")
        example = MismatchExample(HttpRequest(method, path), HttpResponse(500), HttpResponse(405), "", "")
        return MismatchGroup(operation, "status 500 != 405", "status", 2, [example], operations=[GroupOperation(operation, 2)])

    declared = merge_across_operations([group("DELETE /a"), group("DELETE /b")], 5)
    assert len(declared) == 2
    probed = merge_across_operations([group("HEAD /a"), group("HEAD /b"), group("OPTIONS /a")], 5,
                                     off_contract={"HEAD /a", "HEAD /b", "OPTIONS /a"})
    assert sorted((g.operation.partition(" ")[0], len(g.operations)) for g in probed) == [("HEAD", 2), ("OPTIONS", 1)]
    # `merge` of shards tells them apart from the operations the shards had statistics for
    merged = combine_groups([group("HEAD /a"), group("HEAD /b"), group("DELETE /a"), group("DELETE /b")],
                            documented={"GET /a", "GET /b", "DELETE /a", "DELETE /b"})
    assert sorted((g.operation, len(g.operations)) for g in merged) == [("DELETE /a", 1), ("DELETE /b", 1), ("HEAD /a", 2)]


# ------------------------------------------------------------------ 5. the app's tracebacks stay out of the console


@pytest.fixture(scope="module")
def quiet_run() -> tuple[FuzzResult, str, dict[str, tuple[list[logging.Handler], bool]]]:
    """The pair run again with stderr captured at the file descriptor: what a user's console shows."""
    from flask.logging import default_handler

    old, new = load_target(f"{PAIR / 'legacy.py'}:app"), load_target(f"{PAIR / 'modern.py'}:app")
    own = old.app.logger
    names = (own.name, "werkzeug", "uvicorn.error", "starlette")
    # Flask gives its app logger this stderr handler unless a handler is configured already (pytest's is): as on a console
    added = default_handler not in own.handlers
    if added:
        own.addHandler(default_handler)
    before = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate) for n in names}
    saved = os.dup(2)
    written = io.StringIO()  # Flask writes to the request's wsgi.errors: the sys.stderr of the moment
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stderr(written):
                result = run_fuzz(old, new, FuzzSettings(seed=1, max_examples=5))
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        printed = sink.read().decode("utf-8", "replace") + written.getvalue()
    after = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate) for n in names}
    if added:
        own.removeHandler(default_handler)
    assert after == before, "the loggers are given back as they were"
    return result, printed, before


def test_the_apps_tracebacks_go_to_the_group_not_the_console(quiet_run) -> None:
    """Flask logs each HEAD/DELETE crash with its traceback (10 crashes: ~360 lines of stderr before);
    the console gets none of it, the group's first example keeps it."""
    result, printed, _ = quiet_run
    assert "Traceback" not in printed and "KeyError" not in printed, printed[:500]
    head = next(g for g in result.groups if g.operation.startswith("HEAD "))
    kept = [e.old.app_exception for e in head.examples if e.old.app_exception]
    assert len(kept) == 1, "one traceback per group"
    assert kept[0].startswith("Exception on /") and "Traceback" in kept[0] and kept[0].rstrip().endswith("KeyError: 'HEAD'")
    assert all(e.new.app_exception is None for g in result.groups for e in g.examples)


def test_an_asgi_apps_exception_is_kept_for_its_answer() -> None:
    from fastapi import FastAPI

    from apiparity.fuzz.transports import ASGITransport
    from apiparity.fuzz.wire import WireRequest

    app = FastAPI()

    @app.get("/boom")
    def boom() -> None:
        raise ValueError("the port's own bug")

    @app.get("/fine")
    def fine() -> dict[str, bool]:
        return {"ok": True}

    transport = ASGITransport(app)
    try:
        crashed = transport.send(WireRequest("GET", "/boom", operation="GET /boom"))
        fine_answer = transport.send(WireRequest("GET", "/fine", operation="GET /fine"))
    finally:
        transport.close()
    assert crashed.status == 500 and crashed.app_exception is not None
    assert crashed.app_exception.rstrip().endswith("ValueError: the port's own bug") and "in boom" in crashed.app_exception
    assert fine_answer.status == 200 and fine_answer.app_exception is None


def test_the_text_report_names_the_exception_in_one_line(quiet_run) -> None:
    from apiparity.report.text import app_exceptions

    result, _, _ = quiet_run
    head = next(g for g in result.groups if g.operation.startswith("HEAD "))
    ((side, line),) = app_exceptions(head)
    assert side == "OLD" and line.startswith("KeyError: 'HEAD' at ") and "legacy.py" in line and "in audit" in line


# ------------------------------------------------------------------ 3. one not-found handler, one group


def test_one_not_found_handler_is_one_group(run: FuzzResult) -> None:
    """OLD's 404 handler answers `{"error": "no user 7"}` for a record and `{"error": "Not found"}` for
    an unknown route (`/users/-1`: Werkzeug's `<int:>` refuses it); NEW's answers `{"error": "Not found",
    "detail": "Not Found"}` to both. The routing 404s differ only by `$.detail`, the record 404s by
    `$.detail` and `$.error`: one handler on one status pair, one group (was two: `$.detail added`
    20x and `$.error value changed` 17x, the record 404s counted in both)."""
    bodies = [g for g in run.groups if g.kind == "body"]
    assert len(bodies) == 1, [g.key for g in bodies]
    (group,) = bodies
    assert group.signature == "body $.detail added in NEW + body $.error value changed"
    assert sorted(o.operation for o in group.operations) == ["GET /books/{book_id}", "GET /users/{user_id}"]
    first = group.examples[0]
    assert (first.old.status, first.new.status) == (404, 404) and isinstance(first.old.body, dict)
    assert first.old.body["error"] != first.new.body["error"] and "detail" in first.new.body  # shows both roots


def test_two_kinds_of_not_found_answer_stay_apart() -> None:
    """The fold is for one handler's body: a 404 that differs by its content type (Werkzeug's HTML
    routing page beside a handler's JSON), or by statuses other than one 404/405 pair, keeps the
    split rule (docs/grouping.md section 2)."""
    from apiparity.fuzz.compare import Change, Difference
    from apiparity.fuzz.group import one_not_found_body

    detail = Difference("body", Change.ADDED, ("detail",))
    error = Difference("body", Change.VALUE_CHANGED, ("error",))
    content_type = Difference("header", Change.VALUE_CHANGED, header="content-type")
    assert one_not_found_body({(404, 404)}, [detail, error])
    assert one_not_found_body({(405, 405)}, [detail, error])
    assert not one_not_found_body({(404, 404)}, [detail, content_type])
    assert not one_not_found_body({(200, 200)}, [detail, error])  # a success body: two causes may co-occur
    assert not one_not_found_body({(400, 400)}, [detail, error])  # validation and business refusals share 400
    assert not one_not_found_body({(404, 404), (405, 405)}, [detail, error])


# ------------------------------------------------------------------ 4. exercised means OLD answered too


def test_an_operation_old_never_answered_with_success_is_not_exercised(run: FuzzResult) -> None:
    """`GET /reports/{id}`: 16 cases, OLD refuses every one with 404 and NEW serves them: nothing of
    OLD's success was compared with NEW's, so the operation is not exercised, named with why (the
    gate passed it before: 16 cases >= 1)."""
    from apiparity.model import Report
    from apiparity.verdict import decide

    stats = {s.operation: s for s in run.operations}
    assert stats["GET /reports/{report_id}"].old_success == 0 and stats["GET /reports/{report_id}"].new_success
    # HEAD/OPTIONS probes OLD's framework answered for the operation are no evidence of its handler
    assert all(s.old_success and s.new_success for name, s in stats.items() if name != "GET /reports/{report_id}")
    gate = next(g for g in decide(Report(command="check", fuzz=run)).gates if g.name == "operations-exercised")
    assert not gate.passed and gate.measured == "80% (4/5)"
    reports = stats["GET /reports/{report_id}"]
    assert gate.details[0] == (f"GET /reports/{{report_id}}: {reports.cases} case(s), OLD answered none with success (2xx/3xx), "
                               f"NEW {reports.new_success}: only NEW served it")
    assert "OLD answering one" in gate.threshold


def test_success_counts_merge_and_older_reports_are_judged_on_cases() -> None:
    from apiparity.model import OperationStats
    from apiparity.verdict import _refusals_only, _unexercised

    older = OperationStats("GET /a", cases=3)  # written before the success counts: no evidence either way
    assert older.old_success is None and _unexercised(older, 1) == "" and _refusals_only(older) == ""
    only_new = OperationStats("GET /a", cases=3, old_success=0, new_success=2)
    assert _unexercised(only_new, 1).endswith("OLD answered none with success (2xx/3xx), NEW 2: only NEW served it")
    # both sides refusing every case (no credentials for an admin route) is listed under the gate, not failing it
    both = OperationStats("GET /a", cases=3, old_success=0, new_success=0)
    assert _unexercised(both, 1) == "" and _refusals_only(both) == "OLD and NEW answered no case with 2xx/3xx"
    assert _refusals_only(OperationStats("GET /a", cases=3, old_success=2, new_success=0)) == "NEW answered no case with 2xx/3xx"
    merged = OperationStats("GET /a", cases=2, old_success=0, new_success=1)
    merged.add_counts(OperationStats("GET /a", cases=1, old_success=1, new_success=None))
    assert (merged.cases, merged.old_success, merged.new_success) == (3, 1, 1)
    none = OperationStats("GET /a")
    none.add_counts(OperationStats("GET /a"))
    assert none.old_success is None
