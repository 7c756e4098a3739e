"""Security: schemes, scopes, per-operation requirements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apiparity.diff.rules.base import DocumentDetector, OperationDetector, Rule
from apiparity.spec.pointer import join as join_pointer

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import Operation

F = "security"

SECURITY_ADDED = "api-security-added"
SECURITY_REMOVED = "api-security-removed"
REQUIREMENT_ADDED = "api-security-requirement-added"
REQUIREMENT_REMOVED = "api-security-requirement-removed"
SCOPE_ADDED = "api-security-scope-added"
SCOPE_REMOVED = "api-security-scope-removed"
SCHEME_ADDED = "security-scheme-added"
SCHEME_REMOVED = "security-scheme-removed"
SCHEME_RENAMED = "security-scheme-renamed"
SCHEME_TYPE_CHANGED = "security-scheme-type-changed"
API_KEY_NAME_CHANGED = "security-scheme-api-key-name-changed"
API_KEY_LOCATION_CHANGED = "security-scheme-api-key-location-changed"
HTTP_SCHEME_CHANGED = "security-scheme-http-scheme-changed"
BEARER_FORMAT_CHANGED = "security-scheme-bearer-format-changed"
OAUTH_FLOW_ADDED = "security-scheme-oauth-flow-added"
OAUTH_FLOW_REMOVED = "security-scheme-oauth-flow-removed"
OAUTH_URL_CHANGED = "security-scheme-oauth-url-changed"
OAUTH_SCOPE_ADDED = "security-scheme-oauth-scope-added"
OAUTH_SCOPE_REMOVED = "security-scheme-oauth-scope-removed"
OPENID_URL_CHANGED = "security-scheme-openid-url-changed"

RULES = [
    Rule(SECURITY_ADDED, "breaking", "security", "An operation that needed no credentials now requires them.", "security required: {new}", F),
    Rule(SECURITY_REMOVED, "info", "security", "An operation no longer requires credentials.", "security no longer required (was {old})", F),
    Rule(REQUIREMENT_ADDED, "info", "security", "An alternative security requirement was added (more ways to authenticate).", "security alternative {name} added", F),
    Rule(REQUIREMENT_REMOVED, "breaking", "security", "A security alternative was removed; clients using it are rejected.", "security alternative {name} removed", F),
    Rule(SCOPE_ADDED, "breaking", "security", "A security requirement needs an extra scope; tokens without it are rejected.", "scope {name!r} required for {detail}", F),
    Rule(SCOPE_REMOVED, "info", "security", "A security requirement needs fewer scopes.", "scope {name!r} no longer required for {detail}", F),
    Rule(SCHEME_ADDED, "info", "security", "A security scheme was added to components.", "security scheme {name!r} added", F),
    Rule(SCHEME_REMOVED, "info", "security", "A security scheme was removed from components.", "security scheme {name!r} removed", F),
    Rule(
        SCHEME_RENAMED,
        "info",
        "security",
        "A security scheme has a new component name but asks clients for the same credentials (same type and key name, HTTP scheme, or OAuth2 flows); requirements naming it are compared under the new name.",
        "security scheme {old!r} renamed {new!r}",
        F,
    ),
    Rule(SCHEME_TYPE_CHANGED, "breaking", "security", "A security scheme changed type (e.g. apiKey -> http).", "security scheme {name!r} type {old} -> {new}", F),
    Rule(API_KEY_NAME_CHANGED, "breaking", "security", "An API key is read from a different header/query/cookie name.", "API key {name!r} name {old!r} -> {new!r}", F),
    Rule(API_KEY_LOCATION_CHANGED, "breaking", "security", "An API key moved between header, query and cookie.", "API key {name!r} location {old} -> {new}", F),
    Rule(HTTP_SCHEME_CHANGED, "breaking", "security", "An HTTP auth scheme changed (e.g. basic -> bearer).", "scheme {name!r} {old} -> {new}", F),
    Rule(BEARER_FORMAT_CHANGED, "info", "security", "The documented bearer token format changed.", "scheme {name!r} bearer format {old!r} -> {new!r}", F),
    Rule(OAUTH_FLOW_ADDED, "info", "security", "An OAuth2 flow was added.", "scheme {name!r}: flow {detail} added", F),
    Rule(OAUTH_FLOW_REMOVED, "breaking", "security", "An OAuth2 flow was removed; clients using it cannot get tokens.", "scheme {name!r}: flow {detail} removed", F),
    Rule(OAUTH_URL_CHANGED, "warning", "security", "An OAuth2 token, authorization or refresh URL changed.", "scheme {name!r}: {detail} {old} -> {new}", F),
    Rule(OAUTH_SCOPE_ADDED, "info", "security", "An OAuth2 scope was added to a flow.", "scheme {name!r}: scope {detail!r} added", F),
    Rule(OAUTH_SCOPE_REMOVED, "breaking", "security", "An OAuth2 scope was removed from a flow.", "scheme {name!r}: scope {detail!r} removed", F),
    Rule(OPENID_URL_CHANGED, "warning", "security", "The OpenID Connect discovery URL changed.", "scheme {name!r}: openIdConnectUrl {old} -> {new}", F),
]


def _renames(ctx: DiffContext) -> dict[str, str]:
    return scheme_renames(ctx.old.security_schemes, ctx.new.security_schemes)


def detect_schemes(ctx: DiffContext) -> None:
    """The security schemes of `components`, renamed ones paired (see `scheme_renames`)."""
    old_schemes, new_schemes = ctx.old.security_schemes, ctx.new.security_schemes
    base = "/components/securitySchemes"
    renames = ctx.once(_renames)
    for name in old_schemes:
        if name not in new_schemes and name not in renames:
            ctx.add(SCHEME_REMOVED, None, "security", old_pointer=join_pointer(base, name), name=name)
    renamed_to = set(renames.values())
    for name in new_schemes:
        if name not in old_schemes and name not in renamed_to:
            ctx.add(SCHEME_ADDED, None, "security", new_pointer=join_pointer(base, name), name=name)
    for old_name, new_name in renames.items():
        ctx.add(SCHEME_RENAMED, None, "security", old_pointer=join_pointer(base, old_name), new_pointer=join_pointer(base, new_name), old_value=old_name, new_value=new_name, name=old_name)
    for name in old_schemes:
        new_name = renames.get(name, name)
        if new_name in new_schemes:
            _scheme(ctx, name, old_schemes[name], join_pointer(base, name), new_schemes[new_name], join_pointer(base, new_name))


def _scheme(ctx: DiffContext, name: str, old: dict[str, Any], pointer: str, new: dict[str, Any], new_base: str) -> None:
    def emit(rule: str, key: str, old_value: Any, new_value: Any, detail: str = "") -> None:
        ctx.add(rule, None, "security", old_pointer=f"{pointer}/{key}", new_pointer=f"{new_base}/{key}", old_value=old_value, new_value=new_value, name=name, detail=detail)

    if old.get("type") != new.get("type"):
        emit(SCHEME_TYPE_CHANGED, "type", old.get("type"), new.get("type"))
        return
    kind = old.get("type")
    if kind == "apiKey":
        if _api_key_name(old, new.get("in")) != _api_key_name(new, old.get("in")):
            emit(API_KEY_NAME_CHANGED, "name", old.get("name"), new.get("name"))
        if old.get("in") != new.get("in"):
            emit(API_KEY_LOCATION_CHANGED, "in", old.get("in"), new.get("in"))
    elif kind == "http":
        if str(old.get("scheme", "")).lower() != str(new.get("scheme", "")).lower():
            emit(HTTP_SCHEME_CHANGED, "scheme", old.get("scheme"), new.get("scheme"))
        if old.get("bearerFormat") != new.get("bearerFormat"):
            emit(BEARER_FORMAT_CHANGED, "bearerFormat", old.get("bearerFormat"), new.get("bearerFormat"))
    elif kind == "openIdConnect":
        if old.get("openIdConnectUrl") != new.get("openIdConnectUrl"):
            emit(OPENID_URL_CHANGED, "openIdConnectUrl", old.get("openIdConnectUrl"), new.get("openIdConnectUrl"))
    elif kind == "oauth2":
        old_flows, new_flows = old.get("flows") or {}, new.get("flows") or {}
        for flow in old_flows:
            if flow not in new_flows:
                emit(OAUTH_FLOW_REMOVED, f"flows/{flow}", flow, None, flow)
        for flow in new_flows:
            if flow not in old_flows:
                emit(OAUTH_FLOW_ADDED, f"flows/{flow}", None, flow, flow)
        for flow in old_flows:
            if flow not in new_flows:
                continue
            old_flow, new_flow = old_flows[flow] or {}, new_flows[flow] or {}
            for url in ("tokenUrl", "authorizationUrl", "refreshUrl"):
                if old_flow.get(url) != new_flow.get(url):
                    emit(OAUTH_URL_CHANGED, f"flows/{flow}/{url}", old_flow.get(url), new_flow.get(url), f"{flow}.{url}")
            old_scopes, new_scopes = set(old_flow.get("scopes") or {}), set(new_flow.get("scopes") or {})
            for scope in sorted(old_scopes - new_scopes):
                emit(OAUTH_SCOPE_REMOVED, f"flows/{flow}/scopes", scope, None, scope)
            for scope in sorted(new_scopes - old_scopes):
                emit(OAUTH_SCOPE_ADDED, f"flows/{flow}/scopes", None, scope, scope)


def detect(ctx: DiffContext, old: Operation, new: Operation) -> None:
    """An operation's effective security requirements: alternatives matched by their schemes."""

    def alternatives(requirements: list[dict[str, list[str]]]) -> dict[frozenset[str], dict[str, list[str]]]:
        return {frozenset(r): r for r in requirements}

    renames = ctx.once(_renames)
    old_security = [{renames.get(scheme, scheme): scopes for scheme, scopes in r.items()} for r in old.security]
    old_alts, new_alts = alternatives(old_security), alternatives(new.security)
    old_open = not old_alts or frozenset() in old_alts  # `{}` means anonymous access is allowed
    new_open = not new_alts or frozenset() in new_alts
    pointers = {"old_pointer": join_pointer(old.pointer, "security"), "new_pointer": join_pointer(new.pointer, "security")}
    if old_open and not new_open:
        ctx.add(SECURITY_ADDED, old, "security", new_value=_requirements_text(new.security), **pointers)
        return
    if new_open and not old_open:
        ctx.add(SECURITY_REMOVED, old, "security", old_value=_requirements_text(old.security), **pointers)
        return
    for key, requirement in old_alts.items():
        if not key:
            continue
        if key not in new_alts:
            ctx.add(REQUIREMENT_REMOVED, old, "security", name=_requirements_text([requirement]), **pointers)
            continue
        for scheme in sorted(key):
            old_scopes = set(requirement.get(scheme) or [])
            new_scopes = set(new_alts[key].get(scheme) or [])
            for scope in sorted(new_scopes - old_scopes):
                ctx.add(SCOPE_ADDED, old, "security", name=scope, detail=scheme, **pointers)
            for scope in sorted(old_scopes - new_scopes):
                ctx.add(SCOPE_REMOVED, old, "security", name=scope, detail=scheme, **pointers)
    for key, requirement in new_alts.items():
        if key and key not in old_alts:
            ctx.add(REQUIREMENT_ADDED, old, "security", name=_requirements_text([requirement]), **pointers)


