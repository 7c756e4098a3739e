"""Witness candidates built from the schemas, before any instance is generated.

Most breaking changes have an obvious witness: the removed enum value, `null` where NEW no longer
allows it, an object without the property that became required, a value just past the new bound.
Drawing instances of a big schema with Hypothesis costs ~0.1 s each (OpenAI's pair: 98 searches,
almost all their time in drawing), so the search first validates instances built here: a minimal
instance of the accepting side's schema (required properties only, the simplest value of each),
then that instance with one place changed to each telling value of its schema there (enum values,
`null`, bounds, a property the other side names). Candidates are plain data in a fixed order (so a
seed repeats a run), at most `limit` of them; the search keeps those the source accepts and the
target rejects for the finding's keyword. Nothing here judges: a wrong guess is only a rejected
candidate.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_MAX_DEPTH = 6


def candidates(source: Any, target: Any, *, limit: int = 120) -> list[Any]:
    """Up to `limit` distinct instances likely to be accepted by `source`, simplest first."""
    builder = _Builder(source)
    hints = _target_names(target)
    out: list[Any] = []
    seen: set[str] = set()
    import json

    for instance in builder.variants(source, 0, hints):
        try:
            key = json.dumps(instance, sort_keys=True)
        except (TypeError, ValueError):
            continue
        if key in seen:
            continue
        seen.add(key)
        out.append(instance)
        if len(out) >= limit:
            break
    return out


def _target_names(target: Any) -> list[str]:
    """Property names the target's schema declares anywhere (a property NEW dropped is still one OLD names)."""
    names: set[str] = set()
    work = [target]
    while work:
        node = work.pop()
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(str(name) for name in properties)
            work.extend(value for key, value in node.items() if key not in ("enum", "const", "default", "examples"))
        elif isinstance(node, list):
            work.extend(node)
    return sorted(names)


