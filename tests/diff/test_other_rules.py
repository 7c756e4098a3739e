"""Operation, parameter, body, response, security and document rules: one minimal pair each, the
exact set of rule IDs, and what the reverse pair reports."""

from __future__ import annotations

import copy

import pytest

from apiparity.diff.registry import RULES

from .helpers import document, ok, rule_ids

S = {"type": "string"}
JSON = {"application/json": {"schema": S}}


def op(**fields):
    base = {"responses": {"200": ok(S)}}
    base.update(fields)
    return base


def param(where: str, name: str = "p", required: bool = False, **extra):
    return {"name": name, "in": where, "required": required, "schema": S, **extra}


def doc_op(operation: dict, path: str = "/x", method: str = "get", **extra) -> dict:
    return document({path: {method: operation}}, **extra)


SCHEMES = {
    "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
    "basic": {"type": "http", "scheme": "basic"},
    "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://a/token", "scopes": {"read": "r", "write": "w"}}}},
    "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://a/.well-known"},
}


def with_schemes(schemes: dict, operation: dict | None = None) -> dict:
    return doc_op(operation or op(), components={"securitySchemes": schemes})


def scheme_variant(scheme_name: str, **changes) -> dict:
    schemes = copy.deepcopy(SCHEMES)
    schemes[scheme_name].update(changes)
    return schemes


