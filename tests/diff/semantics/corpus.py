"""Schema pairs, one keyword each, with the verdict JSON Schema's meaning gives them.

`breaking` is what the definition says: for a request, some instance OLD accepts is rejected by
NEW; for a response, NEW may return an instance OLD's schema rejects. The test checks every
verdict twice: with the witness search on the pair itself (an instance, re-validated against the
raw schemas, or a proof of absence), and against `apiparity diff`'s own findings.

Traps are marked: structure changes and meaning doesn't (identical branches, `pattern: ''`,
annotation-only `allOf`, `oneOf [null, X]`, `exclusiveMinimum` on an object), or meaning changes
with no obvious structural change (overlapping `oneOf` branches).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Pair:
    keyword: str
    name: str
    direction: str  # "request" (a request body) or "response" (a response body)
    old: Any
    new: Any
    breaking: bool
    trap: bool = False
    # OpenAPI meaning a plain JSON Schema validator does not apply (contentEncoding, x-extensible-enum):
    # the witness is re-validated against apiparity's JSON Schema form of the pair instead.
    openapi_only: bool = False
    # A deliberate departure from the meaning, documented in docs/rules.md: the diff's severity.
    deliberate: str = ""
    # The OpenAPI versions of OLD's and NEW's documents (3.0 reads `nullable`, 3.1 does not).
    openapi: tuple[str, str] = ("3.1.0", "3.1.0")

    @property
    def id(self) -> str:
        return f"{self.direction}-{self.keyword}-{self.name}"


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
N = {"type": "number"}


def obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def arr(**keywords: Any) -> dict[str, Any]:
    return {"type": "array", **keywords}


REQ, RES = "request", "response"
V30, V31, V30_TO_31 = ("3.0.3", "3.0.3"), ("3.1.0", "3.1.0"), ("3.0.3", "3.1.0")

PAIRS: list[Pair] = [
    # type / null / enum / const
    Pair("type", "integer-to-string", REQ, I, S, True),
    Pair("type", "integer-to-number", REQ, I, N, False),
    Pair("type", "number-to-integer", RES, N, I, False),
    Pair("type", "integer-to-number", RES, I, N, True),
    Pair("type", "null-removed", REQ, {"type": ["string", "null"]}, S, True),
    Pair("type", "null-added", REQ, S, {"type": ["string", "null"]}, False),
    Pair("type", "integer-number-list-is-number", RES, {"type": ["integer", "number"]}, N, False, trap=True),
    # `nullable` is OpenAPI 3.0's; in a 3.1 document it is an unknown keyword that accepts nothing more
    Pair("nullable", "added-in-3.0", RES, S, {**S, "nullable": True}, True, openapi_only=True, openapi=V30),
    Pair("nullable", "added-in-3.1", RES, S, {**S, "nullable": True}, False, trap=True),
    Pair("nullable", "same-keyword-3.0-to-3.1", REQ, {**S, "nullable": True}, {**S, "nullable": True}, True, trap=True,
         openapi_only=True, openapi=V30_TO_31),
    Pair("nullable", "as-3.1-type-list", REQ, {**S, "nullable": True}, {"type": ["string", "null"]}, False, openapi=V30_TO_31),
    Pair("enum", "value-removed", REQ, {"type": "string", "enum": ["a", "b"]}, {"type": "string", "enum": ["a"]}, True),
    Pair("enum", "value-added", REQ, {"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]}, False),
    Pair("enum", "value-added", RES, {"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]}, True),
    Pair("const", "changed", REQ, {"const": "a"}, {"const": "b"}, True),
    Pair("const", "as-enum", REQ, {"const": "a"}, {"enum": ["a"]}, False, trap=True),
    Pair("const", "null-as-type-null", REQ, {"const": None}, {"type": "null"}, False, trap=True),
    Pair("const", "null-to-string", REQ, {"const": None}, S, True),
    Pair("examples", "changed", REQ, {**S, "examples": ["a"]}, {**S, "examples": ["b"]}, False, trap=True),
    # numbers
    Pair("minimum", "raised", REQ, {**I, "minimum": 1}, {**I, "minimum": 2}, True),
    Pair("minimum", "lowered", REQ, {**I, "minimum": 2}, {**I, "minimum": 1}, False),
    Pair("minimum", "lowered", RES, {**I, "minimum": 2}, {**I, "minimum": 1}, True),
    Pair("minimum", "raised", RES, {**I, "minimum": 1}, {**I, "minimum": 2}, False),
    Pair("exclusiveMinimum", "from-inclusive", REQ, {**N, "minimum": 1}, {**N, "exclusiveMinimum": 1}, True),
    Pair("exclusiveMinimum", "on-an-object", REQ, {"type": "object"}, {"type": "object", "exclusiveMinimum": 3}, False, trap=True),
    # both bounds apply in 2020-12: minimum 5 beside exclusiveMinimum 3 is >= 5, and raising it narrows
    Pair("exclusiveMinimum", "beside-a-stricter-minimum", REQ, {**N, "minimum": 5, "exclusiveMinimum": 3}, {**N, "minimum": 6, "exclusiveMinimum": 3}, True),
    Pair("exclusiveMinimum", "3.0-boolean-as-3.1-number", REQ, {**N, "minimum": 1, "exclusiveMinimum": True}, {**N, "exclusiveMinimum": 1}, False,
         trap=True, openapi=V30_TO_31),
    Pair("exclusiveMinimum", "3.0-boolean-to-larger-3.1-number", REQ, {**N, "minimum": 1, "exclusiveMinimum": True}, {**N, "exclusiveMinimum": 2}, True,
         openapi_only=True, openapi=V30_TO_31),
    Pair("maximum", "lowered", REQ, {**I, "maximum": 5}, {**I, "maximum": 4}, True),
    Pair("maximum", "raised", REQ, {**I, "maximum": 4}, {**I, "maximum": 5}, False),
    Pair("exclusiveMaximum", "added", REQ, N, {**N, "exclusiveMaximum": 10}, True),
    Pair("multipleOf", "2-to-4", REQ, {**I, "multipleOf": 2}, {**I, "multipleOf": 4}, True),
    Pair("multipleOf", "4-to-2", REQ, {**I, "multipleOf": 4}, {**I, "multipleOf": 2}, False),
    # strings
    Pair("minLength", "raised", REQ, {**S, "minLength": 1}, {**S, "minLength": 3}, True),
    Pair("maxLength", "lowered", REQ, {**S, "maxLength": 10}, {**S, "maxLength": 3}, True),
    Pair("maxLength", "raised", RES, {**S, "maxLength": 3}, {**S, "maxLength": 10}, True),
    Pair("maxLength", "lowered", RES, {**S, "maxLength": 10}, {**S, "maxLength": 3}, False),
    # a constraint removed from a response is relaxed all the way: NEW may return what OLD rejected
    Pair("maxLength", "removed", RES, {**S, "maxLength": 3}, S, True),
    Pair("minLength", "removed", RES, {**S, "minLength": 3}, S, True),
    Pair("minLength", "removed", REQ, {**S, "minLength": 3}, S, False),
    Pair("pattern", "removed", RES, {**S, "pattern": "^a"}, S, True),
    Pair("format", "removed", RES, {**S, "format": "date"}, S, True),
    Pair("minimum", "removed", RES, {**I, "minimum": 1}, I, True),
    Pair("maximum", "removed", RES, {**I, "maximum": 1}, I, True),
    Pair("multipleOf", "removed", RES, {**I, "multipleOf": 2}, I, True),
    Pair("enum", "removed", RES, {**S, "enum": ["a"]}, S, True),
    Pair("pattern", "added", REQ, S, {**S, "pattern": "^a"}, True),
    Pair("pattern", "empty-added", REQ, S, {**S, "pattern": ""}, False, trap=True),
    Pair("format", "date-added", REQ, S, {**S, "format": "date"}, True),
    Pair("format", "date-to-date-time", REQ, {**S, "format": "date"}, {**S, "format": "date-time"}, True),
    Pair("format", "removed", REQ, {**S, "format": "date"}, S, False),
    Pair("contentEncoding", "base64-to-quoted-printable", REQ, {**S, "contentEncoding": "base64"}, {**S, "contentEncoding": "quoted-printable"}, True, openapi_only=True),
    Pair("x-extensible-enum", "value-removed", REQ, {**S, "x-extensible-enum": ["a", "b"]}, {**S, "x-extensible-enum": ["a"]}, True, openapi_only=True),
    Pair("x-extensible-enum", "value-added", RES, {**S, "x-extensible-enum": ["a"]}, {**S, "x-extensible-enum": ["a", "b"]}, False, openapi_only=True),
    # arrays
    Pair("items", "narrowed", REQ, arr(items=N), arr(items=I), True),
    Pair("items", "widened", REQ, arr(items=I), arr(items=N), False),
    Pair("prefixItems", "position-added", REQ, arr(prefixItems=[S]), arr(prefixItems=[S, I]), True),
    Pair("prefixItems", "position-removed", REQ, arr(prefixItems=[S, I]), arr(prefixItems=[S]), False),
    Pair("prefixItems", "position-narrowed", REQ, arr(prefixItems=[N]), arr(prefixItems=[I]), True),
    Pair("minItems", "raised", REQ, arr(minItems=1), arr(minItems=2), True),
    Pair("maxItems", "lowered", REQ, arr(maxItems=3), arr(maxItems=2), True),
    Pair("uniqueItems", "added", REQ, arr(), arr(uniqueItems=True), True),
    Pair("uniqueItems", "removed", REQ, arr(uniqueItems=True), arr(), False),
    Pair("uniqueItems", "removed", RES, arr(uniqueItems=True), arr(), True),
    Pair("minItems", "removed", RES, arr(minItems=1), arr(), True),
    Pair("maxItems", "removed", RES, arr(maxItems=1), arr(), True),
    Pair("contains", "added", REQ, arr(), arr(contains=S), True),
    Pair("contains", "removed", REQ, arr(contains=S), arr(), False),
    Pair("minContains", "raised", REQ, arr(contains=S, minContains=1), arr(contains=S, minContains=2), True),
    Pair("minContains", "lowered", REQ, arr(contains=S, minContains=2), arr(contains=S, minContains=1), False),
    Pair("maxContains", "raised", RES, arr(contains=S, maxContains=1), arr(contains=S, maxContains=2), True),
    Pair("maxContains", "lowered", RES, arr(contains=S, maxContains=2), arr(contains=S, maxContains=1), False),
    Pair("unevaluatedItems", "closed", REQ, arr(prefixItems=[S]), arr(prefixItems=[S], unevaluatedItems=False), True),
    Pair("unevaluatedItems", "opened", REQ, arr(prefixItems=[S], unevaluatedItems=False), arr(prefixItems=[S]), False),
    # objects
    Pair("required", "added", REQ, obj(a=S), obj(["a"], a=S), True),
    Pair("required", "removed", REQ, obj(["a"], a=S), obj(a=S), False),
    Pair("required", "removed", RES, obj(["a"], a=S), obj(a=S), True),
    Pair("properties", "narrowed", REQ, obj(a=N), obj(a=I), True),
    # a property added: judged by what OLD allowed under its name (additionalProperties)
    Pair("properties", "added-to-open-object", REQ, obj(a=S), obj(a=S, b=I), True),
    Pair("properties", "added-to-explicitly-open-object", REQ, {**obj(a=S), "additionalProperties": True}, {**obj(a=S, b=I), "additionalProperties": True}, True),
    Pair("properties", "added-accepting-anything", REQ, obj(a=S), obj(a=S, b={}), False, trap=True),
    Pair("properties", "added-to-closed-object", REQ, {**obj(a=S), "additionalProperties": False}, {**obj(a=S, b=I), "additionalProperties": False}, False),
    Pair("properties", "added-over-additional-schema", REQ, {**obj(a=S), "additionalProperties": S}, {**obj(a=S, b=I), "additionalProperties": S}, True),
    Pair("properties", "added-to-open-object", RES, obj(a=S), obj(a=S, b=I), False),
    Pair("properties", "added-over-additional-schema", RES, {**obj(a=S), "additionalProperties": S}, {**obj(a=S, b=I), "additionalProperties": S}, True),
    Pair("properties", "added-within-additional-schema", RES, {**obj(a=S), "additionalProperties": N}, {**obj(a=S, b=I), "additionalProperties": N}, False),
    # tolerant reader, as for additionalProperties opened in a response
    Pair("properties", "added-to-closed-object", RES, {**obj(a=S), "additionalProperties": False}, {**obj(a=S, b=I), "additionalProperties": False}, True,
         deliberate="warning"),
    Pair("required", "added-with-default", REQ, obj(a=S), obj(["b"], a=S, b={**I, "default": 1}), True),
    Pair("required", "added-to-closed-object", REQ, {**obj(a=S), "additionalProperties": False}, {**obj(["b"], a=S, b=I), "additionalProperties": False}, True),
    Pair("properties", "required-removed-with-closed-object", RES, {**obj(["a"], a=S), "additionalProperties": False}, {**obj(), "additionalProperties": False}, True),
    Pair("additionalProperties", "closed", REQ, obj(a=S), {**obj(a=S), "additionalProperties": False}, True),
    Pair("additionalProperties", "opened", REQ, {**obj(a=S), "additionalProperties": False}, obj(a=S), False),
    # tolerant reader: clients ignore properties they do not know
    Pair("additionalProperties", "opened", RES, {**obj(a=S), "additionalProperties": False}, obj(a=S), True, deliberate="warning"),
    Pair("patternProperties", "added", REQ, {"type": "object"}, {"type": "object", "patternProperties": {"^x-": I}}, True),
    Pair("patternProperties", "removed", REQ, {"type": "object", "patternProperties": {"^x-": I}}, {"type": "object"}, False),
    Pair("propertyNames", "added", REQ, {"type": "object"}, {"type": "object", "propertyNames": {"maxLength": 3}}, True),
    Pair("propertyNames", "widened", REQ, {"type": "object", "propertyNames": {"maxLength": 3}}, {"type": "object", "propertyNames": {"maxLength": 5}}, False),
    Pair("minProperties", "raised", REQ, {"type": "object", "minProperties": 1}, {"type": "object", "minProperties": 2}, True),
    Pair("maxProperties", "lowered", REQ, {"type": "object", "maxProperties": 2}, {"type": "object", "maxProperties": 1}, True),
    Pair("dependentRequired", "added", REQ, obj(a=S, b=S), {**obj(a=S, b=S), "dependentRequired": {"a": ["b"]}}, True),
    Pair("dependentRequired", "removed", REQ, {**obj(a=S, b=S), "dependentRequired": {"a": ["b"]}}, obj(a=S, b=S), False),
    Pair("dependentSchemas", "added", REQ, obj(a=S, b=S), {**obj(a=S, b=S), "dependentSchemas": {"a": {"required": ["b"]}}}, True),
    Pair("dependentSchemas", "removed", REQ, {**obj(a=S, b=S), "dependentSchemas": {"a": {"required": ["b"]}}}, obj(a=S, b=S), False),
    Pair("if-then-else", "then-requires", REQ, obj(a=S, b=S), {**obj(a=S, b=S), "if": {"required": ["a"]}, "then": {"required": ["b"]}}, True),
    Pair("if-then-else", "removed", REQ, {**obj(a=S, b=S), "if": {"required": ["a"]}, "then": {"required": ["b"]}}, obj(a=S, b=S), False),
    Pair("unevaluatedProperties", "closed", REQ, obj(a=S), {**obj(a=S), "unevaluatedProperties": False}, True),
    Pair("unevaluatedProperties", "opened", REQ, {**obj(a=S), "unevaluatedProperties": False}, obj(a=S), False),
    # combinators and traps
    Pair("anyOf", "branch-removed", REQ, {"anyOf": [{**S, "maxLength": 2}, I]}, {"anyOf": [{**S, "maxLength": 2}]}, True),
    Pair("anyOf", "identical-branch-added", REQ, {"anyOf": [{**S, "maxLength": 2}, I]}, {"anyOf": [{**S, "maxLength": 2}, I, I]}, False, trap=True),
    Pair("anyOf", "identical-branch-added", RES, {"anyOf": [{**S, "maxLength": 2}, I]}, {"anyOf": [{**S, "maxLength": 2}, I, {**S, "maxLength": 2}]}, False, trap=True),
    Pair("allOf", "branch-added", REQ, {"allOf": [{"minLength": 1}, {"maxLength": 9}]}, {"allOf": [{"minLength": 1}, {"maxLength": 9}, {"pattern": "^a"}]}, True),
    Pair("allOf", "identical-branch-removed", RES, {"allOf": [{"minLength": 1}, {"maxLength": 9}, {"maxLength": 9}]}, {"allOf": [{"minLength": 1}, {"maxLength": 9}]}, False, trap=True),
    Pair("allOf", "annotation-only", REQ, S, {"allOf": [S, {"description": "a name"}]}, False, trap=True),
    Pair("oneOf", "overlapping-wrap", REQ, obj(a=S), obj(a={"oneOf": [S, {**S, "maxLength": 1000}]}), True, trap=True),
    Pair("oneOf", "null-or-x-widening", REQ, S, {"oneOf": [{"type": "null"}, S]}, False, trap=True),
    Pair("oneOf", "branch-removed", REQ, {"oneOf": [S, I]}, {"oneOf": [S]}, True),
    Pair("oneOf", "disjoint-branch-added", REQ, {"oneOf": [S, I]}, {"oneOf": [S, I, {"type": "boolean"}]}, False),
    Pair("oneOf", "repeated-branch-added", REQ, {"oneOf": [S, I]}, {"oneOf": [S, I, I]}, True, trap=True),
    # an integer matches both branches of OLD's oneOf, which rejects it: NEW may return 3
    Pair("oneOf", "overlapping-types-to-number", RES, {"oneOf": [I, N]}, N, True, trap=True),
    Pair("oneOf", "overlapping-types-to-number", REQ, {"oneOf": [I, N]}, N, False),
    Pair("oneOf", "number-to-overlapping-types", RES, N, {"oneOf": [I, N]}, False, trap=True),
    Pair("oneOf", "overlapping-strings-to-string", RES, {"oneOf": [S, {**S, "maxLength": 3}]}, S, True, trap=True),
    # a change inside one branch that another branch covers: judged on the whole schema, not the branch
    Pair("anyOf", "branch-bound-covered", REQ, {"anyOf": [obj(n={**I, "maximum": 10}), obj(["n"], n=I)]},
         {"anyOf": [obj(n={**I, "maximum": 5}), obj(["n"], n=I)]}, False, trap=True),
    Pair("anyOf", "branch-required-covered", RES, {"anyOf": [obj(["call_id", "kind"], call_id=S, kind=S), obj(kind=S)]},
         {"anyOf": [obj(["kind"], call_id=S, kind=S), obj(kind=S)]}, False, trap=True),
    Pair("anyOf", "branch-bound-uncovered", REQ, {"anyOf": [obj(["n"], n={**I, "maximum": 10}), {"type": "string"}]},
         {"anyOf": [obj(["n"], n={**I, "maximum": 5}), {"type": "string"}]}, True),
    # a discriminator is an annotation: validators ignore it (servers that dispatch on it may not)
    Pair("discriminator", "added", REQ, {"oneOf": [obj(["k"], k={"const": "a"}), obj(["k"], k={"const": "b"})]},
         {"oneOf": [obj(["k"], k={"const": "a"}), obj(["k"], k={"const": "b"})], "discriminator": {"propertyName": "k"}}, False,
         trap=True, deliberate="warning"),
    Pair("not", "added", REQ, S, {**S, "not": {"const": "x"}}, True),
    Pair("not", "removed", REQ, {**S, "not": {"const": "x"}}, S, False),
    Pair("not", "removed", RES, {**S, "not": {"const": "x"}}, S, True),
]
