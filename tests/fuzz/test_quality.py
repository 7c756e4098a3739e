"""Fuzz-engine quality fixes found on unseen migrations (tests/pairs): false alarms, misses and
grouping, each pinned here on the smallest responses that show it."""

from __future__ import annotations

import json
import uuid

from fastapi import Request
from pydantic import BaseModel

from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.wire import WireResponse

WERKZEUG_REDIRECT = (
    b'<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n'
    b'<p>You should be redirected automatically to the target URL: <a href="/accounts/1">/accounts/1</a>.'
)


def js(status: int, body: object, **headers: str) -> WireResponse:
    return WireResponse(status=status, headers=[("Content-Type", "application/json"), *headers.items()], body=json.dumps(body).encode())


def test_redirect_note_is_not_compared_when_both_sides_redirect_to_the_same_place():
    flask = WireResponse(301, [("Content-Type", "text/html; charset=utf-8"), ("Location", "/accounts/1")], WERKZEUG_REDIRECT)
    starlette = WireResponse(301, [("location", "http://testserver/accounts/1")], b"")
    assert compare_responses(flask, starlette, CompareOptions()) == []
    # a different target is still a difference, as is a different redirect status
    elsewhere = WireResponse(301, [("location", "/accounts/2")], b"")
    assert [d.field for d in compare_responses(flask, elsewhere, CompareOptions())] == ["header:location"]
    temporary = WireResponse(307, [("location", "/accounts/1")], b"")
    assert [d.signature for d in compare_responses(flask, temporary, CompareOptions())] == ["status 301 != 307"]
    # a 2xx body is compared as ever, Location or not
    assert compare_responses(js(201, {"a": 1}, Location="/x"), js(201, {"a": 2}, Location="/x"), CompareOptions())


# ---------------------------------------------------------------------------------- conformance


class Thing(BaseModel):
    id: uuid.UUID
    n: int


class ThingPath(BaseModel):
    n: int


def _conformance_pair():
    """OLD and NEW both answer an undocumented 418 for id 0; NEW writes a random id that breaks
    `format: uuid` on every call (one broken field, a new value each case)."""
    from fastapi import FastAPI
    from flask_openapi3 import OpenAPI

    from apiparity.targets.apps import target_from_app

    legacy = OpenAPI(__name__, security_schemes={})

    @legacy.get("/things/<int:n>", responses={200: Thing})
    def get_thing(path: ThingPath):
        if path.n == 0:
            return {"teapot": True}, 418
        return {"id": str(uuid.uuid4()), "n": path.n}

    modern = FastAPI()

    @modern.get("/things/{n}", response_model=None)
    def get_thing_new(n: int):
        from fastapi.responses import JSONResponse

        if n == 0:
            return JSONResponse({"teapot": True}, status_code=418)
        return {"id": uuid.uuid4().hex, "n": n}

    return target_from_app("legacy", legacy), target_from_app("modern", modern)


def test_conformance_issue_is_keyed_by_where_not_by_value_and_baselined_on_old():
    from apiparity.fuzz.runner import run_fuzz
    from apiparity.fuzz.settings import FuzzSettings

    old, new = _conformance_pair()
    result = run_fuzz(old, new, FuzzSettings(max_examples=15, seed=2, phases=("examples", "coverage", "fuzzing"), mode="positive"))
    judged_by_old = [i for i in result.conformance if i.side == "new-vs-old-spec"]
    # the random id: one issue counted per case, its message without the value
    [uuid_issue] = [i for i in judged_by_old if "uuid" in i.message]
    assert uuid_issue.count > 3 and uuid_issue.message == 'Response violates schema at $.id: value is not a "uuid"'
    assert uuid_issue.example is not None and isinstance(uuid_issue.example.new.body["id"], str)
    # the 418 for n=0: OLD breaks its own document the same way, so NEW is not blamed for it
    old_issues = [i for i in result.conformance if i.side == "old"]
    assert any("418" in i.message for i in old_issues), old_issues
    assert not any("418" in i.message for i in judged_by_old)


