"""The validator's speed-ups (a crawled registry, meta-schema checks memoized by a schema's text)
find the same problems, and a schema OLD and NEW share is meta-checked once."""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest

from apiparity.spec import validate


def _document(bound: object) -> dict:
    bad = {"type": "number", "exclusiveMinimum": bound}  # 3.0's boolean form in a 3.1 document
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
        "components": {"schemas": {"A": {"type": "object", "properties": {"x": bad}}, "B": {"type": "string", "maxLength": 3}}},
    }


def test_the_same_problems_with_and_without_memoized_checks() -> None:
    validate._META_CHECKS.clear()
    first = validate.validate_document(_document(True))
    again = validate.validate_document(copy.deepcopy(_document(True)))  # every check now memoized
    assert first == again
    assert [str(problem) for problem in first] == ["/properties/x/exclusiveMinimum: True is not of type 'number'"]
    assert validate.validate_document(_document(0)) == []


def test_a_schema_shared_by_two_documents_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    validate._META_CHECKS.clear()
    calls: list[object] = []
    from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator

    original = OpenAPIV31SchemaValidator._get_schema_checker

    def counted(checker: Any, value: object) -> None:
        calls.append(value)
        checker(value)

    def counting(self: object, schema: object, schema_value: object) -> object:
        # a partial of one function, as the validator's own checker is (the memo keys on its `func`)
        return functools.partial(counted, original(self, schema, schema_value))  # type: ignore[arg-type]

    monkeypatch.setattr(OpenAPIV31SchemaValidator, "_get_schema_checker", counting)
    validate.validate_document(_document(0))
    checked_once = len(calls)
    assert checked_once >= 2  # A and B
    validate.validate_document(copy.deepcopy(_document(0)))
    assert len(calls) == checked_once