def _api_key_name(scheme: dict[str, Any], other_location: Any = "header") -> str:
    """The name an API key is sent under; header names are case-insensitive, query/cookie names are
    not (a key moved from a header to the query compares its name exactly)."""
    name = str(scheme.get("name", ""))
    return name.lower() if scheme.get("in") == "header" and other_location == "header" else name


def _scheme_identity(scheme: dict[str, Any]) -> tuple[Any, ...]:
    """What a client must do to use a scheme, without its component name."""
    kind = scheme.get("type")
    if kind == "apiKey":
        return (kind, scheme.get("in"), _api_key_name(scheme))
    if kind == "http":
        return (kind, str(scheme.get("scheme", "")).lower())
    if kind == "oauth2":
        flows = scheme.get("flows") or {}
        return (kind, tuple(sorted((flow, str((flows[flow] or {}).get("tokenUrl") or (flows[flow] or {}).get("authorizationUrl"))) for flow in flows)))
    if kind == "openIdConnect":
        return (kind, scheme.get("openIdConnectUrl"))
    return (kind,)


def scheme_renames(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Security schemes present on one side only, paired when exactly one scheme on each side
    asks the client for the same thing (FastAPI names schemes after classes, `APIKeyHeader`,
    where flask-openapi3 keeps the name the app gave)."""
    old_only = {name: _scheme_identity(s) for name, s in old.items() if name not in new}
    new_only = {name: _scheme_identity(s) for name, s in new.items() if name not in old}
    renames = {}
    for name, identity in old_only.items():
        old_matches = [n for n, i in old_only.items() if i == identity]
        new_matches = [n for n, i in new_only.items() if i == identity]
        if len(old_matches) == 1 and len(new_matches) == 1:
            renames[name] = new_matches[0]
    return renames


def _requirements_text(requirements: list[dict[str, list[str]]]) -> str:
    return " or ".join(" + ".join(sorted(r)) or "anonymous" for r in requirements) or "none"


DETECTORS = [
    DocumentDetector(detect_schemes, order=20),
    # not on webhooks: a webhook's security is how the provider signs its call, not compared
    OperationDetector(detect, order=50, mirrored=False),
]
