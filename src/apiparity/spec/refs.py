"""$ref resolution: local pointers, relative files, and (only when allowed) remote documents.

Resolution returns the raw target node plus where it lives, so normalization can memoize one
normalized object per (document, pointer): shared components are normalized once, and recursive
schemas become cyclic Python objects instead of infinite trees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from apiparity.errors import SpecError


from apiparity.spec.pointer import MISSING, lookup, lookup_tokens
from apiparity.spec.pointer import escape_token as escape_pointer_token
from apiparity.spec.pointer import join as join_pointer
from apiparity.spec.pointer import unescape_token as unescape_pointer_token

__all__ = ["escape_pointer_token", "follow_local_refs", "join_pointer", "resolve_pointer", "unescape_pointer_token"]


def resolve_pointer(document: Any, pointer: str, *, source: str) -> Any:
    """The node at JSON pointer `pointer` ("" or "/a/b", percent-encoded as in a URI fragment) in `document`."""
    if pointer in ("", "/"):
        return document
    node = lookup_tokens(document, [unquote(raw) for raw in pointer.lstrip("/").split("/")])
    if node is MISSING:
        raise SpecError(f"{source}: $ref target #{pointer} does not exist")
    return node


def follow_local_refs(document: Any, value: Any, *, limit: int = 20) -> Any:
    """`value` with its chain of local `$ref`s followed (`{"$ref": "#/components/..."}` -> the node);
    None for a pointer that leads nowhere. For the runtime's quick reads of a raw document
    (`spec.contract.Contract`), which must never raise: a cycle stops after `limit` hops."""
    for _ in range(limit):
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/")):
            return value
        node = lookup(document, value["$ref"][1:])
        value = None if node is MISSING else node
    return value


class RefusedRef(Exception):
    """A `$ref` into a part of the root document its reader has already released (`refused`)."""


@dataclass(slots=True)
class RefResolver:
    """Resolves `$ref` strings of one document; `source` is "" for the root document, else a file/URL.
    `refused`: a top-level key of the root document (`paths`) whose nodes may be gone: a `$ref`
    into it raises RefusedRef."""

    document: dict[str, Any]
    base_dir: Path | None = None
    allow_remote: bool = False
    label: str = "document"
    refused: str | None = None
    _external: dict[str, Any] = field(default_factory=dict)
    _cache: dict[tuple[str, str], tuple[Any, str, str]] = field(default_factory=dict)

    def resolve(self, ref: str, source: str = "") -> tuple[Any, str, str]:
        """(target node, JSON pointer, source of the target document) for `ref` found in `source`."""
        if not isinstance(ref, str):
            raise SpecError(f"{self.label}: $ref must be a string, got {ref!r}")
        cached = self._cache.get((source, ref))
        if cached is None:
            cached = self._cache[(source, ref)] = self._resolve(ref, source)
        return cached

    def _resolve(self, ref: str, source: str) -> tuple[Any, str, str]:
        location, _, fragment = ref.partition("#")
        if not location:
            target_source = source
            if self.refused is not None and not source and unquote(fragment).lstrip("/").split("/")[0] == self.refused:
                raise RefusedRef(ref)
        elif location.startswith(("http://", "https://")):
            if not self.allow_remote:
                raise SpecError(f"{self.label}: remote $ref {ref!r} is not fetched; pass --allow-remote-refs to allow it")
            target_source = location
        elif ":" in location.split("/")[0]:
            # file:, ftp:, urn: ... never read: only paths relative to the document are.
            raise SpecError(f"{self.label}: $ref {ref!r} is not a relative file or an http(s) URL; not read")
        else:
            target_source = self._relative_path(location, source, ref)
        document = self._document(target_source)
        node = resolve_pointer(document, fragment, source=f"{self.label}{' ' + target_source if target_source else ''}")
        return node, fragment, target_source

    def _relative_path(self, location: str, source: str, ref: str) -> str:
        if source.startswith(("http://", "https://")):
            from urllib.parse import urljoin

            return urljoin(source, location)
        if self.base_dir is None:
            raise SpecError(f"{self.label}: relative $ref {location!r} needs the document's folder (load the spec from a file)")
        folder = Path(source).parent if source else self.base_dir
        target = (folder / unquote(location)).resolve()
        # A document may split itself into files beside it, never reach elsewhere on the disk.
        if not target.is_relative_to(self.base_dir.resolve()):
            raise SpecError(f"{self.label}: $ref {ref!r} points outside the document's folder; not read")
        return str(target)

    def _document(self, source: str) -> Any:
        if not source:
            return self.document
        if source not in self._external:
            self._external[source] = self._load(source)
        return self._external[source]

    def _load(self, source: str) -> Any:
        from apiparity.targets.documents import parse_document

        if source.startswith(("http://", "https://")):
            import httpx

            try:
                response = httpx.get(source, timeout=10.0, follow_redirects=True)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                raise SpecError(f"{self.label}: cannot fetch remote $ref {source}: {exc}") from None
            return parse_document(response.text, source=source)
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError(f"{self.label}: cannot read $ref file {path}: {exc.strerror}") from None
        return parse_document(text, source=str(path))


BUNDLE_KEY = "x-apiparity-bundled"


def has_external_refs(document: Any) -> bool:
    """Whether any `$ref` in `document` points outside it (a file or a URL)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def bundle_external_refs(document: dict[str, Any], *, base_dir: Path | None = None, allow_remote: bool = False,
                         label: str = "document") -> dict[str, Any]:
    """`document` with every `$ref` to another file or URL read under the one loading policy
    (`RefResolver`: relative files inside the document's folder only, URLs only with
    --allow-remote-refs, `file:` and other schemes never) and copied into the document under
    `x-apiparity-bundled`, refs inside them rewritten the same way, so a library handed the
    result (schemathesis, for `fuzz`) finds only local refs and never reads or fetches anything.
    Raises SpecError for a reference the policy refuses - the same error `spec`, `diff` and
    `check` give for the same document."""
    if not has_external_refs(document):
        return document
    resolver = RefResolver(document, base_dir=base_dir, allow_remote=allow_remote, label=label)
    bundled: dict[str, Any] = {}
    keys: dict[tuple[str, str], str] = {}

    def target_ref(ref: str, source: str) -> str:
        node, pointer, target_source = resolver.resolve(ref, source)
        if not target_source:
            return f"#{pointer}"
        key = keys.get((target_source, pointer))
        if key is None:
            key = keys[(target_source, pointer)] = f"r{len(keys)}"
            bundled[key] = {}  # reserved first: a cycle across files points at it
            bundled[key] = rewrite(node, target_source)
        return f"#/{BUNDLE_KEY}/{key}"

    def rewrite(node: Any, source: str) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v, source) for k, v in node.items() if k != "$ref"}
            ref = node.get("$ref")
            if "$ref" in node:
                out["$ref"] = target_ref(ref, source) if isinstance(ref, str) and (source or not ref.startswith("#")) else ref
            return out
        if isinstance(node, list):
            return [rewrite(v, source) for v in node]
        return node

    result = rewrite(document, "")
    result[BUNDLE_KEY] = bundled
    return result
