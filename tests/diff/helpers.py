"""Builders of minimal document pairs for rule tests."""

from __future__ import annotations

import copy
from typing import Any

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.model import DiffResult

NO_NOISE = DiffOptions(profile="none")


def document(paths: dict[str, Any], components: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if components:
        doc["components"] = components
    doc.update(extra)
    return doc


def ok(schema: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    response: dict[str, Any] = {"description": "ok"}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    response.update(extra)
    return response


def schema_at(location: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A one-operation document with `schema` placed at `location` (a schema rule location prefix)."""
    schema = copy.deepcopy(schema)
    if location == "request-body":
        op = {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}, "responses": {"200": ok()}}
        return document({"/x": {"post": op}})
    if location.startswith("request-") and location.endswith("-parameter"):
        where = location[len("request-") : -len("-parameter")]
        path = "/x/{p}" if where == "path" else "/x"
        op = {"parameters": [{"name": "p", "in": where, "required": True, "schema": schema}], "responses": {"200": ok()}}
        return document({path: {"get": op}})
    if location == "response-body":
        return document({"/x": {"get": {"responses": {"200": ok(schema)}}}})
    if location == "response-header":
        return document({"/x": {"get": {"responses": {"200": ok(headers={"X-H": {"schema": schema}})}}}})
    raise ValueError(location)


def rule_ids(old: dict[str, Any], new: dict[str, Any], options: DiffOptions | None = None) -> set[str]:
    return {c.rule_id for c in diff_documents(old, new, options=options or NO_NOISE).changes}


def run(old: dict[str, Any], new: dict[str, Any], options: DiffOptions | None = None) -> DiffResult:
    return diff_documents(old, new, options=options or NO_NOISE)
