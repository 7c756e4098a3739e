"""OpenAPI 3.1 `webhooks`: compared like operations with the directions reversed (the provider sends
the request, consumers answer it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from apiparity.diff.registry import RULES
from apiparity.diff.rules import parameters, responses
from apiparity.diff.rules.webhooks import MIRRORED

from .helpers import run

DOCUMENTS = Path(__file__).parent / "documents"


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((DOCUMENTS / name).read_text())


def test_the_fixture_pair_reports_each_webhook_change_with_its_reversed_severity() -> None:
    result = run(load("webhooks-old.yaml"), load("webhooks-new.yaml"))
    found = {(c.rule_id, c.severity, c.method, c.path) for c in result.changes}
    assert found == {
        # what the provider sends: judged like a response
        ("webhook-request-body-enum-value-added", "breaking", "POST", "newPet"),
        ("webhook-request-body-max-length-increased", "breaking", "POST", "newPet"),
        ("webhook-request-body-property-removed", "breaking", "POST", "newPet"),
        ("webhook-request-body-property-became-required", "info", "POST", "newPet"),
        ("webhook-request-header-parameter-became-optional", "breaking", "POST", "newPet"),
        # what consumers answer: judged like a request
        ("webhook-response-body-enum-value-removed", "breaking", "POST", "newPet"),
        ("webhook-response-body-max-length-increased", "info", "POST", "newPet"),
        ("webhook-response-success-status-removed", "breaking", "POST", "newPet"),
        ("webhook-removed", "breaking", "POST", "petAdopted"),
        ("webhook-added", "info", "POST", "petReturned"),
    }
    by_rule = {c.rule_id: c for c in result.changes}
    assert by_rule["webhook-request-body-max-length-increased"].old_pointer == (
        "/webhooks/newPet/post/requestBody/content/application~1json/schema/properties/name/maxLength")


@pytest.mark.parametrize(("rule_id", "witness_side"), [
    ("webhook-request-body-max-length-increased", "NEW may return"),  # the witness search reversed too
    ("webhook-response-body-enum-value-removed", "OLD accepted"),
])
def test_witnesses_are_searched_in_the_reversed_direction(rule_id: str, witness_side: str) -> None:
    result = run(load("webhooks-old.yaml"), load("webhooks-new.yaml"))
    (change,) = [c for c in result.changes if c.rule_id == rule_id]
    assert change.witness is not None and change.witness.verdict == "witnessed", change.witness
    assert change.witness.text.startswith(witness_side)


def _document(where: str, body: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"requestBody": {"content": {"application/json": {"schema": body}}}, "responses": {"200": {"description": "ok"}}}
    document: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    if where == "webhook":
        document["webhooks"] = {"event": {"post": operation}}
    else:
        document["paths"] = {"/event": {"post": operation}}
    return document


@pytest.mark.parametrize(("old", "new", "operation_severity", "webhook_severity"), [
    ({"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 9}, "info", "breaking"),
    ({"type": "string", "maxLength": 9}, {"type": "string", "maxLength": 5}, "breaking", "info"),
    ({"type": "integer"}, {"type": "number"}, "info", "breaking"),
])
def test_the_same_body_change_is_judged_oppositely_in_an_operation_and_in_a_webhook(
    old: dict[str, Any], new: dict[str, Any], operation_severity: str, webhook_severity: str
) -> None:
    (operation_change,) = run(_document("path", old), _document("path", new)).changes
    (webhook_change,) = run(_document("webhook", old), _document("webhook", new)).changes
    assert webhook_change.rule_id == "webhook-" + operation_change.rule_id
    assert (operation_change.severity, webhook_change.severity) == (operation_severity, webhook_severity)
    assert {operation_change.direction, webhook_change.direction} == {"request", "response"}


def test_every_operation_rule_has_a_webhook_twin() -> None:
    # A new request/response rule must say how it reads in a webhook (MIRRORED), or the describer
    # would emit a `webhook-` ID the registry does not know.
    for rule in [*parameters.RULES, *responses.RULES]:
        assert rule.id in MIRRORED, rule.id
        assert "webhook-" + rule.id in RULES, rule.id
    schema_rules = [r for r in RULES.values() if r.family == "schemas"]
    for rule in schema_rules:
        twin = RULES.get("webhook-" + rule.id)
        if twin is not None:
            assert twin.direction != rule.direction, rule.id
    assert "webhook-response-body-one-of-overlap" in RULES  # overlap matters where the provider validates
    assert "webhook-request-body-one-of-overlap" not in RULES
