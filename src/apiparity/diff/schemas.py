"""Compare two normalized schemas structurally and describe their differences.

Schemas are compared by structure (a component name only helps pair union branches). Results are memoized per pair
of normalized objects: a component shared by a thousand operations is compared once. Recursive
schemas are cyclic objects; a pair already being compared higher up the stack is not re-entered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container
from dataclasses import replace
from typing import Any

from apiparity.diff.model import SchemaDiff
from apiparity.diff.rules.schemas import BOUND_KEYWORDS
from apiparity.spec.normalize import NormalizedDocument, Schema, origin_of
from apiparity.spec.pointer import escape_token

_MAPS = ("properties", "patternProperties", "dependentSchemas")
_SINGLES = ("items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema")
_UNORDERED_LISTS = ("allOf", "anyOf", "oneOf")


# keyword -> (how its value holds subschemas, the value's type) for the fingerprint
_FP_KIND: dict[str, tuple[str, Any]] = {  # (shape, exact types); Any: `type(v) in` must not narrow v to object
    **{name: ("map", (dict,)) for name in _MAPS},
    **{name: ("single", (Schema, dict)) for name in _SINGLES},  # a normalized schema, or one the comparison built
    **{name: ("unordered", (list,)) for name in _UNORDERED_LISTS},
    "prefixItems": ("ordered", (list,)),
    "enum": ("enum", (list,)),
}


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


class Fingerprints:
    """Structural hashes of normalized schemas (cycle-safe, memoized by object id).

    `shared`: when given, only these schemas (by id: a document's `$ref` targets, the ones reached
    from many places) are memoized. An inline schema has one parent, so its hash is computed once
    anyway, except along the few paths the comparison descends because something changed; a memo
    entry for each of a 50,000-operation document's half a million schemas costs ~100 MB.
    """

    def __init__(self, shared: Container[int] | None = None) -> None:
        self._memo: dict[int, int] = {}
        self._stack: set[int] = set()
        self._keep: list[Any] = []  # keep objects alive so ids are not reused
        self._shared = shared

    def of(self, schema: Any) -> int:
        if not isinstance(schema, dict):
            return hash(canonical_json(schema))
        key = id(schema)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if key in self._stack:
            return hash("<cycle>")
        self._stack.add(key)
        # Keyword order is not meaning: a frozenset of (keyword, value) parts, no sorting.
        parts: list[tuple[Any, ...]] = []
        of = self.of
        for name, value in schema.items():
            kind = _FP_KIND.get(name)
            if kind is not None and type(value) in kind[1]:
                shape = kind[0]
                if shape == "map":
                    parts.append((name, frozenset([(k, of(v)) for k, v in value.items()])))
                elif shape == "single":
                    parts.append((name, of(value)))
                elif shape == "unordered":
                    parts.append((name, tuple(sorted([of(v) for v in value]))))
                elif shape == "ordered":
                    parts.append((name, tuple([of(v) for v in value])))
                elif all(type(v) is str for v in value):  # enum of strings
                    parts.append((name, "str-enum", frozenset(value)))
                else:
                    parts.append((name, tuple(sorted(canonical_json(v) for v in value))))
            elif isinstance(value, (str, int, float, bool)) or value is None:
                parts.append((name, type(value).__name__, value))  # bool and 1 must not collide
            elif type(value) is list and all(type(v) is str for v in value):
                parts.append((name, "str-list", tuple(value)))  # `type`, `required`: no JSON text needed
            else:
                parts.append((name, canonical_json(value)))
        self._stack.discard(key)
        result = hash(frozenset(parts))
        if self._shared is None or key in self._shared:
            self._memo[key] = result
            self._keep.append(schema)
        return result


_SCALARS = frozenset({"string", "integer", "number", "boolean"})


def _types(schema: dict[str, Any]) -> set[str]:
    return set(schema.get("type") or [])


def _enum_types(values: list[Any]) -> set[str]:
    """The JSON types of an enum's values (a number enum is `number`, whatever its values)."""
    kinds = {"string" if isinstance(v, str) else "boolean" if isinstance(v, bool) else "number" if isinstance(v, (int, float))
             else "object" if isinstance(v, dict) else "array" if isinstance(v, list) else "" for v in values if v is not None}
    return kinds - {""}


def _effective_types(schema: dict[str, Any]) -> set[str]:
    """Declared types, or for an untyped enum the types of its values: pydantic writes
    `Literal[None, "a"]` as a bare enum and `Literal["a"] | None` as a typed one."""
    declared = _types(schema)
    if declared or not schema.get("enum"):
        return declared
    return _enum_types(schema["enum"])


# Keywords that constrain one JSON type only: a type list carrying them is the union of one
# branch per type, each with its own keywords ({type: [integer, string], maxLength: 3} is
# anyOf [{type: integer}, {type: string, maxLength: 3}]).
_KEYWORDS_OF_TYPE = {
    "string": frozenset({"minLength", "maxLength", "pattern", "contentMediaType", "contentEncoding"}),
    "number": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
    "array": frozenset({"items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"}),
    "object": frozenset({"properties", "required", "additionalProperties", "patternProperties", "minProperties",
                         "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas"}),
}
_KEYWORDS_OF_TYPE["integer"] = _KEYWORDS_OF_TYPE["number"]
_NUMERIC_FORMATS = frozenset({"int32", "int64", "float", "double"})
_TYPE_SPECIFIC = frozenset().union(*_KEYWORDS_OF_TYPE.values(), {"format", "enum"})


