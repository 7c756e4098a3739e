"""Groups, tiers and the 5xx gate must rest on what the cases show: a Flask app and its FastAPI port
(modelled on a real user's pairs) answering requests in-process, grouped as a run groups them.

- One group per cause: a filter that became case-sensitive (the `filter-case` probe) and a repeated
  query parameter read otherwise (the `repeated-query` probe) change the same fields, but are two
  causes; the `repeated-query-param` label stays on the repeated case's group only, whatever order
  the cases came in. Near miss: two plain cases of the case-sensitive filter stay one group.
- A 405's message and a 400's validation message (both `$.error value changed`) are two causes;
  near miss: the 400 of two operations is one (one validation envelope).
- OLD crashing where NEW answers 404 only because the path is gone from NEW is no legacy bug fixed;
  near miss: NEW's own 404 for the id OLD crashed on is.
- NEW answering 500 where OLD answered 404 (a path new in NEW) is a new 5xx for the gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from flask import Flask, jsonify
from flask import request as flask_request
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.session import ComparisonSession
from apiparity.fuzz.tiers import NOT_ROUTED_IN_NEW
from apiparity.fuzz.wire import WireRequest
from apiparity.model import FuzzResult, MismatchGroup, Report
from apiparity.verdict import decide
from tests.fuzz.labels.harness import Sides, serve

MEDICINES = [{"id": 1, "name": "Amoxicillin"}, {"id": 2, "name": "Ibuprofen"}, {"id": 3, "name": "Paracetamol"}]
HUGE = 2**70

# ------------------------------------------------------------------ the legacy app

legacy = Flask(__name__)


@legacy.errorhandler(405)
def method_not_allowed(_: Exception) -> Any:
    return jsonify({"error": "Method not allowed on this endpoint"}), 405


@legacy.errorhandler(404)
def not_found(_: Exception) -> Any:
    return jsonify({"error": "Not Found"}), 404


@legacy.get("/medicines")
def list_medicines() -> Any:
    name = flask_request.args.get("name")  # the first of a repeated parameter
    items = [m for m in MEDICINES if not name or name.lower() in str(m["name"]).lower()]
    return jsonify({"items": items, "total": len(items)})


def _required(field: str) -> Any:
    data = flask_request.get_json(silent=True) or {}
    if field not in data:
        return jsonify({"error": f"'{field}' is required in the JSON body"}), 400
    return jsonify({field: data[field]})


@legacy.post("/token")
def token() -> Any:
    return _required("username")


@legacy.post("/extract")
def extract() -> Any:
    return _required("receipt_id")


def _crash_on_huge(post_id: int) -> Any:
    if post_id > 2**63:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")
    return jsonify({"error": "Not Found"}), 404


@legacy.delete("/api/v1/posts/<int:post_id>")
def delete_post_v1(post_id: int) -> Any:
    return _crash_on_huge(post_id)


@legacy.delete("/items/<int:item_id>")
def delete_item(item_id: int) -> Any:
    return _crash_on_huge(item_id)


# ------------------------------------------------------------------ its FastAPI port

modern = FastAPI()


@modern.exception_handler(StarletteHTTPException)
async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code)


@modern.exception_handler(RequestValidationError)
async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"error": exc.errors()[0]["msg"]}, status_code=400)


@modern.get("/medicines")
def list_medicines_new(name: str | None = None) -> dict[str, Any]:
    items = [m for m in MEDICINES if not name or name in str(m["name"])]  # case-sensitive now; the last value
    return {"items": items, "total": len(items)}


class TokenIn(BaseModel):
    username: str


class ExtractIn(BaseModel):
    receipt_id: str


@modern.post("/token")
def token_new(body: TokenIn) -> dict[str, str]:
    return {"username": body.username}


@modern.post("/extract")
def extract_new(body: ExtractIn) -> dict[str, str]:
    return {"receipt_id": body.receipt_id}


@modern.delete("/posts/{post_id}")  # moved from /api/v1/posts
def delete_post(post_id: int) -> dict[str, int]:
    raise HTTPException(404, "Not Found")


@modern.get("/posts/{post_id}")  # new in the port
def get_post(post_id: int) -> dict[str, int]:
    if post_id > 2**63:
        raise OverflowError("Python int too large to convert to SQLite INTEGER")
    raise HTTPException(404, "Not Found")


@modern.delete("/items/{item_id}")
def delete_item_new(item_id: int) -> dict[str, int]:
    raise HTTPException(404, "Not Found")  # deliberately: no such item, whatever the id


@pytest.fixture(scope="module")
def sides() -> Iterator[Sides]:
    yield from serve(legacy, modern)


def grouped(sides: Sides, requests: list[WireRequest], *, document: dict[str, Any] | None = None) -> list[MismatchGroup]:
    """Each request sent to both sides, compared and grouped as a run does."""
    grouper = Grouper(old_side=SideView("http://old"), new_side=SideView("http://new"), redact=True,
                      document=document if document is not None else sides.old.document, new_document=sides.new.document)
    for request in requests:
        old, new = sides.old_transport.send(request), sides.new_transport.send(request)
        differences = compare_responses(old, new, CompareOptions())
        assert differences, f"{request.method} {request.path}?{request.query}: the apps answer alike"
        grouper.add(request, old, new, differences)
    return grouper.groups()


def _list(query: str, probe: str = "") -> WireRequest:
    return WireRequest("GET", "/medicines", query=query, operation="GET /medicines", probe=probe)


FILTER_CASE = _list("name=AMOXICILLIN", probe="filter-case")
REPEATED = _list("name=&name=zzz", probe="repeated-query")


@pytest.mark.parametrize("order", [[FILTER_CASE, REPEATED], [REPEATED, FILTER_CASE]], ids=["filter-first", "repeated-first"])
def test_a_probes_cause_never_shares_a_group_or_label_with_another_cause(sides: Sides, order: list[WireRequest]) -> None:
    # OLD's document declares `name` a scalar (as a flask-openapi3 app's would): NEW's serves as OLD's here
    groups = grouped(sides, order, document=sides.new.document)
    assert len(groups) == 2
    by_label = {g.divergence: g for g in groups}
    assert set(by_label) == {"repeated-query-param", None}
    assert [e.request.query for e in by_label["repeated-query-param"].examples] == [[("name", ""), ("name", "zzz")]]
    assert [e.request.query for e in by_label[None].examples] == [[("name", "AMOXICILLIN")]]
    # same fields on one operation: the titles say which is which
    assert by_label[None].signature == "body $.total value changed + body $.items[*] missing in NEW"
    assert by_label["repeated-query-param"].signature.endswith(" (known divergence repeated-query-param)")


def test_near_miss_one_cause_seen_twice_stays_one_group(sides: Sides) -> None:
    groups = grouped(sides, [_list("name=AMOXICILLIN"), _list("name=amox")], document=sides.new.document)
    assert [(g.count, g.divergence) for g in groups] == [(2, None)]


def test_a_label_claimed_from_the_requests_shape_yields_to_generated_cases_showing_the_same(sides: Sides) -> None:
    # plain cases (no probe) change the same fields: the repeated parameter is not shown to be the
    # cause, so the group keeps no label rather than one that is wrong for its other cases
    groups = grouped(sides, [_list("name=AMOXICILLIN"), REPEATED], document=sides.new.document)
    assert [(g.count, g.divergence) for g in groups] == [(2, None)]


def test_a_405_message_and_a_400_validation_message_are_two_causes(sides: Sides) -> None:
    json_body = [("Content-Type", "application/json")]
    groups = grouped(sides, [
        WireRequest("GET", "/token", operation="POST /token", probe="undeclared-method"),
        WireRequest("POST", "/token", headers=json_body, body=b"{}", operation="POST /token"),
        WireRequest("POST", "/extract", headers=json_body, body=b"{}", operation="POST /extract"),
    ])
    statuses = sorted(sorted({(e.old.status, e.new.status) for e in g.examples}) for g in groups)
    assert statuses == [[(400, 400)], [(405, 405)]]
    validation = next(g for g in groups if g.examples[0].old.status == 400)
    # near miss: one validation envelope on two operations is one cause, under its plain title
    assert sorted(o.operation for o in validation.operations) == ["POST /extract", "POST /token"]
    assert validation.signature == "body $.error value changed"


def test_old_crash_on_a_path_new_no_longer_has_is_no_legacy_bug_fixed(sides: Sides) -> None:
    (group,) = grouped(sides, [WireRequest("DELETE", f"/api/v1/posts/{HUGE}", operation="DELETE /api/v1/posts/{post_id}")])
    assert group.examples[0].old.status == 500 and group.examples[0].new.status == 404
    assert (group.tier, group.tier_reason) == ("regression", NOT_ROUTED_IN_NEW)


def test_near_miss_new_answering_its_own_404_to_what_old_crashed_on_is_a_fix(sides: Sides) -> None:
    (group,) = grouped(sides, [WireRequest("DELETE", f"/items/{HUGE}", operation="DELETE /items/{item_id}")])
    assert group.tier == "legacy-bug-fixed"


def test_new_5xx_where_old_answered_404_fails_the_gate(sides: Sides) -> None:
    session = ComparisonSession(options=CompareOptions(), grouper=Grouper(old_side=SideView("http://old"),
                                                                          new_side=SideView("http://new"), redact=True))
    request = WireRequest("GET", f"/posts/{HUGE}", operation="GET /posts/{post_id}")
    old, new = sides.old_transport.send(request), sides.new_transport.send(request)
    assert (old.status, new.status) == (404, 500)
    session.observe(request, old, None, new)
    stats = session.operations["GET /posts/{post_id}"]
    assert (stats.new_5xx, stats.new_5xx_where_old_ok) == (1, 1)
    gate = {g.name: g for g in decide(Report(command="fuzz", fuzz=FuzzResult(cases=1, operations_total=1, operations=[stats]))).gates}
    assert not gate["no-new-5xx"].passed and gate["no-new-5xx"].measured == "1"
