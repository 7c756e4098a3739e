"""One status pair, two validation causes: a key where one side answered 400/422 and the other
accepted also holds what the rejecting side says it rejected (apiparity.fuzz.rejections), so
"same cause with fewer fields" (the same required fields, fewer of them missing) folds and "two
causes" (NEW narrowed the `sort` enum, and NEW raised the `year_from` bound) stay two groups, each
titled with what it rejects. When both sides refused (OLD 404 for an unknown ticket, NEW 422 for a
path parameter that is not a UUID or a body that is not JSON: the tickets pair with `--mode all`),
it is one cause, which check runs first."""

from __future__ import annotations

import json

from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.rejections import rejected_fields
from apiparity.fuzz.wire import WireRequest, WireResponse

OPERATION = "PATCH /v1/tickets/{ticket_id}"
NOT_FOUND = WireResponse(404, [("content-type", "application/json")], b'{"message": "ticket not found"}')


def js(status: int, body: object) -> WireResponse:
    return WireResponse(status, [("content-type", "application/json")], json.dumps(body).encode())


def _error(kind: str, loc: list) -> WireResponse:
    return js(422, {"detail": [{"type": kind, "loc": loc, "msg": "...", "input": None}]})


def _grouper() -> Grouper:
    return Grouper(old_side=SideView("http://localhost"), new_side=SideView("http://localhost"), redact=False)


def _add(grouper: Grouper, path: str, old: WireResponse, new: WireResponse, body: bytes | None = None,
         operation: str = OPERATION, method: str = "PATCH", query: str = "") -> None:
    request = WireRequest(method, path, query=query, body=body, operation=operation)
    grouper.add(request, old, new, compare_responses(old, new, CompareOptions()))


def test_two_fields_new_rejects_where_old_answered_are_two_causes() -> None:
    grouper = _grouper()
    books = js(200, {"items": []})
    for index in range(3):
        _add(grouper, "/books/search", books, _error("literal_error", ["query", "sort"]), operation="GET /books/search",
             method="GET", query=f"sort=price&page={index}")
        _add(grouper, "/books/search", books, _error("greater_than_equal", ["query", "year_from"]), operation="GET /books/search",
             method="GET", query=f"year_from=999&page={index}")
    _add(grouper, "/books/search", books, _error("literal_error", ["query", "sort"]), operation="GET /books/search", method="GET",
         query="sort=price&year_from=999")  # both at once: shares a field with each, folded into one of them
    groups = grouper.groups()
    assert sorted(g.signature for g in groups) == [
        "status 200 != 422 (NEW rejects query.sort)", "status 200 != 422 (NEW rejects query.year_from)"]
    by_title = {g.signature: g for g in groups}
    assert all("literal_error" in json.dumps(e.new.body) for e in by_title["status 200 != 422 (NEW rejects query.sort)"].examples)


def test_both_sides_refusing_for_other_fields_is_one_cause() -> None:
    """OLD looks the ticket up first (404), NEW validates first (422): a non-UUID id and a body that
    is not JSON are the same cause, whatever field NEW names."""
    grouper = _grouper()
    for index in range(3):
        _add(grouper, f"/v1/tickets/{index}", NOT_FOUND, _error("uuid_parsing", ["path", "ticket_id"]))
        _add(grouper, f"/v1/tickets/x{index}", NOT_FOUND, _error("json_invalid", ["body", 0]), body=b"{")
    assert [(g.signature, g.count) for g in grouper.groups()] == [("status 404 != 422", 6)]


def test_the_same_required_fields_fewer_of_them_missing_is_one_cause() -> None:
    """crm C3: PATCH takes the PUT model; `{}` misses three required fields, `{"email": ...}` two."""
    grouper = _grouper()
    ok = js(200, {"id": 1})
    _add(grouper, "/v1/tickets/1", ok, js(422, {"detail": [{"loc": ["body", f], "type": "missing"} for f in ("email", "firstName", "lastName")]}))
    _add(grouper, "/v1/tickets/1", ok, js(422, {"detail": [{"loc": ["body", f], "type": "missing"} for f in ("firstName", "lastName")]}))
    _add(grouper, "/v1/tickets/2", ok, WireResponse(422))  # a HEAD-like empty answer names nothing: never a cause of its own
    groups = grouper.groups()
    assert [(g.signature, g.count) for g in groups] == [("status 200 != 422", 3)]


def test_what_each_framework_shape_names() -> None:
    assert rejected_fields(js(422, {"detail": [{"loc": ["query", "sort"], "type": "literal_error"}]})) == {"query.sort"}
    assert rejected_fields(js(422, [{"field": "limit", "message": "..."}])) == {"limit"}
    assert rejected_fields(js(400, {"errors": {"days": "too many"}, "message": "Input payload validation failed"})) == {"days"}
    assert rejected_fields(js(422, {"error": "validation_error", "fields": ["email", "lastName"]})) == {"email", "lastName"}
    assert rejected_fields(js(422, {"detail": [{"loc": ["body", 0], "type": "json_invalid"}]})) == {"body"}
    assert rejected_fields(js(404, {"detail": [{"loc": ["query", "sort"]}]})) == frozenset()  # not a validation answer
    assert rejected_fields(js(400, {"detail": "There was an error parsing the body"})) == frozenset()


def test_new_rejecting_other_fields_past_other_old_refusals_is_two_causes() -> None:
    """A real port (flask2fastapi's users API): a POST with no body is Flask's 415 (get_json) and
    FastAPI's 422 `body` missing; a `.test` email is NEW's EmailStr narrowing (422 `body.email`),
    seen past OLD's 409 for an email it already has. One NEW status, two causes: a group titled
    415 != 422 must not hold the 409 != 422 cases."""
    grouper = _grouper()
    unsupported = WireResponse(415, [("content-type", "text/html; charset=utf-8")], b"<title>415 Unsupported Media Type</title>")
    conflict = js(409, {"error": "User with this email already exists"})
    for index in range(3):
        _add(grouper, "/users", unsupported, _error("missing", ["body"]), operation="POST /users", method="POST")
        _add(grouper, "/users", conflict, _error("value_error", ["body", "email"]), body=b'{"email": "a@b%d.test"}' % index,
             operation="POST /users", method="POST")
    _add(grouper, "/users", js(201, {"id": 1}), _error("value_error", ["body", "email"]), body=b'{"email": "n@b.test"}',
         operation="POST /users", method="POST")  # the same narrowing where OLD accepted: folds with the 409s
    groups = {g.signature: g for g in grouper.groups()}
    assert sorted((title, g.count) for title, g in groups.items()) == [("status 201 != 422", 4), ("status 415 != 422", 3)]
    assert groups["status 201 != 422"].related == ["status 409 != 422"]
    assert {e.old.status for e in groups["status 415 != 422"].examples} == {415}
