"""Align two documents that mount the same API under their `servers` differently.

A hand-kept contract says `servers: [{url: /api}]` and `paths: {/events: ...}`; FastAPI's document
of the same service says `paths: {/api/events: ...}` and no servers. Clients call `/api/events`
either way. Before operations are paired, each document's server base path may be folded into its
paths, and it is folded only when that pairs more operations than leaving the paths as written
(so two documents whose paths already match keep their own spelling).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from apiparity.spec.normalize import NormalizedDocument, Operation


def server_base_path(document: NormalizedDocument) -> str:
    """The path part of the first server URL ("" for none, "/" or a templated URL)."""
    if not document.servers:
        return ""
    path = urlsplit(document.servers[0]).path.rstrip("/")
    return "" if "{" in path else path


def _folded(document: NormalizedDocument, base: str) -> dict[tuple[str, str], Operation]:
    return {
        (op.method, base + op.canonical_path): dataclasses.replace(op, path=base + op.path, canonical_path=base + op.canonical_path)
        for op in document.operations.values()
    }


def align_base_paths(old: NormalizedDocument, new: NormalizedDocument) -> tuple[NormalizedDocument, NormalizedDocument, set[str]]:
    """`old` and `new` with base paths folded into their paths where that pairs more operations,
    and the base paths that were folded (empty when the paths are kept as written)."""
    old_base, new_base = server_base_path(old), server_base_path(new)
    if old_base == new_base:
        return old, new, set()
    candidates: list[tuple[dict, dict, set[str]]] = [(old.operations, new.operations, set())]
    if old_base:
        candidates.append((_folded(old, old_base), new.operations, {old_base}))
    if new_base:
        candidates.append((old.operations, _folded(new, new_base), {new_base}))
    if old_base and new_base:
        candidates.append((_folded(old, old_base), _folded(new, new_base), {old_base, new_base}))
    old_ops, new_ops, folded = max(candidates, key=lambda c: len(set(c[0]) & set(c[1])))  # a tie: paths as written
    if not folded:
        return old, new, set()
    return dataclasses.replace(old, operations=old_ops), dataclasses.replace(new, operations=new_ops), folded
