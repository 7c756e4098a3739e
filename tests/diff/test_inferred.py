"""A skeleton inferred from a plain Flask url_map (`x-apiparity-inferred: true`) is judged only on
what it knows: paths, methods and path parameter types. What it cannot know (responses, query,
header and cookie parameters, bodies, security, summaries, converter defaults) is the
`inferred-skeleton` noise rule, counted and switchable, whichever side is inferred."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.model import DiffResult
from apiparity.targets import load_target
from tests.conftest import run_cli

from .helpers import document, ok

APPS = Path(__file__).resolve().parent / "apps"
FLASK = f"{APPS / 'shelf_flask.py'}"
FASTAPI = f"{APPS / 'shelf_fastapi.py'}"
WITHOUT_RULE = DiffOptions(disabled_noise_rules={"inferred-skeleton"})


@cache
def spec(file: str, attribute: str = "app") -> dict:
    return load_target(f"{file}:{attribute}").document


def found(result: DiffResult) -> set[tuple[str, str, str, str]]:
    return {(c.severity, c.rule_id, c.method, c.path) for c in result.changes}


def ignored(result: DiffResult) -> dict[str, int]:
    return {n.rule_id: n.count for n in result.ignored_noise}


def test_the_plain_flask_app_is_inferred_and_the_port_is_not() -> None:
    assert spec(FLASK)["x-apiparity-inferred"] is True
    assert "x-apiparity-inferred" not in spec(FASTAPI)


@pytest.mark.parametrize("direction", ["flask->fastapi", "fastapi->flask"])
def test_faithful_port_has_no_finding_and_the_skeleton_noise_is_counted(direction: str) -> None:
    old, new = (spec(FLASK), spec(FASTAPI)) if direction == "flask->fastapi" else (spec(FASTAPI), spec(FLASK))
    result = diff_documents(old, new)
    assert found(result) == set()
    assert ignored(result).get("inferred-skeleton", 0) > 40


@pytest.mark.parametrize("direction", ["flask->fastapi", "fastapi->flask"])
def test_switching_the_rule_off_brings_back_what_the_skeleton_invents(direction: str) -> None:
    old, new = (spec(FLASK), spec(FASTAPI)) if direction == "flask->fastapi" else (spec(FASTAPI), spec(FLASK))
    rules = {rule_id for _, rule_id, _, _ in found(diff_documents(old, new, options=WITHOUT_RULE))}
    default_rule = "response-default-removed" if direction == "flask->fastapi" else "response-default-added"
    security_rule = "api-security-added" if direction == "flask->fastapi" else "api-security-removed"
    assert {default_rule, security_rule, "response-success-status-added" if direction == "flask->fastapi" else "response-success-status-removed"} <= rules
    bound_rule = "request-path-parameter-min-removed" if direction == "flask->fastapi" else "request-path-parameter-min-added"
    pattern_rule = "request-path-parameter-pattern-removed" if direction == "flask->fastapi" else "request-path-parameter-pattern-added"
    assert {bound_rule, pattern_rule} <= rules


def test_inferred_old_still_judges_removed_operations_and_narrowed_path_types() -> None:
    result = diff_documents(spec(FLASK), spec(FASTAPI, "regressed"))
    assert found(result) == {
        ("breaking", "api-operation-removed", "DELETE", "/api/items/{item_id}"),
        ("breaking", "request-path-parameter-type-narrowed", "GET", "/api/owners/{name}"),
    }


def test_inferred_new_still_judges_removed_operations_and_narrowed_path_types() -> None:
    result = diff_documents(spec(FASTAPI), spec(FLASK, "regressed"))
    assert found(result) == {
        ("breaking", "api-operation-removed", "DELETE", "/api/items/{item_id}"),
        ("breaking", "request-path-parameter-type-narrowed", "GET", "/api/owners/{name}"),
    }


def _skeleton_operation(schema: dict) -> dict:
    return {
        "operationId": "get_thing",
        "parameters": [{"name": "p", "in": "path", "required": True, "schema": schema}],
        "responses": {"default": {"description": "inferred: any response"}},
    }


def _documented_operation(schema: dict) -> dict:
    return {
        "parameters": [{"name": "p", "in": "path", "required": True, "schema": schema}],
        "responses": {"200": ok({"type": "object"})},
    }


@pytest.mark.parametrize(
    ("inferred", "documented", "expected"),
    [
        # the converter default against nothing: noise
        ({"type": "integer", "minimum": 0}, {"type": "integer"}, set()),
        ({"type": "string", "pattern": "^[^/]+$"}, {"type": "string"}, set()),
        # a real bound or pattern on the documented side is still compared
        ({"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 1}, {"request-path-parameter-min-increased"}),
        ({"type": "string", "pattern": "^[^/]+$"}, {"type": "string", "pattern": "^[a-z]+$"}, {"request-path-parameter-pattern-changed"}),
        # a bound the developer wrote in the converter (`<int(min=5):p>`) is known
        ({"type": "integer", "minimum": 5}, {"type": "integer"}, {"request-path-parameter-min-removed"}),
        ({"type": "integer", "maximum": 9}, {"type": "integer"}, {"request-path-parameter-max-removed"}),
        ({"type": "string", "format": "uuid"}, {"type": "string"}, {"request-path-parameter-format-removed"}),
    ],
)
def test_only_converter_defaults_of_path_parameters_are_noise(inferred: dict, documented: dict, expected: set[str]) -> None:
    skeleton = document({"/things/{p}": {"get": _skeleton_operation(inferred)}}, **{"x-apiparity-inferred": True})
    real = document({"/things/{p}": {"get": _documented_operation(documented)}})
    assert {c.rule_id for c in diff_documents(skeleton, real).changes} == expected


def test_without_the_inferred_marker_the_same_skeleton_is_judged() -> None:
    """A hand-written document with a `default` response is a promise; only the marker makes it noise."""
    written = document({"/things/{p}": {"get": _skeleton_operation({"type": "integer", "minimum": 0})}})
    real = document({"/things/{p}": {"get": _documented_operation({"type": "integer"})}})
    rules = {c.rule_id for c in diff_documents(written, real).changes}
    assert {"response-default-removed", "request-path-parameter-min-removed"} <= rules
    marked = {**written, "x-apiparity-inferred": True}
    assert {c.rule_id for c in diff_documents(marked, real).changes} == set()


def test_cli_counts_the_rule_and_can_switch_it_off() -> None:
    result = run_cli("diff", f"{FLASK}:app", f"{FASTAPI}:app", "--format", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["diff"]["changes"] == []
    assert "inferred-skeleton" in {n["rule_id"] for n in report["diff"]["ignored_noise"]}
    switched_off = run_cli("diff", f"{FLASK}:app", f"{FASTAPI}:app", "--format", "json", "--disable-noise", "inferred-skeleton")
    assert switched_off.exit_code == 1  # request bodies and security the skeleton never saw look added
    assert "response-default-removed" in {c["rule_id"] for c in json.loads(switched_off.stdout)["diff"]["changes"]}