# (rule id, old, new, rule IDs of the reverse pair)
CASES = [
    ("api-path-added", document({}), doc_op(op()), {"api-path-removed"}),
    ("api-operation-added", doc_op(op()), document({"/x": {"get": op(), "post": op()}}), {"api-operation-removed"}),
    ("api-deprecated-operation-removed", doc_op(op(deprecated=True)), document({}), {"api-path-added"}),
    ("api-deprecated-operation-removed", document({"/x": {"get": op(deprecated=True), "post": op()}}), doc_op(op(), method="post"), {"api-operation-added"}),
    ("api-deprecated", doc_op(op()), doc_op(op(deprecated=True)), {"api-undeprecated"}),
    ("api-path-parameter-renamed", doc_op(op(), "/x/{id}"), doc_op(op(), "/x/{x_id}"), {"api-path-parameter-renamed"}),
    ("api-operation-id-changed", doc_op(op(operationId="a")), doc_op(op(operationId="b")), {"api-operation-id-changed"}),
    ("api-summary-changed", doc_op(op(summary="a")), doc_op(op(summary="b")), {"api-summary-changed"}),
    ("api-description-changed", doc_op(op(description="a")), doc_op(op(description="b")), {"api-description-changed"}),
    ("api-tags-changed", doc_op(op(tags=["a"])), doc_op(op(tags=["b"])), {"api-tags-changed"}),
    ("request-body-added-required", doc_op(op(), method="post"), doc_op(op(requestBody={"required": True, "content": JSON}), method="post"), {"request-body-removed"}),
    ("request-body-added-optional", doc_op(op(), method="post"), doc_op(op(requestBody={"content": JSON}), method="post"), {"request-body-removed"}),
    ("request-body-became-required", doc_op(op(requestBody={"content": JSON})), doc_op(op(requestBody={"required": True, "content": JSON})), {"request-body-became-optional"}),
    ("request-body-media-type-added", doc_op(op(requestBody={"content": JSON})), doc_op(op(requestBody={"content": {**JSON, "text/plain": {"schema": S}}})), {"request-body-media-type-removed"}),
    ("request-body-description-changed", doc_op(op(requestBody={"content": JSON, "description": "a"})), doc_op(op(requestBody={"content": JSON, "description": "b"})), {"request-body-description-changed"}),
    ("response-success-status-added", doc_op(op()), doc_op(op(responses={"200": ok(S), "201": ok(S)})), {"response-success-status-removed"}),
    ("response-non-success-status-added", doc_op(op()), doc_op(op(responses={"200": ok(S), "404": ok()})), {"response-non-success-status-removed"}),
    ("response-status-became-range", doc_op(op()), doc_op(op(responses={"2XX": ok(S)})), {"response-status-range-became-specific"}),
    ("response-default-added", doc_op(op()), doc_op(op(responses={"200": ok(S), "default": ok()})), {"response-default-removed"}),
    ("response-media-type-added", doc_op(op()), doc_op(op(responses={"200": {"description": "ok", "content": {**JSON, "text/csv": {"schema": S}}}})), {"response-media-type-removed"}),
    ("response-body-schema-added", doc_op(op(responses={"200": {"description": "ok", "content": {"application/json": {}}}})), doc_op(op()), {"response-body-schema-removed"}),
    ("response-description-changed", doc_op(op()), doc_op(op(responses={"200": ok(S, description="other")})), {"response-description-changed"}),
    ("response-header-added", doc_op(op()), doc_op(op(responses={"200": ok(S, headers={"X-A": {"schema": S}})})), {"response-optional-header-removed"}),
    ("response-required-header-removed", doc_op(op(responses={"200": ok(S, headers={"X-A": {"schema": S, "required": True}})})), doc_op(op()), {"response-header-added"}),
    ("response-header-became-optional", doc_op(op(responses={"200": ok(S, headers={"X-A": {"schema": S, "required": True}})})), doc_op(op(responses={"200": ok(S, headers={"X-A": {"schema": S}})})), {"response-header-became-required"}),
    ("api-security-added", with_schemes(SCHEMES), with_schemes(SCHEMES, op(security=[{"key": []}])), {"api-security-removed"}),
    ("api-security-requirement-added", with_schemes(SCHEMES, op(security=[{"key": []}])), with_schemes(SCHEMES, op(security=[{"key": []}, {"basic": []}])), {"api-security-requirement-removed"}),
    ("api-security-scope-added", with_schemes(SCHEMES, op(security=[{"oauth": ["read"]}])), with_schemes(SCHEMES, op(security=[{"oauth": ["read", "write"]}])), {"api-security-scope-removed"}),
    ("security-scheme-added", with_schemes({}), with_schemes({"key": SCHEMES["key"]}), {"security-scheme-removed"}),
    ("security-scheme-renamed", with_schemes({"key": SCHEMES["key"]}, op(security=[{"key": []}])), with_schemes({"APIKeyHeader": SCHEMES["key"]}, op(security=[{"APIKeyHeader": []}])), {"security-scheme-renamed"}),
    ("security-scheme-type-changed", with_schemes(SCHEMES), with_schemes({**SCHEMES, "key": SCHEMES["basic"]}), {"security-scheme-type-changed"}),
    ("security-scheme-api-key-name-changed", with_schemes(SCHEMES), with_schemes(scheme_variant("key", name="X-Other")), {"security-scheme-api-key-name-changed"}),
    ("security-scheme-api-key-location-changed", with_schemes(SCHEMES), with_schemes(scheme_variant("key", **{"in": "query"})), {"security-scheme-api-key-location-changed"}),
    ("security-scheme-http-scheme-changed", with_schemes(SCHEMES), with_schemes(scheme_variant("basic", scheme="bearer")), {"security-scheme-http-scheme-changed"}),
    ("security-scheme-bearer-format-changed", with_schemes(scheme_variant("basic", bearerFormat="a")), with_schemes(scheme_variant("basic", bearerFormat="JWT")), {"security-scheme-bearer-format-changed"}),
    ("security-scheme-openid-url-changed", with_schemes(SCHEMES), with_schemes(scheme_variant("oidc", openIdConnectUrl="https://b")), {"security-scheme-openid-url-changed"}),
    (
        "security-scheme-oauth-flow-added",
        with_schemes(SCHEMES),
        with_schemes(scheme_variant("oauth", flows={**SCHEMES["oauth"]["flows"], "password": {"tokenUrl": "https://a/t", "scopes": {}}})),
        {"security-scheme-oauth-flow-removed"},
    ),
    (
        "security-scheme-oauth-url-changed",
        with_schemes(SCHEMES),
        with_schemes(scheme_variant("oauth", flows={"clientCredentials": {"tokenUrl": "https://b/token", "scopes": {"read": "r", "write": "w"}}})),
        {"security-scheme-oauth-url-changed"},
    ),
    (
        "security-scheme-oauth-scope-added",
        with_schemes(SCHEMES),
        with_schemes(scheme_variant("oauth", flows={"clientCredentials": {"tokenUrl": "https://a/token", "scopes": {"read": "r", "write": "w", "admin": "a"}}})),
        {"security-scheme-oauth-scope-removed"},
    ),
    ("openapi-version-changed", doc_op(op()), {**doc_op(op()), "openapi": "3.0.3"}, {"openapi-version-changed"}),
    ("api-info-title-changed", doc_op(op()), {**doc_op(op()), "info": {"title": "u", "version": "1"}}, {"api-info-title-changed"}),
    ("api-info-version-changed", doc_op(op()), {**doc_op(op()), "info": {"title": "t", "version": "2"}}, {"api-info-version-changed"}),
    ("server-added", doc_op(op()), doc_op(op(), servers=[{"url": "https://a"}]), {"server-removed"}),
    ("schema-title-changed", doc_op(op(responses={"200": ok({"type": "string", "title": "a"})})), doc_op(op(responses={"200": ok({"type": "string", "title": "b"})})), {"schema-title-changed"}),
    ("schema-description-changed", doc_op(op(responses={"200": ok({"type": "string", "description": "a"})})), doc_op(op(responses={"200": ok({"type": "string", "description": "b"})})), {"schema-description-changed"}),
]