# ---------------------------------------------------------------------------------- grouping


def _grouper():
    from apiparity.fuzz.group import Grouper, SideView

    return Grouper(old_side=SideView("http://localhost"), new_side=SideView("http://localhost"), redact=False)


def test_a_list_that_lost_items_is_one_group_named_by_its_most_basic_difference():
    from apiparity.fuzz.wire import WireRequest

    rows = [{"id": i, "title": f"t{i}"} for i in range(1, 4)]
    grouper = _grouper()
    # a filter that keeps only the first value: the list loses items (at the end, or in the middle)
    for query, kept in (("s=a&s=b", rows[:1]), ("s=b&s=c", rows[1:2])):
        request = WireRequest("GET", "/tickets", query=query, operation="GET /tickets")
        old, new = js(200, {"items": rows, "total": 3}), js(200, {"items": kept, "total": 1})
        grouper.add(request, old, new, compare_responses(old, new, CompareOptions()))
    # an unrelated cause on the same operation stays its own group
    request = WireRequest("GET", "/tickets", query="limit=0", operation="GET /tickets")
    grouper.add(request, js(200, {"items": []}), js(422, {"detail": []}),
                compare_responses(js(200, {"items": []}), js(422, {"detail": []}), CompareOptions()))
    # worst first: a status class changed before a 2xx body whose list lost items
    groups = grouper.groups()[::-1]
    assert [(g.signature, g.count) for g in groups] == [
        ("body $.total value changed + body $.items[*] missing in NEW", 2), ("status 200 != 422", 1)]
    # the fields that shifted with the list are folded under it, not groups of their own
    assert groups[0].related == ["body $.items[*].id value changed", "body $.items[*].title value changed"]
    assert groups[1].related == []


def test_a_case_with_two_header_differences_is_one_group():
    from apiparity.fuzz.wire import WireRequest

    grouper = _grouper()
    old = js(200, {}, Location="/a", Link='</p?page=2&per_page=5>; rel="next"')
    new = js(200, {}, Location="/b", Link='</p?page=2>; rel="next"')
    grouper.add(WireRequest("GET", "/p", operation="GET /p"), old, new, compare_responses(old, new, CompareOptions(compare_headers=("link",))))
    [group] = grouper.groups()
    assert (group.signature, group.count) == ("header:link value changed + header:location value changed", 1)


def test_elements_that_all_shifted_are_one_difference():
    from apiparity.fuzz.group import root_signatures

    rows = [{"id": i, "title": f"t{i}", "price": i * 2} for i in range(1, 6)]
    shifted = compare_responses(js(200, {"items": rows[0:2]}), js(200, {"items": rows[1:3]}), CompareOptions())
    assert list(root_signatures(shifted)) == ["body $.items[*] elements changed"]
    # two fields are still named one by one
    renamed = [{**r, "id": r["id"] + 10, "title": "x"} for r in rows[0:2]]
    two = compare_responses(js(200, {"items": rows[0:2]}), js(200, {"items": renamed}), CompareOptions())
    assert sorted(root_signatures(two)) == ["body $.items[*].id value changed", "body $.items[*].title value changed"]


# ---------------------------------------------------------------------------------- trailing slash


class Page(BaseModel):
    page: int = 1


