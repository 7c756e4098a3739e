"""Paths and operations: added, removed, deprecated, renamed path parameters, metadata."""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

F = "operations"

PATH_ADDED = "api-path-added"
PATH_REMOVED = "api-path-removed"
OPERATION_ADDED = "api-operation-added"
OPERATION_REMOVED = "api-operation-removed"
DEPRECATED = "api-deprecated"
UNDEPRECATED = "api-undeprecated"
PATH_PARAMETER_RENAMED = "api-path-parameter-renamed"
OPERATION_ID_CHANGED = "api-operation-id-changed"
SUMMARY_CHANGED = "api-summary-changed"
DESCRIPTION_CHANGED = "api-description-changed"
TAGS_CHANGED = "api-tags-changed"

RULES = [
    Rule(PATH_ADDED, "info", "operation", "A new path was added.", "path {path} added", F),
    Rule(PATH_REMOVED, "breaking", "operation", "A path was removed; every client calling it fails.", "path {path} removed", F),
    Rule(OPERATION_ADDED, "info", "operation", "A new operation was added to an existing path.", "operation {where} added", F),
    Rule(OPERATION_REMOVED, "breaking", "operation", "An operation was removed from a path that still exists.", "operation {where} removed", F),
    Rule(DEPRECATED, "warning", "operation", "The operation is now deprecated.", "{where} is now deprecated", F),
    Rule(UNDEPRECATED, "info", "operation", "The operation is no longer deprecated.", "{where} is no longer deprecated", F),
    Rule(PATH_PARAMETER_RENAMED, "info", "operation", "Path template differs only in parameter names (same operation).", "path parameters renamed: {old} -> {new}", F),
    Rule(OPERATION_ID_CHANGED, "info", "operation", "operationId changed (generated clients rename a method).", "operationId {old!r} -> {new!r}", F),
    Rule(SUMMARY_CHANGED, "info", "operation", "Operation summary changed.", "summary {old!r} -> {new!r}", F),
    Rule(DESCRIPTION_CHANGED, "info", "operation", "Operation description changed.", "description changed", F),
    Rule(TAGS_CHANGED, "info", "operation", "Operation tags changed (documentation grouping only).", "tags {old} -> {new}", F),
]