for _where in ("path", "query", "header", "cookie"):
    _path = "/x/{p}" if _where == "path" else "/x"
    _req = _where == "path"
    _pre = f"request-{_where}-parameter"
    CASES += [
        (f"{_pre}-style-changed", doc_op(op(parameters=[param(_where, required=_req)]), _path), doc_op(op(parameters=[param(_where, required=_req, style="label" if _req else "spaceDelimited", explode=_where in ("query", "cookie"))]), _path), {f"{_pre}-style-changed"}),
        (f"{_pre}-explode-changed", doc_op(op(parameters=[param(_where, required=_req)]), _path), doc_op(op(parameters=[param(_where, required=_req, explode=_where not in ('query', 'cookie'))]), _path), {f"{_pre}-explode-changed"}),
        (f"{_pre}-deprecated", doc_op(op(parameters=[param(_where, required=_req)]), _path), doc_op(op(parameters=[param(_where, required=_req, deprecated=True)]), _path), {f"{_pre}-undeprecated"}),
        (
            f"{_pre}-media-type-changed",
            doc_op(op(parameters=[{"name": "p", "in": _where, "required": _req, "content": {"application/json": {"schema": S}}}]), _path),
            doc_op(op(parameters=[{"name": "p", "in": _where, "required": _req, "content": {"text/plain": {"schema": S}}}]), _path),
            {f"{_pre}-media-type-changed"},
        ),
    ]
    if _where == "path":
        # always required: it cannot be added optional nor change requiredness (no such rules), but a
        # document may declare one its template does not use (apiparity accepts such documents)
        _extra = {**param("path", name="extra", required=True)}
        CASES += [(f"{_pre}-added-required", doc_op(op(parameters=[param("path", required=True)]), _path),
                   doc_op(op(parameters=[param("path", required=True), _extra]), _path), {f"{_pre}-removed"})]
    else:
        CASES += [
            (f"{_pre}-added", doc_op(op()), doc_op(op(parameters=[param(_where)])), {f"{_pre}-removed"}),
            (f"{_pre}-added-required", doc_op(op()), doc_op(op(parameters=[param(_where, required=True)])), {f"{_pre}-removed"}),
            (f"{_pre}-became-required", doc_op(op(parameters=[param(_where)])), doc_op(op(parameters=[param(_where, required=True)])), {f"{_pre}-became-optional"}),
        ]


@pytest.mark.parametrize(("rule_id", "old", "new", "reverse"), CASES, ids=[c[0] for c in CASES])
def test_rule(rule_id: str, old: dict, new: dict, reverse: set[str]) -> None:
    assert rule_id in RULES
    assert rule_ids(old, new) == {rule_id}
    assert rule_ids(new, old) == reverse


