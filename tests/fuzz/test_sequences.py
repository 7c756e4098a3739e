"""Links inferred from nested identifiers and Location headers, links firing on any 2XX with a note
for each that never fired, and multi-step sequences from the path hierarchy.

The in-process pairs here are small real Flask/FastAPI apps; the blog pair (tests/pairs/blog) is
the whole-scenario test.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from flask import Flask, jsonify, request

from apiparity.fuzz.links import LOCATION, answered_identifier, find_identifier, infer_links, location_value
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.sequences import MAX_SEQUENCES, MAX_STEPS, resources, schedule, templates
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.stateful import Link
from apiparity.fuzz.wire import WireResponse
from apiparity.model import FuzzResult, Report
from apiparity.report import render
from apiparity.targets.apps import target_from_app

MODULE = __name__
BLOG = yaml.safe_load((Path(__file__).resolve().parents[1] / "pairs" / "blog" / "contract.yaml").read_text())


def answer(body: object = None, status: int = 201, location: str | None = None) -> WireResponse:
    headers = [("content-type", "application/json")] + ([("location", location)] if location else [])
    return WireResponse(status=status, headers=headers, body=json.dumps(body).encode() if body is not None else b"")


# --------------------------------------------------------------------------------------------------
# Inference
# --------------------------------------------------------------------------------------------------


def test_links_are_inferred_from_nested_identifiers_of_envelopes() -> None:
    """Before: only a top-level `id` made a link, so `{"article": {"slug": ...}}` made none."""
    links = {(link.source, link.target): link.parameters for link in infer_links(BLOG)}
    assert links[("POST /articles", "GET /articles/{slug}")] == {"slug": ("path", "$response.body#/article/slug")}
    assert links[("POST /articles", "DELETE /articles/{slug}")] == {"slug": ("path", "$response.body#/article/slug")}
    assert links[("POST /articles", "POST /articles/{slug}/comments")] == {"slug": ("path", "$response.body#/article/slug")}
    # a comment's `id`, under its envelope, names {comment_id}; the article's slug carries over
    assert links[("POST /articles/{slug}/comments", "DELETE /articles/{slug}/comments/{comment_id}")] == {
        "comment_id": ("path", "$response.body#/comment/id"), "slug": ("path", "$request.path.slug")}
    # a sibling path whose parameter is named like a nested property: author.username -> /profiles/{username}
    assert links[("POST /articles", "GET /profiles/{username}")] == {"username": ("path", "$response.body#/article/author/username")}
    assert ("POST /articles", "GET /articles/{slug}/comments/{comment_id}") not in links  # no comment_id in an article
    assert all(link.inferred for link in infer_links(BLOG))


def test_a_documented_location_header_names_the_created_item() -> None:
    document = {"paths": {
        "/books": {"post": {"responses": {"201": {"description": "created", "headers": {"Location": {"schema": {"type": "string"}}}}}}},
        "/books/{isbn}": {"get": {"responses": {}}},
    }}
    [link] = infer_links(document)
    assert (link.source, link.target, link.parameters) == ("POST /books", "GET /books/{isbn}", {"isbn": ("path", LOCATION)})


def test_identifiers_are_found_at_any_depth_and_in_arrays() -> None:
    body = {"data": [{"comment": {"id": 7, "author": {"id": 1, "username": "jake"}}}]}
    assert find_identifier(body, ("comment_id", "id")) == ("/data/0/comment/id", 7)  # the shallower `id` wins
    assert find_identifier(body, ("username",)) == ("/data/0/comment/author/username", "jake")
    assert find_identifier({"article": {"title": "x"}}, ("slug",)) is None


def test_the_location_segment_of_the_parameter_is_read() -> None:
    created = answer({}, location="http://127.0.0.1:8000/api/shelves/3/books/97801?x=1")
    assert location_value(created, "/shelves/{shelf_id}/books/{isbn}", "isbn", "/api") == 97801
    assert location_value(created, "/shelves/{shelf_id}/books/{isbn}", "shelf_id", "/api") == 3
    assert location_value(created, "/books/{isbn}", "isbn", "/api") is None  # another path: says nothing
    assert answered_identifier(answer({"title": "x"}, location="/api/books/b-1"), "book_id", "/books/{book_id}", item=True,
                               base_path="/api") == "b-1"


def test_a_link_on_201_fires_on_any_2xx() -> None:
    link = Link("l", "POST /a", "201", "GET /a/{id}")
    assert link.applies_to(201) and link.applies_to(200) and link.applies_to(204)
    assert not link.applies_to(404) and not link.applies_to(302)
    assert not Link("l", "POST /a", "404", "GET /a/{id}").applies_to(200)


# --------------------------------------------------------------------------------------------------
# Declared links: firing on 200, and a note for the one that never fired
# --------------------------------------------------------------------------------------------------

ITEM = {"type": "object", "properties": {"item": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}}}
ITEMS_CONTRACT = {
    "openapi": "3.0.3",
    "info": {"title": "items", "version": "1"},
    "paths": {
        "/items": {"post": {
            "operationId": "createItem",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 10}}},
                "example": {"name": "pen"}}}},
            "responses": {"201": {
                "description": "created",
                "content": {"application/json": {"schema": ITEM}},
                "links": {
                    "GetItem": {"operationId": "getItem", "parameters": {"item_id": "$response.body#/item/id"}},
                    "GetItemTopLevel": {"operationId": "getItem", "parameters": {"item_id": "$response.body#/id"}},
                },
            }},
        }},
        "/items/{item_id}": {"get": {
            "operationId": "getItem",
            "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "one", "content": {"application/json": {"schema": ITEM}}}, "404": {"description": "missing"}},
        }},
    },
}
OLD_ITEMS: dict[int, dict] = {}
NEW_ITEMS: dict[int, dict] = {}
NEW_LOSES_NAME = {"on": False}


def reset_old() -> None:
    OLD_ITEMS.clear()


def reset_new() -> None:
    NEW_ITEMS.clear()


old_items = Flask("legacy_items")


@old_items.post("/items")
def old_create():
    data = request.get_json(silent=True) or {}
    item = {"id": len(OLD_ITEMS) + 1, "name": str(data.get("name", ""))}
    OLD_ITEMS[item["id"]] = item
    return jsonify({"item": item}), 200  # the document says 201: the link must still fire


@old_items.get("/items/<int:item_id>")
def old_get(item_id: int):
    item = OLD_ITEMS.get(item_id)
    return (jsonify({"item": item}), 200) if item else (jsonify({}), 404)


new_items = FastAPI()


@new_items.post("/items")
async def new_create(req: Request):
    data = await req.json()
    item = {"id": len(NEW_ITEMS) + 1, "name": str(data.get("name", ""))}
    NEW_ITEMS[item["id"]] = item
    return JSONResponse({"item": item}, status_code=200)


@new_items.get("/items/{item_id}")
async def new_get(item_id: int):
    item = NEW_ITEMS.get(item_id)
    if item is None:
        return JSONResponse({}, status_code=404)
    return JSONResponse({"item": {"id": item["id"]} if NEW_LOSES_NAME["on"] else item})


def items_result(**extra: object) -> FuzzResult:
    contract = copy.deepcopy(ITEMS_CONTRACT)
    old = dataclasses.replace(target_from_app("legacy_items", old_items), document=contract)
    new = dataclasses.replace(target_from_app("modern_items", new_items), document=contract)
    settings = FuzzSettings(seed=1, max_examples=3, probes=(), reset_old=(f"{MODULE}:reset_old",), reset_new=(f"{MODULE}:reset_new",), **extra)
    return run_fuzz(old, new, settings)


@pytest.fixture
def loses_name():
    NEW_LOSES_NAME["on"] = True
    yield
    NEW_LOSES_NAME["on"] = False


def test_a_declared_link_on_201_fires_when_old_answers_200(loses_name) -> None:
    """Before: OLD's 200 never matched the link's 201, nothing followed it, and nothing said so."""
    result = items_result()
    notes = {note.name: note for note in result.links}
    assert notes["GetItem"].fired > 0 and notes["GetItem"].reason is None
    # only the linked read of a created item shows NEW's missing name
    assert any(g.operation == "GET /items/{item_id}" and "$.item.name" in g.signature for g in result.groups)


def test_a_declared_link_that_never_fired_is_noted_with_its_reason() -> None:
    result = items_result()
    note = next(n for n in result.links if n.name == "GetItemTopLevel")
    assert note.declared and note.fired == 0
    assert note.reason == "unresolved" and "$response.body#/id" in note.detail
    report = Report(command="fuzz", fuzz=result)
    text = render(report, "text")
    assert "link never fired" in text and "GetItemTopLevel" in text and "unresolved" in text
    assert "GetItemTopLevel" in render(report, "html")
    [data] = [n for n in json.loads(render(report, "json"))["fuzz"]["links"] if n["name"] == "GetItemTopLevel"]
    assert data["reason"] == "unresolved" and data["fired"] == 0


def test_a_link_whose_source_old_refuses_says_so() -> None:
    result = items_result(include=("POST /items",), exclude=("GET /items/{item_id}",))
    notes = [n for n in result.links if n.declared]
    assert notes and all(n.fired == 0 and n.reason == "not-run" and "GET /items/{item_id}" in n.detail for n in notes)


# --------------------------------------------------------------------------------------------------
# Sequences from the path hierarchy
# --------------------------------------------------------------------------------------------------


def test_resources_and_their_children_are_read_from_the_paths() -> None:
    found = {r.collection: r for r in resources(BLOG)}
    assert set(found) == {"/articles", "/articles/{slug}/comments"}
    assert (found["/articles"].item, found["/articles"].parameter, found["/articles"].parent) == ("/articles/{slug}", "slug", None)
    comments = found["/articles/{slug}/comments"]
    assert (comments.item, comments.parameter, comments.parent) == ("/articles/{slug}/comments/{comment_id}", "comment_id", "/articles")


def test_templates_go_from_parent_to_child_and_back() -> None:
    made = {t.name: [s.label for s in t.steps] for t in templates(BLOG)}
    assert made["create a child (/articles/{slug}/comments), then delete the parent with it present"] == [
        "POST /articles", "POST /articles/{slug}/comments", "GET /articles/{slug}/comments", "DELETE /articles/{slug}",
        "GET /articles/{slug}", "GET /articles/{slug}/comments/{comment_id}"]
    assert made["update (PUT /articles/{slug}), then read back"] == [
        "POST /articles", "GET /articles/{slug}", "PUT /articles/{slug}", "GET /articles/{slug}", "GET /articles"]
    assert all(2 <= len(steps) <= MAX_STEPS for steps in made.values())
    assert max(len(steps) for steps in made.values()) >= 6


def test_a_filtered_out_operation_leaves_its_steps_out() -> None:
    made = templates(BLOG, available=lambda label: label != "DELETE /articles/{slug}")
    assert all("DELETE /articles/{slug}" not in [s.label for s in t.steps] for t in made)
    assert templates(BLOG, available=lambda label: label != "POST /articles") == []


def test_the_schedule_is_bounded_deterministic_and_covers_every_resource() -> None:
    made = templates(BLOG)
    first, again, other = schedule(made, 1), schedule(made, 1), schedule(made, 2)
    assert [(t.name, r) for t, r in first] == [(t.name, r) for t, r in again]
    assert [t.name for t, _ in first] != [t.name for t, _ in other]
    assert len(first) <= MAX_SEQUENCES and len(schedule(made, 1, limit=3)) == 3
    assert {t.resource for t, _ in schedule(made, 1, limit=2)} == {"/articles", "/articles/{slug}/comments"}


def test_merged_shards_add_up_sequences_and_keep_the_reason_of_the_shard_that_ran_the_source() -> None:
    from apiparity.model import LinkNote, SequenceStats
    from apiparity.report.sequences import combine_links, combine_sequences

    def note(fired: int, reason: str | None, detail: str = "") -> LinkNote:
        return LinkNote(name="L", source="POST /a", target="GET /a/{id}", status="201", declared=True, fired=fired,
                        reason=reason, detail=detail)  # type: ignore[arg-type]

    [silent] = combine_links([[note(0, "not-run", "other shard")], [note(0, "unresolved", "id = $response.body#/id")]])
    assert (silent.fired, silent.reason, silent.detail) == (0, "unresolved", "id = $response.body#/id")
    [fired] = combine_links([[note(0, "not-run")], [note(2, None)], [note(1, None)]])
    assert (fired.fired, fired.reason) == (3, None)
    total = combine_sequences([SequenceStats(2, 9, 5, {"4": 1, "5": 1}, {"/a": 2}), None, SequenceStats(1, 6, 6, {"6": 1}, {"/b": 1})])
    assert total is not None and (total.sequences, total.steps, total.longest) == (3, 15, 6)
    assert total.by_length == {"4": 1, "5": 1, "6": 1} and total.by_resource == {"/a": 2, "/b": 1}
    assert combine_sequences([None, None]) is None