class _Builder:
    def __init__(self, root: Any) -> None:
        self.root = root

    def resolve(self, schema: Any, depth: int = 0) -> Any:
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < 32:
            ref = schema["$ref"]
            if not ref.startswith("#"):
                return {}
            node: Any = self.root
            for part in ref[1:].split("/")[1:]:
                part = part.replace("~1", "/").replace("~0", "~")
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                return {}
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**node, **rest} if rest and isinstance(node, dict) else node
            depth += 1
        if isinstance(schema, dict) and isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for branch in schema["allOf"]:
                branch = self.resolve(branch, depth + 1)
                if not isinstance(branch, dict):
                    continue
                for key, value in branch.items():
                    if key == "properties" and isinstance(value, dict):
                        merged["properties"] = {**merged.get("properties", {}), **value}
                    elif key == "required" and isinstance(value, list):
                        merged["required"] = [*merged.get("required", []), *value]
                    else:
                        merged.setdefault(key, value)
            return merged
        return schema

    def minimal(self, schema: Any, depth: int) -> Any:
        """The simplest instance the schema probably accepts."""
        schema = self.resolve(schema)
        if schema is True or not isinstance(schema, dict):
            return None if schema is True else 0
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return schema["enum"][0]
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list) and branches:
                return self.minimal(_first_not_null(branches), depth)
        kind = _type_of(schema)
        if kind == "object":
            if depth >= _MAX_DEPTH:
                return {}
            properties = _properties(schema)
            required = [name for name in schema.get("required", []) if isinstance(name, str)]
            return {name: self.minimal(properties.get(name, {}), depth + 1) for name in dict.fromkeys(required)}
        if kind == "array":
            count = schema.get("minItems", 0) if isinstance(schema.get("minItems"), int) else 0
            if depth >= _MAX_DEPTH or count == 0:
                return []
            item = self.minimal(schema.get("items", {}), depth + 1)
            return [item] * min(count, 8)
        if kind == "string":
            length = schema.get("minLength", 0) if isinstance(schema.get("minLength"), int) else 0
            return "a" * min(length, 64)
        if kind in ("integer", "number"):
            return _number_in(schema)
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return None

    def telling(self, schema: Any, depth: int) -> Iterator[Any]:
        """Values of the schema at its edges: each enum value, null, bounds, both booleans, a
        smallest and a fuller object or array."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return
        yield self.minimal(schema, depth)
        if isinstance(schema.get("enum"), list):
            yield from schema["enum"]
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                for branch in branches:
                    yield from self.telling(branch, depth + 1)
        declared = schema.get("type")
        types: list[Any] = declared if isinstance(declared, list) else [declared]
        if "null" in types or schema.get("nullable") is True:
            yield None
        kind = _type_of(schema)
        if kind in ("integer", "number"):
            for bound in ("minimum", "maximum"):
                value = schema.get(bound)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    yield value
            for bound, step in (("exclusiveMinimum", 1), ("exclusiveMaximum", -1)):
                value = schema.get(bound)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    yield value + step
            yield 0
            yield 1
            yield -1
        elif kind == "string":
            for bound in ("minLength", "maxLength"):
                value = schema.get(bound)
                if isinstance(value, int) and 0 <= value <= 4096:
                    yield "a" * value
            yield ""
            yield "a"
        elif kind == "boolean":
            yield True
        elif kind == "array" and depth < _MAX_DEPTH:
            items = schema.get("items", {})
            maximum = schema.get("maxItems")
            for value in self.telling(items, depth + 1):
                yield [value]
            if isinstance(maximum, int) and 0 < maximum <= 64:
                yield [self.minimal(items, depth + 1)] * maximum
        elif kind == "object" and depth < _MAX_DEPTH:
            properties = _properties(schema)
            yield {name: self.minimal(sub, depth + 1) for name, sub in properties.items()}

    def variants(self, schema: Any, depth: int, hints: list[str]) -> Iterator[Any]:
        """The minimal instance, then it with one place changed to each telling value there."""
        schema = self.resolve(schema)
        base = self.minimal(schema, depth)
        yield base
        if not isinstance(schema, dict) or depth >= _MAX_DEPTH:
            return
        for keyword in ("anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                for branch in branches:
                    yield from self.variants(branch, depth + 1, hints)
        kind = _type_of(schema)
        if kind == "object" and isinstance(base, dict):
            properties = _properties(schema)
            for name in sorted(properties, key=str):
                if name in base:
                    yield {k: v for k, v in base.items() if k != name}
                for value in self.telling(properties[name], depth + 1):
                    yield {**base, name: value}
            open_object = schema.get("additionalProperties", True) is not False
            if open_object:
                for name in hints:
                    if name not in properties:
                        for value in (None, 0, "", {}, [], False):
                            yield {**base, name: value}
                for value in (None, "", 0):
                    yield {**base, "": value}
            for name in sorted(properties, key=str):
                sub = self.resolve(properties[name])
                if _type_of(sub) in ("object", "array") or isinstance(sub, dict) and ("anyOf" in sub or "oneOf" in sub):
                    for value in self.variants(sub, depth + 1, hints):
                        yield {**base, name: value}
        elif kind == "array":
            items = schema.get("items", {})
            for value in self.variants(items, depth + 1, hints):
                yield [value]
        else:
            yield from self.telling(schema, depth)


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties")
    return properties if isinstance(properties, dict) else {}


def _first_not_null(branches: list[Any]) -> Any:
    for branch in branches:
        if not (isinstance(branch, dict) and branch.get("type") == "null"):
            return branch
    return branches[0]


def _type_of(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("minLength", "maxLength", "pattern", "format")):
        return "string"
    if any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
        return "number"
    return None


def _number_in(schema: dict[str, Any]) -> Any:
    low = schema.get("minimum")
    high = schema.get("maximum")
    exclusive_low = schema.get("exclusiveMinimum")
    value: Any = 0
    if isinstance(low, (int, float)) and not isinstance(low, bool) and value < low:
        value = low
    if isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool) and value <= exclusive_low:
        value = exclusive_low + 1
    if isinstance(high, (int, float)) and not isinstance(high, bool) and value > high:
        value = high
    return value
