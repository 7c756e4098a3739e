"""One minimal schema pair per schema kind, placed at every schema location: the exact rule fires,
and the reverse pair fires the reverse rule (never the same one unless the change is symmetric)."""

from __future__ import annotations

import pytest

from apiparity.diff.engine import DiffOptions
from apiparity.diff.registry import RULES
from apiparity.diff.rules.schemas import (
    SCHEMA_KINDS,
    SCHEMA_LOCATIONS,
    TEXT_LOCATIONS,
    WITNESS_ONLY,
    schema_rule_applies,
)

from .helpers import rule_ids, schema_at

# Which rule fires is the structure's answer: the witness search only grades a finding's severity
# (it is tested by the semantic corpus, tests/diff/semantics), except for kinds only a witness
# reports. Leaving it off makes the ~1,400 diffs here take seconds instead of minutes;
# test_rule_ids_are_the_same_with_the_witness_search checks that it changes no ID.
STRUCTURE = DiffOptions(profile="none", witness=False)
WITNESS = DiffOptions(profile="none")


def options_for(kind: str) -> DiffOptions:
    return WITNESS if kind in WITNESS_ONLY else STRUCTURE

S = {"type": "string"}
A = {"type": "object", "properties": {"a": {"type": "string"}}}
B = {"type": "object", "properties": {"b": {"type": "integer"}}}
C = {"type": "object", "properties": {"c": {"type": "boolean"}}}
# oneOf branches that no value matches twice (open objects all match `{}`: a oneOf of them rejects it)
AD, BD, CD = ({**x, "required": list(x["properties"]), "additionalProperties": False} for x in (A, B, C))


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
    "nullable-removed": ({"type": ["string", "null"]}, S, "nullable-added"),
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
    "property-added-to-closed-object": ({**obj(a=S), "additionalProperties": False}, {**obj(a=S, b=S), "additionalProperties": False}, "property-removed"),
    "additional-property-changed": ({**obj(a=S), "additionalProperties": S}, {**obj(a=S, b={"type": "integer"}), "additionalProperties": S}, "property-removed"),
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
    "one-of-branch-added": ({"oneOf": [AD, BD]}, {"oneOf": [AD, BD, CD]}, "one-of-branch-removed"),
    "one-of-branch-removed": ({"oneOf": [AD, BD, CD]}, {"oneOf": [AD, CD]}, "one-of-branch-added"),
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