def _slash_pair(new_redirects: str):
    """OLD declares `/rows/` (Flask redirects `/rows` with 308) and `/cells` (Flask answers 404 to
    `/cells/`); NEW is FastAPI with Starlette's own slash redirects, or a faithful 308."""
    from fastapi import FastAPI
    from fastapi.responses import RedirectResponse
    from flask_openapi3 import OpenAPI

    from apiparity.targets.apps import target_from_app

    legacy = OpenAPI(__name__, security_schemes={})

    @legacy.get("/rows/", responses={200: None})
    def rows(query: Page):
        return {"rows": []}

    @legacy.get("/cells", responses={200: None})
    def cells(query: Page):
        return {"cells": []}

    modern = FastAPI(redirect_slashes=new_redirects == "starlette")

    if new_redirects == "faithful":
        @modern.get("/rows", include_in_schema=False)
        def rows_without_slash(request: Request):
            return RedirectResponse(str(request.url.replace(path="/rows/")), status_code=308)

    @modern.get("/rows/")
    def rows_new(page: int = 1):
        return {"rows": []}

    @modern.get("/cells")
    def cells_new(page: int = 1):
        return {"cells": []}

    return target_from_app("legacy", legacy), target_from_app("modern", modern)


def test_the_other_spelling_of_a_get_path_is_probed_once():
    from apiparity.fuzz.runner import run_fuzz
    from apiparity.fuzz.settings import FuzzSettings

    settings = FuzzSettings(max_examples=2, seed=1, phases=("examples",), probes=("trailing-slash",))
    result = run_fuzz(*_slash_pair("starlette"), settings)
    [group] = result.groups
    assert (group.operation, group.signature, group.divergence) == ("GET /rows/", "status 308 != 307", "trailing-slash-redirect")
    assert group.examples[0].request.path == "/rows"
    # /cells/ is a 404 on OLD: no client relies on it, so NEW's 307 there is no mismatch
    faithful = run_fuzz(*_slash_pair("faithful"), settings)
    assert faithful.groups == []
    assert {s.operation: s.cases for s in faithful.operations} == {"GET /rows/": 2, "GET /cells": 2}


# ---------------------------------------------------------------------------------- headers


def test_link_header_is_compared_without_hosts():
    old = js(200, [], Link='<http://localhost/rows/?page=2&per_page=5>; rel="next",<http://localhost/rows/?page=1>; rel="prev"')
    same = js(200, [], Link='<http://testserver/rows/?page=2&per_page=5>; rel="next", <http://testserver/rows/?page=1>; rel="prev"')
    assert compare_responses(old, same, CompareOptions()) == []
    lost = js(200, [], Link='<http://testserver/rows/?page=2>; rel="next", <http://testserver/rows/?page=1>; rel="prev"')
    assert [d.signature for d in compare_responses(old, lost, CompareOptions())] == ["header:link value changed"]
    assert compare_responses(old, lost, CompareOptions(ignore=("header:link",))) == []


def test_headers_the_document_declares_are_compared_with_noise_cancelled():
    from apiparity.fuzz.generate import declared_response_headers
    from apiparity.fuzz.noise import NoiseTable

    document = {
        "paths": {"/rows": {"get": {"responses": {
            "200": {"$ref": "#/components/responses/Page"},
            "404": {"description": "none", "headers": {"X-Request-Id": {"schema": {"type": "string"}}}},
        }}}},
        "components": {"responses": {"Page": {"description": "a page", "headers": {
            "X-Total-Count": {"schema": {"type": "integer"}}, "Content-Type": {"schema": {"type": "string"}}}}}},
    }
    declared = declared_response_headers(document, "GET", "/rows")
    assert declared == {"200": ("x-total-count",), "404": ("x-request-id",)}
    options = CompareOptions(declared_headers=declared)
    old1 = js(200, [], **{"X-Total-Count": "5", "X-Request-Id": "a1"})
    old2 = js(200, [], **{"X-Total-Count": "5", "X-Request-Id": "b2"})
    new = js(200, [], **{"X-Total-Count": "6", "X-Request-Id": "c3"})
    assert compare_responses(old1, new, CompareOptions()) == []  # undeclared: not compared
    noise = NoiseTable()
    noise.learn("GET /rows", old1, old2, options)
    kept = noise.filter("GET /rows", compare_responses(old1, new, options))
    assert [d.signature for d in kept] == ["header:x-total-count value changed"]
    # a header is part of the response that declares it: a 404's X-Total-Count is not compared
    missing_old, missing_new = js(404, {}, **{"X-Total-Count": "1"}), js(404, {}, **{"X-Total-Count": "2"})
    assert compare_responses(missing_old, missing_new, options) == []


