"""The value pool: what OLD answered (ids, keys, values, nested in envelopes and lists, Location
headers) fills later path and query parameters, so requests reach records that exist."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from flask_openapi3 import OpenAPI
from pydantic import BaseModel

from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.values import ValuePool, collection_of, pooled_count
from apiparity.targets.apps import target_from_app


def test_the_pool_learns_nested_ids_and_locations_per_collection() -> None:
    pool = ValuePool()
    pool.learn("/books", {"data": [{"id": 48213, "slug": "dune", "author": {"id": 7, "name": "Herbert"}}], "meta": {"page": 1}})
    pool.learn("/books", None, location="/books/90877")
    assert pool.path_values("/books/{book_id}", "book_id") == [48213, 7, 90877]
    assert pool.path_values("/books/{slug}", "slug") == ["dune"]  # its own name first
    assert pool.query_values("name") == ["Herbert"]
    assert pool.path_values("/shelves/{shelf_id}", "shelf_id") == []
    assert collection_of("/authors/{author_id}/books/{book_id}") == collection_of("/authors/{a}/books") == "/authors/{}/books"
    assert pooled_count(0) == 0 and pooled_count(1) == 1 and pooled_count(100) == 8


class BookPath(BaseModel):
    book_id: int


BOOKS = {48213: {"id": 48213, "title": "Dune"}, 90877: {"id": 90877, "title": "Emma"}}


def _pair():
    legacy = OpenAPI(__name__, security_schemes={})

    @legacy.get("/books", responses={200: None})
    def list_books():
        return {"data": list(BOOKS.values())}

    @legacy.get("/books/<int:book_id>", responses={200: None, 404: None})
    def get_book(path: BookPath):
        book = BOOKS.get(path.book_id)
        return ({"book": book}, 200) if book else ({"detail": "not found"}, 404)

    modern = FastAPI()

    @modern.get("/books")
    def list_books_new():
        return {"data": list(BOOKS.values())}

    @modern.get("/books/{book_id}")
    def get_book_new(book_id: int):
        book = BOOKS.get(book_id)
        if book is None:
            raise HTTPException(404, "not found")
        return {"book": {"id": book["id"], "name": book["title"]}}  # a rename seen only on an existing record

    old, new = target_from_app("legacy", legacy), target_from_app("modern", modern)
    new.document = old.document  # one contract: the rename is the only difference
    return old, new


def _renamed(result) -> bool:
    return any(g.operation == "GET /books/{book_id}" and "$.book.title" in g.signature for g in result.groups)


def test_an_existing_record_is_reached_through_the_pool_and_only_through_it() -> None:
    old, new = _pair()
    settings = dict(seed=1, max_examples=20, probes=())
    pooled = run_fuzz(old, new, FuzzSettings(**settings))
    assert _renamed(pooled)
    stats = next(s for s in pooled.operations if s.operation == "GET /books/{book_id}")
    assert stats.pooled_cases >= 1 and stats.pooled_found == stats.pooled_cases
    blind = run_fuzz(old, new, FuzzSettings(**settings, value_pool=False))
    assert not _renamed(blind)
    assert all(s.pooled_cases == 0 for s in blind.operations)


def test_pooled_cases_are_the_same_for_the_same_seed() -> None:
    old, new = _pair()
    first = run_fuzz(old, new, FuzzSettings(seed=3, max_examples=5, probes=()))
    second = run_fuzz(old, new, FuzzSettings(seed=3, max_examples=5, probes=()))
    assert [(s.operation, s.cases, s.pooled_cases) for s in first.operations] == [(s.operation, s.cases, s.pooled_cases) for s in second.operations]