ARR = {"type": "array"}
CONTAINS = {"type": "array", "contains": S}
IF_A = {**obj(a=S, b=S), "if": {"required": ["a"]}, "then": {"required": ["b"]}}
CASES.update({
    "not-added": (S, {**S, "not": {"const": "x"}}, "not-removed"),
    "not-removed": ({**S, "not": {"const": "x"}}, S, "not-added"),
    "not-changed": ({**S, "not": {"const": "x"}}, {**S, "not": {"const": "y"}}, "not-changed"),
    "contains-added": (ARR, CONTAINS, "contains-removed"),
    "contains-removed": (CONTAINS, ARR, "contains-added"),
    "dependent-required-added": (obj(a=S, b=S), {**obj(a=S, b=S), "dependentRequired": {"a": ["b"]}}, "dependent-required-removed"),
    "dependent-required-removed": ({**obj(a=S, b=S), "dependentRequired": {"a": ["b"]}}, obj(a=S, b=S), "dependent-required-added"),
    "dependent-schema-added": (obj(a=S, b=S), {**obj(a=S, b=S), "dependentSchemas": {"a": {"required": ["b"]}}}, "dependent-schema-removed"),
    "dependent-schema-removed": ({**obj(a=S, b=S), "dependentSchemas": {"a": {"required": ["b"]}}}, obj(a=S, b=S), "dependent-schema-added"),
    "conditional-added": (obj(a=S, b=S), IF_A, "conditional-removed"),
    "conditional-removed": (IF_A, obj(a=S, b=S), "conditional-added"),
    "conditional-changed": (IF_A, {**IF_A, "if": {"required": ["b"]}}, "conditional-changed"),
    "prefix-items-added": ({**ARR, "prefixItems": [S]}, {**ARR, "prefixItems": [S, S]}, "prefix-items-removed"),
    "prefix-items-removed": ({**ARR, "prefixItems": [S, S]}, {**ARR, "prefixItems": [S]}, "prefix-items-added"),
    "property-names-added": ({"type": "object"}, {"type": "object", "propertyNames": {"maxLength": 3}}, "property-names-removed"),
    "property-names-removed": ({"type": "object", "propertyNames": {"maxLength": 3}}, {"type": "object"}, "property-names-added"),
    "pattern-property-added": ({"type": "object"}, {"type": "object", "patternProperties": {"^x": S}}, "pattern-property-removed"),
    "pattern-property-removed": ({"type": "object", "patternProperties": {"^x": S}}, {"type": "object"}, "pattern-property-added"),
    "unevaluated-properties-narrowed": (obj(a=S), {**obj(a=S), "unevaluatedProperties": False}, "unevaluated-properties-widened"),
    "unevaluated-properties-widened": ({**obj(a=S), "unevaluatedProperties": False}, obj(a=S), "unevaluated-properties-narrowed"),
    "unevaluated-items-narrowed": ({**ARR, "prefixItems": [S]}, {**ARR, "prefixItems": [S], "unevaluatedItems": False}, "unevaluated-items-widened"),
    "unevaluated-items-widened": ({**ARR, "prefixItems": [S], "unevaluatedItems": False}, {**ARR, "prefixItems": [S]}, "unevaluated-items-narrowed"),
    "content-encoding-added": (S, {**S, "contentEncoding": "base32"}, "content-encoding-removed"),
    "content-encoding-removed": ({**S, "contentEncoding": "base32"}, S, "content-encoding-added"),
    "content-encoding-changed": ({**S, "contentEncoding": "base32"}, {**S, "contentEncoding": "quoted-printable"}, "content-encoding-changed"),
    "content-schema-added": ({**S, "contentMediaType": "application/json"}, {**S, "contentMediaType": "application/json", "contentSchema": obj(a=S)}, "content-schema-removed"),
    "content-schema-removed": ({**S, "contentMediaType": "application/json", "contentSchema": obj(a=S)}, {**S, "contentMediaType": "application/json"}, "content-schema-added"),
    "content-media-type-changed": ({**S, "contentMediaType": "image/png"}, {**S, "contentMediaType": "image/jpeg"}, "content-media-type-changed"),
    "extensible-enum-value-added": ({**S, "x-extensible-enum": ["a"]}, {**S, "x-extensible-enum": ["a", "b"]}, "extensible-enum-value-removed"),
    "extensible-enum-value-removed": ({**S, "x-extensible-enum": ["a", "b"]}, {**S, "x-extensible-enum": ["a"]}, "extensible-enum-value-added"),
    # branches that were disjoint overlap at length 5: found by the witness search only
    "one-of-overlap": ({"oneOf": [{**S, "maxLength": 5}, {**S, "minLength": 6}]}, {"oneOf": [{**S, "maxLength": 5}, {**S, "minLength": 5}]}, "min-length-increased"),
    "xml-changed": ({**S, "xml": {"name": "a"}}, {**S, "xml": {"name": "b"}}, "xml-changed"),
})
# kind -> (other kinds the forward pair also reports, kinds the reverse pair reports in all)
ALSO = {"one-of-overlap": ({"min-length-decreased"}, {"min-length-increased"})}
# Witness-only kinds found by the reverse pair where a schema is judged as a response (a oneOf
# overlap rejects on OLD's side there): what the reverse pair, now forward, also reports, and the rest.
SWAPPED_IN_RESPONSES = {"one-of-overlap": ({"min-length-increased"}, {"min-length-decreased"})}


def oriented(kind: str, judged_as: str) -> tuple[dict, dict, set[str], set[str]]:
    """(old, new, other kinds the pair also reports, kinds the reverse pair reports) for a schema
    judged as a "request" or a "response"."""
    old, new, reverse = CASES[kind]
    if judged_as == "response" and kind in SWAPPED_IN_RESPONSES:
        return (new, old, *SWAPPED_IN_RESPONSES[kind])
    also, reverse_kinds = ALSO.get(kind, (set(), {reverse} if reverse else set()))
    return old, new, also, reverse_kinds
# kinds whose pair is placed somewhere schema_at does not put it
ELSEWHERE = {"xml-changed"}

