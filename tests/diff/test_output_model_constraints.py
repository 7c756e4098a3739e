"""A validation constraint removed from a response is breaking by meaning (issue 19), but a port's
output model often documents none while the values it returns were validated on the way in
(flask-restx documents one model both ways, a FastAPI port splits Book / BookInput): the
flask-fastapi profile counts that as noise when NEW's request bodies still validate the property."""

from __future__ import annotations

from typing import Any

from apiparity.diff.engine import DiffOptions, diff_documents

from .helpers import document, ok

TITLE = {"type": "string", "maxLength": 120}


def api(response_title: dict[str, Any], request_title: dict[str, Any]) -> dict[str, Any]:
    book = {"type": "object", "properties": {"title": response_title, "tags": {"type": "array", "items": response_title}}}
    book_in = {"type": "object", "properties": {"title": request_title, "tags": {"type": "array", "items": request_title}}}
    return document({"/books": {
        "get": {"responses": {"200": ok(book)}},
        "post": {"requestBody": {"content": {"application/json": {"schema": book_in}}}, "responses": {"201": ok(book)}},
    }})


def findings(old: dict[str, Any], new: dict[str, Any], profile: str) -> set[tuple[str, str, str]]:
    result = diff_documents(old, new, options=DiffOptions(profile=profile))
    return {(c.method, c.rule_id, c.severity) for c in result.changes}


def test_a_constraint_still_validated_on_input_is_output_model_noise() -> None:
    old, new = api(TITLE, TITLE), api({"type": "string"}, TITLE)
    assert findings(old, new, "flask-fastapi") == set()
    noise = diff_documents(old, new, options=DiffOptions(profile="flask-fastapi")).ignored_noise
    assert [(n.rule_id, n.count) for n in noise] == [("output-model-constraints", 4)]
    # by meaning NEW may return a 121-character title OLD's schema rejected
    assert findings(old, new, "none") == {(method, "response-body-max-length-removed", "breaking") for method in ("GET", "POST")}


def test_a_constraint_no_longer_validated_anywhere_is_breaking() -> None:
    old, new = api(TITLE, TITLE), api({"type": "string"}, {"type": "string"})
    assert {(m, r, s) for m, r, s in findings(old, new, "flask-fastapi") if r.startswith("response")} == {
        (method, "response-body-max-length-removed", "breaking") for method in ("GET", "POST")}
    # validated with another bound on the way in: no evidence the values fit OLD's
    other = api({"type": "string"}, {"type": "string", "maxLength": 500})
    assert ("GET", "response-body-max-length-removed", "breaking") in findings(old, other, "flask-fastapi")
