"""The `cursor-pagination` probe (fuzz/probes/cursor.py): where each side says its next page is,
what the probe sends, what it judges, and on a real Flask/FastAPI pair the off-by-one on page 2
that generated cases never reach (an opaque cursor is one no generator guesses)."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse
from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field

from apiparity.fuzz.compare import Change, Difference
from apiparity.fuzz.generate import GeneratedCase
from apiparity.fuzz.probes import PROBES, ProbeAnswers, ProbeOperation, ProbePool
from apiparity.fuzz.probes.cursor import LAST_ID, LINK, CursorPagination, cursor_parameter, next_cursor
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import FuzzResult
from apiparity.targets.apps import target_from_app

# ------------------------------------------------------------------------------ the pair under test

NOTES = [{"id": i, "text": text} for i, text in enumerate(["milk", "eggs", "flour", "tea", "rice", "oats", "figs"], start=1)]


def encode(note_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{note_id}".encode()).decode()


def decode(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeError):
        return None
    kind, _, number = text.partition(":")
    return int(number) if kind == "id" and number.isdigit() else None


def page(cursor: str | None, limit: int, *, off_by_one: bool = False) -> tuple[dict[str, Any], int]:
    after = 0
    if cursor is not None:
        decoded = decode(cursor)
        if decoded is None:
            return {"error": "invalid cursor"}, 400
        after = decoded
    # the seeded regression: `>=` for `>`, so page 2 starts again with page 1's last note
    rows = [n for n in NOTES if (n["id"] >= after if off_by_one and cursor else n["id"] > after)][:limit]
    more = bool(rows) and rows[-1]["id"] < NOTES[-1]["id"]
    return {"notes": rows, "next_cursor": encode(rows[-1]["id"]) if more else None}, 200


class Note(BaseModel):
    id: int
    text: str


class NotePage(BaseModel):
    notes: list[Note]
    next_cursor: str | None = None


class NoteQuery(BaseModel):
    limit: int = Field(3, ge=1, le=50)
    cursor: str | None = None


legacy = OpenAPI(__name__, security_schemes={})


@legacy.get("/notes", responses={200: NotePage})
def list_notes(query: NoteQuery):  # noqa: ANN201
    return page(query.cursor, query.limit)


def port(*, off_by_one: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/notes", response_model=NotePage)
    def list_notes_new(limit: Annotated[int, Query(ge=1, le=50)] = 3, cursor: str | None = None):  # noqa: ANN202
        body, status = page(cursor, limit, off_by_one=off_by_one)
        return body if status == 200 else JSONResponse(body, status)

    return app


def _run(new: FastAPI, probes: tuple[str, ...]) -> FuzzResult:
    old_target, new_target = target_from_app("legacy", legacy), target_from_app("modern", new)
    return run_fuzz(old_target, new_target, FuzzSettings(seed=1, max_examples=5, phases=("examples",), probes=probes))


def _query(example: Any) -> dict[str, str]:
    return {k: v for k, v in example.request.query}


def _body(body: Any) -> Any:
    return json.loads(body) if isinstance(body, (str, bytes)) else body


def test_the_off_by_one_on_page_two_is_found_by_the_probe_only() -> None:
    with_probe = _run(port(off_by_one=True), ("cursor-pagination",))
    found = [e for g in with_probe.groups if g.operation == "GET /notes" for e in g.examples if "cursor" in _query(e)]
    assert found, [g.key for g in with_probe.groups]
    # the cursor OLD issued for page 2 is the one it was sent (each side pages with its own)
    assert {decode(_query(e)["cursor"]) for e in found} <= {2, 4}
    old_ids = [n["id"] for n in _body(found[0].old.body)["notes"]]
    new_ids = [n["id"] for n in _body(found[0].new.body)["notes"]]
    assert new_ids[0] == old_ids[0] - 1  # NEW repeats page 1's last note
    without = _run(port(off_by_one=True), ())
    assert [g.key for g in without.groups if g.operation == "GET /notes"] == []


def test_a_faithful_port_has_no_group() -> None:
    result = _run(port(off_by_one=False), ("cursor-pagination",))
    assert [g.key for g in result.groups] == []
    assert result.cases > 0


# ------------------------------------------------------------------------------------ the parts


def _answer(body: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> WireResponse:
    return WireResponse(status, headers=[("Content-Type", "application/json"), *headers], body=json.dumps(body).encode())


def test_next_cursor_read_from_each_place_an_answer_says_it() -> None:
    assert next_cursor(_answer({"items": [], "next_cursor": "abc"}), "cursor") == ("abc", ("next_cursor",))
    assert next_cursor(_answer({"data": [], "meta": {"nextCursor": 42}}), "after") == ("42", ("meta", "nextCursor"))
    assert next_cursor(_answer({"data": [], "links": {"next": "/items?after=X1&limit=2"}}), "after") == ("X1", ("links", "next"))
    assert next_cursor(_answer({"data": [], "_links": {"next": {"href": "https://h/items?page_token=T"}}}), "page_token") == \
        ("T", ("_links", "next"))
    link = (("Link", '<https://h/items?cursor=Q2&limit=2>; rel="next", <https://h/items>; rel="first"'),)
    assert next_cursor(_answer([{"id": 1}], headers=link), "cursor") == ("Q2", LINK)
    stripe = {"object": "list", "data": [{"id": "cus_1"}, {"id": "cus_2"}], "has_more": True}
    assert next_cursor(_answer(stripe), "starting_after") == ("cus_2", LAST_ID)
    # the end of the list, or no page at all
    assert next_cursor(_answer({"items": [], "next_cursor": None}), "cursor") is None
    assert next_cursor(_answer({**stripe, "has_more": False}), "starting_after") is None
    assert next_cursor(_answer({"meta": {"has_more": False, "next": "x"}}), "cursor") is None
    assert next_cursor(_answer({"error": "bad"}, status=400), "cursor") is None


def _operation(parameters: list[dict[str, Any]]) -> ProbeOperation:
    schema = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}}
    document = {"paths": {"/items": {"get": {"parameters": parameters, "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}}}
    return ProbeOperation(label="GET /items", method="GET", path="/items", document=document, parameters=tuple(parameters),
                          path_methods=frozenset({"GET"}))


def _param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema}


def test_it_applies_to_a_list_with_a_cursor_parameter_only() -> None:
    assert cursor_parameter(_operation([_param("pageToken", {"type": "string"})])) == "pageToken"
    assert CursorPagination().applies(_operation([_param("after", {"type": "string"}), _param("limit", {"type": "integer"})]))
    assert not CursorPagination().applies(_operation([_param("page", {"type": "integer"})]))  # page numbers: `pagination`
    assert not CursorPagination().applies(_operation([_param("cursor", {"type": "array", "items": {"type": "string"}})]))
    assert "cursor-pagination" in PROBES and len(PROBES["cursor-pagination"].doc) > 60


def test_each_side_pages_with_its_own_cursor_and_stops_where_old_list_ends() -> None:
    operation = _operation([_param("cursor", {"type": "string"}), _param("limit", {"type": "integer", "minimum": 1, "maximum": 9})])
    fetched: list[tuple[str, str]] = []
    pages = {"old": {"": "o2", "o2": "o3", "o3": None}, "new": {"": "n2", "n2": "n3", "n3": None}}

    def fetch(side: str, request: WireRequest) -> WireResponse:
        cursor = dict(p.split("=") for p in request.query.split("&")).get("cursor", "")
        fetched.append((side, request.query))
        return _answer({"items": [{"id": 1}], "next_cursor": pages[side][cursor]})

    base = GeneratedCase(WireRequest("GET", "/items", "cursor=zzz&limit=7", operation="GET /items"), "examples", "positive")
    pool = ProbePool(answered=[(base, _answer({"items": [{"id": 1}], "next_cursor": "o2"}))], fetch=fetch)
    planned = list(CursorPagination().requests(operation, pool))
    assert [p.request.query for p in planned] == ["limit=2", "limit=2&cursor=o2", "limit=2&cursor=o3"]
    assert [p.new_request.query if p.new_request else None for p in planned] == [None, "limit=2&cursor=n2", "limit=2&cursor=n3"]
    assert all(p.request.probe == "cursor-pagination" for p in planned)
    assert len(fetched) == 4  # page 1 and page 2 of each side, to learn the next cursors


def test_judge_leaves_out_the_cursor_spelling_only_when_both_sides_offer_a_next_page() -> None:
    spelling = Difference("body", Change.VALUE_CHANGED, path=("next_cursor",))
    records = Difference("body", Change.VALUE_CHANGED, path=("items",))
    both = ProbeAnswers(_answer({"items": [1], "next_cursor": "aWQ6Mg=="}), None, _answer({"items": [2], "next_cursor": "2"}))
    assert CursorPagination().judge(both, [spelling, records]) == [records]
    one = ProbeAnswers(_answer({"items": [1], "next_cursor": "aWQ6Mg=="}), None, _answer({"items": [1], "next_cursor": None}))
    assert CursorPagination().judge(one, [spelling]) == [spelling]  # NEW says the list ends: kept


@pytest.mark.parametrize("cursor", ["", "abc", "aWQ6eA=="])
def test_the_pair_refuses_a_cursor_it_did_not_issue(cursor: str) -> None:
    assert page(cursor, 2) == ({"error": "invalid cursor"}, 400)
