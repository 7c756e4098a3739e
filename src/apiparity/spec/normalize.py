"""Normalize an OpenAPI 3.0/3.1 document into one canonical model before any comparison.

What becomes equal here (so the differ never sees it):
- `$ref`s are resolved inline (memoized per target, so shared components are normalized once and
  recursive schemas become cyclic objects); component names never reach the comparison, which is
  why FastAPI's `Item-Input`/`Item-Output` split and RootModel-vs-inline lists compare by structure;
- 3.0 `nullable: true`, 3.1 `type: [X, "null"]`, `enum` with null and `anyOf`/`oneOf` with a null
  branch all become `nullable: True` beside the non-null schema (in a 3.1 document `nullable` is no
  keyword, it accepts nothing more: dropped); `const: null` / `enum: [null]` is `type: "null"`;
- single-element `allOf`/`anyOf`/`oneOf` and mergeable `allOf` (annotation-only, disjoint
  properties) are merged; `anyOf` of bare types becomes a type list; `const` becomes a one-value enum;
- integral floats become ints (`1.0` == `1`); 3.0 boolean `exclusiveMinimum` becomes 3.1's number;
- a schema with object keywords (`properties`, `required`, ...) and no `type` is `type: object`
  (array keywords: `type: array`) when nothing else says otherwise;
- parameters declared on the path item are merged into each operation (a parameter moved between
  the two levels is not a change); path templates are canonicalized (`/books/{}`) with their
  parameter names kept aside; missing `required`/`style`/`explode` get their spec defaults;
  security is the effective requirement of each operation.

Every normalized schema is a `Schema` (a dict) that knows where the raw document wrote it (its
parent schema, keyword and name, or a root's pointer), so findings can point into the raw documents
(`origin_of`) without a pointer string per schema: a 50,000-operation document has half a million.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.errors import SpecError
from apiparity.spec.methods import HTTP_METHODS  # re-exported: importers of spec.normalize.HTTP_METHODS keep working
from apiparity.spec.pointer import escape_token
from apiparity.spec.refs import RefResolver, join_pointer

_TEMPLATE_PARAM = re.compile(r"\{([^}/]+)\}")

# Keywords that never change what a document accepts or returns.
_DROPPED = frozenset({"example", "examples", "$comment", "externalDocs", "$schema", "$id", "$anchor", "$defs", "definitions"})
# Extensions that say something about the values (all other `x-` keys are dropped).
_KEPT_EXTENSIONS = frozenset({"x-extensible-enum"})
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")
_SUBSCHEMA_SINGLE = ("items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
# Keywords whose value must have one JSON shape (anything else is a broken document, exit 2).
_SHAPES: dict[str, type | tuple[type, ...]] = {
    **{k: dict for k in _SUBSCHEMA_MAPS},
    **{k: list for k in _SUBSCHEMA_LISTS},
    "enum": list,
    "required": list,
    "type": (str, list),
    "discriminator": dict,
}
_SHAPE_NAMES = {dict: "an object", list: "an array", (str, list): "a string or an array"}
_ANNOTATIONS = frozenset({"title", "description", "deprecated", "readOnly", "writeOnly", "default"})
# What `_fill` does with each keyword it treats specially (any other key is copied, or dropped).
_PLAIN, _SHAPED, _MAP, _SINGLE, _LIST, _TYPE, _NULLABLE, _CONST, _ENUM, _NUMBER, _REQUIRED = (object() for _ in range(11))
_BOOLEAN_SINGLES = frozenset({"additionalProperties", "unevaluatedProperties", "unevaluatedItems"})
_KEYWORD_KIND: dict[str, object] = {
    **{key: _PLAIN for key in ("title", "description", "format", "pattern", "minLength", "maxLength", "minItems", "maxItems",
                               "uniqueItems", "readOnly", "writeOnly", "deprecated", "minProperties", "maxProperties")},
    **{key: _MAP for key in _SUBSCHEMA_MAPS},
    **{key: _SINGLE for key in _SUBSCHEMA_SINGLE},
    **{key: _LIST for key in _SUBSCHEMA_LISTS},
    **{key: _NUMBER for key in (*_NUMERIC, "default")},
    "type": _TYPE, "nullable": _NULLABLE, "const": _CONST, "enum": _ENUM, "required": _REQUIRED, "discriminator": _SHAPED,
}
assert set(_SHAPES) <= {key for key, kind in _KEYWORD_KIND.items() if kind is not _PLAIN}


class Schema(dict):  # type: ignore[type-arg]
    """A normalized schema: a plain dict of keywords that also records where its raw form was
    written, read back by `origin_of`. `_up` is a root's pointer (`file#/pointer` for another file)
    or the Schema it was written inside, at keyword `_key` (and property name or item index
    `_name`); None: written nowhere (the comparison's own schemas are plain dicts, also nowhere)."""

    __slots__ = ("_up", "_key", "_name")
    _up: Schema | str | Located | None
    _key: str | None
    _name: str | int | None

    @classmethod
    def at(cls, up: Schema | str | Located | None, key: str | None, name: str | int | None) -> Schema:
        schema = cls()
        schema._up, schema._key, schema._name = up, key, name
        return schema


def _address(up: Schema | str | Located | None, key: str | None, name: str | int | None) -> str | None:
    parts: list[str] = []
    while True:
        if key is not None:
            parts.append(key if name is None else f"{key}/{escape_token(name)}")  # keywords have no "/" or "~"
        if not isinstance(up, Schema):
            break
        parent = up
        up, key, name = parent._up, parent._key, parent._name
    if up is None:
        return None
    base = up if isinstance(up, str) else up.pointer  # a root's parameter, media type or header
    return base + "".join("/" + part for part in reversed(parts))


def origin_of(schema: Any) -> str | None:
    """The raw JSON pointer a normalized schema was read from (`file#/pointer` in another file), or
    None for a schema no document wrote (one the comparison built)."""
    if not isinstance(schema, Schema):
        return None
    return _address(schema._up, schema._key, schema._name)


class Located:
    """Where the raw document wrote an operation's part, without a pointer string per part (a
    50,000-operation document has hundreds of thousands): `_up` is a pointer string or the part it
    was written inside, `_key` and `_name` the tokens under it; `pointer` is built on demand."""

    __slots__ = ()
    _up: Any
    _key: str | None
    _name: str | int | None

    @property
    def pointer(self) -> str:
        up = self._up
        base = up if type(up) is str else up.pointer
        if self._key is None:
            return base
        base = f"{base}/{escape_token(self._key)}"
        return base if self._name is None else f"{base}/{escape_token(self._name)}"


@dataclass(slots=True)
class MediaType(Located):
    schema: dict[str, Any] | None
    _up: Any
    _key: str | None = None
    _name: str | int | None = None


@dataclass(slots=True)
class Parameter(Located):
    name: str
    location: str  # path | query | header | cookie
    required: bool
    deprecated: bool
    style: str
    explode: bool
    schema: dict[str, Any] | None
    _up: Any
    _key: str | None = None
    _name: str | int | None = None
    media_type: str | None = None  # for `content`-serialized parameters


@dataclass(slots=True)
class RequestBody(Located):
    required: bool
    content: dict[str, MediaType]
    description: str | None
    _up: Any
    _key: str | None = None
    _name: str | int | None = None


@dataclass(slots=True)
class Header(Located):
    name: str
    required: bool
    schema: dict[str, Any] | None
    _up: Any
    _key: str | None = None
    _name: str | int | None = None


@dataclass(slots=True)
class Response(Located):
    status: str
    description: str | None
    content: dict[str, MediaType]
    headers: dict[str, Header]
    _up: Any
    _key: str | None = None
    _name: str | int | None = None


@dataclass(slots=True)
class Operation(Located):
    method: str  # upper case
    path: str  # raw template
    canonical_path: str  # parameters replaced by {}
    path_param_names: list[str]
    _up: Any  # "/paths" or "/webhooks"
    _key: str | None  # the path (or webhook name) as written
    _name: str | int | None  # the method, lower case
    operation_id: str | None
    summary: str | None
    description: str | None
    tags: list[str]
    deprecated: bool
    parameters: dict[tuple[str, str], Parameter]  # (location, name; headers lower-cased)
    request_body: RequestBody | None
    responses: dict[str, Response]
    security: list[dict[str, list[str]]]  # effective; [] means no credentials needed

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.canonical_path)


