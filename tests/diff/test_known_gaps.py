"""Gaps the first version of the diff had: status ranges, schemas without `type`, header aliases
with no profile, renamed security schemes, one finding per unrelated type change."""

from __future__ import annotations

from apiparity.diff.engine import DiffOptions

from .helpers import document, ok, rule_ids, run, schema_at

ITEM = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}


def responses(**by_status: dict) -> dict:
    return document({"/x": {"get": {"responses": by_status}}})


def severities(old: dict, new: dict, options: DiffOptions | None = None) -> list[tuple[str, str]]:
    return sorted((c.rule_id, c.severity) for c in run(old, new, options).changes)


def test_a_status_replaced_by_its_range_with_the_same_body_is_info_both_ways() -> None:
    concrete, ranged = responses(**{"200": ok(ITEM)}), responses(**{"2XX": ok(ITEM)})
    assert severities(concrete, ranged) == [("response-status-became-range", "info")]
    assert severities(ranged, concrete) == [("response-status-range-became-specific", "info")]


def test_a_status_and_its_range_compare_their_bodies() -> None:
    concrete = responses(**{"200": ok(ITEM)})
    smaller = {**ITEM, "properties": {"id": {"type": "integer"}}}
    assert rule_ids(concrete, responses(**{"2XX": ok(smaller)})) == {"response-status-became-range", "response-body-property-removed"}
    # Two codes of one family both become the range; each is compared with it.
    two = responses(**{"200": ok(ITEM), "201": ok(smaller)})
    assert severities(two, responses(**{"2XX": ok(ITEM)})) == [
        ("response-body-property-added", "info"),
        ("response-status-became-range", "info"),
        ("response-status-became-range", "info"),
    ]


def test_a_range_removed_with_nothing_of_its_family_left_is_breaking() -> None:
    assert severities(responses(**{"2XX": ok(ITEM), "404": ok()}), responses(**{"404": ok(), "default": ok()})) == [
        ("response-default-added", "info"),
        ("response-success-status-removed", "breaking"),
    ]
    # A range of another family does not cover it.
    assert "response-success-status-removed" in rule_ids(responses(**{"200": ok(ITEM)}), responses(**{"4XX": ok(ITEM)}))


def test_properties_without_type_equal_type_object() -> None:
    typed = ITEM
    untyped = {k: v for k, v in ITEM.items() if k != "type"}
    for location in ("request-body", "response-body", "request-query-parameter"):
        assert rule_ids(schema_at(location, typed), schema_at(location, untyped)) == set(), location
        assert rule_ids(schema_at(location, untyped), schema_at(location, typed)) == set(), location
    items_only = {"items": {"type": "string"}}
    assert rule_ids(schema_at("request-body", items_only), schema_at("request-body", {"type": "array", **items_only})) == set()


def test_an_untyped_schema_stays_untyped_when_its_keywords_are_ambiguous() -> None:
    # `{}` accepts anything: narrowing it to an object is a real change.
    assert rule_ids(schema_at("request-body", {}), schema_at("request-body", {"type": "object"})) == {"request-body-type-narrowed"}
    # properties beside a string keyword: the author did not say object, nothing is inferred.
    mixed = {"properties": {"a": {"type": "string"}}, "minLength": 1}
    assert rule_ids(schema_at("request-body", mixed), schema_at("request-body", {**mixed, "type": "object"})) == {"request-body-type-narrowed"}


def test_header_alias_pairs_with_no_profile_and_is_noise_with_flask_fastapi() -> None:
    def with_header(name: str, schema: dict) -> dict:
        return document({"/x": {"get": {"parameters": [{"name": name, "in": "header", "required": True, "schema": schema}], "responses": {"200": ok()}}}})

    old, new = with_header("x_request_id", {"type": "string"}), with_header("X-Request-Id", {"type": "string", "maxLength": 8})
    assert severities(old, new) == [("request-header-parameter-alias-renamed", "warning"), ("request-header-parameter-max-length-added", "breaking")]
    assert severities(old, new, DiffOptions()) == [("request-header-parameter-max-length-added", "breaking")]


def test_renamed_security_scheme_keeps_the_requirements() -> None:
    def secured(scheme_name: str, scheme: dict, scopes: list[str]) -> dict:
        op = {"security": [{scheme_name: scopes}], "responses": {"200": ok()}}
        return document({"/x": {"get": op}}, components={"securitySchemes": {scheme_name: scheme}})

    key = {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert severities(secured("api_key", key, []), secured("APIKeyHeader", {**key, "name": "x-api-key"}, [])) == [("security-scheme-renamed", "info")]
    oauth = {"type": "oauth2", "flows": {"password": {"tokenUrl": "/token", "scopes": {"read": "", "write": ""}}}}
    assert severities(secured("auth", oauth, ["read"]), secured("OAuth2PasswordBearer", oauth, ["read", "write"])) == [
        ("api-security-scope-added", "breaking"),
        ("security-scheme-renamed", "info"),
    ]
    # Different credentials are not a rename.
    other = {"type": "apiKey", "in": "query", "name": "key"}
    assert "api-security-requirement-removed" in rule_ids(secured("api_key", key, []), secured("QueryKey", other, []))


def test_unrelated_type_change_is_one_finding() -> None:
    old = schema_at("response-body", {"type": "integer", "format": "int64", "minimum": 1, "default": 1})
    new = schema_at("response-body", {"type": "string", "format": "date", "maxLength": 3})
    assert rule_ids(old, new) == {"response-body-type-changed"}
    # A related change (integer -> number) still reports its keyword changes.
    widened = schema_at("response-body", {"type": "number", "format": "double", "minimum": 1, "default": 1})
    assert rule_ids(old, widened) == {"response-body-type-widened", "response-body-format-changed"}


def test_recursive_schema_reached_inline_or_by_ref_is_equal() -> None:
    node = {"type": "object", "properties": {"name": {"type": "string"}, "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}}}
    by_ref = document({"/x": {"get": {"responses": {"200": ok({"$ref": "#/components/schemas/Node"})}}}}, components={"schemas": {"Node": node}})
    inline = document({"/x": {"get": {"responses": {"200": ok(node)}}}}, components={"schemas": {"Node": node}})
    assert rule_ids(by_ref, inline) == set() and rule_ids(inline, by_ref) == set()


def test_parameters_are_text_on_the_wire() -> None:
    """integer -> string in a path/query/header/cookie parameter accepts every request OLD did."""
    for location in ("request-path-parameter", "request-query-parameter", "request-header-parameter", "request-cookie-parameter"):
        integer, string = schema_at(location, {"type": "integer", "format": "int64"}), schema_at(location, {"type": "string"})
        assert severities(integer, string) == [(f"{location}-format-removed", "info"), (f"{location}-type-widened", "info")], location
        assert (f"{location}-type-narrowed", "breaking") in severities(string, integer), location
    # A constraint the string adds is still reported.
    patterned = schema_at("request-path-parameter", {"type": "string", "pattern": "^[a-z]+$"})
    assert "request-path-parameter-pattern-added" in rule_ids(schema_at("request-path-parameter", {"type": "integer"}), patterned)
    # In a JSON body, 1 and "1" are different values: still a type change.
    assert rule_ids(schema_at("request-body", {"type": "integer"}), schema_at("request-body", {"type": "string"})) == {"request-body-type-changed"}
