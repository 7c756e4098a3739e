"""The contract model fuzz and traffic read documents through (spec/contract.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from apiparity.spec.contract import Contract
from apiparity.spec.methods import HTTP_METHODS, SWAGGER2_METHODS
from apiparity.targets.swagger2 import convert_swagger2

BOOKS_30: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "books", "version": "1"},
    "security": [{"key": {}}],
    "paths": {
        "/books/{book_id}": {
            "parameters": [
                {"$ref": "#/components/parameters/BookId"},
                {"name": "lang", "in": "query", "schema": {"type": "string"}},
            ],
            "get": {
                "operationId": "getBook",
                "tags": ["books"],
                "parameters": [{"name": "lang", "in": "query", "schema": {"$ref": "#/components/schemas/Lang"}}],
                "responses": {
                    "200": {"$ref": "#/components/responses/Book"},
                    "4XX": {"description": "client error", "content": {"application/problem+json": {"schema": {"type": "object"}}}},
                    "default": {"description": "other"},
                },
            },
            "put": {
                "security": [],
                "requestBody": {"$ref": "#/components/requestBodies/Book"},
                "responses": {"204": {"description": "saved"}},
            },
        },
    },
    "components": {
        "parameters": {"BookId": {"name": "book_id", "in": "path", "schema": {"type": "integer"}}},
        "schemas": {
            "Lang": {"type": "string", "enum": ["en", "fr"]},
            "Book": {"type": "object", "properties": {"id": {"type": "integer"}, "next": {"$ref": "#/components/schemas/Book"}}},
        },
        "responses": {"Book": {
            "description": "a book",
            "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Book"}}},
            "links": {"self": {"$ref": "#/components/links/Self"}, "gone": {"$ref": "#/components/links/Nowhere"}},
        }},
        "requestBodies": {"Book": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Book"}}}}},
        "headers": {"ETag": {"schema": {"type": "string"}}},
        "links": {"Self": {"operationId": "getBook", "parameters": {"book_id": "$response.body#/id"}}},
        "securitySchemes": {"key": {"$ref": "#/components/securitySchemes/Key"}, "Key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
    },
}


def test_operation_resolves_parameters_bodies_responses_and_links() -> None:
    contract = Contract(BOOKS_30)
    get = contract.operation("get", "/books/{book_id}")
    assert get is not None and get.label == "GET /books/{book_id}"
    assert (get.operation_id, get.tags) == ("getBook", ("books",))
    # path-level parameters first, the one the operation redefines (same name and `in`) replaced by its own
    assert [(p.location, p.name) for p in get.parameters] == [("path", "book_id"), ("query", "lang")]
    book_id = get.parameter("path", "book_id")
    assert book_id is not None and book_id.required and book_id.schema == {"type": "integer"}
    lang = get.parameter("query", "lang")
    assert lang is not None and not lang.required and lang.schema == {"type": "string", "enum": ["en", "fr"]}
    assert [p.name for p in get.parameters_in("query")] == ["lang"]

    ok = get.responses["200"]
    assert ok.content["application/json"].schema is BOOKS_30["components"]["schemas"]["Book"]
    assert ok.json_schemas() == [BOOKS_30["components"]["schemas"]["Book"]]
    assert ok.headers["ETag"] == {"schema": {"type": "string"}}
    assert dict(ok.links) == {"self": {"operationId": "getBook", "parameters": {"book_id": "$response.body#/id"}}}
    assert get.security == ({"key": {}},)  # the document's, inherited

    put = contract.operation("PUT", "/books/{book_id}")
    assert put is not None and put.security == ()  # explicitly public
    assert put.request_body is not None and put.request_body.required
    media = put.request_body.json_media()
    assert media is not None and media.schema is BOOKS_30["components"]["schemas"]["Book"]
    assert contract.security_scheme("key") == {"type": "apiKey", "in": "header", "name": "X-Key"}


def test_response_for_falls_back_to_the_range_then_default() -> None:
    get = Contract(BOOKS_30).operation("GET", "/books/{book_id}")
    assert get is not None
    assert [(s, r.status if (r := get.response_for(s)) else None) for s in (200, 404, 500)] == [(200, "200"), (404, "4XX"), (500, "default")]
    empty = Contract({"paths": {"/a": {"get": {"responses": {"200": {}, "default": {"description": "x"}}}}}}).operation("GET", "/a")
    assert empty is not None and empty.response_for(200) is empty.responses["default"]  # an empty declaration falls through


def test_operations_in_document_order_and_path_methods() -> None:
    contract = Contract(BOOKS_30)
    assert [op.label for op in contract.operations()] == ["GET /books/{book_id}", "PUT /books/{book_id}"]
    assert contract.path_methods("/books/{book_id}") == frozenset({"GET", "PUT"})
    assert contract.path_methods("/nowhere") == frozenset()
    assert contract.operation("POST", "/books/{book_id}") is None
    assert contract.operation_of("GET /books/{book_id}") is contract.operation("GET", "/books/{book_id}")  # read once
    listed = Contract({"paths": {"/b": {"post": {}, "summary": "x", "get": {}}, "/a": {"delete": {}}}})
    assert [op.label for op in listed.operations()] == ["POST /b", "GET /b", "DELETE /a"]  # as the document lists them


def test_the_model_is_read_only() -> None:
    get = Contract(BOOKS_30).operation("GET", "/books/{book_id}")
    assert get is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        get.method = "POST"  # type: ignore[misc]
    with pytest.raises(TypeError):
        get.responses["201"] = get.responses["200"]  # type: ignore[index]


def test_broken_references_and_cycles_never_raise() -> None:
    document: dict[str, Any] = {
        "paths": {
            "/loop": {"get": {
                "parameters": [{"$ref": "#/components/parameters/A"}, {"$ref": "#/components/parameters/Missing"}, "junk",
                               {"$ref": "#/paths/~1loop/get/parameters/0"}],
                "requestBody": {"$ref": "#/nowhere/at/all"},
                "responses": {"200": {"$ref": "#/components/responses/R"}, "404": {"$ref": "#/components/responses/Cycle"}},
            }},
            "/ref-item": {"$ref": "#/components/pathItems/Item"},
            "/not-an-item": ["get"],
        },
        "components": {
            "parameters": {"A": {"$ref": "#/components/parameters/B"}, "B": {"$ref": "#/components/parameters/A"}},
            "responses": {"R": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gone"}}},
                                "headers": {"X": {"$ref": "#/x"}}, "links": {"l": {"$ref": "#/y"}}},
                          "Cycle": {"$ref": "#/components/responses/Cycle"}},
            "pathItems": {"Item": {"get": {"responses": {}}}},
        },
    }
    contract = Contract(document)
    loop = contract.operation("GET", "/loop")
    assert loop is not None
    assert loop.parameters == ()  # cyclic, missing, not objects: left out
    assert loop.request_body is None
    ok = loop.responses["200"]
    assert ok.content["application/json"].schema is None and ok.headers == {"X": None} and dict(ok.links) == {}
    cycle = loop.response_for(404)  # a reference cycle is given up on, not raised: it declares nothing
    assert cycle is not None and (dict(cycle.content), dict(cycle.headers), cycle.json_schemas()) == ({}, {}, [])
    item = contract.operation("GET", "/ref-item")  # a `$ref`-ed path item
    assert item is not None and item.responses == {}
    assert contract.operation("GET", "/not-an-item") is None
    assert contract.resolve({"$ref": "#/components/parameters/A"}) in document["components"]["parameters"].values()


@pytest.mark.parametrize("broken", [None, [], "x", {"paths": []}, {"components": []}, {"components": {"securitySchemes": []}}])
def test_documents_of_the_wrong_shape_have_no_operations(broken: Any) -> None:
    contract = Contract(broken)
    assert list(contract.operations()) == [] and contract.operation("GET", "/a") is None
    assert contract.security_scheme("x") is None and contract.path_methods("/a") == frozenset()


def test_operations_of_the_wrong_shape_are_read_as_far_as_they_go() -> None:
    get = Contract({"paths": {"/a": {"get": {"parameters": {}, "responses": [], "requestBody": [], "tags": "t"}}}}).operation("GET", "/a")
    assert get is not None
    assert (get.parameters, get.request_body, dict(get.responses), get.tags, get.response_for(200)) == ((), None, {}, (), None)


def test_resolve_follows_chains_and_stops_on_cycles() -> None:
    document = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/c"}, "c": {"type": "string"}, "list": [{"type": "integer"}],
                "self": {"$ref": "#/self"}, "t~/": {"type": "boolean"}}
    contract = Contract(document)
    assert contract.resolve({"$ref": "#/a"}) == {"type": "string"}
    assert contract.resolve({"$ref": "#/list/0"}) == {"type": "integer"}
    assert contract.resolve({"$ref": "#/t~0~1"}) == {"type": "boolean"}
    assert contract.resolve({"$ref": "#/missing/deeper"}) is None
    assert contract.resolve({"$ref": "#/self"}) == {"$ref": "#/self"}  # a cycle: given up on, not raised
    assert contract.resolve({"$ref": "other.yaml#/x"}) == {"$ref": "other.yaml#/x"}  # not local: bundled before a run
    assert contract.resolve_dict({"$ref": "#/missing"}) is None


def test_openapi_31_webhooks_type_lists_and_refs_with_siblings() -> None:
    document = {
        "openapi": "3.1.0",
        "paths": {"/items": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item", "description": "x"}}}},
            "responses": {"201": {"description": "made", "content": {"application/json": {
                "schema": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}}}}}}},
        }}},
        "webhooks": {"newItem": {"post": {"responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"Item": {"type": "object"}}},
    }
    post = Contract(document).operation("POST", "/items")
    assert post is not None and post.request_body is not None
    # a 3.1 `$ref` with siblings is its target (the runtime reads types, not annotations beside a reference)
    assert post.request_body.content["application/json"].schema == {"type": "object"}
    assert post.responses["201"].json_schemas()[0]["type"] == ["object", "null"]  # as written, not normalized
    assert [op.label for op in Contract(document).operations()] == ["POST /items"]  # webhooks are not operations of the API


def test_swagger2_documents_are_read_once_converted() -> None:
    swagger = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "integer"}],
            "get": {"produces": ["application/json"],
                    "responses": {"200": {"description": "a pet", "schema": {"$ref": "#/definitions/Pet"}}}},
        }},
        "definitions": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    contract = Contract(convert_swagger2(swagger, "pets.json"))
    get = contract.operation("GET", "/pets/{id}")
    assert get is not None
    id_parameter = get.parameter("path", "id")
    assert id_parameter is not None and id_parameter.schema == {"type": "integer"}
    assert get.responses["200"].content["application/json"].schema == {"type": "object", "properties": {"name": {"type": "string"}}}
    assert [op.label for op in contract.operations()] == ["GET /pets/{id}"]


def test_one_method_list_and_swagger2_derived_from_it() -> None:
    assert HTTP_METHODS == ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    assert SWAGGER2_METHODS == HTTP_METHODS[:-1]  # Swagger 2.0 path items have no `trace`
