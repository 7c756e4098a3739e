"""Security: schemes, scopes, per-operation requirements."""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

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
