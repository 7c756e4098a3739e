"""One status pair, two validation causes: a key also holds what the rejecting side's 400/422 says
it rejected (apiparity.fuzz.rejections), so "same cause with fewer fields" (the same required fields,
fewer of them missing) folds and "two causes" (a path parameter NEW now validates as a UUID, and a
body that is not JSON) stay two groups, each titled with what it rejects.

The bodies are the tickets pair's (tests/pairs/tickets), seen with `--mode all`."""

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
    return js(422, [{"type": kind, "loc": loc, "msg": "...", "input": None}])


def _grouper() -> Grouper:
    return Grouper(old_side=SideView("http://localhost"), new_side=SideView("http://localhost"), redact=False)


def _add(grouper: Grouper, path: str, old: WireResponse, new: WireResponse, body: bytes | None = None) -> None:
    request = WireRequest("PATCH", path, body=body, operation=OPERATION)
    grouper.add(request, old, new, compare_responses(old, new, CompareOptions()))


def test_two_validation_causes_with_one_status_pair_are_two_groups() -> None:
    grouper = _grouper()
    for index in range(3):
        _add(grouper, f"/v1/tickets/{index}", NOT_FOUND, _error("uuid_parsing", ["ticket_id"]))
        _add(grouper, f"/v1/tickets/x{index}", NOT_FOUND, _error("json_invalid", [0]), body=b"{")
    groups = grouper.groups()
    assert sorted(g.signature for g in groups) == [
        "status 404 != 422 (NEW rejects body)", "status 404 != 422 (NEW rejects ticket_id)"]
    assert all(g.count == 3 for g in groups)
    by_title = {g.signature: g for g in groups}
    assert all("uuid_parsing" in json.dumps(e.new.body) for e in by_title["status 404 != 422 (NEW rejects ticket_id)"].examples)


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
