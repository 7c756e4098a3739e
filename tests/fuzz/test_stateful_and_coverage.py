"""Stateful sequences and the coverage phase's enum variations, on small real Flask/FastAPI pairs
run in-process.

- noise in a chained step: `created_at = now()` set by the create and read back by the linked GET
  is noise of that step (the sequence runs twice on OLD), not a difference of NEW;
- the chained step's answers are judged against the contract like any other case;
- with --shard, a sequence belongs to the shard of its source operation and runs whole;
- the coverage phase varies each value of an optional enum/boolean query parameter alone, so an
  ordering regression that a one-item filtered list hides is observed.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections import Counter
from datetime import datetime, timezone

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from flask import Flask, jsonify, request

from apiparity.pipeline import shard_filter
from apiparity.fuzz.generate import (
    MAX_VALUES_PER_PARAMETER,
    MAX_VARIATIONS_PER_OPERATION,
    enum_variations,
    generate_cases,
    load_schema,
    plan_operations,
)
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.model import FuzzResult
from apiparity.targets.apps import target_from_app

MODULE = __name__

# --------------------------------------------------------------------------------------------------
# Notes: POST /notes (created_at = now()) linked to GET /notes/{note_id}
# --------------------------------------------------------------------------------------------------

NOTE = {
    "type": "object",
    "required": ["id", "title", "created_at"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}},
}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
NOTES_CONTRACT = {
    "openapi": "3.0.3",
    "info": {"title": "notes", "version": "1"},
    "paths": {
        "/notes": {
            "post": {
                "operationId": "createNote",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {
                        "schema": {"type": "object", "required": ["title"],
                                   "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 20}}},
                        "example": {"title": "groceries"},
                    }},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": NOTE}},
                        "links": {"GetCreatedNote": {"operationId": "getNote", "parameters": {"note_id": "$response.body#/id"}}},
                    },
                    "400": {"description": "bad", "content": {"application/json": {"schema": ERROR}}},
                },
            }
        },
        "/notes/{note_id}": {
            "get": {
                "operationId": "getNote",
                "parameters": [{"name": "note_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
                "responses": {
                    "200": {"description": "one note", "content": {"application/json": {"schema": NOTE}}},
                    "404": {"description": "missing", "content": {"application/json": {"schema": ERROR}}},
                },
            }
        },
    },
}

SEEDED = {"id": 1, "title": "seeded", "created_at": "2024-01-01T00:00:00+00:00"}
OLD_NOTES: dict[int, dict] = {}
NEW_NOTES: dict[int, dict] = {}
NEW_BUG: dict[str, str | None] = {"bug": None}  # None: a faithful port


def reset_old() -> None:
    OLD_NOTES.clear()
    OLD_NOTES[1] = dict(SEEDED)


def reset_new() -> None:
    NEW_NOTES.clear()
    NEW_NOTES[1] = dict(SEEDED)


def _valid_title(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("title"), str) and 1 <= len(data["title"]) <= 20


old_notes = Flask("legacy_notes")


@old_notes.post("/notes")
def old_create():
    data = request.get_json(silent=True)
    if not _valid_title(data):
        return jsonify({"error": "invalid"}), 400
    note = {"id": max(OLD_NOTES) + 1, "title": data["title"], "created_at": datetime.now(timezone.utc).isoformat()}
    OLD_NOTES[note["id"]] = note
    return jsonify(note), 201


@old_notes.get("/notes/<int:note_id>")
def old_get(note_id: int):
    note = OLD_NOTES.get(note_id)
    return (jsonify(note), 200) if note else (jsonify({"error": "not found"}), 404)


new_notes = FastAPI()


def _new_json(note: dict) -> dict:
    """GET's answer: a created note (id > 1) is where the seeded bug shows, if any."""
    out = dict(note)
    if note["id"] > 1 and NEW_BUG["bug"] == "created-epoch":
        out["created_at"] = time.time()  # a number where clients parse an ISO date-time
    if note["id"] > 1 and NEW_BUG["bug"] == "created-drops-title":
        out.pop("title")  # only what the sequence creates breaks the contract
    return out


@new_notes.post("/notes")
async def new_create(req: Request):
    try:
        data = await req.json()
    except ValueError:
        data = None
    if not _valid_title(data):
        return JSONResponse({"error": "invalid"}, status_code=400)
    note = {"id": max(NEW_NOTES) + 1, "title": data["title"], "created_at": datetime.now(timezone.utc).isoformat()}
    NEW_NOTES[note["id"]] = note
    return JSONResponse(note, status_code=201)


