"""Document-level facts: OpenAPI version, info, servers; schema annotations anywhere."""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

F = "documents"

RULES = [
    Rule("openapi-version-changed", "info", "document", "The OpenAPI version of the document changed.", "openapi {old} -> {new}", F),
    Rule("api-info-title-changed", "info", "document", "info.title changed.", "title {old!r} -> {new!r}", F),
    Rule("api-info-version-changed", "info", "document", "info.version changed.", "version {old!r} -> {new!r}", F),
    Rule("server-added", "info", "document", "A server URL was added.", "server {name} added", F),
    Rule("server-removed", "warning", "document", "A server URL was removed; clients configured with it fail.", "server {name} removed", F),
    Rule("schema-title-changed", "info", "any", "A schema title changed (annotation only).", "{where}: title {old!r} -> {new!r}", F),
    Rule("schema-description-changed", "info", "any", "A schema description changed (annotation only).", "{where}: description changed", F),
]
