"""OpenAPI 3.1 `webhooks`: compared like operations with the directions reversed (the provider sends
the request, consumers answer it)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from apiparity.diff.registry import RULES
from apiparity.diff.rules import parameters, request_bodies, responses
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
    # A new request/response rule must say how it reads in a webhook (its family's WEBHOOK_SEVERITY,
    # collected in MIRRORED), or the describer would emit a `webhook-` ID the registry does not know.
    for rule in [*parameters.RULES, *request_bodies.RULES, *responses.RULES]:
        assert rule.id in MIRRORED, f"{rule.id}: give it a WEBHOOK_SEVERITY entry in its family module"
        assert "webhook-" + rule.id in RULES, rule.id
    schema_rules = [r for r in RULES.values() if r.family == "schemas"]
    for rule in schema_rules:
        twin = RULES.get("webhook-" + rule.id)
        if twin is not None:
            assert twin.direction != rule.direction, rule.id
    # overlap matters both ways: where the consumer's answer is validated (NEW's oneOf rejects) and
    # where the provider's request is read (OLD's oneOf rejected what NEW may send)
    assert {"webhook-response-body-one-of-overlap", "webhook-request-body-one-of-overlap"} <= set(RULES)
    assert "webhook-response-header-one-of-overlap" not in RULES


def as_webhook(document: dict[str, Any]) -> dict[str, Any]:
    """The same operations as webhooks named after their paths (`/x/{p}` -> `x/{p}`)."""
    moved = copy.deepcopy(document)
    moved["webhooks"] = {path.lstrip("/"): item for path, item in moved.pop("paths").items()}
    moved["paths"] = {}
    return moved


def _schema_cases() -> list[tuple[str, str]]:
    from apiparity.diff.rules.schemas import SCHEMA_KINDS, SCHEMA_LOCATIONS
    from apiparity.diff.rules.webhooks import webhook_schema_rule_applies

    from .test_schema_rules import ELSEWHERE

    return [(location, kind) for kind in sorted(SCHEMA_KINDS) for location in SCHEMA_LOCATIONS
            if webhook_schema_rule_applies(location, kind) and kind not in ELSEWHERE]


@pytest.mark.parametrize(("location", "kind"), _schema_cases())
def test_every_schema_rule_has_a_webhook_twin_that_fires(location: str, kind: str) -> None:
    from apiparity.diff.engine import DiffOptions
    from apiparity.diff.rules.schemas import WITNESS_ONLY

    from .helpers import rule_ids, schema_at
    from .test_schema_rules import CASES, oriented

    old, new, reverse = CASES[kind]
    if kind in WITNESS_ONLY:  # found only by the witness search, in the direction where it rejects
        # a webhook's request is judged as a response and its responses as requests
        old, new, also, reverse_kinds = oriented(kind, "response" if location.startswith("request") else "request")
    else:
        also, reverse_kinds = set(), {reverse} if reverse else set()
    options = DiffOptions(profile="none", witness=kind in WITNESS_ONLY)
    forward = rule_ids(as_webhook(schema_at(location, old)), as_webhook(schema_at(location, new)), options)
    backward = rule_ids(as_webhook(schema_at(location, new)), as_webhook(schema_at(location, old)), options)
    assert forward == {f"webhook-{location}-{k}" for k in {kind, *also}}
    if kind not in WITNESS_ONLY:
        assert backward == {f"webhook-{location}-{k}" for k in reverse_kinds}


def _operation_cases() -> list[Any]:
    from .test_other_rules import CASES

    return [case for case in CASES if case[0] in MIRRORED and all(r in MIRRORED for r in case[3])]


@pytest.mark.parametrize(("rule_id", "old", "new", "reverse"), _operation_cases(), ids=[c[0] for c in _operation_cases()])
def test_every_operation_rule_has_a_webhook_twin_that_fires(rule_id: str, old: dict, new: dict, reverse: set[str]) -> None:
    from .helpers import rule_ids

    assert rule_ids(as_webhook(old), as_webhook(new)) == {"webhook-" + rule_id}
    assert rule_ids(as_webhook(new), as_webhook(old)) == {"webhook-" + r for r in reverse}


def test_xml_changes_of_webhook_bodies() -> None:
    from .helpers import rule_ids, schema_at
    from .test_schema_rules import CASES

    old, new, _ = CASES["xml-changed"]
    for location in ("request-body", "response-body"):
        documents = [as_webhook(schema_at(location, schema)) for schema in (old, new)]
        for document in documents:
            for operation in document["webhooks"]["x"].values():
                holder = operation["requestBody"] if location == "request-body" else operation["responses"]["200"]
                holder["content"] = {"application/xml": holder["content"]["application/json"]}
        assert rule_ids(*documents) == {f"webhook-{location}-xml-changed"}


def test_a_header_alias_in_a_webhook_is_one_header() -> None:
    from .helpers import rule_ids
    from .test_other_rules import doc_op, op, param

    old = as_webhook(doc_op(op(parameters=[param("header", "x_trace", required=True)])))
    new = as_webhook(doc_op(op(parameters=[param("header", "X-Trace", required=True)])))
    assert rule_ids(old, new) == {"webhook-request-header-parameter-alias-renamed"}