@new_notes.get("/notes/{note_id}")
async def new_get(note_id: int):
    note = NEW_NOTES.get(note_id)
    return JSONResponse(_new_json(note)) if note else JSONResponse({"error": "not found"}, status_code=404)


def notes_pair():
    contract = copy.deepcopy(NOTES_CONTRACT)  # one document object for both sides, as --contract gives
    old = dataclasses.replace(target_from_app("legacy_notes", old_notes), document=contract)
    new = dataclasses.replace(target_from_app("modern_notes", new_notes), document=contract)
    return old, new


def notes_settings(**extra) -> FuzzSettings:
    values = {"seed": 1, "max_examples": 5, "probes": (), "reset_old": (f"{MODULE}:reset_old",), "reset_new": (f"{MODULE}:reset_new",), **extra}
    return FuzzSettings(**values)


@pytest.fixture
def bug():
    def set_bug(name: str | None) -> None:
        NEW_BUG["bug"] = name

    yield set_bug
    NEW_BUG["bug"] = None


def is_chained(command: str) -> bool:
    """A reproducer that replays earlier steps first: curls joined by &&, or (in-process) one
    test-client snippet with several calls."""
    return " && " in command or command.count("r = client.") > 1


def first_step(command: str) -> str:
    return command.split(" && ")[0] if " && " in command else command.split("r = client.")[1]


def chained(result: FuzzResult, operation: str) -> list:
    return [g for g in result.groups if g.operation == operation and any(is_chained(e.curl_new) for e in g.examples)]


def test_created_at_read_back_by_the_linked_step_is_noise_not_a_difference(bug) -> None:
    old, new = notes_pair()
    result = run_fuzz(old, new, notes_settings())
    get_stats = next(s for s in result.operations if s.operation == "GET /notes/{note_id}")
    assert get_stats.cases > 0 and result.cases > 0
    assert [g.key for g in result.groups] == []  # before: "GET /notes/{note_id} | body $.created_at value changed"
    noise = {(n.operation, n.field_path): n for n in result.noise}
    step = noise[("GET /notes/{note_id}", "$.created_at")]
    assert step.count >= 1 and "stateful" in step.reason


def test_noise_of_a_chained_step_keeps_its_format(bug) -> None:
    """The created_at of a created note varies, but stays an ISO date-time on OLD: NEW's number is kept."""
    bug("created-epoch")
    old, new = notes_pair()
    result = run_fuzz(old, new, notes_settings())
    groups = chained(result, "GET /notes/{note_id}")
    assert groups and all("$.created_at format changed" in g.signature for g in groups)


def test_a_real_difference_in_a_chained_step_is_still_reported(bug) -> None:
    bug("created-drops-title")
    old, new = notes_pair()
    result = run_fuzz(old, new, notes_settings())
    [group] = [g for g in result.groups if g.operation == "GET /notes/{note_id}"]
    assert group.signature == "body $.title missing in NEW"  # created_at cancelled as the step's noise
    assert all(is_chained(e.curl_new) for e in group.examples)


def test_chained_steps_are_judged_against_the_contract(bug) -> None:
    """Only a created note lacks the required `title`: only the chained GET can show it."""
    bug("created-drops-title")
    old, new = notes_pair()
    result = run_fuzz(old, new, notes_settings())
    [group] = [g for g in result.groups if g.operation == "GET /notes/{note_id}"]
    issues = [i for i in result.conformance if i.operation == "GET /notes/{note_id}" and i.side == "new-vs-old-spec"]
    assert issues, [(i.side, i.operation, i.message) for i in result.conformance]
    assert sum(i.count for i in issues) == group.count
    assert all(is_chained(i.example.curl_new) and ("-X POST" in first_step(i.example.curl_new) or first_step(i.example.curl_new).startswith('request("POST"'))
               for i in issues)
    assert not [i for i in result.conformance if i.side == "old"]  # OLD's answers to the same steps conform


def test_without_stateful_phase_nothing_chained_is_sent(bug) -> None:
    bug("created-drops-title")
    old, new = notes_pair()
    result = run_fuzz(old, new, notes_settings(phases=("examples", "coverage", "fuzzing")))
    assert [g.key for g in result.groups] == []


def _shard_results(shards: int) -> list[FuzzResult]:
    old, new = notes_pair()
    return [run_fuzz(old, new, notes_settings(), operations_filter=shard_filter(old.document, (index, shards)))
            for index in range(1, shards + 1)]


