"""fuzz and traffic read documents through one contract model (spec/contract.py): built once per
schemathesis schema, and every reader sees the same operations (a `$ref`-ed path item included,
which only fuzz's parameter reader followed when each reader walked the raw dict itself)."""

from __future__ import annotations

import gc
from typing import Any

from apiparity.fuzz import generate
from apiparity.fuzz.generate import declared_response_headers, load_schema, operation_parameters, required_credentials, schema_contract
from apiparity.fuzz.labels.unknown_body_keys import request_body_properties
from apiparity.fuzz.sequences import resources
from apiparity.fuzz.stateful import collect_links, parameter_location
from apiparity.traffic.operations import OperationIndex

# OpenAPI 3.1 lets a path item be a reference (`components/pathItems`)
SHARED_ITEMS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/orders": {"$ref": "#/components/pathItems/Orders"},
        "/orders/{order_id}": {"$ref": "#/components/pathItems/Order"},
    },
    "components": {
        "pathItems": {
            "Orders": {"post": {
                "operationId": "createOrder",
                "security": [{"key": []}],
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"sku": {"type": "string"}}}}}},
                "responses": {"201": {
                    "description": "made",
                    "headers": {"Location": {"schema": {"type": "string"}}},
                    "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "integer"}}}}},
                    "links": {"read": {"operationId": "getOrder", "parameters": {"order_id": "$response.body#/id"}}},
                }},
            }},
            "Order": {
                "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "get": {"operationId": "getOrder", "parameters": [{"name": "expand", "in": "query", "schema": {"type": "boolean"}}],
                        "responses": {"200": {"description": "an order"}}},
            },
        },
        "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}},
    },
}


def test_every_reader_follows_a_referenced_path_item() -> None:
    assert [p["name"] for p in operation_parameters(SHARED_ITEMS, "GET", "/orders/{order_id}")] == ["order_id", "expand"]
    credentials = required_credentials(SHARED_ITEMS, "POST", "/orders")
    assert credentials is not None and credentials.headers == frozenset({"x-key"})
    assert declared_response_headers(SHARED_ITEMS, "POST", "/orders") == {"201": ("location",)}
    assert parameter_location(SHARED_ITEMS, "GET /orders/{order_id}", "expand") == "query"
    assert [(link.source, link.target) for link in collect_links(SHARED_ITEMS)] == [("POST /orders", "GET /orders/{order_id}")]
    assert request_body_properties(SHARED_ITEMS, "POST /orders") == {"sku"}
    assert [r.collection for r in resources(SHARED_ITEMS)] == ["/orders"]
    index = OperationIndex(SHARED_ITEMS)
    assert index.labels == ["POST /orders", "GET /orders/{order_id}"]
    match = index.match("GET", "/orders/7", "expand=true&unknown=1")
    assert (match.operation, match.undocumented) == ("GET /orders/{order_id}", "undocumented query parameter 'unknown'")


def test_the_contract_of_a_schemathesis_schema_is_built_once_and_dropped_with_it() -> None:
    schema = load_schema(SHARED_ITEMS)
    contract = schema_contract(schema)
    assert schema_contract(schema) is contract
    assert contract.document is schema.raw_schema
    assert contract.operation("POST", "/orders") is contract.operation("POST", "/orders")  # each operation read once
    key = id(schema)
    del schema, contract
    gc.collect()
    assert key not in generate._SCHEMA_CONTRACTS
