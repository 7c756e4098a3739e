"""A witness differs from an instance OLD accepts only where the change is: no optional property
with another cause, plain numbers (0, 1, bound + 1), short strings."""

from __future__ import annotations

from typing import Any

import pytest

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.diff.witness import Budget, Outcome, WitnessSearch

from .helpers import document, ok

NULLABLE = {"type": ["string", "null"]}


def _request(body: dict[str, Any]) -> dict[str, Any]:
    return document({"/t": {"post": {"requestBody": {"content": {"application/json": {"schema": body}}}, "responses": {"200": ok({"type": "string"})}}}})


def _response(body: dict[str, Any]) -> dict[str, Any]:
    return document({"/t": {"get": {"responses": {"200": ok(body)}}}})


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


CASES = [
    pytest.param(_request, _object(["kind"], kind={"type": "string", "enum": ["a", "b", "c"]}, note=NULLABLE),
                 _object(["kind"], kind={"type": "string", "enum": ["a", "b"]}, note=NULLABLE),
                 "request-body-enum-value-removed", "c", id="enum-value-removed"),
    pytest.param(_request, _object([], name={"type": "string"}, client_secret=NULLABLE, n={"type": "number", "minimum": 0.00001}),
                 _object(["name"], name={"type": "string"}, client_secret=NULLABLE, n={"type": "number", "minimum": 0.00001}),
                 "request-body-property-became-required", {}, id="became-required"),
    pytest.param(_request, _object([], size={"type": "number", "maximum": 100}, tag={"type": "string"}),
                 _object([], size={"type": "number", "maximum": 10}, tag={"type": "string"}),
                 "request-body-max-decreased", 11, id="max-decreased-bound-plus-one"),  # was 10.000000000000002
    pytest.param(_response, _object(["price"], price={"type": "number", "minimum": 0.00001}, client_secret=NULLABLE),
                 _object(["price"], price={"type": "number", "minimum": -5}, client_secret=NULLABLE),
                 "response-body-min-decreased", 0, id="min-decreased-zero"),  # was 0.0
]


@pytest.mark.parametrize(("side", "old", "new", "rule_id", "expected"), CASES)
def test_the_witness_is_the_minimal_instance(side: Any, old: dict[str, Any], new: dict[str, Any], rule_id: str, expected: Any) -> None:
    result = diff_documents(side(old), side(new), options=DiffOptions(seed=0))
    (witness,) = [change.witness for change in result.changes if change.rule_id == rule_id]
    assert witness is not None and witness.verdict == "witnessed", witness
    assert witness.instance == expected and type(witness.instance) is type(expected)


def test_a_whole_body_witness_keeps_only_what_the_change_needs() -> None:
    # Optional nullable properties around the change: a generated witness carried them (`client_secret: null`).
    optional = {name: NULLABLE for name in ("client_secret", "note", "label", "owner")}
    old = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "kind": {"enum": [1, 2, 3]}, **optional}}
    new = {**old, "properties": {**old["properties"], "kind": {"enum": [1, 2]}}}
    result = WitnessSearch(Budget(seed=0)).search(old, new, direction="request", keywords=frozenset({"enum"}))
    assert result.outcome is Outcome.WITNESSED
    assert result.instance == {"id": 0, "kind": 3}


def test_an_obvious_witness_is_built_not_drawn() -> None:
    # The removed enum value in the accepting side's minimal instance: no instance is drawn at all.
    others = {f"field_{index}": {"type": "string", "maxLength": 20} for index in range(30)}
    old = {"type": "object", "required": ["kind", "field_3"], "properties": {"kind": {"type": "string", "enum": ["a", "b", "c"]}, **others}}
    new = {**old, "properties": {**old["properties"], "kind": {"type": "string", "enum": ["a", "b"]}}}
    search = WitnessSearch(Budget(seed=0))
    result = search.search(old, new, direction="request", keywords=frozenset({"enum"}))
    assert result.outcome is Outcome.WITNESSED
    assert result.instance == {"field_3": "", "kind": "c"}
    assert search.budget.used == 0