def test_declared_headers_follow_the_response_key_and_leave_content_length_out():
    from apiparity.fuzz.compare import declared_for_status
    from apiparity.fuzz.generate import declared_response_headers

    document = {"paths": {"/f": {"head": {"responses": {
        "200": {"description": "ok", "headers": {"Content-Length": {"schema": {"type": "integer"}}, "ETag": {"schema": {"type": "string"}}}},
        "4XX": {"description": "client error", "headers": {"X-Error-Id": {"schema": {"type": "string"}}}},
        "default": {"description": "other", "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
    }}}}}
    declared = declared_response_headers(document, "HEAD", "/f")
    assert declared == {"200": ("etag",), "4XX": ("x-error-id",), "DEFAULT": ("retry-after",)}
    assert [declared_for_status(declared, s) for s in (200, 404, 503)] == [("etag",), ("x-error-id",), ("retry-after",)]


# ---------------------------------------------------------------------------------- noise shape


def test_a_noisy_field_keeps_its_format():
    from apiparity.fuzz.noise import NoiseTable, shape

    options = CompareOptions()
    table = NoiseTable()
    dashed = [str(uuid.uuid4()) for _ in range(3)]
    table.learn("POST /t", js(201, {"id": dashed[0], "at": "2024-05-01T08:00:00Z", "tag": None}),
                js(201, {"id": dashed[1], "at": "2024-05-01T08:00:01+00:00", "tag": "x"}), options)
    old = js(201, {"id": dashed[0], "at": "2024-05-01T08:00:00Z", "tag": None})
    # another uuid, another ISO instant, a tag that OLD itself gives in two shapes: all noise
    assert table.filter("POST /t", compare_responses(old, js(201, {"id": dashed[2], "at": "2024-05-02T09:00:00.123Z", "tag": 3}), options)) == []
    # the same field in another format: kept
    changed = js(201, {"id": uuid.UUID(dashed[2]).hex, "at": "Thu, 02 May 2024 09:00:00 GMT", "tag": None})
    kept = table.filter("POST /t", compare_responses(old, changed, options))
    assert sorted(d.signature for d in kept) == ["body $.at format changed", "body $.id format changed"]
    assert {shape("12"), shape("12.50"), shape(12), shape([1])} == {"integer as string", "decimal as string", "number", "array"}


# ---------------------------------------------------------------------------------- labels


def test_repeated_query_label_only_for_parameters_declared_scalar():
    from apiparity.fuzz.compare import Change, Difference
    from apiparity.fuzz.divergences import MismatchContext, identify
    from apiparity.fuzz.wire import WireRequest

    document = {
        "paths": {"/t": {"get": {"parameters": [
            {"in": "query", "name": "status", "schema": {"anyOf": [{"$ref": "#/components/schemas/Statuses"}, {"type": "null"}]}},
            {"in": "query", "name": "limit", "schema": {"type": "integer"}},
        ]}}},
        "components": {"schemas": {"Statuses": {"type": "array", "items": {"type": "string"}}}},
    }
    difference = Difference("body", Change.VALUE_CHANGED, ("total",))

    def label(query: str, doc: dict | None = document) -> str | None:
        found = identify(MismatchContext(WireRequest("GET", "/t", query=query, operation="GET /t"), js(200, {}), js(200, {}), difference, doc))
        return found.id if found else None

    assert label("status=open&status=closed") is None
    assert label("limit=1&limit=2") == "repeated-query-param"
    # precondition: the contract declares the parameter scalar; with no contract to read, no label
    assert label("status=a&status=b", None) is None
