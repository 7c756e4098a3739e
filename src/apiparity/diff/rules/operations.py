"""Paths and operations: added, removed, deprecated, renamed path parameters, metadata.

Operations are matched by method and canonical path template, so `/books/{id}` and
`/books/{book_id}` are one operation (its path parameters are matched by position).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apiparity.diff.rules.base import OperationDetector, OperationSet, Rule
from apiparity.diff.rules.schemas import AS_IS
from apiparity.spec.pointer import join as join_pointer

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import NormalizedDocument, Operation

F = "operations"

PATH_ADDED = "api-path-added"
PATH_REMOVED = "api-path-removed"
OPERATION_ADDED = "api-operation-added"
OPERATION_REMOVED = "api-operation-removed"
DEPRECATED_OPERATION_REMOVED = "api-deprecated-operation-removed"
DEPRECATED = "api-deprecated"
UNDEPRECATED = "api-undeprecated"
PATH_PARAMETER_RENAMED = "api-path-parameter-renamed"
OPERATION_ID_CHANGED = "api-operation-id-changed"
SUMMARY_CHANGED = "api-summary-changed"
DESCRIPTION_CHANGED = "api-description-changed"
TAGS_CHANGED = "api-tags-changed"
# What the `paths` presence check emits (a webhook added or removed is the webhooks family's own):
# the rules of this family that have no `webhook-` twin.
PRESENCE_RULES = frozenset({PATH_ADDED, PATH_REMOVED, OPERATION_ADDED, OPERATION_REMOVED, DEPRECATED_OPERATION_REMOVED, PATH_PARAMETER_RENAMED})

RULES = [
    Rule(PATH_ADDED, "info", "operation", "A new path was added.", "path {path} added", F),
    Rule(PATH_REMOVED, "breaking", "operation", "A path was removed; every client calling it fails.", "path {path} removed", F),
    Rule(OPERATION_ADDED, "info", "operation", "A new operation was added to an existing path.", "operation {where} added", F),
    Rule(OPERATION_REMOVED, "breaking", "operation", "An operation was removed from a path that still exists.", "operation {where} removed", F),
    Rule(
        DEPRECATED_OPERATION_REMOVED,
        "warning",
        "operation",
        "An operation OLD marked deprecated was removed: a planned removal clients were warned of (those still calling it fail).",
        "deprecated operation {where} removed",
        F,
    ),
    Rule(DEPRECATED, "warning", "operation", "The operation is now deprecated.", "{where} is now deprecated", F),
    Rule(UNDEPRECATED, "info", "operation", "The operation is no longer deprecated.", "{where} is no longer deprecated", F),
    Rule(PATH_PARAMETER_RENAMED, "info", "operation", "Path template differs only in parameter names (same operation).", "path parameters renamed: {old} -> {new}", F),
    Rule(OPERATION_ID_CHANGED, "info", "operation", "operationId changed (generated clients rename a method).", "operationId {old!r} -> {new!r}", F),
    Rule(SUMMARY_CHANGED, "info", "operation", "Operation summary changed.", "summary {old!r} -> {new!r}", F),
    Rule(DESCRIPTION_CHANGED, "info", "operation", "Operation description changed.", "description changed", F),
    Rule(TAGS_CHANGED, "info", "operation", "Operation tags changed (documentation grouping only).", "tags {old} -> {new}", F),
]

# A webhook's own facts are judged as an operation's (apiparity.diff.rules.webhooks); a webhook
# added or removed is the webhooks family's, so the presence rules have no twin.
WEBHOOK_SEVERITY = {rule.id: rule.severity for rule in RULES if rule.id not in PRESENCE_RULES}


def _canonical_paths(ctx: DiffContext) -> tuple[set[str], set[str]]:
    return {op.canonical_path for op in ctx.old.operations.values()}, {op.canonical_path for op in ctx.new.operations.values()}


def _renamed(ctx: DiffContext) -> set[tuple[str, str]]:
    return set()  # (old path, new path) pairs already in `renamed_paths`


def presence(ctx: DiffContext, old: Operation | None, new: Operation | None) -> None:
    """An operation of `paths` on one side only, or matched under renamed path parameters."""
    if new is None:
        if old is not None:
            if old.deprecated:
                rule = DEPRECATED_OPERATION_REMOVED
            else:
                rule = OPERATION_REMOVED if old.canonical_path in ctx.once(_canonical_paths)[1] else PATH_REMOVED
            ctx.add(rule, old, "operation", old_pointer=old.pointer, where=f"{old.method} {old.path}")
        return
    if old is None:
        rule = OPERATION_ADDED if new.canonical_path in ctx.once(_canonical_paths)[0] else PATH_ADDED
        ctx.add(rule, new, "operation", new_pointer=new.pointer, where=f"{new.method} {new.path}")
        return
    if old.path != new.path:
        renamed = ctx.once(_renamed)
        if (old.path, new.path) not in renamed:
            renamed.add((old.path, new.path))
            ctx.result.renamed_paths.append((old.path, new.path))
        ctx.add(PATH_PARAMETER_RENAMED, old, "operation", old_pointer=old.pointer, new_pointer=new.pointer, old_value=old.path, new_value=new.path)


def detect(ctx: DiffContext, old: Operation, new: Operation) -> None:
    """The operation's own facts: deprecation and documentation metadata."""
    if old.deprecated != new.deprecated:
        ctx.add(DEPRECATED if new.deprecated else UNDEPRECATED, old, "operation", old_pointer=old.pointer, new_pointer=join_pointer(new.pointer, "deprecated"), where=f"{old.method} {old.path}")
    for attribute, rule, key in (("operation_id", OPERATION_ID_CHANGED, "operationId"), ("summary", SUMMARY_CHANGED, "summary"), ("description", DESCRIPTION_CHANGED, "description")):
        old_value, new_value = getattr(old, attribute), getattr(new, attribute)
        if old_value != new_value:
            ctx.add(rule, old, "operation", old_pointer=join_pointer(old.pointer, key), new_pointer=join_pointer(new.pointer, key), old_value=old_value, new_value=new_value)
    if sorted(old.tags) != sorted(new.tags):
        ctx.add(TAGS_CHANGED, old, "operation", old_pointer=join_pointer(old.pointer, "tags"), new_pointer=join_pointer(new.pointer, "tags"), old_value=old.tags, new_value=new.tags)


def _paths(document: NormalizedDocument) -> dict[tuple[str, str], Operation]:
    return document.operations


DETECTORS = [
    OperationSet(_paths, presence, AS_IS, order=10),
    OperationDetector(detect, order=10),
]