_BOUND_CASES = {
    "min": ("minimum", {"type": "integer"}, 1, 2),
    "max": ("maximum", {"type": "integer"}, 2, 1),
    "min-length": ("minLength", S, 1, 2),
    "max-length": ("maxLength", S, 2, 1),
    "min-items": ("minItems", {"type": "array"}, 1, 2),
    "max-items": ("maxItems", {"type": "array"}, 2, 1),
    "min-properties": ("minProperties", {"type": "object"}, 1, 2),
    "max-properties": ("maxProperties", {"type": "object"}, 2, 1),
    "min-contains": ("minContains", CONTAINS, 1, 2),
    "max-contains": ("maxContains", CONTAINS, 2, 1),
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
    if kind in ELSEWHERE:
        pytest.skip(f"{kind} has its own test")
    old, new, also, reverse_kinds = oriented(kind, SCHEMA_LOCATIONS[location][0])
    options = options_for(kind)
    assert rule_ids(schema_at(location, old), schema_at(location, new), options) == {f"{location}-{k}" for k in {kind, *also}}
    assert rule_ids(schema_at(location, new), schema_at(location, old), options) == {f"{location}-{k}" for k in reverse_kinds}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(set(SCHEMA_KINDS) - ELSEWHERE))
def test_rule_ids_are_the_same_with_the_witness_search(kind: str) -> None:
    """The witness search grades findings (breaking, possibly breaking, info when proved safe) but
    never adds or drops one, but for the witness-only kinds (in both body locations)."""
    old, new, _ = CASES[kind]
    for location in ("request-body", "response-body"):
        if not schema_rule_applies(location, kind):
            continue
        for pair in ((old, new), (new, old)):
            documents = (schema_at(location, pair[0]), schema_at(location, pair[1]))
            assert rule_ids(*documents, WITNESS) == rule_ids(*documents, options_for(kind)), (location, pair)


def test_xml_changes_count_in_xml_bodies_only() -> None:
    old, new, _ = CASES["xml-changed"]
    for location in ("request-body", "response-body"):
        xml_old, xml_new = schema_at(location, old), schema_at(location, new)
        for document in (xml_old, xml_new):
            for operation in document["paths"]["/x"].values():
                holder = operation["requestBody"] if location == "request-body" else operation["responses"]["200"]
                holder["content"] = {"application/xml": holder["content"]["application/json"]}
        assert rule_ids(xml_old, xml_new, STRUCTURE) == {f"{location}-xml-changed"}
        assert rule_ids(schema_at(location, old), schema_at(location, new), STRUCTURE) == set(), "JSON bodies have no XML form"


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
        # a oneOf overlap is found by the witness search, in each direction where it rejects
        assert kind.endswith("-changed") or kind in WITNESS_ONLY, kind


def test_exclusive_bound_is_tighter_than_inclusive() -> None:
    old = schema_at("request-body", {"type": "number", "minimum": 1})
    new = schema_at("request-body", {"type": "number", "exclusiveMinimum": 1})
    assert rule_ids(old, new, STRUCTURE) == {"request-body-min-increased"}
    # 3.0 boolean exclusiveMinimum is the same bound as 3.1's number.
    old30 = schema_at("request-body", {"type": "number", "minimum": 1, "exclusiveMinimum": True})
    assert rule_ids(old30, new, STRUCTURE) == set()


@pytest.mark.parametrize("location", sorted(TEXT_LOCATIONS))
def test_nullability_of_a_parameter_is_not_compared(location: str) -> None:
    """`Optional[str] = None` is anyOf string|null in FastAPI's document; on the wire it is text."""
    plain, optional = {"type": "string"}, {"type": ["string", "null"]}
    assert rule_ids(schema_at(location, plain), schema_at(location, optional), STRUCTURE) == set()
    assert rule_ids(schema_at(location, optional), schema_at(location, plain), STRUCTURE) == set()


def test_the_constraint_table_decides_every_constraint_severity() -> None:
    """One row per constraint keyword (docs/rules.md prints it): tightening breaks requests, relaxing
    (removal included) breaks responses, unless the row names its departure (issue 19: a bound removed
    from a response was a warning while the same bound relaxed to another value was breaking)."""
    from apiparity.diff.rules.schemas import BOUND_KEYWORDS, CONSTRAINTS

    listed: set[str] = set()
    for row in CONSTRAINTS:
        for kind in row.tightening:
            assert SCHEMA_KINDS[kind][:2] == ("breaking", "info"), (row.keywords, kind)
        for kind in row.relaxing:
            assert SCHEMA_KINDS[kind][:2] == ("info", "warning" if row.deviation else "breaking"), (row.keywords, kind)
        listed.update(row.tightening, row.relaxing)
    for prefix in BOUND_KEYWORDS:
        assert {f"{prefix}-{change}" for change in ("increased", "decreased", "added", "removed")} <= listed, prefix
    for kind in ("format-removed", "pattern-removed", "multiple-of-removed", "unique-items-removed", "enum-removed"):
        assert kind in listed
