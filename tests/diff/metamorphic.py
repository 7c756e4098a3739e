"""Document transformations for metamorphic tests of the spec diff.

Two kinds, both pure functions from a raw OpenAPI document to a new one (the input is never
modified):

- *refactors* change how a document is written, never what it accepts or returns (3.0 -> 3.1,
  inlining or extracting `$ref`s, renaming components, reordering, moving parameters between
  levels, `1` -> `1.0`, single-element `allOf`, annotations, FastAPI's Input/Output split, the
  frameworks' 422 responses). Diffing a document against its refactor must report nothing above
  `info`, and only the `info` rules the refactor declares.
- *mutations* make one real change at one place (found by walking the resolved document, then
  made local by copying every `$ref` on the way, so a shared component changes only there) and
  declare the exact rule IDs the diff must report, in both directions.

Choices (which component, which place) come from a `random.Random` the tests seed or from
hypothesis, so every run is reproducible.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_SUB_MAPS = ("properties", "patternProperties")
_SUB_SINGLE = ("items", "additionalProperties", "not", "contains")
_SUB_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_COMPONENT_KINDS = ("schemas", "parameters", "responses", "headers", "requestBodies")
_NUMERIC = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "default")


# ---------------------------------------------------------------------------------------- walking


def is_31(doc: dict[str, Any]) -> bool:
    return str(doc.get("openapi", "")).startswith("3.1")


def resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for token in ref.lstrip("#/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def deref(doc: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(doc, node["$ref"])
    return node


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in (doc.get("paths") or {}).items():
        for method in METHODS:
            if isinstance(item.get(method), dict):
                yield path, method, item[method]


@dataclass(slots=True)
class Slot:
    """Where a top-level schema sits: `parent[key]`, and which direction reads it."""

    parent: Any
    key: Any
    direction: str | None  # request | response | None (a component schema)


def _media_slots(content: Any, direction: str) -> Iterator[Slot]:
    for media in (content or {}).values():
        if isinstance(media, dict) and "schema" in media:
            yield Slot(media, "schema", direction)


def _parameter_slots(parameters: Any) -> Iterator[Slot]:
    for parameter in parameters or []:
        if "$ref" in parameter:
            continue
        if "schema" in parameter:
            yield Slot(parameter, "schema", "request")
        yield from _media_slots(parameter.get("content"), "request")


def _response_slots(response: Any) -> Iterator[Slot]:
    if "$ref" in response:
        return
    yield from _media_slots(response.get("content"), "response")
    for header in (response.get("headers") or {}).values():
        if "$ref" not in header and "schema" in header:
            yield Slot(header, "schema", "response")


def schema_slots(doc: dict[str, Any]) -> Iterator[Slot]:
    """Every place a schema starts (nested subschemas are reached through these)."""
    for item in (doc.get("paths") or {}).values():
        yield from _parameter_slots(item.get("parameters"))
    for _, _, op in operations(doc):
        yield from _parameter_slots(op.get("parameters"))
        body = op.get("requestBody")
        if body and "$ref" not in body:
            yield from _media_slots(body.get("content"), "request")
        for response in (op.get("responses") or {}).values():
            yield from _response_slots(response)
    components = doc.get("components") or {}
    for name in list(components.get("schemas") or {}):
        yield Slot(components["schemas"], name, None)
    yield from _parameter_slots((components.get("parameters") or {}).values())
    for body in (components.get("requestBodies") or {}).values():
        yield from _media_slots(body.get("content"), "request")
    for response in (components.get("responses") or {}).values():
        yield from _response_slots(response)
    for header in (components.get("headers") or {}).values():
        if "schema" in header:
            yield Slot(header, "schema", "response")


def children(schema: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(parent, key) of each direct subschema of `schema`."""
    for keyword in _SUB_MAPS:
        if isinstance(schema.get(keyword), dict):
            for name in schema[keyword]:
                yield schema[keyword], name
    for keyword in _SUB_SINGLE:
        if isinstance(schema.get(keyword), dict):
            yield schema, keyword
    for keyword in _SUB_LISTS:
        if isinstance(schema.get(keyword), list):
            for index in range(len(schema[keyword])):
                yield schema[keyword], index


def map_schemas(doc: dict[str, Any], function: Callable[[dict[str, Any], str | None], Any]) -> dict[str, Any]:
    """A copy of `doc` with every schema node replaced by `function(node, direction)`, bottom-up."""
    doc = copy.deepcopy(doc)

    def visit(parent: Any, key: Any, direction: str | None) -> None:
        node = parent[key]
        if not isinstance(node, dict):
            return
        for child_parent, child_key in list(children(node)):
            visit(child_parent, child_key, direction)
        parent[key] = function(node, direction)

    for slot in list(schema_slots(doc)):
        visit(slot.parent, slot.key, slot.direction)
    return doc