@dataclass(slots=True)
class NormalizedDocument:
    openapi: str
    title: str | None
    version: str | None
    servers: list[str]
    operations: dict[tuple[str, str], Operation]
    security_schemes: dict[str, dict[str, Any]]
    # OpenAPI 3.1 `webhooks`, keyed (METHOD, name): requests the provider sends, answered by consumers.
    webhooks: dict[tuple[str, str], Operation] = field(default_factory=dict)
    # ids of the normalized `$ref` targets: the schemas reached from many places (worth memoizing)
    ref_targets: set[int] = field(default_factory=set)
    # A skeleton inferred from a plain Flask url_map (`x-apiparity-inferred: true`): it knows paths,
    # methods and path parameter types, nothing else, so the diff must not judge what it invents.
    inferred: bool = False

    def origin(self, schema: Any, default: str = "") -> str:
        found = origin_of(schema)
        return default if found is None else found


def canonical_path(path: str) -> tuple[str, list[str]]:
    """`/books/{book_id}` -> (`/books/{}`, ["book_id"])."""
    return _TEMPLATE_PARAM.sub("{}", path), _TEMPLATE_PARAM.findall(path)


def normalize_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [normalize_number(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize_number(v) for k, v in value.items()}
    return value


class SchemaNormalizer:
    """Turns raw schemas into canonical ones; one instance per document (it holds the memo)."""

    def __init__(self, resolver: RefResolver, *, nullable_keyword: bool = True) -> None:
        self.resolver = resolver
        # OpenAPI 3.0's `nullable: true` accepts null; 3.1 schemas are JSON Schema 2020-12, where
        # `nullable` is an unknown keyword with no effect (`type: [X, "null"]` is how 3.1 says it).
        self.nullable_keyword = nullable_keyword
        self._strings: dict[str, str] = {}
        self._memo: dict[tuple[str, str], dict[str, Any]] = {}
        self._in_progress: set[int] = set()
        self._ref_chain: set[tuple[str, str]] = set()
        # Merges skipped because the branch was still being normalized (a recursive reference):
        # (schema, branch, keep_nullable). Retried by `finish`, so a recursive schema has one
        # shape whichever operation reached it first.
        self._deferred: list[tuple[dict[str, Any], dict[str, Any], bool]] = []
        self._type_lists: dict[tuple[str, ...], list[str]] = {}

    def text(self, value: Any) -> Any:
        """One string object per distinct text (names, statuses, media types and descriptions repeat
        across a big document; each raw occurrence is its own object)."""
        return self._strings.setdefault(value, value) if type(value) is str else value

    def ref_targets(self) -> list[dict[str, Any]]:
        """The normalized schemas of every `$ref` target reached."""
        return list(self._memo.values())

    def finish(self) -> None:
        """Retry the merges a recursion deferred, now that every branch is complete."""
        progress = True
        while progress and self._deferred:
            progress = False
            pending, self._deferred = self._deferred, []
            for result, branch, keep_nullable in reversed(pending):
                branches = result.get("allOf") or []
                if not any(b is branch for b in branches):
                    continue
                if result is branch or not _merge_into(result, branch, set(), keep_nullable=keep_nullable):
                    self._deferred.append((result, branch, keep_nullable))
                    continue
                progress = True
                remaining = [b for b in branches if b is not branch]
                if remaining:
                    result["allOf"] = remaining
                else:
                    del result["allOf"]

    def normalize(self, node: Any, up: Schema | str | Located, key: str | None = None, name: str | int | None = None,
                  source: str = "") -> dict[str, Any]:
        """The normalized form of the raw schema `node`, written at `up` (a root's pointer) or under
        the Schema `up` at keyword `key` (and property name or index `name`)."""
        if node is True or node is None:
            return Schema.at(up, key, name)
        if node is False:
            result = Schema.at(up, key, name)
            result["not"] = {}
            return result
        if not isinstance(node, dict):
            raise SpecError(f"{self.resolver.label}: schema at #{self._where(up, key, name)} is not an object")
        if "$ref" in node:
            return self._normalize_ref(node, up, key, name, source)
        result = Schema.at(up, key, name)
        self._in_progress.add(id(result))
        try:
            self._fill(result, node, source)
        finally:
            self._in_progress.discard(id(result))
        return result

    @staticmethod
    def _where(up: Schema | str | Located, key: str | None, name: str | int | None) -> str:
        """The pointer (within its file) of the schema at this address, for an error message."""
        text = _address(up, key, name) or ""
        return text.split("#", 1)[1] if "#" in text else text

    def _root(self, pointer: str, source: str) -> str:
        return f"{source}#{pointer}" if source else pointer

    def _normalize_ref(self, node: dict[str, Any], up: Schema | str | Located, key: str | None, name: str | int | None,
                       source: str) -> dict[str, Any]:
        target, target_pointer, target_source = self.resolver.resolve(node["$ref"], source)
        memo_key = (target_source, target_pointer)
        resolved = self._memo.get(memo_key)
        if resolved is None:
            if isinstance(target, dict) and "$ref" in target and len(target) == 1:
                if memo_key in self._ref_chain:
                    raise SpecError(f"{self.resolver.label}: $ref cycle with no schema in it at #{target_pointer}")
                self._ref_chain.add(memo_key)
                try:
                    resolved = self._normalize_ref(target, self._root(target_pointer, target_source), None, None, target_source)
                finally:
                    self._ref_chain.discard(memo_key)
            else:
                resolved = Schema.at(self._root(target_pointer, target_source), None, None)
                self._memo[memo_key] = resolved
                self._in_progress.add(id(resolved))
                try:
                    if target is False:
                        resolved["not"] = {}
                    elif isinstance(target, dict):
                        self._fill(resolved, target, target_source)
                finally:
                    self._in_progress.discard(id(resolved))
            self._memo[memo_key] = resolved
        siblings = {k: v for k, v in node.items() if k != "$ref" and k not in _DROPPED}
        if not siblings:
            return resolved
        # 3.1 allows keywords beside $ref: treat them as allOf [target, siblings], merged when possible.
        return self.normalize({"allOf": [{"$ref": node["$ref"]}], **siblings}, up, key, name, source)

    def _fill(self, result: Schema, node: dict[str, Any], source: str) -> None:
        # Called for every schema of a document: one dict lookup decides what a keyword is; a
        # subschema records where it was written (its parent, keyword and name), no pointer text.
        nullable = False
        normalize = self.normalize
        strings = self._strings
        for key, value in node.items():
            kind = _KEYWORD_KIND.get(key)
            if kind is None:
                if key in _DROPPED or (key.startswith("x-") and key not in _KEPT_EXTENSIONS):
                    continue
                result[key] = value
                continue
            if kind is _PLAIN:
                if key == "pattern" and value == "":
                    continue  # the empty pattern matches every string
                # one string object per distinct text (descriptions repeat across a big document)
                result[key] = strings.setdefault(value, value) if type(value) is str else value
                continue
            shape = _SHAPES.get(key)
            if shape is not None and not isinstance(value, shape):
                raise SpecError(f"{self.resolver.label}: schema keyword at #{self._where(result, key, None)} must be {_SHAPE_NAMES[shape]}")
            if kind is _SHAPED:
                result[key] = value
                continue
            if kind is _MAP:
                result[key] = {name: normalize(sub, result, key, name, source) for name, sub in value.items()}
            elif kind is _SINGLE:
                if isinstance(value, bool) and key in _BOOLEAN_SINGLES:
                    result[key] = value
                else:
                    result[key] = normalize(value, result, key, None, source)
            elif kind is _LIST:
                result[key] = [normalize(sub, result, key, i, source) for i, sub in enumerate(value)]
            elif kind is _TYPE:
                if type(value) is str:
                    types: tuple[str, ...] = () if value == "null" else (value,)
                    nullable = nullable or value == "null"
                else:
                    nullable = nullable or "null" in value
                    types = _type_set(value)
                # one list per distinct type set, shared (never mutated in place: a big document
                # has hundreds of thousands of `type: string`)
                shared = self._type_lists.get(types)
                if shared is None:
                    shared = self._type_lists[types] = list(types)
                result["type"] = shared
            elif kind is _NULLABLE:
                nullable = nullable or (value is True and self.nullable_keyword)
            elif kind is _CONST:
                result["enum"] = [normalize_number(value)]
            elif kind is _ENUM or kind is _NUMBER:
                result[key] = normalize_number(value)
            elif kind is _REQUIRED:
                result[key] = sorted(set(value))
        if "exclusiveMinimum" in result or "exclusiveMaximum" in result:
            # 3.0 boolean exclusive bounds become 3.1 numbers.
            for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
                if result.get(exclusive) is True and bound in result:
                    result[exclusive] = result.pop(bound)
                elif isinstance(result.get(exclusive), bool):  # false, or true with no bound: no bound
                    del result[exclusive]
        # 3.1 spells binary strings with content keywords where 3.0 (and pydantic for flask-openapi3)
        # uses formats: {contentMediaType: application/octet-stream} is format binary, base64 is byte.
        if result.get("contentEncoding") == "base64" and "format" not in result:
            result["format"] = "byte"
            del result["contentEncoding"]
            result.pop("contentMediaType", None)
        elif result.get("contentMediaType") == "application/octet-stream" and "format" not in result and "contentEncoding" not in result:
            result["format"] = "binary"
            del result["contentMediaType"]
        if "enum" in result and None in result["enum"]:
            nullable = True
            result["enum"] = [v for v in result["enum"] if v is not None]
            if not result["enum"]:  # `const: null`, `enum: [null]`: only null, as `type: "null"` says
                del result["enum"]
                result["type"] = ["null"]
                nullable = False
        if result.get("type") == [] and "type" in node:
            # `type: "null"` alone: a schema that only accepts null.
            result["type"] = ["null"]
            nullable = False
        if "anyOf" in result or "oneOf" in result or "allOf" in result:
            for combinator in ("anyOf", "oneOf"):
                nullable = self._drop_null_branches(result, combinator) or nullable
            self._simplify_type_union(result)
            self._merge_single_branch(result)
            self._merge_all_of(result)
        if "type" not in result:
            _infer_container_type(result)
        if nullable:
            result["nullable"] = True
        elif result.get("nullable") is False:
            del result["nullable"]

    @staticmethod
    def _is_null_only(schema: dict[str, Any]) -> bool:
        return schema.get("type") == ["null"] and all(k in _ANNOTATIONS or k == "type" for k in schema)

    def _drop_null_branches(self, result: dict[str, Any], combinator: str) -> bool:
        branches = result.get(combinator)
        if not branches:
            return False
        kept = [b for b in branches if not self._is_null_only(b)]
        if len(kept) == len(branches):
            return False
        result[combinator] = kept
        return True

    def _simplify_type_union(self, result: dict[str, Any]) -> None:
        """anyOf/oneOf of bare type branches ([{type: string}, {type: integer}]) is a type list."""
        for combinator in ("anyOf", "oneOf"):
            branches = result.get(combinator)
            if not branches or len(branches) < 2 or "type" in result:
                continue
            if all(set(b) <= {"type", "title", "description"} and b.get("type") for b in branches):
                if any(id(b) in self._in_progress for b in branches):
                    continue
                if combinator == "oneOf" and _overlapping_types([b["type"] for b in branches]):
                    continue  # oneOf [integer, number] rejects integers (both match): not `number`
                result["type"] = list(_type_set([t for b in branches for t in b["type"]]))
                del result[combinator]

    def _merge_single_branch(self, result: dict[str, Any]) -> None:
        """A combinator with one branch is that branch (allOf/anyOf/oneOf alike)."""
        for combinator in ("allOf", "anyOf", "oneOf"):
            branches = result.get(combinator)
            if branches is None or len(branches) != 1:
                continue
            (branch,) = branches
            del result[combinator]
            if not _merge_into(result, branch, self._in_progress, keep_nullable=True):
                result["allOf"] = result.get("allOf", []) + [branch]
                if id(branch) in self._in_progress:
                    self._deferred.append((result, branch, True))
        if not result.get("anyOf") and "anyOf" in result:
            del result["anyOf"]
        if not result.get("oneOf") and "oneOf" in result:
            del result["oneOf"]

    def _merge_all_of(self, result: dict[str, Any]) -> None:
        branches = result.get("allOf")
        if not branches:
            return
        remaining = []
        for branch in branches:
            if not _merge_into(result, branch, self._in_progress):
                remaining.append(branch)
                if id(branch) in self._in_progress:
                    self._deferred.append((result, branch, False))
        if remaining:
            result["allOf"] = remaining
        else:
            del result["allOf"]


_OBJECT_KEYWORDS = frozenset({"properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties", "propertyNames", "dependentRequired", "dependentSchemas"})
_ARRAY_KEYWORDS = frozenset({"items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains"})
_OTHER_TYPE_KEYWORDS = frozenset({"minLength", "maxLength", "pattern", "format", *_NUMERIC, "enum", "allOf", "anyOf", "oneOf", "not"})


def _infer_container_type(result: dict[str, Any]) -> None:
    """A schema with `properties` but no `type` is written as an object by everyone who writes it
    (likewise `items` for an array): give it that type, so it equals the same schema with `type`.
    Only when the keywords speak for one container type and nothing else."""
    if "type" in result:
        return
    keys = set(result)
    if keys & _OTHER_TYPE_KEYWORDS:
        return
    is_object, is_array = bool(keys & _OBJECT_KEYWORDS), bool(keys & _ARRAY_KEYWORDS)
    if is_object != is_array:
        result["type"] = ["object"] if is_object else ["array"]


_NULLABLE_ONLY = frozenset({"nullable", "title", "description"})


def _type_set(types: list[str]) -> tuple[str, ...]:
    """A type list as a sorted set without `null` (nullability is kept aside) and without `integer`
    beside `number` (every integer is a number: [integer, number] accepts what `number` does)."""
    kept = {t for t in types if t != "null"}
    if "number" in kept:
        kept.discard("integer")
    return tuple(sorted(kept))


def _overlapping_types(type_lists: list[list[str]]) -> bool:
    """Do two of these branches' types share a value? (`integer` is a `number`, a repeated type
    is shared): a oneOf of such branches rejects the shared values and is no type list."""
    seen: set[str] = set()
    for types in type_lists:
        expanded = set(types) | ({"integer"} if "number" in types else set())
        if expanded & seen:
            return True
        seen |= expanded
    return False


def _merge_into(result: dict[str, Any], branch: dict[str, Any], in_progress: set[int], *, keep_nullable: bool = False) -> bool:
    """Merge `branch` into `result` when no keyword conflicts; False (and no change) otherwise.

    A branch still being normalized (a recursive reference) is never merged: its content is not
    known yet, and keeping it as a branch keeps the cycle intact.
    """
    if id(branch) in in_progress:
        return False
    for key, value in branch.items():
        if key in ("properties", "required", "title", "description", "nullable") or key not in result:
            continue
        if not _same(result[key], value):
            return False
    properties = result.get("properties", {})
    for name, value in branch.get("properties", {}).items():
        if name in properties and properties[name] is not value:
            return False
    for key, value in branch.items():
        if key == "properties":
            result["properties"] = {**result.get("properties", {}), **value}
        elif key == "required":
            result["required"] = sorted(set(result.get("required", [])) | set(value))
        elif key == "nullable":
            # One nullable branch among several allOf constraints does not make the whole nullable;
            # a branch that says nothing but `nullable: true` is the 3.0 idiom for a nullable
            # `$ref` (`allOf: [{$ref: X}, {nullable: true}]`), read like `{allOf: [$ref X], nullable: true}`
            if keep_nullable or (value is True and set(branch) <= _NULLABLE_ONLY):
                result["nullable"] = True
        elif key not in result:
            result[key] = value
    return True


def _same(a: Any, b: Any) -> bool:
    """Equality that never walks into schemas: they must be the same object (they may be cyclic)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def honours_nullable(document: dict[str, Any]) -> bool:
    """Does `nullable: true` accept null in this document? In OpenAPI 3.0 (and Swagger 2.0's
    `x-nullable` heirs) yes; from 3.1 on schemas are JSON Schema 2020-12, where it is no keyword."""
    version = str(document.get("openapi", ""))
    return not re.match(r"3\.[1-9]", version)


def normalize_document(
    document: dict[str, Any],
    *,
    base_dir: Path | None = None,
    allow_remote_refs: bool = False,
    label: str = "document",
    consume_paths: bool = False,
) -> NormalizedDocument:
    """The canonical model of `document` (the raw dict is not modified, unless `consume_paths`).

    `consume_paths`: a caller that gives `document` up lets each path item be removed from it once
    normalized, so a big document's memory is freed as the normalization goes; a `$ref` into
    `paths` then raises `spec.refs.RefusedRef` (normalize a fresh copy without it)."""
    resolver = RefResolver(document, base_dir=base_dir, allow_remote=allow_remote_refs, label=label,
                           refused="paths" if consume_paths else None)
    schemas = SchemaNormalizer(resolver, nullable_keyword=honours_nullable(document))
    info: dict[str, Any] = document["info"] if isinstance(document.get("info"), dict) else {}
    components = document.get("components") or {}
    raw_schemes = (components.get("securitySchemes") or {}) if isinstance(components, dict) else {}
    security_schemes = {}
    for name, scheme in raw_schemes.items():
        if isinstance(scheme, dict) and "$ref" in scheme:
            scheme, _, _ = resolver.resolve(scheme["$ref"])
        security_schemes[name] = scheme if isinstance(scheme, dict) else {}
    servers = [s.get("url", "") for s in document.get("servers") or [] if isinstance(s, dict)]
    doc_security = document.get("security")
    operations: dict[tuple[str, str], Operation] = {}
    paths = document.get("paths") or {}
    if not isinstance(paths, dict):
        raise SpecError(f"{label}: `paths` is not an object")
    for path in list(paths):
        item = paths.pop(path) if consume_paths else paths[path]
        canonical, names = canonical_path(path)
        names = [schemas.text(name) for name in names]
        for operation in _path_item(item, path, "/paths", canonical, names, doc_security, resolver, schemas, label):
            if operation.key in operations:
                other = operations[operation.key]
                raise SpecError(f"{label}: {operation.method} {path} and {other.path} are the same operation (path templates differ only in parameter names)")
            operations[operation.key] = operation
    webhooks: dict[tuple[str, str], Operation] = {}
    raw_webhooks = document.get("webhooks") or {}
    if not isinstance(raw_webhooks, dict):
        raise SpecError(f"{label}: `webhooks` is not an object")
    for name, item in raw_webhooks.items():
        for operation in _path_item(item, str(name), "/webhooks", str(name), [], doc_security, resolver, schemas, label):
            webhooks[operation.key] = operation
    schemas.finish()
    return NormalizedDocument(
        openapi=str(document.get("openapi", document.get("swagger", ""))),
        title=info.get("title"),
        version=None if info.get("version") is None else str(info.get("version")),
        servers=servers,
        operations=operations,
        security_schemes=security_schemes,
        webhooks=webhooks,
        ref_targets={id(schema) for schema in schemas.ref_targets()},
        inferred=document.get("x-apiparity-inferred") is True,
    )


# One empty list or mapping for every part that has none (most responses have no headers, most
# operations no tags): the normalized model is read only, and a big document has 100,000s of them.
_NONE: list[Any] = []
_NO_HEADERS: dict[str, Header] = {}
_NO_CONTENT: dict[str, MediaType] = {}


def _path_item(item: Any, path: str, collection: str, canonical: str, names: list[str], doc_security: Any,
               resolver: RefResolver, schemas: SchemaNormalizer, label: str) -> list[Operation]:
    """The operations of one path item (of `paths`, or of `webhooks` where `path` is the webhook's
    name): `collection` is "/paths" or "/webhooks"."""
    if isinstance(item, dict) and "$ref" in item:
        item, _, _ = resolver.resolve(item["$ref"])
    if not isinstance(item, dict):
        return []
    shared = _parameters(item.get("parameters") or [], join_pointer(collection, path), resolver, schemas, label) if item.get("parameters") else {}
    operations = []
    for method in HTTP_METHODS:
        raw = item.get(method)
        if not isinstance(raw, dict):
            continue
        security = raw.get("security", doc_security) or []
        operation = Operation(
            method=schemas.text(method.upper()),
            path=path,
            canonical_path=canonical,
            path_param_names=names,
            _up=collection,
            _key=path,
            _name=method,
            operation_id=raw.get("operationId"),
            summary=raw.get("summary"),
            description=schemas.text(raw.get("description")),
            tags=[schemas.text(tag) for tag in raw["tags"]] if raw.get("tags") else _NONE,
            deprecated=bool(raw.get("deprecated")),
            parameters=dict(shared),
            request_body=None,
            responses={},
            security=[r for r in security if isinstance(r, dict)] if security else _NONE,
        )
        operation.parameters.update(_parameters(raw.get("parameters") or [], operation, resolver, schemas, label))
        operation.request_body = _request_body(raw.get("requestBody"), operation, resolver, schemas)
        operation.responses = _responses(raw.get("responses") or {}, operation, resolver, schemas)
        operations.append(operation)
    return operations


def _deref(node: Any, pointer: str, resolver: RefResolver) -> tuple[Any, str]:
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        node, pointer, _ = resolver.resolve(node["$ref"])
        seen += 1
        if seen > 50:
            raise SpecError(f"{resolver.label}: $ref loop at #{pointer}")
    return node, pointer


def _located(up: Any, key: str, name: str | int | None, node: Any, resolver: RefResolver) -> tuple[Any, tuple[Any, str | None, str | int | None]]:
    """`node` written at `up`/`key`/`name`, its `$ref`s followed: (the node, where it was written:
    the target's pointer string when it was a `$ref`)."""
    if not (isinstance(node, dict) and "$ref" in node):
        return node, (up, key, name)
    where = _join_located(up, key, name)
    node, pointer = _deref(node, where, resolver)
    return node, (pointer, None, None)


def _join_located(up: Any, key: str | None, name: str | int | None) -> str:
    base = up if type(up) is str else up.pointer
    if key is None:
        return str(base)
    base = f"{base}/{escape_token(key)}"
    return base if name is None else f"{base}/{escape_token(name)}"


def _parameters(raw: list[Any], owner: Any, resolver: RefResolver, schemas: SchemaNormalizer, label: str) -> dict[tuple[str, str], Parameter]:
    """The parameters listed at `owner` (an Operation, or a path item's pointer string)."""
    result: dict[tuple[str, str], Parameter] = {}
    for index, entry in enumerate(raw):
        entry, (up, key, name_token) = _located(owner, "parameters", index, entry, resolver)
        if not isinstance(entry, dict) or "name" not in entry or "in" not in entry:
            raise SpecError(f"{label}: parameter at #{_join_located(owner, 'parameters', index)} needs `name` and `in`")
        location = schemas.text(entry["in"])
        style = schemas.text(entry.get("style")) or ("form" if location in ("query", "cookie") else "simple")
        explode = entry.get("explode", style == "form")
        schema = entry.get("schema")
        media_type = None
        if schema is None and isinstance(entry.get("content"), dict) and entry["content"]:
            media_type, media = next(iter(entry["content"].items()))
            schema = (media or {}).get("schema")
        name = schemas.text(entry["name"].lower() if location == "header" else entry["name"])
        parameter = result[(location, name)] = Parameter(
            name=schemas.text(entry["name"]),
            location=location,
            required=bool(entry.get("required")) or location == "path",
            deprecated=bool(entry.get("deprecated")),
            style=style,
            explode=bool(explode),
            schema=None,
            _up=up,
            _key=key,
            _name=name_token,
            media_type=media_type,
        )
        if schema is not None:
            if media_type is None:
                parameter.schema = schemas.normalize(schema, parameter, "schema")
            else:
                parameter.schema = schemas.normalize(schema, join_pointer(parameter.pointer, "content", media_type, "schema"))
    return result


def _content(raw: Any, owner: Any, schemas: SchemaNormalizer) -> dict[str, MediaType]:
    """The media types of `owner`'s `content` (a RequestBody or a Response)."""
    if not raw:
        return _NO_CONTENT
    content: dict[str, MediaType] = {}
    for media_type, media in raw.items():
        key = schemas.text(media_type.split(";")[0].strip().lower())
        schema = (media or {}).get("schema") if isinstance(media, dict) else None
        entry = content[key] = MediaType(schema=None, _up=owner, _key="content", _name=media_type)
        if schema is not None:
            entry.schema = schemas.normalize(schema, entry, "schema")
    return content


def _request_body(raw: Any, operation: Operation, resolver: RefResolver, schemas: SchemaNormalizer) -> RequestBody | None:
    if raw is None:
        return None
    raw, (up, key, name) = _located(operation, "requestBody", None, raw, resolver)
    if not isinstance(raw, dict):
        raise SpecError(f"{resolver.label}: requestBody at #{_join_located(up, key, name)} is not an object")
    body = RequestBody(required=bool(raw.get("required")), content={}, description=raw.get("description"), _up=up, _key=key, _name=name)
    body.content = _content(raw.get("content"), body, schemas)
    return body


def _responses(raw: dict[str, Any], operation: Operation, resolver: RefResolver, schemas: SchemaNormalizer) -> dict[str, Response]:
    responses: dict[str, Response] = {}
    for status, response in raw.items():
        response, (up, key, name) = _located(operation, "responses", status, response, resolver)
        if not isinstance(response, dict):
            continue
        status_key = schemas.text(str(status).upper())
        entry = Response(status=status_key, description=schemas.text(response.get("description")), content=_NO_CONTENT,
                         headers={} if response.get("headers") else _NO_HEADERS, _up=up, _key=key, _name=name)
        for header_name, header in (response.get("headers") or {}).items():
            header, (h_up, h_key, h_name) = _located(entry, "headers", header_name, header, resolver)
            if not isinstance(header, dict):
                continue
            schema = header.get("schema")
            kept = entry.headers[schemas.text(header_name.lower())] = Header(
                name=header_name, required=bool(header.get("required")), schema=None, _up=h_up, _key=h_key, _name=h_name)
            if schema is not None:
                kept.schema = schemas.normalize(schema, kept, "schema")
        entry.content = _content(response.get("content"), entry, schemas)
        responses[status_key] = entry
    return responses
