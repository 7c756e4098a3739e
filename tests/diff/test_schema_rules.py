"""One minimal schema pair per schema kind, placed at every schema location: the exact rule fires,
and the reverse pair fires the reverse rule (never the same one unless the change is symmetric)."""

from __future__ import annotations

import pytest

from apiparity.diff.registry import RULES
from apiparity.diff.rules.schemas import SCHEMA_KINDS, SCHEMA_LOCATIONS, TEXT_LOCATIONS, schema_rule_applies

from .helpers import rule_ids, schema_at

S = {"type": "string"}
A = {"type": "object", "properties": {"a": {"type": "string"}}}
B = {"type": "object", "properties": {"b": {"type": "integer"}}}
C = {"type": "object", "properties": {"c": {"type": "boolean"}}}


def obj(required: list[str] | None = None, **properties: dict) -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


# kind -> (old schema, new schema, kind expected for the reverse pair or None)
CASES: dict[str, tuple[dict, dict, str | None]] = {
    "type-narrowed": ({"type": "number"}, {"type": "integer"}, "type-widened"),
    "type-widened": ({"type": "integer"}, {"type": ["integer", "string"]}, "type-narrowed"),
    "type-changed": ({"type": "boolean"}, {"type": "integer"}, "type-changed"),
    "nullable-added": (S, {"type": ["string", "null"]}, "nullable-removed"),
    "nullable-removed": ({"type": "string", "nullable": True}, S, "nullable-added"),
    "format-added": (S, {"type": "string", "format": "date"}, "format-removed"),
    "format-removed": ({"type": "string", "format": "date"}, S, "format-added"),
    "format-changed": ({"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}, "format-changed"),
    "format-narrowed": ({"type": "integer", "format": "int64"}, {"type": "integer", "format": "int32"}, "format-widened"),
    "format-widened": ({"type": "number", "format": "float"}, {"type": "number", "format": "double"}, "format-narrowed"),
    "enum-value-added": ({"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]}, "enum-value-removed"),
    "enum-value-removed": ({"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a"]}, "enum-value-added"),
    "enum-added": (S, {"type": "string", "enum": ["a"]}, "enum-removed"),
    "enum-removed": ({"type": "string", "enum": ["a"]}, S, "enum-added"),
    "pattern-added": (S, {"type": "string", "pattern": "^a"}, "pattern-removed"),
    "pattern-removed": ({"type": "string", "pattern": "^a"}, S, "pattern-added"),
    "pattern-changed": ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}, "pattern-changed"),
    "multiple-of-added": ({"type": "integer"}, {"type": "integer", "multipleOf": 2}, "multiple-of-removed"),
    "multiple-of-removed": ({"type": "integer", "multipleOf": 2}, {"type": "integer"}, "multiple-of-added"),
    "multiple-of-changed": ({"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 3}, "multiple-of-changed"),
    "unique-items-added": ({"type": "array", "items": S}, {"type": "array", "items": S, "uniqueItems": True}, "unique-items-removed"),
    "unique-items-removed": ({"type": "array", "items": S, "uniqueItems": True}, {"type": "array", "items": S}, "unique-items-added"),
    "default-added": (S, {"type": "string", "default": "a"}, "default-removed"),
    "default-removed": ({"type": "string", "default": "a"}, S, "default-added"),
    "default-changed": ({"type": "string", "default": "a"}, {"type": "string", "default": "b"}, "default-changed"),
    "property-added": (obj(a=S), obj(a=S, b=S), "property-removed"),
    "required-property-added": (obj(a=S), obj(["b"], a=S, b=S), "property-removed"),
    "required-property-added-with-default": (obj(a=S), obj(["b"], a=S, b={"type": "string", "default": "x"}), "property-removed"),
    "property-removed": (obj(a=S, b=S), obj(a=S), "property-added"),
    "property-became-required": (obj(a=S), obj(["a"], a=S), "property-became-optional"),
    "property-became-optional": (obj(["a"], a=S), obj(a=S), "property-became-required"),
    "property-read-only-added": (obj(a=S), obj(a={"type": "string", "readOnly": True}), "property-read-only-removed"),
    "property-read-only-removed": (obj(a={"type": "string", "readOnly": True}), obj(a=S), "property-read-only-added"),
    "property-write-only-added": (obj(a=S), obj(a={"type": "string", "writeOnly": True}), "property-write-only-removed"),
    "property-write-only-removed": (obj(a={"type": "string", "writeOnly": True}), obj(a=S), "property-write-only-added"),
    "property-deprecated": (obj(a=S), obj(a={"type": "string", "deprecated": True}), None),
    "additional-properties-narrowed": ({"type": "object"}, {"type": "object", "additionalProperties": False}, "additional-properties-widened"),
    "additional-properties-widened": ({"type": "object", "additionalProperties": {"type": "string"}}, {"type": "object"}, "additional-properties-narrowed"),
    "one-of-branch-added": ({"oneOf": [A, B]}, {"oneOf": [A, B, C]}, "one-of-branch-removed"),
    "one-of-branch-removed": ({"oneOf": [A, B, C]}, {"oneOf": [A, C]}, "one-of-branch-added"),
    "any-of-branch-added": ({"anyOf": [A, B]}, {"anyOf": [A, B, C]}, "any-of-branch-removed"),
    "any-of-branch-removed": ({"anyOf": [A, B, C]}, {"anyOf": [B, C]}, "any-of-branch-added"),
    # allOf branches that conflict cannot be merged, so they stay branches.
    "all-of-branch-added": ({"allOf": [{"minLength": 1}, {"minLength": 2}]}, {"allOf": [{"minLength": 1}, {"minLength": 2}, {"minLength": 3}]}, "all-of-branch-removed"),
    "all-of-branch-removed": ({"allOf": [{"minLength": 1}, {"minLength": 2}, {"minLength": 3}]}, {"allOf": [{"minLength": 1}, {"minLength": 3}]}, "all-of-branch-added"),
    "discriminator-added": (obj(kind=S), {**obj(kind=S), "discriminator": {"propertyName": "kind"}}, "discriminator-removed"),
    "discriminator-removed": ({**obj(kind=S), "discriminator": {"propertyName": "kind"}}, obj(kind=S), "discriminator-added"),
    "discriminator-property-changed": (
        {**obj(kind=S, type=S), "discriminator": {"propertyName": "kind"}},
        {**obj(kind=S, type=S), "discriminator": {"propertyName": "type"}},
        "discriminator-property-changed",
    ),
    "discriminator-mapping-value-added": (
        {**obj(kind=S), "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x/A"}}},
        {**obj(kind=S), "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x/A", "b": "#/x/B"}}},
        "discriminator-mapping-value-removed",
    ),
    "discriminator-mapping-value-removed": (
        {**obj(kind=S), "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x/A", "b": "#/x/B"}}},
        {**obj(kind=S), "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x/A"}}},
        "discriminator-mapping-value-added",
    ),
}

