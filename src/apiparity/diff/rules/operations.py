"""Paths and operations: added, removed, deprecated, renamed path parameters, metadata."""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

F = "operations"

RULES = [
    Rule("api-path-added", "info", "operation", "A new path was added.", "path {path} added", F),
    Rule("api-path-removed", "breaking", "operation", "A path was removed; every client calling it fails.", "path {path} removed", F),
    Rule("api-operation-added", "info", "operation", "A new operation was added to an existing path.", "operation {where} added", F),
    Rule("api-operation-removed", "breaking", "operation", "An operation was removed from a path that still exists.", "operation {where} removed", F),
    Rule("api-deprecated", "warning", "operation", "The operation is now deprecated.", "{where} is now deprecated", F),
    Rule("api-undeprecated", "info", "operation", "The operation is no longer deprecated.", "{where} is no longer deprecated", F),
    Rule("api-path-parameter-renamed", "info", "operation", "Path template differs only in parameter names (same operation).", "path parameters renamed: {old} -> {new}", F),
    Rule("api-operation-id-changed", "info", "operation", "operationId changed (generated clients rename a method).", "operationId {old!r} -> {new!r}", F),
    Rule("api-summary-changed", "info", "operation", "Operation summary changed.", "summary {old!r} -> {new!r}", F),
    Rule("api-description-changed", "info", "operation", "Operation description changed.", "description changed", F),
    Rule("api-tags-changed", "info", "operation", "Operation tags changed (documentation grouping only).", "tags {old} -> {new}", F),
]