def test_shards_run_every_sequence_of_their_source_operations(bug) -> None:
    """POST /notes (the source) and GET /notes/{note_id} (the target) fall in different shards: the
    source's shard runs the sequence whole, so the shards together send what one run sends and find
    what it finds (before: the sequence was skipped as its target was `not in this shard`)."""
    bug("created-drops-title")
    old, new = notes_pair()
    single = run_fuzz(old, new, notes_settings())
    parts = _shard_results(2)
    assert sum(r.cases for r in parts) == single.cases
    per_operation: Counter[str] = Counter()
    for part in parts:
        for stats in part.operations:
            per_operation[stats.operation] += stats.cases
    assert per_operation == Counter({s.operation: s.cases for s in single.operations})
    merged_groups: Counter[str] = Counter()
    for part in parts:
        for group in part.groups:
            merged_groups[group.key] += group.count
    assert merged_groups == Counter({g.key: g.count for g in single.groups})
    assert any(g.operation == "GET /notes/{note_id}" for g in single.groups)
    issues = Counter()
    for part in parts:
        for issue in part.conformance:
            issues[(issue.side, issue.operation, issue.check)] += issue.count
    assert issues == Counter({(i.side, i.operation, i.check): i.count for i in single.conformance})


def test_an_excluded_target_still_stops_its_sequences(bug) -> None:
    bug("created-drops-title")
    old, new = notes_pair()
    result = run_fuzz(old, new, notes_settings(exclude=("GET /notes/{note_id}",)))
    assert [g for g in result.groups if g.operation == "GET /notes/{note_id}"] == []


# --------------------------------------------------------------------------------------------------
# Products: GET /products?in_stock=&category=&sort= (the coverage phase's enum variations)
# --------------------------------------------------------------------------------------------------

PRODUCTS = [
    {"sku": "a1", "category": "tools", "price": 5.0, "stock": 3},
    {"sku": "b2", "category": "garden", "price": 9.5, "stock": 0},
    {"sku": "c3", "category": "garden", "price": 2.25, "stock": 7},
    {"sku": "d4", "category": "toys", "price": 14.0, "stock": 1},
]
SORTS = ["sku", "-sku", "price", "-price"]
PRODUCTS_CONTRACT = {
    "openapi": "3.0.3",
    "info": {"title": "products", "version": "1"},
    "paths": {
        "/products": {
            "get": {
                "parameters": [
                    {"name": "in_stock", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "category", "in": "query", "schema": {"$ref": "#/components/schemas/Category"}},
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": SORTS, "default": "sku"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}}}}}}},
            }
        },
    },
    "components": {"schemas": {"Category": {"type": "string", "enum": ["tools", "garden", "toys"]}}},
}


def _listing(args, descending_price: bool) -> tuple[dict, int]:
    found = list(PRODUCTS)
    in_stock = args.get("in_stock")
    if in_stock is not None:
        if in_stock not in ("true", "false"):
            return {"error": "in_stock"}, 400
        found = [p for p in found if (p["stock"] > 0) == (in_stock == "true")]
    category = args.get("category")
    if category is not None:
        found = [p for p in found if p["category"] == category]
    sort = args.get("sort", "sku")
    if sort not in SORTS:
        return {"error": "sort"}, 400
    key = sort.lstrip("-")
    reverse = sort.startswith("-") and (key != "price" or descending_price)
    found.sort(key=lambda p: p[key], reverse=reverse)
    raw = args.get("limit", "20")
    if not raw.isdigit() or not 1 <= int(raw) <= 50:
        return {"error": "limit"}, 400
    return {"items": found[: int(raw)]}, 200


old_products = Flask("legacy_products")


@old_products.get("/products")
def old_list():
    body, status = _listing(request.args, descending_price=True)
    return jsonify(body), status


new_products = FastAPI()


@new_products.get("/products")
async def new_list(req: Request):
    body, status = _listing(req.query_params, descending_price=False)  # sort=-price ascending: the regression
    return JSONResponse(body, status_code=status)


def products_pair():
    contract = copy.deepcopy(PRODUCTS_CONTRACT)
    old = dataclasses.replace(target_from_app("legacy_products", old_products), document=contract)
    new = dataclasses.replace(target_from_app("modern_products", new_products), document=contract)
    return old, new


def coverage_targets(document: dict, label: str, **extra) -> list[str]:
    settings = FuzzSettings(seed=1, max_examples=0, phases=("coverage",), probes=(), **extra)
    [planned] = [p for p in plan_operations(load_schema(document), settings) if p.label == label]
    cases, problems = generate_cases(planned.operation, settings, label=label)
    assert problems == []
    return [c.request.target for c in cases]


def test_coverage_varies_each_enum_value_alone() -> None:
    targets = coverage_targets(PRODUCTS_CONTRACT, "GET /products")
    for sort in SORTS:
        assert f"/products?sort={sort}" in targets
    for category in ("tools", "garden", "toys"):  # a $ref'd enum
        assert f"/products?category={category}" in targets
    assert "/products?in_stock=true" in targets and "/products?in_stock=false" in targets
    assert len(targets) == len(set(targets))


def test_coverage_variations_are_deterministic() -> None:
    assert coverage_targets(PRODUCTS_CONTRACT, "GET /products") == coverage_targets(PRODUCTS_CONTRACT, "GET /products")


def test_an_ordering_regression_hidden_by_the_filtered_base_is_found() -> None:
    """schemathesis varies `sort` on `in_stock=true&category=tools` (one product, no order to see);
    alone, `sort=-price` lists four products and NEW's ascending order shows."""
    old, new = products_pair()
    result = run_fuzz(old, new, FuzzSettings(seed=1, max_examples=0, phases=("examples", "coverage"), probes=()))
    groups = [g for g in result.groups if g.operation == "GET /products"]
    assert groups
    queries = [dict(e.request.query) for g in groups for e in g.examples]
    assert {"sort": "-price"} in queries
    assert all(q.get("sort") == "-price" for q in queries)  # nothing else differs


def test_required_parameters_stay_and_variations_are_bounded() -> None:
    many = [{"name": f"p{i}", "in": "query", "schema": {"type": "string", "enum": [f"v{j}" for j in range(20)]}} for i in range(6)]
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/search": {"get": {
            "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 2}},
                           {"name": "X-Trace", "in": "header", "schema": {"type": "string", "enum": ["on"]}}, *many],
            "responses": {"200": {"description": "ok"}},
        }}},
    }
    settings = FuzzSettings(seed=1, max_examples=0, phases=("coverage",), probes=())
    [planned] = plan_operations(load_schema(document), settings)
    cases, _ = generate_cases(planned.operation, settings, label=planned.label)
    base = cases[0].case
    variations = list(enum_variations(planned.operation, base))
    assert len(variations) == MAX_VARIATIONS_PER_OPERATION  # 6 x 20 values, bounded
    assert all(v.query == {"q": base.query["q"], "p0": f"v{j}"} for j, v in enumerate(variations[:MAX_VALUES_PER_PARAMETER]))
    assert all(set(v.query) == {"q", f"p{i // MAX_VALUES_PER_PARAMETER}"} for i, v in enumerate(variations))
    assert all(not v.headers for v in variations)  # the optional header left out too


