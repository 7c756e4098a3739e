"""Real app pairs: a flask-openapi3 app and its FastAPI port must diff clean under the
flask-fastapi profile; seeded regressions must be found with the right rule and nothing else."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.targets import load_target

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "apps"
BOOKSTORE = ROOT / "examples" / "bookstore"


@cache
def document(ref: str) -> dict:
    return load_target(ref).document


def inventory(name: str) -> dict:
    return document(f"{APPS / name}.py:app")


def test_inventory_port_is_clean_and_noise_is_counted() -> None:
    result = diff_documents(inventory("inventory_flask"), inventory("inventory_fastapi"))
    assert [(c.severity, c.rule_id, c.method, c.path) for c in result.changes] == []
    ignored = {n.rule_id: n.count for n in result.ignored_noise}
    # Each noise rule this pair exercises is named and counted.
    for rule in ("operation-id", "default-tag", "framework-validation-response", "header-alias", "api-key-header-parameter", "null-default"):
        assert ignored.get(rule, 0) > 0, rule


def test_inventory_without_profile_reports_the_noise() -> None:
    result = diff_documents(inventory("inventory_flask"), inventory("inventory_fastapi"), options=DiffOptions(profile="none"))
    assert result.count("breaking") > 0  # the 422 shapes differ: what the profile is for
    assert result.ignored_noise == []


def test_inventory_regressions_are_found_with_the_right_rules() -> None:
    result = diff_documents(inventory("inventory_flask"), inventory("inventory_fastapi_regressed"))
    found = {(c.rule_id, c.method, c.path) for c in result.changes if c.severity == "breaking"}
    assert found == {
        ("request-query-parameter-max-decreased", "GET", "/items"),
        ("request-body-max-decreased", "POST", "/items/{sku}/restock"),
        ("request-body-required-property-added", "POST", "/items"),
        ("request-body-required-property-added", "PUT", "/items/{sku}"),
    } | {("response-body-enum-value-added", method, path) for method, path in [("GET", "/items"), ("POST", "/items"), ("GET", "/items/{sku}"), ("PUT", "/items/{sku}"), ("POST", "/items/{sku}/restock")]}
    assert result.count("warning") == 0


needs_bookstore = pytest.mark.skipif(not (BOOKSTORE / "regressions.json").exists(), reason="bookstore example not present")

# Which rule each spec-visible bookstore regression must be reported under.
BOOKSTORE_RULES = {
    "R1": "api-operation-removed",
    "R2": "request-query-parameter-added-required",
    "R3": "request-query-parameter-enum-value-removed",
    "R4": "response-body-type-changed",
    "R5": "response-body-property-removed",
}


@needs_bookstore
def test_bookstore_faithful_port_has_no_breaking_nor_warning() -> None:
    result = diff_documents(document(f"{BOOKSTORE}/legacy_app.py:app"), document(f"{BOOKSTORE}/modern_app.py:app"))
    assert Counter(c.severity for c in result.changes)["breaking"] == 0
    assert [c for c in result.changes if c.severity in ("breaking", "warning")] == []
    assert sum(n.count for n in result.ignored_noise) > 0


@needs_bookstore
def test_bookstore_regressed_port_reports_every_spec_regression_and_nothing_else_breaking() -> None:
    regressions = [r for r in json.loads((BOOKSTORE / "regressions.json").read_text()) if r["kind"] == "spec"]
    assert {r["id"] for r in regressions} == set(BOOKSTORE_RULES), "a new spec regression needs its expected rule here"
    result = diff_documents(document(f"{BOOKSTORE}/legacy_app.py:app"), document(f"{BOOKSTORE}/regressed_app.py:app"))
    breaking = {(c.rule_id, f"{c.method} {c.path}") for c in result.changes if c.severity == "breaking"}
    expected = set()
    for regression in regressions:
        for operation in [regression["operation"], *regression.get("also", [])]:
            expected.add((BOOKSTORE_RULES[regression["id"]], operation))
    assert breaking == expected
    assert [c for c in result.changes if c.severity == "warning"] == []


def test_zoo_port_with_unions_dicts_cookies_and_input_output_split_has_no_breaking_nor_warning() -> None:
    new = inventory("zoo_fastapi")
    assert {"Enclosure-Input", "Enclosure-Output"} <= set(new["components"]["schemas"])  # FastAPI split the model
    result = diff_documents(inventory("zoo_flask"), new)
    assert [c for c in result.changes if c.severity in ("breaking", "warning")] == []
    # Decimal: flask-openapi3 documents the validation schema (number|string), FastAPI what it
    # serializes (string); a response that promises less is reported, as info.
    assert {c.rule_id for c in result.changes} == {"response-body-type-narrowed"}
