"""A property added is judged by what OLD allowed under its name (issue 19): one policy for optional
and required properties, for every `additionalProperties` OLD had, in both directions."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import run, schema_at

S, I = {"type": "string"}, {"type": "integer"}  # noqa: E741


def body(additional: Any, *, added: dict[str, Any] | None = None, required: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {"a": S, **({"b": added} if added is not None else {})}}
    if required and added is not None:
        schema["required"] = ["b"]
    if additional is not None:
        schema["additionalProperties"] = additional
    return schema


ABSENT = None
# (direction, OLD's additionalProperties, the added property, required) -> (kind, severity)
CASES = [
    # a request: NEW rejects what OLD accepted under the name `b`?
    ("request", ABSENT, I, False, "property-added", "breaking"),  # OLD accepted {"b": "x"}
    ("request", True, I, False, "property-added", "breaking"),
    ("request", ABSENT, {}, False, "property-added", "info"),  # any value still: proved harmless
    ("request", False, I, False, "property-added-to-closed-object", "info"),  # OLD rejected any `b`
    ("request", S, I, False, "additional-property-changed", "breaking"),  # OLD accepted {"b": "x"}
    ("request", ABSENT, I, True, "required-property-added", "breaking"),
    ("request", False, I, True, "required-property-added", "breaking"),  # OLD's bodies lack it
    ("request", S, I, True, "required-property-added", "breaking"),
    ("request", ABSENT, {**I, "default": 1}, True, "required-property-added-with-default", "breaking"),
    # a response: NEW may return what OLD's schema rejected under the name `b`?
    ("response", ABSENT, I, False, "property-added", "info"),
    ("response", ABSENT, I, True, "required-property-added", "info"),
    ("response", False, I, False, "property-added-to-closed-object", "warning"),  # tolerant reader
    ("response", False, I, True, "property-added-to-closed-object", "warning"),
    ("response", S, I, True, "additional-property-changed", "breaking"),  # NEW returns {"b": 1}
    ("response", {"type": "number"}, I, False, "additional-property-changed", "info"),  # proved
]


@pytest.mark.parametrize(("direction", "additional", "added", "required", "kind", "severity"), CASES)
def test_a_property_added_is_judged_by_what_old_allowed(direction: str, additional: Any, added: dict[str, Any], required: bool,
                                                        kind: str, severity: str) -> None:
    location = f"{direction}-body"
    old = schema_at(location, body(additional))
    new = schema_at(location, body(additional, added=added, required=required))
    result = run(old, new)
    assert [(c.rule_id, c.severity) for c in result.changes] == [(f"{location}-{kind}", severity)]
    (change,) = result.changes
    if severity == "breaking":
        assert change.witness is not None and change.witness.verdict == "witnessed", change.witness


def test_a_pattern_property_counts_as_what_old_allowed() -> None:
    """OLD's patternProperties `^b` gave `b` integers: NEW's `b: string` rejects what OLD accepted."""
    old = {"type": "object", "properties": {"a": S}, "patternProperties": {"^b": I}}
    new = {**old, "properties": {"a": S, "b": S}}
    result = run(schema_at("request-body", old), schema_at("request-body", new))
    assert [(c.rule_id, c.severity) for c in result.changes] == [("request-body-additional-property-changed", "breaking")]
