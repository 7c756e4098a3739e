"""A finding's witness demonstrates that finding: OLD accepts it, NEW rejects it, and NEW with only
this finding's change reverted accepts it again (never another finding's instance, such as `{}`
rejected because some other property became required)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema

from .helpers import document, ok, run


def method(kind: str, name: str, values: list[str]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": ["type"],
            "properties": {"type": {"type": "string", "enum": [kind]}, name: {"type": "string", "enum": values}}}


def pay(required: list[str], brands: list[str], providers: list[str]) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "object", "properties": {
        "a": {"type": "integer"}, "b": {"type": "integer"},
        "pm": {"oneOf": [{"$ref": "#/components/schemas/Card"}, {"$ref": "#/components/schemas/Wallet"}]}}}
    if required:
        body["required"] = required
    op = {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}, "responses": {"200": ok()}}
    return document({"/pay": {"post": op}}, {"schemas": {"Card": method("scheme", "brand", brands),
                                                         "Wallet": method("wallet", "provider", providers)}})


OLD = pay([], ["visa", "mc", "amex"], ["gpay", "apay", "spay"])
NEW = pay(["a", "b"], ["visa", "mc"], ["gpay", "apay"])


def validator(doc: dict[str, Any]) -> Any:
    body = doc["paths"]["/pay"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema.Draft202012Validator({**body, "components": doc["components"]})


def accepts(doc: dict[str, Any], instance: Any) -> bool:
    return bool(validator(doc).is_valid(instance))


def errors_at(doc: dict[str, Any], instance: Any, finding: str) -> list[str]:
    """The validator keywords rejecting `instance` because of `finding` (at its place, by its keyword)."""
    out: list[str] = []
    work = list(validator(doc).iter_errors(instance))
    while work:
        error = work.pop()
        work.extend(error.context or [])
        if finding in ("a", "b") and error.validator == "required" and f"{finding!r} is a required" in error.message:
            out.append("required")
        if finding in ("brand", "provider") and error.validator == "enum" and list(error.absolute_path) == ["pm", finding]:
            out.append("enum")
    return out


def reverted(finding: str) -> dict[str, Any]:
    """NEW with only `finding`'s change undone."""
    doc = copy.deepcopy(NEW)
    body = doc["paths"]["/pay"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    if finding in ("a", "b"):
        body["required"].remove(finding)
    elif finding == "brand":
        doc["components"]["schemas"]["Card"]["properties"]["brand"]["enum"].append("amex")
    else:
        doc["components"]["schemas"]["Wallet"]["properties"]["provider"]["enum"].append("spay")
    return doc


def test_each_breaking_finding_carries_its_own_witness() -> None:
    result = run(OLD, NEW)
    breaking = [c for c in result.changes if c.severity == "breaking"]
    by_finding: dict[str, Any] = {}
    for change in breaking:
        assert change.witness is not None and change.witness.verdict == "witnessed", change.message
        key = change.message.split("`")[1].rsplit(".", 1)[-1] if "enum" in change.rule_id else change.message.split("'")[1]
        by_finding[key] = change.witness
    assert sorted(by_finding) == ["a", "b", "brand", "provider"]
    instances = [repr(w.instance) for w in by_finding.values()]
    assert len(set(instances)) == 4  # four findings, four witnesses (was `{}` for all four)
    assert "'a' is a required property" in by_finding["a"].text
    for finding, witness in by_finding.items():
        assert accepts(OLD, witness.instance) and not accepts(NEW, witness.instance)
        # rejected because of this change: NEW rejects it there, NEW with only this change undone does not
        assert errors_at(NEW, witness.instance, finding) and not errors_at(reverted(finding), witness.instance, finding)
    for finding in ("a", "b"):  # a required property's witness carries the others: only its own absence rejects it
        assert accepts(reverted(finding), by_finding[finding].instance)
    assert "'b' is a required property" in by_finding["b"].text
    assert "'amex'" in by_finding["brand"].text and "'spay'" in by_finding["provider"].text


def test_a_branch_change_other_changes_undo_is_not_witnessed_by_them() -> None:
    # the Card branch loses 'amex' but NEW accepts amex cards through a new open branch: nothing OLD
    # accepted is rejected for this change, and `{}` (rejected because 'a' became required) is no witness of it
    new = copy.deepcopy(NEW)
    new["components"]["schemas"]["Wallet"]["properties"]["provider"]["enum"].append("spay")
    new["paths"]["/pay"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["pm"]["oneOf"].append(
        {"type": "object", "required": ["brand"], "properties": {"type": {"enum": ["scheme"]}, "brand": {"enum": ["amex"]}}})
    result = run(OLD, new)
    [enum] = [c for c in result.changes if c.rule_id == "request-body-enum-value-removed"]
    assert enum.witness is not None
    assert enum.witness.verdict == "possibly-breaking", enum.witness.text  # was witnessed by an instance rejected for 'a'
    assert enum.severity == "breaking"  # the structure's verdict stands, shown as possibly breaking


def test_each_removed_branch_is_witnessed_by_an_instance_of_its_own() -> None:
    def branch(kind: str, *names: str) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "required": ["type"],
                "properties": {"type": {"type": "string", "enum": [kind]}, **{name: {"type": "string"} for name in names}}}

    def doc(names: list[str]) -> dict[str, Any]:
        body = {"type": "object", "properties": {"pm": {"oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in names]}}}
        op = {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}, "responses": {"200": ok()}}
        return document({"/p": {"post": op}}, {"schemas": {"Dotpay": branch("dotpay", "issuer"), "Giropay": branch("giropay"),
                                                           "Card": branch("scheme", "number")}})

    removed = [c for c in run(doc(["Dotpay", "Giropay", "Card"]), doc(["Card"])).changes
               if c.rule_id == "request-body-one-of-branch-removed"]
    kinds = sorted(c.witness.instance["type"] for c in removed if c.witness is not None and c.witness.verdict == "witnessed")
    assert kinds == ["dotpay", "giropay"]  # was the same instance for both


def test_an_enum_value_moved_to_another_branch_is_no_witness_the_one_removed_for_good_is() -> None:
    def branch(values: list[str]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "properties": {"type": {"type": "string", "enum": values}}}

    def doc(*branches: list[str]) -> dict[str, Any]:
        body = {"type": "object", "required": ["pm"], "properties": {"pm": {"oneOf": [branch(values) for values in branches]}}}
        op = {"requestBody": {"required": True, "content": {"application/json": {"schema": body}}}, "responses": {"200": ok()}}
        return document({"/p": {"post": op}})

    old = doc(["a", "moved1", "moved2", "moved3", "gone"], ["card"])
    new = doc(["a"], ["card"], ["moved1", "moved2", "moved3"])
    [removed] = [c for c in run(old, new).changes if c.rule_id == "request-body-enum-value-removed"]
    assert removed.witness is not None and removed.witness.verdict == "witnessed", removed.witness
    assert "gone" in json.dumps(removed.witness.instance)
    assert "'gone' is not one of ['a']" in removed.witness.text