# (narrow, wide): every value of the first format is a value of the second
_WIDER_FORMATS = frozenset({("int32", "int64"), ("float", "double")})

_UNION_LEVEL = frozenset({"default", "nullable", "title", "description", "deprecated", "readOnly", "writeOnly"})


def _type_branch(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    branch: dict[str, Any] = {"type": [kind]}
    for key in _KEYWORDS_OF_TYPE.get(kind, ()):
        if key in schema:
            branch[key] = schema[key]
    numeric = kind in ("integer", "number")
    if "format" in schema and (schema["format"] in _NUMERIC_FORMATS) == numeric:
        branch["format"] = schema["format"]
    if schema.get("enum"):
        values = [v for v in schema["enum"] if _enum_types([v]) == {"number" if numeric else kind}
                  and (kind != "integer" or float(v).is_integer())]
        branch["enum"] = values
    return branch


def _accepts_null(schema: dict[str, Any]) -> bool:
    """`nullable`, or a schema that constrains the type not at all (`{}` accepts null too)."""
    if schema.get("nullable"):
        return True
    return not _effective_types(schema) and not any(schema.get(k) for k in ("anyOf", "oneOf", "allOf", "not"))


def _accepts_all(wide: set[str], narrow: set[str]) -> bool:
    """Does a schema of types `wide` accept every value of types `narrow`? (empty = any type)."""
    if not wide:
        return True
    if not narrow:
        return False
    expanded = set(wide) | ({"integer"} if "number" in wide else set())
    return narrow <= expanded


def _bound(schema: dict[str, Any], keyword: str) -> tuple[float, bool] | None:
    """(value, exclusive) of a numeric/length bound, folding in exclusiveMinimum/Maximum."""
    value = schema.get(keyword)
    inclusive = (value, False) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    exclusive_key = {"minimum": "exclusiveMinimum", "maximum": "exclusiveMaximum"}.get(keyword)
    exclusive_value = schema.get(exclusive_key) if exclusive_key else None
    if not isinstance(exclusive_value, (int, float)) or isinstance(exclusive_value, bool):
        return inclusive
    exclusive = (exclusive_value, True)
    if inclusive is None:
        return exclusive
    # 2020-12: both apply, the stricter one is the bound (minimum 5 beside exclusiveMinimum 3 is >= 5)
    if keyword == "minimum":
        return max(inclusive, exclusive)
    return min(inclusive, exclusive, key=lambda bound: (bound[0], not bound[1]))


def _bound_text(bound: tuple[float, bool]) -> str:
    return f"{'>' if bound[1] else ''}{bound[0]}" if bound[1] else str(bound[0])


def summarize(schema: dict[str, Any]) -> str:
    """A short human label for a schema (for oneOf branches and messages)."""
    if not isinstance(schema, dict):
        return str(schema)
    parts = []
    if schema.get("title"):
        parts.append(str(schema["title"]))
    if schema.get("type"):
        parts.append("|".join(schema["type"]))
    if schema.get("properties"):
        names = list(schema["properties"])
        parts.append("{" + ", ".join(names[:4]) + (", ..." if len(names) > 4 else "") + "}")
    if schema.get("enum"):
        parts.append(f"enum {schema['enum'][:4]}")
    return " ".join(parts) or "{}"


class SchemaComparer:
    """Compares schemas as seen in one direction: a `readOnly` property is not part of a request
    (clients do not send it), a `writeOnly` property is not part of a response (never returned)."""

    def __init__(
        self,
        old_doc: NormalizedDocument,
        new_doc: NormalizedDocument,
        direction: str = "response",
        fingerprints: tuple[Fingerprints, Fingerprints] | None = None,
        *,
        textual: bool = False,
    ) -> None:
        self.old_doc = old_doc
        self.new_doc = new_doc
        self.direction = direction
        # Parameters travel as text (path, query, header, cookie): every integer, number or boolean
        # a client sends is also a valid string, so scalar -> string widens instead of changing.
        self.textual = textual
        self.old_fp, self.new_fp = fingerprints or (Fingerprints(), Fingerprints())
        self._hidden_keyword = "readOnly" if direction == "request" else "writeOnly"
        self._memo: dict[tuple[int, int], list[SchemaDiff]] = {}
        self._active: set[tuple[int, int]] = set()
        self._expanded: dict[int, dict[str, Any]] = {}  # type list -> its anyOf form (ids are memo keys)
        self._keep_alive: list[dict[str, Any]] = []
        self._wrapped: dict[tuple[int, str], dict[str, Any]] = {}  # concrete schema -> one-branch union

    def equal(self, old: Any, new: Any) -> bool:
        return self.old_fp.of(old) == self.new_fp.of(new)

    def compare(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[SchemaDiff]:
        """Differences from `old` to `new`, relative to these roots."""
        old = old if old is not None else {}
        new = new if new is not None else {}
        key = (id(old), id(new))
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return []
        if self.equal(old, new):
            self._memo[key] = []
            return []
        self._active.add(key)
        diffs: list[SchemaDiff] = []
        try:
            self._compare(old, new, diffs)
        finally:
            self._active.discard(key)
        self._memo[key] = diffs
        return diffs

    # ------------------------------------------------------------------ helpers

    def _ptr(self, old: dict[str, Any], new: dict[str, Any], keyword: str | None) -> tuple[str | None, str | None]:
        suffix = f"/{keyword}" if keyword else ""
        old_origin, new_origin = origin_of(old), origin_of(new)
        return (None if old_origin is None else old_origin + suffix, None if new_origin is None else new_origin + suffix)

    def _emit(self, diffs: list[SchemaDiff], kind: str, old: dict, new: dict, keyword: str | None, old_value: Any = None, new_value: Any = None, name: str = "") -> None:
        old_pointer, new_pointer = self._ptr(old, new, keyword)
        diffs.append(SchemaDiff(kind, (), old_pointer, new_pointer, old_value, new_value, name, old, new))

    def _nested(self, diffs: list[SchemaDiff], prefix: tuple[str, ...], old: Any, new: Any) -> None:
        for diff in self.compare(old, new):
            diffs.append(replace(diff, rel=prefix + diff.rel))

    # ------------------------------------------------------------------ the comparison

    def _as_union(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A multi-type schema as anyOf one branch per type (the shape the other side is written in)."""
        cached = self._expanded.get(id(schema))
        if cached is None:
            union = {key: value for key, value in schema.items() if key not in _TYPE_SPECIFIC and key != "type"}
            union["anyOf"] = [_type_branch(schema, kind) for kind in sorted(_types(schema))]
            cached = self._expanded[id(schema)] = union
            self._expanded[id(union)] = union
            self._keep_alive.append(schema)
        return cached

    def _aligned_unions(self, old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Normalization folds an anyOf of bare types into a type list, so a union on one side may be
        a type list while the other side's (with a constrained branch) stays an anyOf: expand the list."""
        def is_type_list(schema: dict[str, Any]) -> bool:
            return len(_types(schema)) > 1 and not schema.get("anyOf") and not schema.get("oneOf")

        def is_type_union(schema: dict[str, Any]) -> bool:
            return not _types(schema) and bool(schema.get("anyOf")) and all(
                isinstance(b, dict) and len(_types(b)) == 1 for b in schema["anyOf"])

        if is_type_list(old) and is_type_union(new):
            return self._as_union(old), new
        if is_type_union(old) and is_type_list(new):
            return old, self._as_union(new)
        # oneOf [Circle, Square] -> Circle: the concrete side is a union of one branch, so the
        # branches pair (Square removed) instead of the whole union against one object
        for combinator in ("oneOf", "anyOf"):
            if self._is_union_of(old, combinator) and self._is_concrete(new):
                return old, self._one_branch(new, combinator)
            if self._is_concrete(old) and self._is_union_of(new, combinator):
                return self._one_branch(old, combinator), new
        return old, new

    @staticmethod
    def _is_union_of(schema: dict[str, Any], combinator: str) -> bool:
        return not _types(schema) and len(schema.get(combinator) or []) > 1

    @staticmethod
    def _is_concrete(schema: dict[str, Any]) -> bool:
        return bool(_types(schema)) and not any(schema.get(k) for k in ("anyOf", "oneOf", "allOf"))

    def _one_branch(self, schema: dict[str, Any], combinator: str) -> dict[str, Any]:
        key = (id(schema), combinator)
        cached = self._wrapped.get(key)
        if cached is None:
            # what describes the value as a whole (default, nullable, docs) stays on the union
            outer = {k: v for k, v in schema.items() if k in _UNION_LEVEL}
            branch = {k: v for k, v in schema.items() if k not in _UNION_LEVEL}
            cached = {**outer, combinator: [branch]}
            self._wrapped[key] = cached
            self._keep_alive.extend((schema, branch))
        return cached

    def _compare(self, old: dict[str, Any], new: dict[str, Any], diffs: list[SchemaDiff]) -> None:
        old, new = self._aligned_unions(old, new)
        for keyword, kind in (("title", "schema-title-changed"), ("description", "schema-description-changed")):
            if old.get(keyword) != new.get(keyword):
                self._emit(diffs, kind, old, new, keyword, old.get(keyword), new.get(keyword))
        old_nullable, new_nullable = _accepts_null(old), _accepts_null(new)
        # Reported where `nullable` itself changed and null's acceptance with it: `{}` vs a nullable
        # string is no change, and `{}` -> `{type: object}` is one finding (the type narrowed).
        # A parameter is text on the wire: no client can send JSON null in a path, query or header.
        explicit_changed = bool(old.get("nullable")) != bool(new.get("nullable"))
        if old_nullable != new_nullable and explicit_changed and not self.textual:
            self._emit(diffs, "nullable-added" if new_nullable else "nullable-removed", old, new, "nullable", old_nullable, new_nullable)
        # A type changed to an unrelated one is the whole story: the old type's format, pattern,
        # bounds and default mean nothing for the new type, and one root cause gets one finding.
        if self._compare_type(old, new, diffs) != "type-changed":
            encoding_changed = self._compare_encoding(old, new, diffs)
            self._compare_format(old, new, diffs, skip_byte=encoding_changed)
            applies = _applicable(old, new)
            if "pattern" in applies:
                self._compare_changed_keyword(old, new, diffs, "pattern", "pattern")
            if "multipleOf" in applies:
                self._compare_changed_keyword(old, new, diffs, "multipleOf", "multiple-of")
            for prefix, keyword in BOUND_KEYWORDS.items():
                if keyword in applies:
                    self._compare_bound(old, new, diffs, prefix, keyword)
            if "uniqueItems" in applies and bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
                self._emit(diffs, "unique-items-added" if new.get("uniqueItems") else "unique-items-removed", old, new, "uniqueItems", old.get("uniqueItems"), new.get("uniqueItems"))
            self._compare_default(old, new, diffs)
            if old.get("contentMediaType") != new.get("contentMediaType") and old.get("contentMediaType") and new.get("contentMediaType"):
                self._emit(diffs, "content-media-type-changed", old, new, "contentMediaType", old.get("contentMediaType"), new.get("contentMediaType"))
        self._compare_enum(old, new, diffs)
        self._compare_extensible_enum(old, new, diffs)
        if old.get("xml") != new.get("xml"):
            self._emit(diffs, "xml-changed", old, new, "xml", _xml_text(old.get("xml")), _xml_text(new.get("xml")))
        self._compare_applicators(old, new, diffs)
        self._compare_discriminator(old, new, diffs)
        self._compare_additional_properties(old, new, diffs)
        self._compare_properties(old, new, diffs)
        self._compare_items(old, new, diffs)
        for combinator, kind in (("oneOf", "one-of"), ("anyOf", "any-of"), ("allOf", "all-of")):
            self._compare_branches(old, new, diffs, combinator, kind)
        # A oneOf rejects a value two branches match: whether NEW's branches overlap on a value OLD
        # accepted (a request), or OLD's overlapped on a value NEW may return (a response: OLD's
        # `oneOf [integer, number]` rejects 3), is for the witness search (a candidate, dropped
        # without a witness).
        judged = new if self.direction == "request" else old
        if not self.textual and len(judged.get("oneOf") or []) > 1:
            self._emit(diffs, "one-of-overlap", old, new, "oneOf", None, None)

    def _compare_items(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        old_prefix, new_prefix = old.get("prefixItems") or [], new.get("prefixItems") or []
        # A tuple written the 3.0 way (one `items` schema, min/maxItems) against the 3.1 way
        # (prefixItems): each position is compared with the other side's `items`.
        for tuple_side, other, reverse in ((old, new, False), (new, old, True)):
            positions = tuple_side.get("prefixItems") or []
            if positions and "prefixItems" not in other and "items" in other and "items" not in tuple_side:
                for index, position in enumerate(positions):
                    pair = (other["items"], position) if reverse else (position, other["items"])
                    self._nested(diffs, (f"[{index}]",), *pair)
                covered = isinstance(tuple_side.get("maxItems"), int) and tuple_side["maxItems"] <= len(positions)
                if not covered:  # positions past the tuple: any value on the prefixItems side
                    self._nested(diffs, ("[]",), *((other["items"], {}) if reverse else ({}, other["items"])))
                return
        if "items" in old or "items" in new:
            self._nested(diffs, ("[]",), old.get("items"), new.get("items"))
        for index in range(min(len(old_prefix), len(new_prefix))):
            self._nested(diffs, (f"[{index}]",), old_prefix[index], new_prefix[index])
        if len(new_prefix) > len(old_prefix):
            self._emit(diffs, "prefix-items-added", old, new, "prefixItems", len(old_prefix), len(new_prefix))
        elif len(new_prefix) < len(old_prefix):
            self._emit(diffs, "prefix-items-removed", old, new, "prefixItems", len(old_prefix), len(new_prefix))

    def _compare_type(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> str | None:
        if old.get("enum") and new.get("enum") and _enum_types(old["enum"]) == _enum_types(new["enum"]):
            return None  # the values say it all (1 under `type: number` is 1 under `type: integer`)
        old_types, new_types = _effective_types(old), _effective_types(new)
        if old_types == new_types:
            return None
        if self.textual and old_types and new_types and (old_types | new_types) <= _SCALARS and "string" in (old_types ^ new_types):
            kind = "type-widened" if "string" in new_types else "type-narrowed"
        elif _accepts_all(old_types, new_types):
            kind = "type-narrowed"
        elif _accepts_all(new_types, old_types):
            kind = "type-widened"
        else:
            kind = "type-changed"
        self._emit(diffs, kind, old, new, "type", "|".join(sorted(old_types)) or "any", "|".join(sorted(new_types)) or "any")
        return kind

    def _compare_encoding(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> bool:
        """contentEncoding (base64 is normalized to `format: byte`); True when it changed."""
        old_encoding, new_encoding = _encoding(old), _encoding(new)
        if old_encoding == new_encoding:
            return False
        # `format: byte` added/removed alone is a format change, reported as such
        if (old_encoding is None or new_encoding is None) and "contentEncoding" not in old and "contentEncoding" not in new:
            return False
        kind = "content-encoding-added" if old_encoding is None else "content-encoding-removed" if new_encoding is None else "content-encoding-changed"
        self._emit(diffs, kind, old, new, "contentEncoding", old_encoding, new_encoding)
        return True

    def _compare_extensible_enum(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        old_values, new_values = old.get("x-extensible-enum"), new.get("x-extensible-enum")
        if not isinstance(old_values, list) or not isinstance(new_values, list):
            return
        old_keys = {canonical_json(v): v for v in old_values}
        new_keys = {canonical_json(v): v for v in new_values}
        added = [new_keys[k] for k in new_keys if k not in old_keys]
        removed = [old_keys[k] for k in old_keys if k not in new_keys]
        if added:
            self._emit(diffs, "extensible-enum-value-added", old, new, "x-extensible-enum", None, added)
        if removed:
            self._emit(diffs, "extensible-enum-value-removed", old, new, "x-extensible-enum", removed, None)

    def _compare_applicators(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        """2020-12 applicators beyond properties/items: each pair of subschemas is compared where
        it sits (covariantly: a narrower subschema accepts fewer instances), presence by rule."""
        for keyword, rel, added, removed in (
            ("contains", "(contains)", "contains-added", "contains-removed"),
            ("propertyNames", "(names)", "property-names-added", "property-names-removed"),
            ("contentSchema", "(content)", "content-schema-added", "content-schema-removed"),
        ):
            if keyword in old and keyword in new:
                self._nested(diffs, (rel,), old[keyword], new[keyword])
            elif keyword in new:
                self._emit(diffs, added, old, new, keyword, None, summarize(new[keyword]))
            elif keyword in old:
                self._emit(diffs, removed, old, new, keyword, summarize(old[keyword]), None)
        if "not" in old or "not" in new:
            if "not" not in old:
                self._emit(diffs, "not-added", old, new, "not", None, summarize(new["not"]))
            elif "not" not in new:
                self._emit(diffs, "not-removed", old, new, "not", summarize(old["not"]), None)
            elif not self.equal(old["not"], new["not"]):
                self._emit(diffs, "not-changed", old, new, "not", summarize(old["not"]), summarize(new["not"]))
        old_dr, new_dr = old.get("dependentRequired") or {}, new.get("dependentRequired") or {}
        for name in sorted(set(old_dr) | set(new_dr)):
            before, after = set(old_dr.get(name) or []), set(new_dr.get(name) or [])
            if after - before:
                self._emit(diffs, "dependent-required-added", old, new, "dependentRequired", None, sorted(after - before), name)
            if before - after:
                self._emit(diffs, "dependent-required-removed", old, new, "dependentRequired", sorted(before - after), None, name)
        for keyword, added, removed, label in (
            ("dependentSchemas", "dependent-schema-added", "dependent-schema-removed", "(if {name})"),
            ("patternProperties", "pattern-property-added", "pattern-property-removed", "{{{name}}}"),
        ):
            old_map, new_map = old.get(keyword) or {}, new.get(keyword) or {}
            for name in sorted(set(old_map) | set(new_map)):
                if name in old_map and name in new_map:
                    self._nested(diffs, (label.format(name=name),), old_map[name], new_map[name])
                elif name in new_map:
                    self._emit(diffs, added, old, new, keyword, None, None, name)
                else:
                    self._emit(diffs, removed, old, new, keyword, None, None, name)
        if "if" in old or "if" in new:
            if "if" not in old:
                self._emit(diffs, "conditional-added", old, new, "if", None, summarize(new["if"]))
            elif "if" not in new:
                self._emit(diffs, "conditional-removed", old, new, "if", summarize(old["if"]), None)
            elif not self.equal(old["if"], new["if"]):
                self._emit(diffs, "conditional-changed", old, new, "if", summarize(old["if"]), summarize(new["if"]))
            else:
                for branch in ("then", "else"):
                    self._nested(diffs, (f"({branch})",), old.get(branch), new.get(branch))
        for keyword, prefix in (("unevaluatedProperties", "unevaluated-properties"), ("unevaluatedItems", "unevaluated-items")):
            (old_state, old_schema), (new_state, new_schema) = _open_state(old, keyword), _open_state(new, keyword)
            if old_state == new_state == "schema":
                self._nested(diffs, ("{unevaluated}" if keyword == "unevaluatedProperties" else "[unevaluated]",), old_schema, new_schema)
            elif old_state != new_state:
                rank = {"closed": 0, "schema": 1, "open": 2}
                kind = f"{prefix}-narrowed" if rank[new_state] < rank[old_state] else f"{prefix}-widened"
                self._emit(diffs, kind, old, new, keyword, old_state, new_state)

    def _compare_format(self, old: dict, new: dict, diffs: list[SchemaDiff], *, skip_byte: bool = False) -> None:
        if skip_byte:  # `format: byte` is the base64 encoding, reported as an encoding change
            old = {k: v for k, v in old.items() if not (k == "format" and v == "byte")}
            new = {k: v for k, v in new.items() if not (k == "format" and v == "byte")}
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format and old_format is not None and new_format is not None:
            if (old_format, new_format) in _WIDER_FORMATS:
                self._emit(diffs, "format-widened", old, new, "format", old_format, new_format)
                return
            if (new_format, old_format) in _WIDER_FORMATS:
                self._emit(diffs, "format-narrowed", old, new, "format", old_format, new_format)
                return
        self._compare_changed_keyword(old, new, diffs, "format", "format")

    def _compare_changed_keyword(self, old: dict, new: dict, diffs: list[SchemaDiff], keyword: str, prefix: str) -> None:
        old_value, new_value = old.get(keyword), new.get(keyword)
        if old_value == new_value:
            return
        if old_value is None:
            kind = f"{prefix}-added"
        elif new_value is None:
            kind = f"{prefix}-removed"
        else:
            kind = f"{prefix}-changed"
        self._emit(diffs, kind, old, new, keyword, old_value, new_value)

    def _compare_enum(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum is None and new_enum is None:
            return
        if old_enum is None:
            self._emit(diffs, "enum-added", old, new, "enum", None, new_enum)
            return
        if new_enum is None:
            self._emit(diffs, "enum-removed", old, new, "enum", old_enum, None)
            return
        old_keys = {canonical_json(v): v for v in old_enum}
        new_keys = {canonical_json(v): v for v in new_enum}
        added = [new_keys[k] for k in new_keys if k not in old_keys]
        removed = [old_keys[k] for k in old_keys if k not in new_keys]
        if added:
            self._emit(diffs, "enum-value-added", old, new, "enum", None, added)
        if removed:
            self._emit(diffs, "enum-value-removed", old, new, "enum", removed, None)

    def _compare_bound(self, old: dict, new: dict, diffs: list[SchemaDiff], prefix: str, keyword: str) -> None:
        old_bound, new_bound = _bound(old, keyword), _bound(new, keyword)
        if old_bound == new_bound:
            return
        if new_bound is None:  # both None compared equal above
            if old_bound is not None:
                self._emit(diffs, f"{prefix}-removed", old, new, keyword, _bound_text(old_bound), None)
            return
        if old_bound is None:
            self._emit(diffs, f"{prefix}-added", old, new, keyword, None, _bound_text(new_bound))
            return
        # (value, exclusive) tuples order a bound by strictness for a lower bound.
        if keyword.startswith("min"):
            tighter = (new_bound[0], new_bound[1]) > (old_bound[0], old_bound[1])
            kind = f"{prefix}-increased" if tighter else f"{prefix}-decreased"
        else:
            tighter = (new_bound[0], not new_bound[1]) < (old_bound[0], not old_bound[1])
            kind = f"{prefix}-decreased" if tighter else f"{prefix}-increased"
        self._emit(diffs, kind, old, new, keyword, _bound_text(old_bound), _bound_text(new_bound))

    def _compare_default(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        has_old, has_new = "default" in old, "default" in new
        if not has_old and not has_new:
            return
        if has_old and has_new:
            if canonical_json(old["default"]) != canonical_json(new["default"]):
                self._emit(diffs, "default-changed", old, new, "default", old["default"], new["default"])
        elif has_new:
            self._emit(diffs, "default-added", old, new, "default", None, new["default"])
        else:
            self._emit(diffs, "default-removed", old, new, "default", old["default"], None)

    def _compare_discriminator(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        old_d: dict[str, Any] = old.get("discriminator") or {}
        new_d: dict[str, Any] = new.get("discriminator") or {}
        if not old_d and not new_d:
            return
        if not old_d:
            self._emit(diffs, "discriminator-added", old, new, "discriminator", None, new_d.get("propertyName"))
            return
        if not new_d:
            self._emit(diffs, "discriminator-removed", old, new, "discriminator", old_d.get("propertyName"), None)
            return
        if old_d.get("propertyName") != new_d.get("propertyName"):
            self._emit(diffs, "discriminator-property-changed", old, new, "discriminator/propertyName", old_d.get("propertyName"), new_d.get("propertyName"))
        # Mapping values name components; only the discriminator values (keys) are compared.
        old_keys, new_keys = set(old_d.get("mapping") or {}), set(new_d.get("mapping") or {})
        if new_keys - old_keys:
            self._emit(diffs, "discriminator-mapping-value-added", old, new, "discriminator/mapping", None, sorted(new_keys - old_keys))
        if old_keys - new_keys:
            self._emit(diffs, "discriminator-mapping-value-removed", old, new, "discriminator/mapping", sorted(old_keys - new_keys), None)

    @staticmethod
    def _additional_state(schema: dict) -> tuple[str, Any]:
        value = schema.get("additionalProperties", True)
        if value is True or value == {}:
            return ("open", None)
        if value is False or value == {"not": {}}:
            return ("closed", None)
        return ("schema", value)

    def _compare_additional_properties(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        (old_state, old_schema), (new_state, new_schema) = self._additional_state(old), self._additional_state(new)
        if old_state == new_state == "schema":
            self._nested(diffs, ("{*}",), old_schema, new_schema)
            return
        if old_state == new_state:
            return
        rank = {"closed": 0, "schema": 1, "open": 2}
        kind = "additional-properties-narrowed" if rank[new_state] < rank[old_state] else "additional-properties-widened"
        self._emit(diffs, kind, old, new, "additionalProperties", old_state, new_state)

    def _compare_properties(self, old: dict, new: dict, diffs: list[SchemaDiff]) -> None:
        old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        if not old_props and not new_props and old_required == new_required:
            return
        hidden = self._hidden_keyword
        for name in old_props:
            if name not in new_props and not old_props[name].get(hidden):
                old_pointer, new_pointer = self._ptr(old, new, "properties")
                diffs.append(SchemaDiff("property-removed", (), f"{old_pointer}/{escape_token(name)}" if old_pointer else None, new_pointer, None, None, name, old, new))
        for name, schema in new_props.items():
            if name in old_props:
                continue
            old_pointer, new_pointer = self._ptr(old, new, "properties")
            new_pointer = f"{new_pointer}/{escape_token(name)}" if new_pointer else None
            # What OLD allowed under the name decides what adding it means: in a request a body
            # without a required property fails whatever OLD allowed; otherwise NEW's schema for the
            # name replaces OLD's additionalProperties (any value, none, or that schema's values).
            allowed = _allowed_under(old, name)
            if name in new_required and not schema.get(hidden) and (self.direction == "request" or allowed == "open"):
                kind = "required-property-added-with-default" if "default" in schema else "required-property-added"
            else:
                kind = {"open": "property-added", "closed": "property-added-to-closed-object"}.get(allowed, "additional-property-changed")
            judged_old, judged_new = old, new
            if kind.startswith("required-property-added") and self.direction == "request":
                judged_new = _with_property(old, name, schema, True)  # this property alone (see below)
            if kind in ("property-added", "additional-property-changed"):
                # The witness search judges this property alone (NEW's other changes have findings of
                # their own): the accepting side whole, the other side that with only this name changed.
                if self.direction == "request":
                    judged_new = _with_property(old, name, schema, name in new_required)
                else:
                    judged_old = _with_property(new, name, None, False, allowing=old)
            diffs.append(SchemaDiff(kind, (), old_pointer, new_pointer, None, schema.get("default") if "default" in schema else None, name,
                                    judged_old, judged_new))
        for name in old_props:
            if name not in new_props:
                continue
            old_schema, new_schema = old_props[name], new_props[name]
            if (name in old_required) != (name in new_required) and not (old_schema.get(hidden) and new_schema.get(hidden)):
                kind = "property-became-required" if name in new_required else "property-became-optional"
                # judged alone: OLD against OLD with only this name's requiredness changed, so another
                # property that became required cannot stand as this one's witness (`{}` lacks both);
                # a request's witness carries the other properties NEW requires (`{"b": 0}` for 'a')
                judged_old = old
                if name in new_required and self.direction == "request":
                    for other in new_required:
                        if other != name and other in old_props and other not in old_required:
                            judged_old = _with_required(judged_old, other, True)
                old_pointer, new_pointer = self._ptr(old, new, "required")
                diffs.append(SchemaDiff(kind, (), old_pointer, new_pointer, name in old_required, name in new_required, name,
                                        judged_old, _with_required(judged_old, name, name in new_required)))
            for keyword, added, removed in (("readOnly", "property-read-only-added", "property-read-only-removed"), ("writeOnly", "property-write-only-added", "property-write-only-removed")):
                if bool(old_schema.get(keyword)) != bool(new_schema.get(keyword)):
                    self._emit(diffs, added if new_schema.get(keyword) else removed, old_schema, new_schema, keyword, old_schema.get(keyword), new_schema.get(keyword), name)
            if not old_schema.get("deprecated") and new_schema.get("deprecated"):
                self._emit(diffs, "property-deprecated", old_schema, new_schema, "deprecated", None, True, name)
            for diff in self.compare(old_schema, new_schema):
                if diff.rel == () and diff.kind.startswith(("property-read-only", "property-write-only", "property-deprecated")):
                    continue
                diffs.append(replace(diff, rel=(name,) + diff.rel))

    def _compare_branches(self, old: dict, new: dict, diffs: list[SchemaDiff], combinator: str, kind: str) -> None:
        old_branches, new_branches = list(old.get(combinator) or []), list(new.get(combinator) or [])
        if not old_branches and not new_branches:
            return
        if combinator != "oneOf":  # a repeated anyOf/allOf branch adds nothing (in oneOf it rejects every value it matches)
            old_branches = _unique(old_branches, self.old_fp)
            new_branches = _unique(new_branches, self.new_fp)
        pairs, removed, added = self._match_branches(old_branches, new_branches)
        for i, j in pairs:
            self._nested(diffs, (f"{combinator}[{i}]",), old_branches[i], new_branches[j])
        for i in removed:
            old_pointer, _ = self._ptr(old, new, combinator)
            # judged on this branch's instances only (another removed branch's instance is not its witness)
            judged_old = {"allOf": [old, old_branches[i]]} if combinator != "allOf" else old
            diffs.append(SchemaDiff(f"{kind}-branch-removed", (), f"{old_pointer}/{i}" if old_pointer else None, self._ptr(old, new, combinator)[1], summarize(old_branches[i]), None, "", judged_old, new))
        for j in added:
            _, new_pointer = self._ptr(old, new, combinator)
            judged_new = {"allOf": [new, new_branches[j]]} if combinator != "allOf" else new
            diffs.append(SchemaDiff(f"{kind}-branch-added", (), self._ptr(old, new, combinator)[0], f"{new_pointer}/{j}" if new_pointer else None, None, summarize(new_branches[j]), "", old, judged_new))

    def _match_branches(self, olds: list[dict], news: list[dict]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Pair branches: identical first, then by `_affinity` (a shared property's values, the
        component name, a title no other branch has, similarity); leftovers are added/removed."""
        free_old, free_new = list(range(len(olds))), list(range(len(news)))
        pairs: list[tuple[int, int]] = []
        new_fps = {j: self.new_fp.of(news[j]) for j in free_new}
        for i in list(free_old):
            fp = self.old_fp.of(olds[i])
            for j in free_new:
                if new_fps[j] == fp:
                    pairs.append((i, j))
                    free_old.remove(i)
                    free_new.remove(j)
                    break
        titles = _unique_titles(olds) & _unique_titles(news)
        scored = []
        for i in free_old:
            for j in free_new:
                affinity = _affinity(olds[i], news[j], titles)
                if affinity is not None:
                    scored.append((affinity, i, j))
        scored.sort(key=lambda t: (tuple(-x for x in t[0]), t[1], t[2]))
        for _, i, j in scored:
            if i not in free_old or j not in free_new:
                continue
            pairs.append((i, j))
            free_old.remove(i)
            free_new.remove(j)
        return sorted(pairs), free_old, free_new


def _affinity(old: Any, new: Any, titles: set[str]) -> tuple[int, int, int, int] | None:
    """How surely two union branches are one alternative changed, best first: a shared property's
    enum/const values overlapping, the same component name, the same title when no other branch
    of either side has it, then structural similarity. None: never paired (a replaced branch
    reads as removed + added, each judged by the witness search): no shared property's values
    overlap where both sides list them (`type: [pix]` is not `type: [wallet_a]`), unless the
    component is the same; or nothing else in common."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return None
    overlap = _value_overlap(old, new)
    name = _component_name(old)
    same_name = int(name is not None and name == _component_name(new))
    if overlap is not None and overlap == 0 and not same_name:
        return None
    title = old.get("title")
    unique_title = int(isinstance(title, str) and title in titles and title == new.get("title"))
    similarity = _similarity(old, new)
    if not (overlap or same_name or unique_title or similarity):
        return None
    return (int(bool(overlap)), same_name, unique_title, similarity)


def _value_overlap(old: dict[str, Any], new: dict[str, Any]) -> int | None:
    """Over the properties both branches list values for (enum/const), how many share a value;
    None when there is no such property."""
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    if not isinstance(old_props, dict) or not isinstance(new_props, dict):
        return None
    listed = 0
    overlapping = 0
    for name in old_props.keys() & new_props.keys():
        old_values, new_values = _listed_values(old_props[name]), _listed_values(new_props[name])
        if old_values is None or new_values is None:
            continue
        listed += 1
        if old_values & new_values:
            overlapping += 1
    return overlapping if listed else None


def _listed_values(schema: Any) -> set[str] | None:
    if not isinstance(schema, dict) or not isinstance(schema.get("enum"), list):
        return None
    return {canonical_json(value) for value in schema["enum"]}


def _component_name(schema: Any) -> str | None:
    """The components/schemas name a branch was written under (`$ref` targets keep their origin)."""
    origin = origin_of(schema)
    if origin is None:
        return None
    _, _, pointer = origin.rpartition("#")
    match = re.fullmatch(r"/components/schemas/([^/]+)", pointer)
    return match.group(1) if match else None


def _unique_titles(branches: list[Any]) -> set[str]:
    seen: dict[str, int] = {}
    for branch in branches:
        title = branch.get("title") if isinstance(branch, dict) else None
        if isinstance(title, str):
            seen[title] = seen.get(title, 0) + 1
    return {title for title, count in seen.items() if count == 1}


def _similarity(old: dict[str, Any], new: dict[str, Any]) -> int:
    score = 0
    if _types(old) and _types(old) == _types(new):
        score += 1
    old_props, new_props = set(old.get("properties") or {}), set(new.get("properties") or {})
    common = old_props & new_props
    if old_props or new_props:
        # Require most properties in common, so a replaced branch reads as removed + added.
        if len(common) * 2 < max(len(old_props), len(new_props)):
            return 0
        score += len(common)
    return score


_KEYWORD_TYPES = {
    **{k: "number" for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")},
    **{k: "string" for k in ("minLength", "maxLength", "pattern")},
    **{k: "array" for k in ("minItems", "maxItems", "uniqueItems", "minContains", "maxContains")},
    **{k: "object" for k in ("minProperties", "maxProperties")},
}


def _applicable(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """The type-specific keywords that constrain something on either side: `exclusiveMinimum`
    beside `type: object` validates nothing, so adding or changing it is no change."""
    types = _effective_types(old) | _effective_types(new)
    untyped = not _effective_types(old) or not _effective_types(new)
    if "integer" in types:
        types.add("number")
    return {keyword for keyword, kind in _KEYWORD_TYPES.items() if untyped or kind in types}


_ALLOWANCE = ("additionalProperties", "patternProperties", "unevaluatedProperties")


def _with_property(schema: dict[str, Any], name: str, property_schema: Any, required: bool,
                   allowing: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of the object `schema` with property `name` set to `property_schema` (and required or
    not), or without it and with what `allowing` allows besides its properties (OLD's
    additionalProperties): the pair the witness search judges one added property by."""
    properties = {key: value for key, value in (schema.get("properties") or {}).items() if key != name}
    names = [key for key in schema.get("required") or [] if key != name]
    out = {key: value for key, value in schema.items() if key not in ("properties", "required")}
    if property_schema is not None:
        properties[name] = property_schema
    if required:
        names.append(name)
    if allowing is not None:
        out = {key: value for key, value in out.items() if key not in _ALLOWANCE}
        out.update({key: allowing[key] for key in _ALLOWANCE if key in allowing})
    if properties:
        out["properties"] = properties
    if names:
        out["required"] = sorted(names)
    return out


def _with_required(schema: dict[str, Any], name: str, required: bool) -> dict[str, Any]:
    """A copy of the object `schema` with only `name`'s requiredness set."""
    names = [n for n in schema.get("required") or [] if n != name]
    return {**schema, "required": names + [name] if required else names}


def _allowed_under(schema: dict[str, Any], name: str) -> str:
    """What `schema` allows under a property `name` it does not list: "open" (any value), "closed"
    (no such property) or "schema" (the values of a matching patternProperties or of its
    additionalProperties schema)."""
    for pattern in schema.get("patternProperties") or {}:
        try:
            if re.search(pattern, name):
                return "schema"
        except re.error:
            return "schema"
    state, _ = _open_state(schema, "additionalProperties")
    if state == "open" and _open_state(schema, "unevaluatedProperties")[0] != "open":
        return "closed" if _open_state(schema, "unevaluatedProperties")[0] == "closed" else "schema"
    return state


def _unique(branches: list[Any], fingerprints: Fingerprints) -> list[Any]:
    seen: set[int] = set()
    kept = []
    for branch in branches:
        fp = fingerprints.of(branch)
        if fp not in seen:
            seen.add(fp)
            kept.append(branch)
    return kept


def _encoding(schema: dict[str, Any]) -> str | None:
    encoding = schema.get("contentEncoding")
    if isinstance(encoding, str):
        return encoding.lower()
    return "base64" if schema.get("format") == "byte" else None


def _open_state(schema: dict[str, Any], keyword: str) -> tuple[str, Any]:
    value = schema.get(keyword, True)
    if value is True or value == {}:
        return ("open", None)
    if value is False or value == {"not": {}}:
        return ("closed", None)
    return ("schema", value)


def _xml_text(value: Any) -> str:
    if not isinstance(value, dict):
        return "none"
    return ", ".join(f"{k}={v}" for k, v in sorted(value.items())) or "{}"

