"""Schema keyword changes, generated for every place a schema can sit.

One table row per kind of change says how it affects a request (does NEW reject what OLD
accepted?) and a response (may an existing client fail on what NEW returns?). Each row becomes one
rule per location, e.g. `request-body-max-length-decreased`, `response-header-enum-value-added`.
"""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

F = "schemas"

# location prefix -> (direction, human name used in descriptions)
SCHEMA_LOCATIONS: dict[str, tuple[str, str]] = {
    "request-body": ("request", "request body"),
    "request-path-parameter": ("request", "path parameter"),
    "request-query-parameter": ("request", "query parameter"),
    "request-header-parameter": ("request", "request header"),
    "request-cookie-parameter": ("request", "cookie parameter"),
    "response-body": ("response", "response body"),
    "response-header": ("response", "response header"),
}

B, W, I = "breaking", "warning", "info"  # noqa: E741 - short names keep the table readable

# kind -> (request severity, response severity, description, message template)
SCHEMA_KINDS: dict[str, tuple[str, str, str, str]] = {
    "type-narrowed": (B, I, "the type accepts fewer values (e.g. number -> integer)", "type {old} -> {new}"),
    "type-widened": (I, B, "the type accepts more values (e.g. integer -> number)", "type {old} -> {new}"),
    "type-changed": (B, B, "the type changed to an unrelated one", "type {old} -> {new}"),
    "nullable-added": (I, B, "null became a valid value", "null is now allowed"),
    "nullable-removed": (B, I, "null is no longer a valid value", "null is no longer allowed"),
    "format-added": (B, I, "a format was added", "format {new!r} added"),
    "format-removed": (I, W, "the format was removed", "format {old!r} removed"),
    "format-changed": (B, B, "the format changed", "format {old!r} -> {new!r}"),
    "format-narrowed": (B, I, "the format accepts fewer values (e.g. int64 -> int32)", "format {old!r} -> {new!r}"),
    "format-widened": (I, B, "the format accepts more values (e.g. int32 -> int64)", "format {old!r} -> {new!r}"),
    "enum-value-added": (I, B, "a value was added to the enum", "enum value(s) {new} added"),
    "enum-value-removed": (B, I, "a value was removed from the enum", "enum value(s) {old} removed"),
    "enum-added": (B, I, "the value is now limited to an enum", "now limited to {new}"),
    "enum-removed": (I, B, "the enum limit was removed", "no longer limited to {old}"),
    "pattern-added": (B, I, "a pattern was added", "pattern {new!r} added"),
    "pattern-removed": (I, W, "the pattern was removed", "pattern {old!r} removed"),
    "pattern-changed": (B, W, "the pattern changed", "pattern {old!r} -> {new!r}"),
    "multiple-of-added": (B, I, "multipleOf was added", "multipleOf {new} added"),
    "multiple-of-removed": (I, W, "multipleOf was removed", "multipleOf {old} removed"),
    "multiple-of-changed": (B, W, "multipleOf changed", "multipleOf {old} -> {new}"),
    "unique-items-added": (B, I, "array items must now be unique", "uniqueItems added"),
    "unique-items-removed": (I, W, "array items no longer need to be unique", "uniqueItems removed"),
    "default-added": (I, I, "a default value was added", "default {new!r} added"),
    "default-removed": (W, I, "the default value was removed (omitting it now means something else)", "default {old!r} removed"),
    "default-changed": (W, I, "the default value changed (clients omitting it get other behaviour)", "default {old!r} -> {new!r}"),
    "property-added": (I, I, "an optional property was added", "optional property {name!r} added"),
    "required-property-added": (B, I, "a required property was added", "required property {name!r} added"),
    "required-property-added-with-default": (W, I, "a required property with a default was added (required wins over default: clients omitting it may be rejected)", "required property {name!r} with default {new!r} added"),
    "property-removed": (W, B, "a property was removed", "property {name!r} removed"),
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
    "discriminator-added": (B, I, "a discriminator was added", "discriminator {new!r} added"),
    "discriminator-removed": (I, W, "the discriminator was removed", "discriminator {old!r} removed"),
    "discriminator-property-changed": (B, B, "the discriminator property changed", "discriminator {old!r} -> {new!r}"),
    "discriminator-mapping-value-added": (I, B, "a discriminator mapping value was added", "discriminator value(s) {new} added"),
    "discriminator-mapping-value-removed": (B, I, "a discriminator mapping value was removed", "discriminator value(s) {old} removed"),
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
}
BOUND_KEYWORDS = {prefix: keyword for prefix, (keyword, _) in _BOUNDS.items()}
for _prefix, (_keyword, _is_lower) in _BOUNDS.items():
    SCHEMA_KINDS[f"{_prefix}-{'increased' if _is_lower else 'decreased'}"] = (B, I, f"{_keyword} tightened", f"{_keyword} {{old}} -> {{new}}")
    SCHEMA_KINDS[f"{_prefix}-{'decreased' if _is_lower else 'increased'}"] = (I, W, f"{_keyword} relaxed", f"{_keyword} {{old}} -> {{new}}")
    SCHEMA_KINDS[f"{_prefix}-added"] = (B, I, f"{_keyword} added", f"{_keyword} {{new}} added")
    SCHEMA_KINDS[f"{_prefix}-removed"] = (I, W, f"{_keyword} removed", f"{_keyword} {{old}} removed")


def schema_rule_id(location: str, kind: str) -> str:
    return f"{location}-{kind}"


# Parameters are text on the wire: no client can send JSON null in a path, query, header or cookie,
# so `Optional[str] = None` (anyOf string|null) and a plain string parameter are the same contract.
TEXT_LOCATIONS = frozenset({"request-path-parameter", "request-query-parameter", "request-header-parameter", "request-cookie-parameter"})
NOT_ON_THE_WIRE = frozenset({"nullable-added", "nullable-removed"})


def schema_rule_applies(location: str, kind: str) -> bool:
    return not (location in TEXT_LOCATIONS and kind in NOT_ON_THE_WIRE)


RULES = [
    Rule(
        schema_rule_id(location, kind),
        request_severity if direction == "request" else response_severity,  # type: ignore[arg-type]
        direction,  # type: ignore[arg-type]
        f"In the {place}, {description}.",
        "{where}: " + message,
        F,
    )
    for location, (direction, place) in SCHEMA_LOCATIONS.items()
    for kind, (request_severity, response_severity, description, message) in SCHEMA_KINDS.items()
    if schema_rule_applies(location, kind)
]