def all_refs(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node
        for value in node.values():
            yield from all_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_refs(value)


def recursive_components(doc: dict[str, Any]) -> set[str]:
    """Schema components that reach themselves through `$ref`s (never inlined)."""
    schemas = (doc.get("components") or {}).get("schemas") or {}
    prefix = "#/components/schemas/"
    edges = {name: {r["$ref"][len(prefix) :] for r in all_refs(schema) if r["$ref"].startswith(prefix)} for name, schema in schemas.items()}

    def reaches(start: str) -> bool:
        seen: set[str] = set()
        todo = list(edges.get(start, ()))
        while todo:
            name = todo.pop()
            if name == start:
                return True
            if name not in seen:
                seen.add(name)
                todo.extend(edges.get(name, ()))
        return False

    return {name for name in schemas if reaches(name)}


# -------------------------------------------------------------------------------------- refactors


@dataclass(frozen=True, slots=True)
class Refactor:
    name: str
    apply: Callable[[dict[str, Any], random.Random], dict[str, Any]]
    allowed_info: frozenset[str] = frozenset()
    profile: str = "none"  # the noise profile the refactor is judged under
    applies: Callable[[dict[str, Any]], bool] = lambda doc: True


def to_31(doc: dict[str, Any], rnd: random.Random, *, null_style: str | None = None) -> dict[str, Any]:
    """3.0 -> 3.1: nullable -> type list or anyOf null; boolean exclusive bounds -> numbers; example -> examples."""

    def convert(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        schema = dict(schema)
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            if schema.get(exclusive) is True:
                schema[exclusive] = schema.pop(bound)
            elif schema.get(exclusive) is False:
                del schema[exclusive]
        if "example" in schema:
            schema["examples"] = [schema.pop("example")]
        if schema.pop("nullable", False) is True:
            if "enum" in schema and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
            style = null_style or rnd.choice(["type", "anyOf"])
            if style == "type" and isinstance(schema.get("type"), str):
                schema["type"] = [schema["type"], "null"]
            else:
                annotations = {k: schema.pop(k) for k in ("title", "description", "default") if k in schema}
                schema = {"anyOf": [schema, {"type": "null"}], **annotations}
        return schema

    result = map_schemas(doc, convert)
    result["openapi"] = "3.1.0"
    return result


def to_30(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """3.1 -> 3.0: type lists and anyOf null -> nullable; const -> enum; numeric exclusive bounds -> booleans."""

    def convert(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        schema = dict(schema)
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            value = schema.get(exclusive)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and bound not in schema:
                schema[bound] = value
                schema[exclusive] = True
        if "const" in schema:
            schema["enum"] = [schema.pop("const")]
        if "examples" in schema and isinstance(schema["examples"], list) and schema["examples"]:
            schema["example"] = schema.pop("examples")[0]
        if isinstance(schema.get("type"), list):
            types = [t for t in schema["type"] if t != "null"]
            if len(types) == 1:
                if len(types) < len(schema["type"]):
                    schema["nullable"] = True
                schema["type"] = types[0]
        for combinator in ("anyOf", "oneOf"):
            branches = schema.get(combinator)
            if isinstance(branches, list) and any(b == {"type": "null"} for b in branches):
                rest = [b for b in branches if b != {"type": "null"}]
                del schema[combinator]
                if len(rest) == 1 and "$ref" not in rest[0]:
                    schema = {**schema, **rest[0], "nullable": True}
                else:
                    schema = {**schema, (combinator if len(rest) > 1 else "allOf"): rest, "nullable": True}
        if "enum" in schema and None in schema["enum"]:
            schema["enum"] = [v for v in schema["enum"] if v is not None]
            schema["nullable"] = True
        if "$ref" in schema and len(schema) > 1:
            # 3.0 ignores siblings of $ref: keep them through allOf.
            schema = {"allOf": [{"$ref": schema.pop("$ref")}], **schema}
        return schema

    result = map_schemas(doc, convert)
    result["openapi"] = "3.0.3"
    return result


def _inline_target(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    target = copy.deepcopy(resolve(doc, node["$ref"]))
    siblings = {k: v for k, v in node.items() if k != "$ref"}
    if not siblings:
        return target
    if isinstance(target, dict) and not set(siblings) & set(target):
        return {**target, **siblings}
    return {"allOf": [target], **siblings}


def inline_refs(doc: dict[str, Any], rnd: random.Random, *, share: float = 1.0) -> dict[str, Any]:
    """Replace `$ref`s to non-recursive schema components (a random share of them) by their content."""
    recursive = recursive_components(doc)
    names = sorted(set((doc.get("components") or {}).get("schemas") or {}) - recursive)
    chosen = {name for name in names if rnd.random() < share}
    prefixes = tuple(f"#/components/schemas/{name}" for name in chosen)
    source = copy.deepcopy(doc)

    def inline(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        while "$ref" in schema and schema["$ref"] in prefixes:
            schema = _inline_target(source, schema)
            # The copy holds refs of its own: inline those too (no cycles: recursive ones are kept).
            schema = map_schemas({"components": {"schemas": {"x": schema}}}, inline)["components"]["schemas"]["x"]
        return schema

    result = map_schemas(doc, inline)
    # Parameters, responses and headers written as refs to components become inline too.
    for item in (result.get("paths") or {}).values():
        if item.get("parameters"):
            item["parameters"] = [copy.deepcopy(deref(result, p)) for p in item["parameters"]]
    for _, _, op in operations(result):
        if op.get("parameters"):
            op["parameters"] = [copy.deepcopy(deref(result, p)) for p in op["parameters"]]
        if op.get("requestBody"):
            op["requestBody"] = copy.deepcopy(deref(result, op["requestBody"]))
        for status, response in list((op.get("responses") or {}).items()):
            response = op["responses"][status] = copy.deepcopy(deref(result, response))
            for name, header in list((response.get("headers") or {}).items()):
                response["headers"][name] = copy.deepcopy(deref(result, header))
    return result


def extract_inline(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Move every inline object schema (one with `properties`) into components under a new name."""
    doc = copy.deepcopy(doc)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    original = set(schemas)
    counter = iter(range(10_000))

    def extract(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        if "properties" not in schema or "$ref" in schema:
            return schema
        name = next(n for n in (f"Extracted{i}" for i in counter) if n not in original)
        schemas[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    result = map_schemas(doc, extract)
    # map_schemas copied the document: move the extracted schemas into the copy, and keep the
    # original component roots as they are (a root is already a component).
    result_schemas = result["components"]["schemas"]
    for name in original:
        target = result_schemas[name]
        if "$ref" in target and target["$ref"].rsplit("/", 1)[1] in schemas and target["$ref"].rsplit("/", 1)[1] not in original:
            result_schemas[name] = schemas[target["$ref"].rsplit("/", 1)[1]]
    for name, schema in schemas.items():
        if name not in original:
            result_schemas[name] = schema
    return result


def rename_components(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Give every component (schemas, parameters, responses, headers, bodies, security schemes) a new name."""
    doc = copy.deepcopy(doc)
    components = doc.get("components") or {}
    renames: dict[str, str] = {}
    for kind in (*_COMPONENT_KINDS, "securitySchemes"):
        table = components.get(kind)
        if not table:
            continue
        names = list(table)
        new_names = {name: f"{kind[:3].title()}{index}{rnd.choice(['Model', '_v2', 'Schema'])}" for index, name in enumerate(names)}
        components[kind] = {new_names[name]: table[name] for name in names}
        for name, new in new_names.items():
            renames[f"#/components/{kind}/{name}"] = f"#/components/{kind}/{new}"
        if kind == "securitySchemes":
            scheme_names = new_names
    for ref in all_refs(doc):
        ref["$ref"] = renames.get(ref["$ref"], ref["$ref"])

    def fix_mapping(node: Any) -> None:
        if isinstance(node, dict):
            mapping = (node.get("discriminator") or {}).get("mapping") if isinstance(node.get("discriminator"), dict) else None
            if isinstance(mapping, dict):
                for key, value in mapping.items():
                    full = value if value.startswith("#") else f"#/components/schemas/{value}"
                    mapping[key] = renames.get(full, value)
            for value in node.values():
                fix_mapping(value)
        elif isinstance(node, list):
            for value in node:
                fix_mapping(value)

    fix_mapping(doc)
    if components.get("securitySchemes"):

        def rename_requirements(requirements: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{scheme_names.get(k, k): v for k, v in r.items()} for r in requirements]

        if "security" in doc:
            doc["security"] = rename_requirements(doc["security"])
        for _, _, op in operations(doc):
            if "security" in op:
                op["security"] = rename_requirements(op["security"])
    return doc


_UNORDERED_LISTS = ("required", "enum", "tags", "allOf", "anyOf", "oneOf", "parameters", "type", "security")


def reorder(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Reverse every mapping's key order and every list whose order carries no meaning."""

    def visit(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: visit(node[k], k) for k in reversed(list(node))}
        if isinstance(node, list):
            items = [visit(v) for v in node]
            if key in _UNORDERED_LISTS or (key is None and all(isinstance(v, str) for v in items)):
                items.reverse()
            return items
        return node

    return visit(copy.deepcopy(doc))


def _parameter_key(doc: dict[str, Any], parameter: dict[str, Any]) -> tuple[str, str]:
    parameter = deref(doc, parameter)
    return (parameter["in"], parameter["name"].lower() if parameter["in"] == "header" else parameter["name"])


def params_to_path_level(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Parameters every operation of a path declares identically move up to the path item."""
    doc = copy.deepcopy(doc)
    for item in (doc.get("paths") or {}).values():
        ops = [item[m] for m in METHODS if isinstance(item.get(m), dict)]
        if not ops:
            continue
        shared = [p for p in ops[0].get("parameters") or [] if all(p in (op.get("parameters") or []) for op in ops[1:])]
        if not shared:
            continue
        for op in ops:
            op["parameters"] = [p for p in op["parameters"] if p not in shared]
            if not op["parameters"]:
                del op["parameters"]
        item["parameters"] = [*(item.get("parameters") or []), *shared]
    return doc


def params_to_operation_level(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Path-level parameters are copied into each operation that does not override them."""
    doc = copy.deepcopy(doc)
    for item in (doc.get("paths") or {}).values():
        shared = item.pop("parameters", None) or []
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict) or not shared:
                continue
            own = {_parameter_key(doc, p) for p in op.get("parameters") or []}
            inherited = [copy.deepcopy(p) for p in shared if _parameter_key(doc, p) not in own]
            if inherited:
                op["parameters"] = [*inherited, *(op.get("parameters") or [])]
    return doc


_TEMPLATE = re.compile(r"\{([^}/]+)\}")


def rename_path_params(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """`/pets/{petId}` -> `/pets/{petId_v2}`, with the path parameters renamed to match."""
    doc = copy.deepcopy(doc)
    paths = doc.get("paths") or {}
    renamed: dict[str, Any] = {}
    for path, item in paths.items():
        names = _TEMPLATE.findall(path)
        if not names:
            renamed[path] = item
            continue
        mapping = {name: f"{name}_{rnd.choice(['v2', 'key', 'ref'])}" for name in names}
        lists = [item.get("parameters") or []] + [item[m].get("parameters") or [] for m in METHODS if isinstance(item.get(m), dict)]
        for parameters in lists:
            for index, parameter in enumerate(parameters):
                resolved = deref(doc, parameter)
                if resolved.get("in") == "path" and resolved.get("name") in mapping:
                    parameters[index] = {**copy.deepcopy(resolved), "name": mapping[resolved["name"]]}
        renamed[_TEMPLATE.sub(lambda m, mapping=mapping: "{" + mapping[m.group(1)] + "}", path)] = item
    doc["paths"] = renamed
    return doc


def _floaty(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def int_to_float(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """`1` -> `1.0` in numeric bounds, defaults and enum values of number and integer schemas."""

    def convert(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        types = schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]
        if not {"number", "integer"} & set(types):
            return schema
        schema = dict(schema)
        for keyword in _NUMERIC:
            if keyword in schema:
                schema[keyword] = _floaty(schema[keyword])
        if isinstance(schema.get("enum"), list):
            schema["enum"] = [_floaty(v) for v in schema["enum"]]
        return schema

    return map_schemas(doc, convert)


def wrap_all_of(doc: dict[str, Any], rnd: random.Random, *, share: float = 0.5) -> dict[str, Any]:
    """Wrap a random share of schemas in a single-element `allOf`."""

    def wrap(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        return {"allOf": [schema]} if rnd.random() < share else schema

    return map_schemas(doc, wrap)


def annotate(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Titles, descriptions, examples, summaries, operationIds, extensions: documentation only."""
    counter = iter(range(100_000))

    def add(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        schema = dict(schema)
        if "$ref" in schema:
            return schema  # 3.0 ignores $ref siblings; 3.1 siblings are tested by wrap-all-of
        n = next(counter)
        schema["title"] = f"Title {n}"
        schema["description"] = f"Described {n}."
        schema["x-internal-note"] = "documentation only"
        if is_31(doc):
            schema["examples"] = [f"example {n}"]
        else:
            schema["example"] = f"example {n}"
        return schema

    result = map_schemas(doc, add)
    result.setdefault("info", {})["description"] = "An API, described."
    result["externalDocs"] = {"url": "https://docs.example.com"}
    for path, method, op in operations(result):
        op["summary"] = f"Do {method} on {path}"
        op["description"] = f"Longer text about {method.upper()} {path}."
        op["operationId"] = f"{method}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}_op"
        op["externalDocs"] = {"url": "https://docs.example.com/op"}
        for parameter in op.get("parameters") or []:
            if "$ref" not in parameter:
                parameter["description"] = "A parameter."
                parameter["example"] = parameter.get("example", None) or "x"
        for response in (op.get("responses") or {}).values():
            if "$ref" not in response:
                response["description"] = f"Described response of {method} {path}"
                for media in (response.get("content") or {}).values():
                    media["example"] = {"any": "example"}
    return result


def split_input_output(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """FastAPI's split: every schema component becomes `X-Input` (read by requests) and `X-Output`
    (read by responses); refs are rewritten by the direction of the place that uses them."""
    doc = copy.deepcopy(doc)
    schemas = (doc.get("components") or {}).get("schemas")
    if not schemas:
        return doc
    prefix = "#/components/schemas/"
    suffixes = {"request": "-Input", "response": "-Output"}

    def retarget(node: Any, suffix: str) -> Any:
        for ref in all_refs(node):
            if ref["$ref"].startswith(prefix):
                ref["$ref"] += suffix
        for mapping_owner in _mapping_owners(node):
            mapping = mapping_owner["discriminator"]["mapping"]
            for key, value in mapping.items():
                mapping[key] = (value if value.startswith("#") else prefix + value) + suffix
        return node

    split = {}
    for name, schema in schemas.items():
        for suffix in suffixes.values():
            split[name + suffix] = retarget(copy.deepcopy(schema), suffix)
    originals = dict(schemas)
    doc["components"]["schemas"] = {}
    for slot in list(schema_slots(doc)):
        retarget(slot.parent[slot.key], suffixes[slot.direction or "response"])
    doc["components"]["schemas"] = split
    del originals
    return doc


def _mapping_owners(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("discriminator"), dict) and isinstance(node["discriminator"].get("mapping"), dict):
            yield node
        for value in node.values():
            yield from _mapping_owners(value)
    elif isinstance(node, list):
        for value in node:
            yield from _mapping_owners(value)


_VALIDATION_ERROR = {
    "type": "object",
    "title": "ValidationErrorModel",
    "properties": {
        "ctx": {"anyOf": [{"type": "object"}, {"type": "null"}], "title": "Error context"},
        "loc": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "title": "Location"},
        "msg": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Message"},
        "type_": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Error Type"},
    },
}


def add_flask_422(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """flask-openapi3 documents a bare array of ValidationErrorModel as 422 on every operation."""
    doc = copy.deepcopy(doc)
    model = copy.deepcopy(_VALIDATION_ERROR)
    if not is_31(doc):
        model["properties"] = {k: {"type": "array", "items": {"type": "string"}} if k == "loc" else {"type": "string"} for k in model["properties"]}
    doc.setdefault("components", {}).setdefault("schemas", {})["ValidationErrorModel"] = model
    schema = {"type": "array", "items": {"$ref": "#/components/schemas/ValidationErrorModel"}}
    for _, _, op in operations(doc):
        op.setdefault("responses", {})["422"] = {"description": "Unprocessable Entity", "content": {"application/json": {"schema": copy.deepcopy(schema)}}}
    return doc


def status_to_range(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """The one success status of an operation becomes its range (`200` -> `2XX`)."""
    doc = copy.deepcopy(doc)
    for _, _, op in operations(doc):
        responses = op.get("responses") or {}
        # 422 stays: it is the frameworks' validation response, matched by its code as noise.
        concrete = [s for s in responses if str(s).isdigit() and str(s) != "422"]
        for status in concrete:
            family = f"{str(status)[0]}XX"
            if sum(1 for s in concrete if str(s)[0] == str(status)[0]) == 1 and family not in responses:
                op["responses"] = {family if s == status else s: r for s, r in op["responses"].items()}
    return doc


def header_case(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Header names are case-insensitive: `X-Request-Id` -> `x-request-id` (parameters and responses)."""
    doc = copy.deepcopy(doc)

    def parameters(listing: Any) -> None:
        for parameter in listing or []:
            if parameter.get("in") == "header":
                parameter["name"] = parameter["name"].lower() if parameter["name"] != parameter["name"].lower() else parameter["name"].title()

    for item in (doc.get("paths") or {}).values():
        parameters(item.get("parameters"))
    parameters(((doc.get("components") or {}).get("parameters") or {}).values())
    for _, _, op in operations(doc):
        parameters(op.get("parameters"))
        for response in (op.get("responses") or {}).values():
            if "headers" in response:
                response["headers"] = {name.upper(): header for name, header in response["headers"].items()}
    for scheme in ((doc.get("components") or {}).get("securitySchemes") or {}).values():
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            scheme["name"] = scheme["name"].lower()
    return doc


def media_type_parameters(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """`application/json` -> `application/json; charset=utf-8` (parameters do not change the type)."""
    doc = copy.deepcopy(doc)

    def rewrite(content: Any) -> Any:
        return {f"{media}; charset=utf-8" if "json" in media or media.startswith("text/") else media: value for media, value in content.items()}

    for _, _, op in operations(doc):
        body = op.get("requestBody")
        if body and "content" in body:
            body["content"] = rewrite(body["content"])
        for response in (op.get("responses") or {}).values():
            if "content" in response:
                response["content"] = rewrite(response["content"])
    return doc


def explicit_defaults(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Spell out what the spec defaults to: style/explode/required/deprecated, additionalProperties."""
    doc = copy.deepcopy(doc)
    styles = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
    listings = [item.get("parameters") for item in (doc.get("paths") or {}).values()]
    listings += [op.get("parameters") for _, _, op in operations(doc)]
    listings.append(list(((doc.get("components") or {}).get("parameters") or {}).values()))
    for listing in listings:
        for parameter in listing or []:
            if "$ref" in parameter or "content" in parameter:
                continue
            parameter.setdefault("required", parameter["in"] == "path")
            parameter.setdefault("deprecated", False)
            style = parameter.setdefault("style", styles[parameter["in"]])
            parameter.setdefault("explode", style == "form")
            if parameter["in"] == "query":
                parameter.setdefault("allowReserved", False)
    for _, _, op in operations(doc):
        op.setdefault("deprecated", False)
        body = op.get("requestBody")
        if body and "$ref" not in body:
            body.setdefault("required", False)

    def open_objects(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        if "properties" in schema and "additionalProperties" not in schema:
            return {**schema, "additionalProperties": True}
        return schema

    return map_schemas(doc, open_objects)


def security_to_operations(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """The document-level security requirement is copied into every operation that inherits it."""
    doc = copy.deepcopy(doc)
    shared = doc.pop("security", None)
    for _, _, op in operations(doc):
        if "security" not in op:
            op["security"] = copy.deepcopy(shared) if shared is not None else []
    return doc


def add_unused_components(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """Components nothing refers to change nothing."""
    doc = copy.deepcopy(doc)
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["UnusedThing"] = {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer", "maximum": 3}}}
    components.setdefault("parameters", {})["UnusedParam"] = {"name": "unused", "in": "query", "required": True, "schema": {"type": "string"}}
    components.setdefault("responses", {})["UnusedResponse"] = {"description": "never used"}
    return doc


def ref_siblings(doc: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """3.1 allows keywords beside `$ref`: annotate refs in place (a description is all it adds)."""

    def annotate_ref(schema: dict[str, Any], direction: str | None) -> dict[str, Any]:
        if "$ref" in schema and "description" not in schema:
            return {**schema, "description": "See the referenced schema."}
        return schema

    return map_schemas(doc, annotate_ref)


def _has(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda doc: bool((doc.get("components") or {}).get(kind))


_DOCUMENTATION = frozenset(
    {"schema-title-changed", "schema-description-changed", "api-summary-changed", "api-description-changed", "api-operation-id-changed", "response-description-changed", "request-body-description-changed"}
)

REFACTORS = [
    Refactor("to-3.1-type-list", lambda d, r: to_31(d, r, null_style="type"), frozenset({"openapi-version-changed"}), applies=lambda d: not is_31(d)),
    Refactor("to-3.1-any-of-null", lambda d, r: to_31(d, r, null_style="anyOf"), frozenset({"openapi-version-changed"}), applies=lambda d: not is_31(d)),
    Refactor("to-3.0", to_30, frozenset({"openapi-version-changed"}), applies=is_31),
    Refactor("inline-all-refs", inline_refs),
    Refactor("inline-some-refs", lambda d, r: inline_refs(d, r, share=0.5)),
    Refactor("extract-inline-objects", extract_inline),
    Refactor("rename-components", rename_components, frozenset({"security-scheme-renamed"})),
    Refactor("reorder", reorder),
    Refactor("params-to-path-level", params_to_path_level),
    Refactor("params-to-operation-level", params_to_operation_level, applies=lambda d: any("parameters" in item for item in (d.get("paths") or {}).values())),
    Refactor("rename-path-params", rename_path_params, frozenset({"api-path-parameter-renamed"})),
    Refactor("int-to-float", int_to_float),
    Refactor("wrap-all-of", wrap_all_of),
    Refactor("annotate", annotate, _DOCUMENTATION),
    Refactor("split-input-output", split_input_output, applies=_has("schemas")),
    Refactor("flask-422", add_flask_422, profile="flask-fastapi"),
    Refactor("header-case", header_case),
    Refactor("media-type-parameters", media_type_parameters),
    Refactor("explicit-defaults", explicit_defaults),
    Refactor("security-to-operations", security_to_operations, applies=lambda d: "security" in d),
    Refactor("add-unused-components", add_unused_components),
    Refactor("ref-siblings", ref_siblings, frozenset({"schema-description-changed"}), applies=is_31),
    Refactor("status-to-range", status_to_range, frozenset({"response-status-became-range", "response-status-range-became-specific"})),
]


# -------------------------------------------------------------------------------------- mutations


@dataclass(slots=True)
class Site:
    """A schema reached from an operation, with the raw key trail that leads to it from the root."""

    trail: list[Any]
    schema: dict[str, Any]  # resolved
    location: str  # schema rule location: request-body, request-query-parameter, response-body, ...
    method: str
    path: str
    property_name: str | None = None  # when the schema is a property's value
    parent: dict[str, Any] | None = None  # the resolved object schema holding that property
    hidden: bool = False  # readOnly in a request, writeOnly in a response (not part of that direction)
    in_combinator: bool = False
    status: str = ""


def _walk(doc: dict[str, Any], node: Any, trail: list[Any], site: Site, seen: frozenset[str], out: list[Site]) -> None:
    refs = seen
    while isinstance(node, dict) and "$ref" in node:
        if node["$ref"] in refs:
            return
        refs = refs | {node["$ref"]}
        siblings = {k for k in node if k != "$ref"}
        node = resolve(doc, node["$ref"])
        if siblings & set(node):
            return  # a $ref whose siblings overlap its target is a composition: not a simple place to mutate
    if not isinstance(node, dict):
        return
    here = Site(trail, node, site.location, site.method, site.path, site.property_name, site.parent, site.hidden, site.in_combinator, site.status)
    out.append(here)
    hidden_keyword = "readOnly" if site.location.startswith("request") else "writeOnly"
    for name, sub in (node.get("properties") or {}).items():
        resolved = deref(doc, sub)
        hidden = site.hidden or bool(isinstance(resolved, dict) and resolved.get(hidden_keyword))
        child = Site([], {}, site.location, site.method, site.path, name, node, hidden, site.in_combinator, site.status)
        _walk(doc, sub, [*trail, "properties", name], child, refs, out)
    if isinstance(node.get("items"), dict):
        child = Site([], {}, site.location, site.method, site.path, None, None, site.hidden, site.in_combinator, site.status)
        _walk(doc, node["items"], [*trail, "items"], child, refs, out)
    if isinstance(node.get("additionalProperties"), dict):
        child = Site([], {}, site.location, site.method, site.path, None, None, site.hidden, site.in_combinator, site.status)
        _walk(doc, node["additionalProperties"], [*trail, "additionalProperties"], child, refs, out)
    for combinator in ("allOf", "anyOf", "oneOf"):
        for index, branch in enumerate(node.get(combinator) or []):
            child = Site([], {}, site.location, site.method, site.path, site.property_name if combinator == "allOf" else None, None, site.hidden, site.in_combinator or combinator != "allOf", site.status)
            _walk(doc, branch, [*trail, combinator, index], child, refs, out)


def sites(doc: dict[str, Any]) -> list[Site]:
    """Every schema reachable from an operation, in document order."""
    out: list[Site] = []
    for path, method, op in operations(doc):
        base = ["paths", path, method]
        item = doc["paths"][path]
        params = [(["paths", path, "parameters", i], p) for i, p in enumerate(item.get("parameters") or [])]
        params += [([*base, "parameters", i], p) for i, p in enumerate(op.get("parameters") or [])]
        own = {_parameter_key(doc, p) for _, p in params[len(item.get("parameters") or []) :]}
        for trail, parameter in params:
            resolved = deref(doc, parameter)
            if trail[2] == "parameters" and _parameter_key(doc, parameter) in own:
                continue  # overridden by the operation
            if "schema" in resolved:
                site = Site([], {}, f"request-{resolved['in']}-parameter", method.upper(), path)
                _walk(doc, resolved["schema"], [*trail, "schema"], site, frozenset(), out)
        body = op.get("requestBody")
        if body:
            for media_type, media in (deref(doc, body).get("content") or {}).items():
                if "schema" in media:
                    _walk(doc, media["schema"], [*base, "requestBody", "content", media_type, "schema"], Site([], {}, "request-body", method.upper(), path), frozenset(), out)
        for status, response in (op.get("responses") or {}).items():
            response = deref(doc, response)
            for media_type, media in (response.get("content") or {}).items():
                if "schema" in media:
                    site = Site([], {}, "response-body", method.upper(), path, status=str(status))
                    _walk(doc, media["schema"], [*base, "responses", status, "content", media_type, "schema"], site, frozenset(), out)
    return out


def localize(doc: dict[str, Any], trail: list[Any]) -> dict[str, Any]:
    """Copy every `$ref` on `trail` into place, so the node at the end belongs to this place only.
    Returns that node (in `doc`, which is modified)."""
    node: Any = doc
    for key in trail:
        child = node[key]
        while isinstance(child, dict) and "$ref" in child:
            child = node[key] = _inline_target(doc, child)
        node = child
    return node


@dataclass(frozen=True, slots=True)
class Mutation:
    """One real change at one schema site; `forward`/`reverse` are the exact rule IDs expected
    (`{loc}` is replaced by the site's location). `on_parent` mutations get the object schema
    holding the site's property, and the property name."""

    name: str
    accepts: Callable[[Site, dict[str, Any]], bool]
    mutate: Callable[..., None]  # (localized schema, document) or (localized parent, name, document)
    forward: frozenset[str]
    reverse: frozenset[str]
    on_parent: bool = False

    def candidates(self, doc: dict[str, Any]) -> list[Site]:
        return [site for site in sites(doc) if self.accepts(site, doc)]

    def apply(self, doc: dict[str, Any], site: Site) -> dict[str, Any]:
        doc = copy.deepcopy(doc)
        if self.on_parent:
            self.mutate(localize(doc, site.trail[:-2]), site.property_name, doc)
        else:
            self.mutate(localize(doc, site.trail), doc)
        return doc

    def expected(self, site: Site) -> tuple[set[str], set[str]]:
        return ({r.replace("{loc}", site.location) for r in self.forward}, {r.replace("{loc}", site.location) for r in self.reverse})


@dataclass(frozen=True, slots=True)
class Target:
    path: str
    method: str
    detail: Any = None


@dataclass(frozen=True, slots=True)
class OperationMutation:
    """One real change to one operation (not to a schema)."""

    name: str
    find: Callable[[dict[str, Any]], list[Target]]
    change: Callable[[dict[str, Any], Target], None]  # modifies the (copied) document
    forward: Callable[[dict[str, Any], Target], set[str]]
    reverse: Callable[[dict[str, Any], Target], set[str]]

    def candidates(self, doc: dict[str, Any]) -> list[Target]:
        return self.find(doc)

    def apply(self, doc: dict[str, Any], target: Target) -> dict[str, Any]:
        doc = copy.deepcopy(doc)
        self.change(doc, target)
        return doc

    def expected(self, target: Target, doc: dict[str, Any] | None = None) -> tuple[set[str], set[str]]:
        return self.forward(doc or {}, target), self.reverse(doc or {}, target)


def _types_of(schema: dict[str, Any]) -> list[str]:
    value = schema.get("type")
    return value if isinstance(value, list) else [value] if value else []


def _nullable(schema: dict[str, Any]) -> bool:
    return schema.get("nullable") is True or "null" in _types_of(schema) or any(b == {"type": "null"} for b in schema.get("anyOf") or [])


def _plain_enum(site: Site, doc: dict[str, Any]) -> bool:
    enum = site.schema.get("enum")
    return isinstance(enum, list) and len([v for v in enum if v is not None]) >= 2 and not site.hidden and not site.in_combinator


def _request_param_enum(site: Site, doc: dict[str, Any]) -> bool:
    return site.location.endswith("-parameter") and _plain_enum(site, doc)


def _request_body_enum(site: Site, doc: dict[str, Any]) -> bool:
    return site.location == "request-body" and _plain_enum(site, doc)


def _remove_last_enum_value(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    values = [v for v in schema["enum"] if v is not None]
    schema["enum"] = [v for v in schema["enum"] if v != values[-1]]
    if schema.get("default") == values[-1]:
        schema["default"] = values[0]


def _response_enum(site: Site, doc: dict[str, Any]) -> bool:
    return site.location == "response-body" and _plain_enum(site, doc) and all(isinstance(v, str) or v is None for v in site.schema["enum"])


def _add_enum_value(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    schema["enum"] = [*schema["enum"], "zz-new-value"]


def _response_property(site: Site, doc: dict[str, Any]) -> bool:
    return site.location == "response-body" and site.property_name is not None and site.parent is not None and not site.hidden and not site.in_combinator


def _required_response_property(site: Site, doc: dict[str, Any]) -> bool:
    return _response_property(site, doc) and site.property_name in (site.parent.get("required") or [])


def _optional_request_property(site: Site, doc: dict[str, Any]) -> bool:
    return (
        site.location == "request-body"
        and site.property_name is not None
        and site.parent is not None
        and site.property_name not in (site.parent.get("required") or [])
        and not site.hidden
        and not site.in_combinator
        and "default" not in site.schema
    )


def _string_param(site: Site, doc: dict[str, Any]) -> bool:
    return site.location.endswith("-parameter") and _types_of(site.schema) == ["string"] and "maxLength" not in site.schema and "enum" not in site.schema and "format" not in site.schema


def _bounded_request_number(site: Site, doc: dict[str, Any]) -> bool:
    maximum = site.schema.get("maximum")
    return (
        site.location.startswith("request")
        and not site.hidden
        and not site.in_combinator
        and isinstance(maximum, (int, float))
        and not isinstance(maximum, bool)
        and "exclusiveMaximum" not in site.schema
        and {"integer", "number"} & set(_types_of(site.schema))
        and not (isinstance(site.schema.get("default"), (int, float)) and site.schema["default"] > maximum - 1)
    )


def _integer_response_property(site: Site, doc: dict[str, Any]) -> bool:
    return _response_property(site, doc) and _types_of(site.schema) == ["integer"] and not _nullable(site.schema) and "enum" not in site.schema


def _string_response_property(site: Site, doc: dict[str, Any]) -> bool:
    return _response_property(site, doc) and _types_of(site.schema) == ["string"] and "enum" not in site.schema


def _make_integer_a_string(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    schema["type"] = "string"


def _make_nullable(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    if is_31(doc):
        schema["type"] = ["string", "null"]
    else:
        schema["nullable"] = True


def _add_max_length(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    schema["maxLength"] = 3


def _lower_maximum(schema: dict[str, Any], doc: dict[str, Any]) -> None:
    schema["maximum"] = schema["maximum"] - 1


def _remove_property(parent: dict[str, Any], name: str, doc: dict[str, Any]) -> None:
    del parent["properties"][name]
    if name in (parent.get("required") or []):
        parent["required"] = [r for r in parent["required"] if r != name]
        if not parent["required"]:
            del parent["required"]


def _require(parent: dict[str, Any], name: str, doc: dict[str, Any]) -> None:
    parent["required"] = [*(parent.get("required") or []), name]


def _unrequire(parent: dict[str, Any], name: str, doc: dict[str, Any]) -> None:
    _remove_property_requirement(parent, name)


def _remove_property_requirement(parent: dict[str, Any], name: str) -> None:
    parent["required"] = [r for r in parent.get("required") or [] if r != name]
    if not parent["required"]:
        del parent["required"]


# ---- operation mutations


def _every_operation(doc: dict[str, Any]) -> list[Target]:
    return [Target(path, method) for path, method, _ in operations(doc)]


def _remove_operation(doc: dict[str, Any], target: Target) -> None:
    item = doc["paths"][target.path]
    del item[target.method]
    if not any(m in item for m in METHODS):
        del doc["paths"][target.path]


def _operation_gone(doc: dict[str, Any], target: Target, change: str) -> set[str]:
    alone = sum(1 for m in METHODS if isinstance(doc["paths"][target.path].get(m), dict)) == 1
    return {f"api-path-{change}" if alone else f"api-operation-{change}"}


def _add_required_query(doc: dict[str, Any], target: Target) -> None:
    op = doc["paths"][target.path][target.method]
    op["parameters"] = [*(op.get("parameters") or []), {"name": "zz_required_filter", "in": "query", "required": True, "schema": {"type": "string"}}]


def _single_success(doc: dict[str, Any]) -> list[Target]:
    targets = []
    for path, method, op in operations(doc):
        statuses = [str(s) for s in op.get("responses") or {}]
        success = [s for s in statuses if s.startswith("2")]
        # Another status must remain, and no range may cover the removed one.
        if len(success) == 1 and success[0].isdigit() and len(statuses) > 1 and "2XX" not in statuses:
            targets.append(Target(path, method, success[0]))
    return targets


def _remove_status(doc: dict[str, Any], target: Target) -> None:
    responses = doc["paths"][target.path][target.method]["responses"]
    key = next(k for k in responses if str(k) == target.detail)
    del responses[key]


def _oauth_operations(doc: dict[str, Any]) -> list[Target]:
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    oauth = {name for name, scheme in schemes.items() if scheme.get("type") == "oauth2"}
    targets = []
    for path, method, op in operations(doc):
        security = op.get("security", doc.get("security")) or []
        for index, requirement in enumerate(security):
            for scheme in requirement:
                if scheme in oauth:
                    targets.append(Target(path, method, (index, scheme)))
    return targets


def _add_scope(doc: dict[str, Any], target: Target) -> None:
    op = doc["paths"][target.path][target.method]
    op["security"] = copy.deepcopy(op.get("security", doc.get("security")))
    index, scheme = target.detail
    op["security"][index][scheme] = [*op["security"][index][scheme], "zz:admin"]


def _fixed(rules: set[str]) -> Callable[[dict[str, Any], Target], set[str]]:
    return lambda doc, target: set(rules)


MUTATIONS: list[Mutation | OperationMutation] = [
    Mutation("remove-param-enum-value", _request_param_enum, _remove_last_enum_value, frozenset({"{loc}-enum-value-removed"}), frozenset({"{loc}-enum-value-added"})),
    Mutation("remove-request-body-enum-value", _request_body_enum, _remove_last_enum_value, frozenset({"request-body-enum-value-removed"}), frozenset({"request-body-enum-value-added"})),
    Mutation("add-response-enum-value", _response_enum, _add_enum_value, frozenset({"response-body-enum-value-added"}), frozenset({"response-body-enum-value-removed"})),
    Mutation(
        "remove-response-property",
        _response_property,
        _remove_property,
        frozenset({"response-body-property-removed"}),
        frozenset({"response-body-property-added|response-body-required-property-added|response-body-required-property-added-with-default"}),
        on_parent=True,
    ),
    Mutation("response-property-optional", _required_response_property, _unrequire, frozenset({"response-body-property-became-optional"}), frozenset({"response-body-property-became-required"}), on_parent=True),
    Mutation("require-request-property", _optional_request_property, _require, frozenset({"request-body-property-became-required"}), frozenset({"request-body-property-became-optional"}), on_parent=True),
    Mutation("param-max-length-added", _string_param, _add_max_length, frozenset({"{loc}-max-length-added"}), frozenset({"{loc}-max-length-removed"})),
    Mutation("request-maximum-lowered", _bounded_request_number, _lower_maximum, frozenset({"{loc}-max-decreased"}), frozenset({"{loc}-max-increased"})),
    Mutation("response-integer-to-string", _integer_response_property, _make_integer_a_string, frozenset({"response-body-type-changed"}), frozenset({"response-body-type-changed"})),
    Mutation("response-nullable-added", lambda s, d: _string_response_property(s, d) and not _nullable(s.schema), _make_nullable, frozenset({"response-body-nullable-added"}), frozenset({"response-body-nullable-removed"})),
    OperationMutation("remove-operation", _every_operation, _remove_operation, lambda d, t: _operation_gone(d, t, "removed"), lambda d, t: _operation_gone(d, t, "added")),
    OperationMutation("add-required-query", _every_operation, _add_required_query, _fixed({"request-query-parameter-added-required"}), _fixed({"request-query-parameter-removed"})),
    OperationMutation("remove-success-status", _single_success, _remove_status, _fixed({"response-success-status-removed"}), _fixed({"response-success-status-added"})),
    OperationMutation("add-security-scope", _oauth_operations, _add_scope, _fixed({"api-security-scope-added"}), _fixed({"api-security-scope-removed"})),
]


def expected_rules(mutation: Mutation | OperationMutation, doc: dict[str, Any], where: Any) -> tuple[set[str], set[str]]:
    if isinstance(mutation, OperationMutation):
        return mutation.expected(where, doc)
    return mutation.expected(where)


def matches_expected(found: set[str], expected: set[str]) -> bool:
    """`expected` entries may list alternatives with `|`: each entry must match exactly one found ID."""
    remaining = set(found)
    for entry in expected:
        options = set(entry.split("|"))
        hit = remaining & options
        if len(hit) != 1:
            return False
        remaining -= hit
    return not remaining


@dataclass(slots=True)
class Corpus:
    name: str
    document: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
