"""Schema keyword changes, generated for every place a schema can sit.

One table row per kind of change says how it affects a request (does NEW reject what OLD
accepted?) and a response (may an existing client fail on what NEW returns?). Each row becomes one
rule per location, e.g. `request-body-max-length-decreased`, `response-header-enum-value-added`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apiparity.diff.rules.base import Detector, Direction, Perspective, Rule, Severity
from apiparity.diff.rules.documents import SCHEMA_ANNOTATIONS

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import Operation

F = "schemas"

# Where a schema sits: the prefix of its rule IDs.
REQUEST_BODY = "request-body"
RESPONSE_BODY = "response-body"
RESPONSE_HEADER = "response-header"


def parameter_location(where: str) -> str:
    """`query` -> `request-query-parameter`: the schema location of a parameter in path/query/header/cookie."""
    return f"request-{where}-parameter"


# location prefix -> (direction, human name used in descriptions)
SCHEMA_LOCATIONS: dict[str, tuple[Direction, str]] = {
    "request-body": ("request", "request body"),
    "request-path-parameter": ("request", "path parameter"),
    "request-query-parameter": ("request", "query parameter"),
    "request-header-parameter": ("request", "request header"),
    "request-cookie-parameter": ("request", "cookie parameter"),
    "response-body": ("response", "response body"),
    "response-header": ("response", "response header"),
}

B: Severity = "breaking"
W: Severity = "warning"
I: Severity = "info"  # noqa: E741 - short names keep the table readable

# kind -> (request severity, response severity, description, message template)
SCHEMA_KINDS: dict[str, tuple[Severity, Severity, str, str]] = {
    "type-narrowed": (B, I, "the type accepts fewer values (e.g. number -> integer)", "type {old} -> {new}"),
    "type-widened": (I, B, "the type accepts more values (e.g. integer -> number)", "type {old} -> {new}"),
    "type-changed": (B, B, "the type changed to an unrelated one", "type {old} -> {new}"),
    "nullable-added": (I, B, "null became a valid value", "null is now allowed"),
    "nullable-removed": (B, I, "null is no longer a valid value", "null is no longer allowed"),
    "format-added": (B, I, "a format was added", "format {new!r} added"),
    "format-removed": (I, B, "the format was removed", "format {old!r} removed"),
    "format-changed": (B, B, "the format changed", "format {old!r} -> {new!r}"),
    "format-narrowed": (B, I, "the format accepts fewer values (e.g. int64 -> int32)", "format {old!r} -> {new!r}"),
    "format-widened": (I, B, "the format accepts more values (e.g. int32 -> int64)", "format {old!r} -> {new!r}"),
    "enum-value-added": (I, B, "a value was added to the enum", "enum value(s) {new} added"),
    "enum-value-removed": (B, I, "a value was removed from the enum", "enum value(s) {old} removed"),
    "enum-added": (B, I, "the value is now limited to an enum", "now limited to {new}"),
    "enum-removed": (I, B, "the enum limit was removed", "no longer limited to {old}"),
    "pattern-added": (B, I, "a pattern was added", "pattern {new!r} added"),
    "pattern-removed": (I, B, "the pattern was removed", "pattern {old!r} removed"),
    "pattern-changed": (B, B, "the pattern changed", "pattern {old!r} -> {new!r}"),
    "multiple-of-added": (B, I, "multipleOf was added", "multipleOf {new} added"),
    "multiple-of-removed": (I, B, "multipleOf was removed", "multipleOf {old} removed"),
    "multiple-of-changed": (B, B, "multipleOf changed", "multipleOf {old} -> {new}"),
    "unique-items-added": (B, I, "array items must now be unique", "uniqueItems added"),
    "unique-items-removed": (I, B, "array items no longer need to be unique", "uniqueItems removed"),
    "default-added": (I, I, "a default value was added", "default {new!r} added"),
    "default-removed": (W, I, "the default value was removed (omitting it now means something else)", "default {old!r} removed"),
    "default-changed": (W, I, "the default value changed (clients omitting it get other behaviour)", "default {old!r} -> {new!r}"),
    "property-added": (B, I, "an optional property was added where OLD allowed any property (additionalProperties absent or true): NEW rejects what its schema does not accept under that name (the witness search decides)", "optional property {name!r} added"),
    "property-added-to-closed-object": (I, W, "a property was added where OLD allowed no other (additionalProperties false): new in a request, and in a response a property OLD's schema rejected (tolerant readers ignore it)", "property {name!r} added (OLD allowed no other)"),
    "additional-property-changed": (B, B, "a property was added where OLD allowed others under its additionalProperties (or a matching patternProperties) schema: the schema for that name changed (the witness search decides)", "property {name!r} added over OLD's additional properties schema"),
    "required-property-added": (B, I, "a required property was added", "required property {name!r} added"),
    "required-property-added-with-default": (B, I, "a required property with a default was added (required wins over default: a body without it is invalid)", "required property {name!r} with default {new!r} added"),
    "property-removed": (W, B, "a property was removed (in a response even an optional one: framework documents mark fields with a default optional though every response carries them)", "property {name!r} removed"),
    "property-became-required": (B, I, "a property became required", "property {name!r} became required"),
    "property-became-optional": (I, B, "a property became optional (may be missing)", "property {name!r} became optional"),
    "property-read-only-added": (W, I, "a property became readOnly (clients must stop sending it)", "property {name!r} became readOnly"),
    "property-read-only-removed": (I, I, "a property is no longer readOnly", "property {name!r} is no longer readOnly"),
    "property-write-only-added": (I, B, "a property became writeOnly (no longer returned)", "property {name!r} became writeOnly"),
    "property-write-only-removed": (I, I, "a property is no longer writeOnly", "property {name!r} is no longer writeOnly"),
    "property-deprecated": (I, I, "a property is now deprecated", "property {name!r} is now deprecated"),
    "additional-properties-narrowed": (B, I, "fewer additional properties are accepted", "additionalProperties {old} -> {new}"),
    "additional-properties-widened": (I, W, "more additional properties are allowed", "additionalProperties {old} -> {new}"),
    "one-of-branch-added": (I, B, "a oneOf alternative was added", "oneOf alternative added: {new}"),
    "one-of-branch-removed": (B, I, "a oneOf alternative was removed", "oneOf alternative removed: {old}"),
    "any-of-branch-added": (I, B, "an anyOf alternative was added", "anyOf alternative added: {new}"),
    "any-of-branch-removed": (B, I, "an anyOf alternative was removed", "anyOf alternative removed: {old}"),
    "all-of-branch-added": (B, I, "an allOf constraint was added", "allOf constraint added: {new}"),
    "all-of-branch-removed": (I, B, "an allOf constraint was removed", "allOf constraint removed: {old}"),
    "one-of-overlap": (B, B, "oneOf branches overlap on a value (found by the witness search): a request OLD accepted now matches two of NEW's branches and is rejected, or a response NEW may return matched two of OLD's and was rejected", "oneOf branches overlap"),
    "not-added": (B, I, "a `not` constraint was added", "not {new} added"),
    "not-removed": (I, B, "the `not` constraint was removed", "not {old} removed"),
    "not-changed": (B, B, "the `not` constraint changed (the witness search decides)", "not {old} -> {new}"),
    "contains-added": (B, I, "the array must now contain a matching item (contains)", "contains {new} added"),
    "contains-removed": (I, B, "the array no longer needs a matching item (contains)", "contains {old} removed"),
    "dependent-required-added": (B, I, "a property now requires others when present (dependentRequired)", "dependentRequired {name!r}: {new} added"),
    "dependent-required-removed": (I, B, "a property no longer requires others when present (dependentRequired)", "dependentRequired {name!r}: {old} removed"),
    "dependent-schema-added": (B, I, "a property now brings a schema when present (dependentSchemas)", "dependentSchemas {name!r} added"),
    "dependent-schema-removed": (I, B, "a property no longer brings a schema when present (dependentSchemas)", "dependentSchemas {name!r} removed"),
    "conditional-added": (B, I, "an if/then/else condition was added", "if/then/else added"),
    "conditional-removed": (I, B, "the if/then/else condition was removed", "if/then/else removed"),
    "conditional-changed": (B, B, "the `if` of a condition changed (the witness search decides)", "if {old} -> {new}"),
    "prefix-items-added": (B, I, "tuple positions were added (prefixItems)", "prefixItems {old} -> {new} positions"),
    "prefix-items-removed": (I, B, "tuple positions were removed (prefixItems)", "prefixItems {old} -> {new} positions"),
    "property-names-added": (B, I, "property names are now constrained (propertyNames)", "propertyNames {new} added"),
    "property-names-removed": (I, B, "property names are no longer constrained (propertyNames)", "propertyNames {old} removed"),
    "pattern-property-added": (B, I, "properties whose names match a pattern are now constrained (patternProperties)", "patternProperties {name!r} added"),
    "pattern-property-removed": (I, B, "properties whose names match a pattern are no longer constrained (patternProperties)", "patternProperties {name!r} removed"),
    "unevaluated-properties-narrowed": (B, I, "fewer unevaluated properties are accepted (unevaluatedProperties)", "unevaluatedProperties {old} -> {new}"),
    "unevaluated-properties-widened": (I, W, "more unevaluated properties are allowed (unevaluatedProperties)", "unevaluatedProperties {old} -> {new}"),
    "unevaluated-items-narrowed": (B, I, "fewer unevaluated array items are accepted (unevaluatedItems)", "unevaluatedItems {old} -> {new}"),
    "unevaluated-items-widened": (I, B, "more unevaluated array items are allowed (unevaluatedItems)", "unevaluatedItems {old} -> {new}"),
    "content-encoding-added": (B, I, "the string must now be encoded (contentEncoding)", "contentEncoding {new!r} added"),
    "content-encoding-removed": (I, B, "the string is no longer encoded (contentEncoding)", "contentEncoding {old!r} removed"),
    "content-encoding-changed": (B, B, "the string's encoding changed (contentEncoding)", "contentEncoding {old!r} -> {new!r}"),
    "content-schema-added": (B, I, "the string's decoded content is now described by a schema (contentSchema)", "contentSchema {new} added"),
    "content-schema-removed": (I, W, "the string's decoded content is no longer described by a schema (contentSchema)", "contentSchema {old} removed"),
    "content-media-type-changed": (B, B, "the media type of the string's content changed (contentMediaType)", "contentMediaType {old!r} -> {new!r}"),
    "extensible-enum-value-added": (I, I, "a value was added to an x-extensible-enum (clients must accept unknown values)", "x-extensible-enum value(s) {new} added"),
    "extensible-enum-value-removed": (B, I, "a value was removed from an x-extensible-enum (requests sending it are rejected)", "x-extensible-enum value(s) {old} removed"),
    "xml-changed": (B, B, "the XML representation changed (xml name, namespace, attribute or wrapping) of an XML body", "xml {old} -> {new}"),
    # A discriminator is an annotation (validators ignore it; what the body may be is its oneOf/anyOf,
    # compared on its own): a warning where tools that dispatch on it may now reject or misread a value.
    "discriminator-added": (W, I, "a discriminator was added (an annotation: validators ignore it, but servers that dispatch on it, e.g. pydantic discriminated unions, reject bodies without the property)", "discriminator {new!r} added"),
    "discriminator-removed": (I, W, "the discriminator was removed (clients that dispatch on it must find the branch otherwise)", "discriminator {old!r} removed"),
    "discriminator-property-changed": (W, W, "the discriminator property changed (an annotation: tools that dispatch on it read another property)", "discriminator {old!r} -> {new!r}"),
    "discriminator-mapping-value-added": (I, W, "a discriminator mapping value was added (clients that dispatch on it meet a value they have no branch for)", "discriminator value(s) {new} added"),
    "discriminator-mapping-value-removed": (W, I, "a discriminator mapping value was removed (servers that dispatch on it reject the value)", "discriminator value(s) {old} removed"),
}

# Bounds: the minimum side narrows when it increases, the maximum side when it decreases.
_BOUNDS = {
    "min": ("minimum", True),
    "max": ("maximum", False),
    "min-length": ("minLength", True),
    "max-length": ("maxLength", False),
    "min-items": ("minItems", True),
    "max-items": ("maxItems", False),
    "min-properties": ("minProperties", True),
    "max-properties": ("maxProperties", False),
    "min-contains": ("minContains", True),
    "max-contains": ("maxContains", False),
}
BOUND_KEYWORDS = {prefix: keyword for prefix, (keyword, _) in _BOUNDS.items()}
for _prefix, (_keyword, _is_lower) in _BOUNDS.items():
    SCHEMA_KINDS[f"{_prefix}-{'increased' if _is_lower else 'decreased'}"] = (B, I, f"{_keyword} tightened", f"{_keyword} {{old}} -> {{new}}")
    SCHEMA_KINDS[f"{_prefix}-{'decreased' if _is_lower else 'increased'}"] = (I, B, f"{_keyword} relaxed", f"{_keyword} {{old}} -> {{new}}")
    SCHEMA_KINDS[f"{_prefix}-added"] = (B, I, f"{_keyword} added", f"{_keyword} {{new}} added")
    # Removed is relaxed all the way: in a response breaking like any relaxation (CONSTRAINT_POLICY).
    SCHEMA_KINDS[f"{_prefix}-removed"] = (I, B, f"{_keyword} removed", f"{_keyword} {{old}} removed")


# ---------------------------------------------------------------------------------------------
# Constraint keywords, both directions, one row each (docs/rules.md prints this table). A kind that
# tightens accepts fewer instances: breaking in a request, info in a response. A kind that relaxes
# (a bound moved outwards, a value added, the keyword removed: removal is relaxing all the way)
# accepts more: info in a request, breaking in a response (NEW may return what OLD's schema
# rejected), each judged by the witness search. The reason says who fails on a relaxed response.
# `deviation`: a documented departure from that rule, with its severity in responses.
@dataclass(frozen=True, slots=True)
class Constraint:
    keywords: str
    tightening: tuple[str, ...]
    relaxing: tuple[str, ...]
    reason: str
    deviation: str = ""


def _bound_kinds(prefix: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    tighter, looser = ("increased", "decreased") if prefix.startswith("min") else ("decreased", "increased")
    return (f"{prefix}-{tighter}", f"{prefix}-added"), (f"{prefix}-{looser}", f"{prefix}-removed")


CONSTRAINTS: list[Constraint] = [
    Constraint("type", ("type-narrowed",), ("type-widened",), "clients parse the value as OLD's type (a string where an integer was, a float in an int field)"),
    Constraint("null (`type: [X, \"null\"]`, 3.0 `nullable`)", ("nullable-removed",), ("nullable-added",), "clients dereference the value without a null check"),
    Constraint("enum, const", ("enum-added", "enum-value-removed"), ("enum-removed", "enum-value-added"), "clients switch over the values and meet one they have no case for"),
    Constraint("format", ("format-added", "format-narrowed"), ("format-removed", "format-widened"), "clients that validate or parse by format (generated clients read `date-time` into a datetime, `int32` into a 32-bit int)"),
    Constraint("minimum, exclusiveMinimum", *_bound_kinds("min"), "clients storing the value in a narrower type (unsigned, a range check) or relying on the bound"),
    Constraint("maximum, exclusiveMaximum", *_bound_kinds("max"), "clients storing the value in a narrower type (int32, a fixed-size column) or relying on the bound"),
    Constraint("minLength", *_bound_kinds("min-length"), "clients relying on a non-empty or minimum-length value (a prefix, an initial)"),
    Constraint("maxLength", *_bound_kinds("max-length"), "clients storing the value in fixed-size fields (database columns, buffers, UI widths)"),
    Constraint("pattern", ("pattern-added",), ("pattern-removed",), "clients that validate or parse the value by its pattern (splitting an ID on `-`)"),
    Constraint("multipleOf", ("multiple-of-added",), ("multiple-of-removed",), "clients computing with the step (cents, grid sizes)"),
    Constraint("minItems", *_bound_kinds("min-items"), "clients reading the first item without a check"),
    Constraint("maxItems", *_bound_kinds("max-items"), "clients sizing a fixed buffer or a page by the bound"),
    Constraint("uniqueItems", ("unique-items-added",), ("unique-items-removed",), "clients reading the array as a set (a key per item)"),
    Constraint("minProperties", *_bound_kinds("min-properties"), "clients reading an entry without a check"),
    Constraint("maxProperties", *_bound_kinds("max-properties"), "clients sizing a table by the bound"),
    Constraint("contains, minContains", ("contains-added", *_bound_kinds("min-contains")[0]), ("contains-removed", *_bound_kinds("min-contains")[1]), "clients looking for the matching item"),
    Constraint("maxContains", *_bound_kinds("max-contains"), "clients expecting at most that many matching items"),
    Constraint("required", ("property-became-required",), ("property-became-optional",), "clients reading the property without a presence check"),
    Constraint("dependentRequired", ("dependent-required-added",), ("dependent-required-removed",), "clients reading the dependent property without a check"),
    Constraint("not", ("not-added",), ("not-removed",), "clients relying on the excluded values never coming"),
    Constraint("prefixItems", ("prefix-items-added",), ("prefix-items-removed",), "clients reading the tuple's positions"),
    Constraint("unevaluatedItems", ("unevaluated-items-narrowed",), ("unevaluated-items-widened",), "clients reading the array as the tuple it was"),
    Constraint("contentEncoding", ("content-encoding-added",), ("content-encoding-removed",), "clients decoding (or not) the string"),
    Constraint("additionalProperties, unevaluatedProperties, a property added where OLD allowed none",
               ("additional-properties-narrowed", "unevaluated-properties-narrowed"),
               ("additional-properties-widened", "unevaluated-properties-widened", "property-added-to-closed-object"),
               "clients validating the body against OLD's closed object",
               deviation="warning: tolerant readers ignore properties they do not know (what JSON clients are expected to do; OpenAPI leaves objects open by default)"),
]


# Removals of a validation-only constraint, with its keyword: what an output model commonly stops
# documenting while the values it returns stay validated on the way in (a framework's Input/Output
# model split; the flask-fastapi profile's `output-model-constraints` noise rule reads this).
VALIDATION_REMOVALS: dict[str, str] = {
    **{f"{prefix}-removed": keyword for prefix, keyword in BOUND_KEYWORDS.items()},
    "pattern-removed": "pattern", "multiple-of-removed": "multipleOf", "unique-items-removed": "uniqueItems",
}


def schema_rule_id(location: str, kind: str, applies: Callable[[str, str], bool] | None = None) -> str:
    """The rule ID of a schema `kind` found at `location`; ValueError for a combination that is no rule
    (`applies`: the family's own test, `schema_rule_applies` for an operation's schemas)."""
    if location not in SCHEMA_LOCATIONS or kind not in SCHEMA_KINDS or not (applies or schema_rule_applies)(location, kind):
        raise ValueError(f"no schema rule for {kind} in the {location}")
    return f"{location}-{kind}"


# Parameters are text on the wire: no client can send JSON null in a path, query, header or cookie,
# so `Optional[str] = None` (anyOf string|null) and a plain string parameter are the same contract.
TEXT_LOCATIONS = frozenset({"request-path-parameter", "request-query-parameter", "request-header-parameter", "request-cookie-parameter"})
NOT_ON_THE_WIRE = frozenset({"nullable-added", "nullable-removed"})


# Kinds that only exist in some places: a oneOf overlap is judged in JSON bodies (parameters and
# headers are text); the XML object only shapes a body.
ONLY_AT = {"one-of-overlap": frozenset({"request-body", "response-body"}), "xml-changed": frozenset({"request-body", "response-body"})}


def schema_rule_applies(location: str, kind: str) -> bool:
    if kind in ONLY_AT and location not in ONLY_AT[kind]:
        return False
    return not (location in TEXT_LOCATIONS and kind in NOT_ON_THE_WIRE)


# ---------------------------------------------------------------------------------------------
# Detection. The schema family has no detector of its own: the families holding a schema (a
# parameter, a body, a header) call `compare_schemas` on each pair; `apiparity.diff.schemas` is the
# structural comparison, this maps what it finds to this family's rules.

# How an operation's schemas are compared: a request's as a request (readOnly properties are not
# sent), parameters as text on the wire, a response's and its headers' as a response.
COMPARED_AS: dict[str, tuple[str, bool]] = {
    REQUEST_BODY: ("request", False),
    **{parameter_location(where): ("request", True) for where in ("path", "query", "header", "cookie")},
    RESPONSE_BODY: ("response", False),
    RESPONSE_HEADER: ("response", False),
}
AS_IS = Perspective("operation", COMPARED_AS, schema_rule_applies)


_BRANCH_STEP = re.compile(r"(anyOf|oneOf|allOf)\[\d+\]")


def embed(instance: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    """`instance` of the schema at `path` (SchemaDiff.rel) as an instance of the root: wrapped in
    an object for each property step and in an array for each `[]` (a branch step adds nothing);
    (False, None) for a step no instance can be built through (`{*}`, `(if)`, a prefix index)."""
    for part in reversed(path):
        if _BRANCH_STEP.fullmatch(part):
            continue
        if part == "[]":
            instance = [instance]
        elif part[:1] in ("[", "{", "(") or not part:
            return False, None
        else:
            instance = {part: instance}
    return True, instance


def rel_text(rel: tuple[str, ...]) -> str:
    """`("items", "[]", "price")` -> `items[].price`: where in the compared root a difference is."""
    text = ""
    for part in rel:
        text += part if part.startswith("[") or not text else f".{part}"
    return text


def compare_schemas(ctx: DiffContext, op: Operation, location: str, place: str, old: Any, new: Any,
                    status: str = "", media_type: str = "") -> None:
    """Emit the schema rules for the differences of the schema pair at `location` (`place` names
    it in messages: "request body", "header 'X-Id'")."""
    direction = "request" if location.startswith("request") else "response"
    applies = ctx.perspective.schema_rule_applies
    xml = "xml" in media_type
    for diff in ctx.comparer(location).compare(old, new):
        if diff.kind == "xml-changed" and not xml:
            continue  # the XML object only shapes an XML body
        if diff.kind in ONLY_AT and not applies(location, diff.kind):
            continue  # a response header's oneOf (the comparer is shared with the response body)
        rel = rel_text(diff.rel)
        # annotations have their own rules (documents family), wherever the schema sits
        rule_id = diff.kind if diff.kind in SCHEMA_ANNOTATIONS else schema_rule_id(location, diff.kind, applies)
        ctx.add(
            rule_id,
            op,
            direction,
            old_pointer=diff.old_pointer,
            new_pointer=diff.new_pointer,
            old_value=diff.old_value,
            new_value=diff.new_value,
            where=f"{place} `{rel}`" if rel else place,
            name=diff.name,
            status=status,
            kind=diff.kind,
            location=location,
            old_schema=diff.old_schema,
            new_schema=diff.new_schema,
            rel=rel,
            **({"root_old_schema": old, "root_new_schema": new, "root_path": diff.rel}
               if any(_BRANCH_STEP.match(part) for part in diff.rel) else {}),
        )


DETECTORS: list[Detector] = []  # called by the families that hold schemas (see compare_schemas)


RULES = [
    Rule(
        schema_rule_id(location, kind),
        request_severity if direction == "request" else response_severity,
        direction,
        f"In the {place}, {description}.",
        "{where}: " + message,
        F,
        location,
        kind,
    )
    for location, (direction, place) in SCHEMA_LOCATIONS.items()
    for kind, (request_severity, response_severity, description, message) in SCHEMA_KINDS.items()
    if schema_rule_applies(location, kind)
]


# ---------------------------------------------------------------------------------------------
# Judged by meaning. A breaking finding of one of these kinds is checked by the witness search
# (apiparity.diff.witness): an instance the accepting side allows and the other side rejects *for
# one of these keywords*. A kind absent here is not about what a validator accepts (defaults,
# readOnly/writeOnly, discriminators, XML and content media types, documentation), and keeps its
# structural verdict.
_BOUND_WITNESS = {
    "min": {"minimum", "exclusiveMinimum"},
    "max": {"maximum", "exclusiveMaximum"},
    "min-contains": {"contains", "minContains"},
    "max-contains": {"contains", "maxContains"},
}
WITNESS_KEYWORDS: dict[str, frozenset[str]] = {
    **{kind: frozenset({"type", "enum", "const"}) for kind in ("type-narrowed", "type-widened", "type-changed")},
    **{kind: frozenset({"type", "enum", "anyOf"}) for kind in ("nullable-added", "nullable-removed")},
    **{kind: frozenset({"format"}) for kind in ("format-added", "format-removed", "format-changed", "format-narrowed", "format-widened")},
    **{kind: frozenset({"enum", "const"}) for kind in ("enum-value-added", "enum-value-removed", "enum-added", "enum-removed", "extensible-enum-value-removed")},
    **{kind: frozenset({"pattern"}) for kind in ("pattern-added", "pattern-removed", "pattern-changed")},
    **{kind: frozenset({"multipleOf"}) for kind in ("multiple-of-added", "multiple-of-removed", "multiple-of-changed")},
    **{kind: frozenset({"uniqueItems"}) for kind in ("unique-items-added", "unique-items-removed")},
    **{kind: frozenset({"required"}) for kind in ("required-property-added", "required-property-added-with-default", "property-became-required", "property-became-optional")},
    # any keyword of the property's own schema: OLD allowed the name with another (or any) value
    **{kind: frozenset() for kind in ("property-added", "additional-property-changed")},
    "property-removed": frozenset(),  # any keyword: NEW no longer promises the property's presence nor its shape
    "additional-properties-narrowed": frozenset({"additionalProperties", "unevaluatedProperties"}),
    **{kind: frozenset({"oneOf"}) for kind in ("one-of-branch-added", "one-of-branch-removed")},
    "one-of-overlap": frozenset({"oneOf:overlap"}),  # rejected because two branches match (witness.OVERLAP)
    **{kind: frozenset({"anyOf"}) for kind in ("any-of-branch-added", "any-of-branch-removed")},
    **{kind: frozenset({"allOf"}) for kind in ("all-of-branch-added", "all-of-branch-removed")},
    **{kind: frozenset({"not"}) for kind in ("not-added", "not-removed", "not-changed")},
    **{kind: frozenset({"contains", "minContains", "maxContains"}) for kind in ("contains-added", "contains-removed")},
    **{kind: frozenset({"dependentRequired"}) for kind in ("dependent-required-added", "dependent-required-removed")},
    **{kind: frozenset({"dependentSchemas"}) for kind in ("dependent-schema-added", "dependent-schema-removed")},
    **{kind: frozenset({"if", "then", "else"}) for kind in ("conditional-added", "conditional-removed", "conditional-changed")},
    **{kind: frozenset({"prefixItems"}) for kind in ("prefix-items-added", "prefix-items-removed")},
    **{kind: frozenset({"propertyNames"}) for kind in ("property-names-added", "property-names-removed")},
    **{kind: frozenset({"patternProperties"}) for kind in ("pattern-property-added", "pattern-property-removed")},
    **{kind: frozenset({"unevaluatedProperties"}) for kind in ("unevaluated-properties-narrowed", "unevaluated-properties-widened")},
    **{kind: frozenset({"unevaluatedItems"}) for kind in ("unevaluated-items-narrowed", "unevaluated-items-widened")},
    **{kind: frozenset({"format"}) for kind in ("content-encoding-added", "content-encoding-removed", "content-encoding-changed")},
}
for _prefix, _keyword in BOUND_KEYWORDS.items():
    for _change in ("increased", "decreased", "added", "removed"):
        WITNESS_KEYWORDS[f"{_prefix}-{_change}"] = frozenset(_BOUND_WITNESS.get(_prefix, {_keyword}))

# Kinds the structure cannot decide at all: reported only when the witness search finds an instance.
WITNESS_ONLY = frozenset({"one-of-overlap"})
# Kinds that are not about what a validator accepts, each with the reason (docs/rules.md).
NOT_JUDGED_BY_INSTANCES: dict[str, str] = {
    "default-added": "a default is an annotation: it changes what omitting a value means, not what is valid",
    "default-removed": "a default is an annotation",
    "default-changed": "a default is an annotation",
    "property-added-to-closed-object": "tolerant reader: clients ignore properties they do not know",
    "property-read-only-added": "readOnly is about who sends a value, not its shape",
    "property-read-only-removed": "readOnly is about who sends a value",
    "property-write-only-added": "writeOnly is about who sends a value",
    "property-write-only-removed": "writeOnly is about who sends a value",
    "property-deprecated": "deprecation is documentation",
    "additional-properties-widened": "tolerant reader: clients ignore properties they do not know",
    "discriminator-added": "a discriminator is an annotation: it selects a branch for tools that dispatch on it, a validator ignores it",
    "discriminator-removed": "a discriminator is an annotation of validation",
    "discriminator-property-changed": "a discriminator is an annotation of validation",
    "discriminator-mapping-value-added": "a discriminator is an annotation of validation",
    "discriminator-mapping-value-removed": "a discriminator is an annotation of validation",
    "content-schema-added": "contentSchema is an annotation validators do not apply; its own changes are judged inside it",
    "content-schema-removed": "contentSchema is an annotation validators do not apply",
    "content-media-type-changed": "contentMediaType is not checked by validators; the bytes change",
    "extensible-enum-value-added": "x-extensible-enum is open by definition",
    "xml-changed": "the XML representation is not a JSON value",
}