_BOUND_CASES = {
    "min": ("minimum", {"type": "integer"}, 1, 2),
    "max": ("maximum", {"type": "integer"}, 2, 1),
    "min-length": ("minLength", S, 1, 2),
    "max-length": ("maxLength", S, 2, 1),
    "min-items": ("minItems", {"type": "array"}, 1, 2),
    "max-items": ("maxItems", {"type": "array"}, 2, 1),
    "min-properties": ("minProperties", {"type": "object"}, 1, 2),
    "max-properties": ("maxProperties", {"type": "object"}, 2, 1),
}
for _prefix, (_keyword, _base, _loose, _tight) in _BOUND_CASES.items():
    _tighten = "increased" if _prefix.startswith("min") else "decreased"
    _relax = "decreased" if _prefix.startswith("min") else "increased"
    CASES[f"{_prefix}-{_tighten}"] = ({**_base, _keyword: _loose}, {**_base, _keyword: _tight}, f"{_prefix}-{_relax}")
    CASES[f"{_prefix}-{_relax}"] = ({**_base, _keyword: _tight}, {**_base, _keyword: _loose}, f"{_prefix}-{_tighten}")
    CASES[f"{_prefix}-added"] = (_base, {**_base, _keyword: _loose}, f"{_prefix}-removed")
    CASES[f"{_prefix}-removed"] = ({**_base, _keyword: _loose}, _base, f"{_prefix}-added")


def test_every_schema_kind_has_a_case():
    assert set(CASES) == set(SCHEMA_KINDS)


@pytest.mark.parametrize(("location", "kind"), [(loc, kind) for kind in sorted(SCHEMA_KINDS) for loc in SCHEMA_LOCATIONS
                                                 if schema_rule_applies(loc, kind)])
def test_schema_rule(location: str, kind: str) -> None:
    old, new, reverse = CASES[kind]
    assert rule_ids(schema_at(location, old), schema_at(location, new)) == {f"{location}-{kind}"}
    expected_reverse = {f"{location}-{reverse}"} if reverse else set()
    assert rule_ids(schema_at(location, new), schema_at(location, old)) == expected_reverse


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_severity_follows_direction(kind: str) -> None:
    """Request rules take the request column, response rules the response column; only a change
    that is neither a narrowing nor a widening (`*-changed`) may break both directions."""
    request_severity, response_severity, _, _ = SCHEMA_KINDS[kind]
    for location, (direction, _) in SCHEMA_LOCATIONS.items():
        if not schema_rule_applies(location, kind):
            continue
        expected = request_severity if direction == "request" else response_severity
        assert RULES[f"{location}-{kind}"].severity == expected
    if request_severity == response_severity == "breaking":
        assert kind.endswith("-changed"), kind


def test_exclusive_bound_is_tighter_than_inclusive() -> None:
    old = schema_at("request-body", {"type": "number", "minimum": 1})
    new = schema_at("request-body", {"type": "number", "exclusiveMinimum": 1})
    assert rule_ids(old, new) == {"request-body-min-increased"}
    # 3.0 boolean exclusiveMinimum is the same bound as 3.1's number.
    old30 = schema_at("request-body", {"type": "number", "minimum": 1, "exclusiveMinimum": True})
    assert rule_ids(old30, new) == set()


@pytest.mark.parametrize("location", sorted(TEXT_LOCATIONS))
def test_nullability_of_a_parameter_is_not_compared(location: str) -> None:
    """`Optional[str] = None` is anyOf string|null in FastAPI's document; on the wire it is text."""
    plain, optional = {"type": "string"}, {"type": "string", "nullable": True}
    assert rule_ids(schema_at(location, plain), schema_at(location, optional)) == set()
    assert rule_ids(schema_at(location, optional), schema_at(location, plain)) == set()
