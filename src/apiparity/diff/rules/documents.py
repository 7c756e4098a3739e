"""Document-level facts: OpenAPI version, info, servers; schema annotations anywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apiparity.diff.rules.base import DocumentDetector, Rule, Severity

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext

F = "documents"

OPENAPI_VERSION_CHANGED = "openapi-version-changed"
INFO_TITLE_CHANGED = "api-info-title-changed"
INFO_VERSION_CHANGED = "api-info-version-changed"
SERVER_ADDED = "server-added"
SERVER_REMOVED = "server-removed"
# Annotation kinds the schema comparer reports under their own ID, wherever the schema sits.
SCHEMA_TITLE_CHANGED = "schema-title-changed"
SCHEMA_DESCRIPTION_CHANGED = "schema-description-changed"
SCHEMA_ANNOTATIONS = frozenset({SCHEMA_TITLE_CHANGED, SCHEMA_DESCRIPTION_CHANGED})

RULES = [
    Rule(OPENAPI_VERSION_CHANGED, "info", "document", "The OpenAPI version of the document changed.", "openapi {old} -> {new}", F),
    Rule(INFO_TITLE_CHANGED, "info", "document", "info.title changed.", "title {old!r} -> {new!r}", F),
    Rule(INFO_VERSION_CHANGED, "info", "document", "info.version changed.", "version {old!r} -> {new!r}", F),
    Rule(SERVER_ADDED, "info", "document", "A server URL was added.", "server {name} added", F),
    Rule(SERVER_REMOVED, "warning", "document", "A server URL was removed; clients configured with it fail.", "server {name} removed", F),
    Rule(SCHEMA_TITLE_CHANGED, "info", "any", "A schema title changed (annotation only).", "{where}: title {old!r} -> {new!r}", F),
    Rule(SCHEMA_DESCRIPTION_CHANGED, "info", "any", "A schema description changed (annotation only).", "{where}: description changed", F),
]

# Schema annotations inside a webhook keep their severity (apiparity.diff.rules.webhooks).
WEBHOOK_SEVERITY: dict[str, Severity] = {SCHEMA_TITLE_CHANGED: "info", SCHEMA_DESCRIPTION_CHANGED: "info"}


def detect(ctx: DiffContext) -> None:
    old, new = ctx.old, ctx.new
    if old.openapi != new.openapi:
        ctx.add(OPENAPI_VERSION_CHANGED, None, "document", old_pointer="/openapi", new_pointer="/openapi", old_value=old.openapi, new_value=new.openapi)
    if old.title != new.title:
        ctx.add(INFO_TITLE_CHANGED, None, "document", old_pointer="/info/title", new_pointer="/info/title", old_value=old.title, new_value=new.title)
    if old.version != new.version:
        ctx.add(INFO_VERSION_CHANGED, None, "document", old_pointer="/info/version", new_pointer="/info/version", old_value=old.version, new_value=new.version)
    for index, url in enumerate(old.servers):
        if url not in new.servers:
            ctx.add(SERVER_REMOVED, None, "document", old_pointer=f"/servers/{index}", name=url)
    for index, url in enumerate(new.servers):
        if url not in old.servers:
            ctx.add(SERVER_ADDED, None, "document", new_pointer=f"/servers/{index}", name=url)


# (the schema annotations are emitted by the schemas family's comparison, wherever a schema sits)
DETECTORS = [DocumentDetector(detect, order=10)]
