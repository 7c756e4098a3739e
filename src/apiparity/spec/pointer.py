"""JSON Pointer (RFC 6901): the one implementation every stage uses for `#/paths/~1books/get`-style locations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MISSING: Any = object()
"""What `lookup` answers for a pointer that leads nowhere (None is a legal JSON value)."""


def escape_token(token: Any) -> str:
    text = token if type(token) is str else str(token)
    if "~" not in text and "/" not in text:
        return text
    return text.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: Any) -> str:
    """`pointer` extended by `tokens`, each escaped: join("", "paths", "/books") -> "/paths/~1books"."""
    if len(tokens) == 1:  # the normalizer's common case, called for every schema of a document
        return f"{pointer}/{escape_token(tokens[0])}"
    return pointer + "".join(["/" + escape_token(token) for token in tokens])


def from_parts(parts: Iterable[Any]) -> str:
    return join("", *parts)


def split(pointer: str) -> list[str]:
    """The unescaped tokens of `pointer` ("" and "/" are the root: no tokens)."""
    if pointer in ("", "/"):
        return []
    return [unescape_token(raw) for raw in pointer.lstrip("/").split("/")]


def lookup(document: Any, pointer: str) -> Any:
    """The node at `pointer` in `document` ("" is the root), or MISSING; never raises."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        return MISSING
    return lookup_tokens(document, pointer[1:].split("/"))


def existing_prefix(document: Any, pointer: str) -> str:
    """`pointer` cut back to its deepest ancestor that exists in `document` ("" when none does)."""
    node = document
    kept: list[str] = []
    for raw in pointer.lstrip("/").split("/") if pointer not in ("", "/") else ():
        node = lookup_tokens(node, (raw,))
        if node is MISSING:
            break
        kept.append(raw)
    return "/" + "/".join(kept) if kept else ""


def lookup_tokens(document: Any, raw_tokens: Iterable[str]) -> Any:
    """The node `raw_tokens` (still escaped: `~1books`) lead to from `document`, or MISSING."""
    node = document
    for token in raw_tokens:
        part = unescape_token(token)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return MISSING
    return node