def test_every_rule_is_exercised() -> None:
    """Every registered rule is produced by some pair in the rule tests (forward or reverse)."""
    from apiparity.diff.rules.schemas import SCHEMA_LOCATIONS

    from .test_schema_rules import CASES as SCHEMA_CASES

    covered = {c[0] for c in CASES} | {r for c in CASES for r in c[3]}
    covered |= {f"{loc}-{kind}" for loc in SCHEMA_LOCATIONS for kind in SCHEMA_CASES}
    covered |= {f"{loc}-{c[2]}" for loc in SCHEMA_LOCATIONS for c in SCHEMA_CASES.values() if c[2]}
    covered.add("request-header-parameter-alias-renamed")  # see test_header_alias_is_one_parameter_a_warning_without_the_noise_rule
    # webhooks: every schema case and every mirrored operation case run as a webhook (test_webhooks)
    from .test_webhooks import _operation_cases, _schema_cases

    covered |= {"webhook-added", "webhook-removed"}
    covered |= {f"webhook-{loc}-{kind}" for loc, kind in _schema_cases()}
    covered |= {f"webhook-{loc}-{c[2]}" for loc, kind in _schema_cases() for c in [SCHEMA_CASES[kind]] if c[2]}
    covered |= {"webhook-" + r for c in _operation_cases() for r in (c[0], *c[3])}
    # test_webhooks' XML and header alias tests
    covered |= {"webhook-request-body-xml-changed", "webhook-response-body-xml-changed", "webhook-request-header-parameter-alias-renamed"}
    assert sorted(set(RULES) - covered) == [], "a registered rule no fixture fires: give it one, or stop generating it"


def test_combinations_that_cannot_occur_are_not_rules() -> None:
    """A path parameter is always required: its optional-add and requiredness rules would never fire."""
    from apiparity.diff.rules import parameters

    for kind in (parameters.ADDED, parameters.BECAME_REQUIRED, parameters.BECAME_OPTIONAL):
        assert f"request-path-parameter-{kind}" not in RULES and f"webhook-request-path-parameter-{kind}" not in RULES
        with pytest.raises(ValueError, match="no parameter rule"):
            parameters.parameter_rule("path", kind)
    assert parameters.parameter_rule("query", parameters.ADDED) in RULES


def test_header_alias_is_one_parameter_a_warning_without_the_noise_rule() -> None:
    from apiparity.diff.engine import DiffOptions

    from .helpers import run

    old = doc_op(op(parameters=[param("header", "x_trace", required=True)]))
    new = doc_op(op(parameters=[param("header", "X-Trace", required=True)]))
    # No profile: the pair is one parameter, its rename a warning (not removed + added-required).
    plain = run(old, new)
    assert [(c.rule_id, c.severity) for c in plain.changes] == [("request-header-parameter-alias-renamed", "warning")]
    result = run(old, new, DiffOptions())
    assert result.changes == []
    assert [(n.rule_id, n.count) for n in result.ignored_noise] == [("header-alias", 1)]
    # With the noise rule switched off, the alias match is reported instead of hidden.
    kept = run(old, new, DiffOptions(disabled_noise_rules={"header-alias"}))
    assert {c.rule_id for c in kept.changes} == {"request-header-parameter-alias-renamed"}
    # The pair's own changes are still compared.
    looser = doc_op(op(parameters=[param("header", "X-Trace")]))
    assert rule_ids(old, looser) == {"request-header-parameter-alias-renamed", "request-header-parameter-became-optional"}


def test_removing_an_operation_old_deprecated_is_a_planned_removal() -> None:
    """Clients were told to stop calling it: a warning (not failing by default), not a breaking removal."""
    from .helpers import run

    planned = run(doc_op(op(deprecated=True)), document({}))
    assert [(c.rule_id, c.severity, c.message) for c in planned.changes] == [
        ("api-deprecated-operation-removed", "warning", "deprecated operation GET /x removed")]
    # without the deprecation, the same removal is still breaking
    assert [(c.rule_id, c.severity) for c in run(doc_op(op()), document({})).changes] == [("api-path-removed", "breaking")]
