"""A normalized schema written back as a plain JSON Schema 2020-12 document, as one side sees it.

The normalizer's canonical form is for structural comparison (`nullable` beside the type, cycles
as shared Python objects, `format: byte` for base64). A validator and a generator need the plain
vocabulary instead: null goes back into `type`/`enum`, a recursive schema becomes `$defs` +
`$ref`, annotations that never reject a value are dropped, and what OpenAPI gives meaning beyond
JSON Schema is spelled as something a validator checks:

- a `readOnly` property is not part of a request (clients do not send it), a `writeOnly` one not
  part of a response: neither is required, and its value is not constrained;
- `contentEncoding` (and `format: byte`, normalized base64) is a format a checker in
  `apiparity.diff.witness` enforces: a body field that was base64 and becomes quoted-printable
  rejects what it accepted;
- `x-extensible-enum` lists the values a server accepts in a request (an `enum`); in a response it
  is open by definition (clients must accept values they do not know), so it constrains nothing.
"""

from __future__ import annotations

from typing import Any

# Keywords that never reject an instance (or that this form re-spells itself).
_DROPPED = frozenset({
    "title", "description", "default", "deprecated", "readOnly", "writeOnly", "discriminator", "example", "examples",
    "xml", "nullable", "contentMediaType", "contentEncoding", "contentSchema", "x-extensible-enum", "$comment",
})
_MAPS = ("properties", "patternProperties", "dependentSchemas", "$defs")
_SINGLES = ("items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames", "unevaluatedProperties", "unevaluatedItems")
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
# contentEncoding values -> the format name the witness checker enforces (RFC 4648 / RFC 2045).
ENCODING_FORMATS = {
    "base64": "byte",
    "base64url": "x-encoding-base64url",
    "base32": "x-encoding-base32",
    "base16": "x-encoding-base16",
    "quoted-printable": "x-encoding-quoted-printable",
    "7bit": "x-encoding-7bit",
}


class Unsupported(Exception):
    """The schema uses something this form cannot express (the witness search is skipped)."""


def to_json_schema(schema: Any, *, direction: str) -> dict[str, Any]:
    """`schema` (normalized, possibly cyclic) as a self-contained JSON Schema 2020-12 document."""
    writer = _Writer(direction)
    body = writer.write(schema)
    if not isinstance(body, dict):
        body = {} if body is True else {"not": {}}
    if writer.defs:
        if "$ref" in body and len(body) == 1:
            return {"$defs": writer.defs, **body}
        return {"$defs": writer.defs, "allOf": [body]}
    return body


class _Writer:
    def __init__(self, direction: str) -> None:
        self.hidden = "readOnly" if direction == "request" else "writeOnly"
        self.direction = direction
        self.defs: dict[str, Any] = {}
        self._names: dict[int, str] = {}
        self._stack: set[int] = set()
        self._recursive: set[int] = set()
        self._find_cycles_seen: set[int] = set()

    def write(self, schema: Any) -> Any:
        if isinstance(schema, dict):
            self._find_cycles(schema)
        return self._write(schema)

    def _find_cycles(self, schema: dict[str, Any]) -> None:
        """Mark every schema that is reached again from inside itself (iterative: documents nest deeply)."""
        work: list[tuple[dict[str, Any], bool]] = [(schema, True)]
        while work:
            node, entering = work.pop()
            key = id(node)
            if not entering:
                self._stack.discard(key)
                continue
            if key in self._stack:
                self._recursive.add(key)
                continue
            if key in self._find_cycles_seen:
                continue
            self._find_cycles_seen.add(key)
            self._stack.add(key)
            work.append((node, False))
            for child in _children(node):
                if id(child) in self._stack:
                    self._recursive.add(id(child))
                else:
                    work.append((child, True))
        self._stack.clear()

    def _write(self, schema: Any) -> Any:
        if schema is True or schema is None:
            return {}
        if schema is False:
            return {"not": {}}
        if not isinstance(schema, dict):
            raise Unsupported(f"schema is a {type(schema).__name__}")
        key = id(schema)
        if key in self._recursive:
            name = self._names.get(key)
            if name is None:
                name = self._names[key] = f"s{len(self._names)}"
                self.defs[name] = {}  # placeholder: a cycle back here is a $ref
                self.defs[name] = self._body(schema)
            return {"$ref": f"#/$defs/{name}"}
        return self._body(schema)

    def _body(self, schema: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        hidden: set[str] = set()
        for key, value in schema.items():
            if key in _DROPPED or key.startswith("x-"):
                continue
            if key == "properties" and isinstance(value, dict):
                props: dict[str, Any] = {}
                for name, sub in value.items():
                    if isinstance(sub, dict) and sub.get(self.hidden):
                        hidden.add(name)
                        props[name] = {}
                    else:
                        props[name] = self._write(sub)
                out[key] = props
            elif key in _MAPS and isinstance(value, dict):
                out[key] = {name: self._write(sub) for name, sub in value.items()}
            elif key in _SINGLES:
                out[key] = value if isinstance(value, bool) else self._write(value)
            elif key in _LISTS and isinstance(value, list):
                out[key] = [self._write(sub) for sub in value]
            elif key == "type" and isinstance(value, list):
                out[key] = list(value)
            else:
                out[key] = value
        if hidden and "required" in out:
            out["required"] = [name for name in out["required"] if name not in hidden]
        encoding = schema.get("contentEncoding")
        if isinstance(encoding, str) and "format" not in out:
            fmt = ENCODING_FORMATS.get(encoding.lower())
            out["format"] = fmt if fmt is not None else f"x-encoding-{encoding.lower()}"
        extensible = schema.get("x-extensible-enum")
        if self.direction == "request" and isinstance(extensible, list) and "enum" not in out:
            out["enum"] = list(extensible)
        if schema.get("nullable"):
            out = _with_null(out)
        return out


def _with_null(out: dict[str, Any]) -> dict[str, Any]:
    if "type" in out:
        if "null" not in out["type"]:
            out["type"] = [*out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    if "enum" in out:
        if None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    if not out:
        return out
    return {"anyOf": [out, {"type": "null"}]}


def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
    children: list[dict[str, Any]] = []
    for key in _MAPS:
        value = node.get(key)
        if isinstance(value, dict):
            children.extend(v for v in value.values() if isinstance(v, dict))
    for key in _SINGLES:
        value = node.get(key)
        if isinstance(value, dict):
            children.append(value)
    for key in _LISTS:
        value = node.get(key)
        if isinstance(value, list):
            children.extend(v for v in value if isinstance(v, dict))
    return children