def test_negative_mode_gets_no_positive_variations() -> None:
    targets = coverage_targets(PRODUCTS_CONTRACT, "GET /products", mode="negative")
    assert "/products?sort=-price" not in targets


def test_links_are_inferred_for_a_document_that_declares_none() -> None:
    """Swagger 2.0 cannot declare links and most framework documents do not: POST /books answering
    an `id` leads to every operation on /books/{book_id}; a parent's path parameter carries over."""
    from apiparity.fuzz.stateful import infer_links

    created = {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Book"}}}}}
    document = {
        "paths": {
            "/books/": {"post": {"responses": created}, "get": {"responses": {"200": {"description": "all"}}}},
            "/books/{book_id}": {"get": {"responses": {}}, "delete": {"responses": {}}},
            "/shelves/{shelf_id}/books": {"post": {"responses": created}},
            "/shelves/{shelf_id}/books/{book_id}": {"put": {"responses": {}}},
            "/authors": {"post": {"responses": {"201": {"description": "no body"}}}},
            "/authors/{author_id}": {"get": {"responses": {}}},
        },
        "components": {"schemas": {"Book": {"allOf": [{"type": "object", "properties": {"id": {"type": "integer"}}}]}}},
    }
    links = {(link.source, link.target): link.parameters for link in infer_links(document)}
    assert links == {
        ("POST /books/", "GET /books/{book_id}"): {"book_id": ("path", "$response.body#/id")},
        ("POST /books/", "DELETE /books/{book_id}"): {"book_id": ("path", "$response.body#/id")},
        ("POST /shelves/{shelf_id}/books", "PUT /shelves/{shelf_id}/books/{book_id}"): {
            "book_id": ("path", "$response.body#/id"), "shelf_id": ("path", "$request.path.shelf_id")},
    }
