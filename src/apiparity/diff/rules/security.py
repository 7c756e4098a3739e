"""Security: schemes, scopes, per-operation requirements."""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

F = "security"

RULES = [
    Rule("api-security-added", "breaking", "security", "An operation that needed no credentials now requires them.", "security required: {new}", F),
    Rule("api-security-removed", "info", "security", "An operation no longer requires credentials.", "security no longer required (was {old})", F),
    Rule("api-security-requirement-added", "info", "security", "An alternative security requirement was added (more ways to authenticate).", "security alternative {name} added", F),
    Rule("api-security-requirement-removed", "breaking", "security", "A security alternative was removed; clients using it are rejected.", "security alternative {name} removed", F),
    Rule("api-security-scope-added", "breaking", "security", "A security requirement needs an extra scope; tokens without it are rejected.", "scope {name!r} required for {detail}", F),
    Rule("api-security-scope-removed", "info", "security", "A security requirement needs fewer scopes.", "scope {name!r} no longer required for {detail}", F),
    Rule("security-scheme-added", "info", "security", "A security scheme was added to components.", "security scheme {name!r} added", F),
    Rule("security-scheme-removed", "info", "security", "A security scheme was removed from components.", "security scheme {name!r} removed", F),
    Rule(
        "security-scheme-renamed",
        "info",
        "security",
        "A security scheme has a new component name but asks clients for the same credentials (same type and key name, HTTP scheme, or OAuth2 flows); requirements naming it are compared under the new name.",
        "security scheme {old!r} renamed {new!r}",
        F,
    ),
    Rule("security-scheme-type-changed", "breaking", "security", "A security scheme changed type (e.g. apiKey -> http).", "security scheme {name!r} type {old} -> {new}", F),
    Rule("security-scheme-api-key-name-changed", "breaking", "security", "An API key is read from a different header/query/cookie name.", "API key {name!r} name {old!r} -> {new!r}", F),
    Rule("security-scheme-api-key-location-changed", "breaking", "security", "An API key moved between header, query and cookie.", "API key {name!r} location {old} -> {new}", F),
    Rule("security-scheme-http-scheme-changed", "breaking", "security", "An HTTP auth scheme changed (e.g. basic -> bearer).", "scheme {name!r} {old} -> {new}", F),
    Rule("security-scheme-bearer-format-changed", "info", "security", "The documented bearer token format changed.", "scheme {name!r} bearer format {old!r} -> {new!r}", F),
    Rule("security-scheme-oauth-flow-added", "info", "security", "An OAuth2 flow was added.", "scheme {name!r}: flow {detail} added", F),
    Rule("security-scheme-oauth-flow-removed", "breaking", "security", "An OAuth2 flow was removed; clients using it cannot get tokens.", "scheme {name!r}: flow {detail} removed", F),
    Rule("security-scheme-oauth-url-changed", "warning", "security", "An OAuth2 token, authorization or refresh URL changed.", "scheme {name!r}: {detail} {old} -> {new}", F),
    Rule("security-scheme-oauth-scope-added", "info", "security", "An OAuth2 scope was added to a flow.", "scheme {name!r}: scope {detail!r} added", F),
    Rule("security-scheme-oauth-scope-removed", "breaking", "security", "An OAuth2 scope was removed from a flow.", "scheme {name!r}: scope {detail!r} removed", F),
    Rule("security-scheme-openid-url-changed", "warning", "security", "The OpenID Connect discovery URL changed.", "scheme {name!r}: openIdConnectUrl {old} -> {new}", F),
]
