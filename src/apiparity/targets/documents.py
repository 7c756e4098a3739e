"""Reading OpenAPI documents from bytes and files: JSON or YAML, safely, with line/column errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apiparity.errors import SpecError

SPEC_SUFFIXES = (".json", ".yaml", ".yml")


def parse_document(text: str, *, source: str, prefer: str = "auto", share_equal: bool = False) -> dict[str, Any]:
    """Parse JSON or YAML text into a dict; errors name `source` and the line and column.

    `share_equal` (JSON only): equal objects whose values are all scalars (`{"type": "string"}`, a
    `$ref`, a property written the same way in many schemas) become one shared object. The
    document must then be read only: the diff reads a 50,000-operation document in about half the
    memory (issue 19)."""
    if not text.strip():
        raise SpecError(f"{source}: the document is empty")
    looks_json = prefer == "json" or (prefer == "auto" and text.lstrip()[:1] in "{[")
    if looks_json:
        try:
            data = json.loads(text, object_pairs_hook=_SharedLeaves()) if share_equal else json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{source}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise SpecError(f"{source}: {TOO_DEEP}") from None
        except ValueError as exc:  # an integer past Python's digit limit (sys.get_int_max_str_digits)
            raise SpecError(f"{source}: invalid JSON: {str(exc).split(';')[0]}; refusing to read it") from None
    else:
        data = _load_yaml(text, source)
    if isinstance(data, str) and data.lstrip()[:1] == "<":
        raise SpecError(f"{source}: not an OpenAPI document (it looks like HTML or XML)")
    if not isinstance(data, dict):
        raise SpecError(f"{source}: not an OpenAPI document (top level is {type(data).__name__}, not an object)")
    if looks_json:
        check_depth(data, source)  # JSON never shares a node: only the depth can hurt
    else:
        check_shape(data, source)
    return data


class _SharedLeaves:
    """json's object_pairs_hook: one dict per distinct object of scalars (a key is hashable only
    when every value is a scalar; `1`, `1.0` and `true` are equal keys, so a hit checks types)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        try:
            key = tuple(pairs)
            shared = self._seen.get(key)
        except TypeError:  # a nested object or array: not shared
            return dict(pairs)
        if shared is None:
            shared = self._seen[key] = dict(pairs)
            return shared
        for (_, value), kept in zip(pairs, shared.values(), strict=True):
            if type(value) is not type(kept):
                return dict(pairs)
        return shared


# Real documents are a few dozen levels deep; every engine downstream (validator, normalizer,
# hypothesis strategies) recurses per level, so a bound here keeps them all away from the
# interpreter's recursion limit.
MAX_DEPTH = 256
# YAML aliases share one object, so a small file can stand for billions of nodes ("billion laughs"
# with only 81 aliases); whatever later walks or serializes the document pays for the expansion.
MAX_ALIAS_EXPANSION = 1_000_000
TOO_DEEP = f"the document is nested more than {MAX_DEPTH} levels deep; refusing to read it"


def check_depth(data: Any, source: str) -> None:
    """Refuse a tree nested deeper than MAX_DEPTH; one level at a time, so it is fast on big
    documents (only for trees: a YAML DAG with aliases would be walked once per path)."""
    level = [data] if isinstance(data, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise SpecError(f"{source}: {TOO_DEEP}")
        below: list[Any] = []
        for node in level:
            below.extend(child for child in (node.values() if isinstance(node, dict) else node) if isinstance(child, (dict, list)))
        level = below


def check_shape(data: Any, source: str) -> None:
    """Refuse a parsed document that is nested deeper than MAX_DEPTH, refers to itself (a YAML
    alias inside its own anchor), or whose YAML aliases expand it by more than MAX_ALIAS_EXPANSION
    nodes. Iterative and memoized per shared object, so a bomb costs only its distinct nodes."""
    # id(container) -> (nodes once expanded, depth); scalars count 1 node, depth 0.
    measured: dict[int, tuple[int, int]] = {}
    in_progress: set[int] = set()
    distinct = 0
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        if children_done:
            size, depth = 1, 0
            for child in children:
                if isinstance(child, (dict, list)):
                    child_size, child_depth = measured[id(child)]
                    size, depth = size + child_size, max(depth, child_depth)
                else:
                    size += 1
            measured[key] = (size, depth + 1)
            in_progress.discard(key)
            if depth + 1 > MAX_DEPTH:
                raise SpecError(f"{source}: {TOO_DEEP}")
            continue
        if key in measured:
            continue
        in_progress.add(key)
        distinct += 1 + sum(1 for child in children if not isinstance(child, (dict, list)))
        stack.append((node, True))
        for child in children:
            if isinstance(child, (dict, list)) and id(child) not in measured:
                if id(child) in in_progress:
                    raise SpecError(f"{source}: a YAML alias refers to the node that contains it (a self-referencing document)")
                stack.append((child, False))
        # A path this deep is refused anyway; stop before the stack of pending nodes grows with it.
        if len(in_progress) > MAX_DEPTH:
            raise SpecError(f"{source}: {TOO_DEEP}")
    expanded = measured[id(data)][0] if isinstance(data, (dict, list)) else 1
    if expanded - distinct > MAX_ALIAS_EXPANSION:
        raise SpecError(
            f"{source}: YAML aliases expand the document to {expanded:,} nodes from {distinct:,}; "
            "refusing a possible alias bomb"
        )


def _load_yaml(text: str, source: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_loader_class())  # noqa: S506 - the loader is a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecError(f"{source}: invalid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.reader.ReaderError as exc:
        # Its own text spans two lines and counts characters from the start of the stream.
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise SpecError(f"{source}: invalid YAML at line {line}, column {column}: {_describe_character(exc.character)} is not allowed") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{source}: invalid YAML: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise SpecError(f"{source}: {TOO_DEEP}") from None


def _describe_character(character: int | str) -> str:
    # We always hand PyYAML text, so an int here is a code point, not a byte.
    return f"character U+{ord(character) if isinstance(character, str) else character:04X}"


_LOADER: Any = None


def _loader_class() -> Any:
    """A SafeLoader that refuses documents with many aliases (a "billion laughs" bomb) and keeps
    keys such as `200` or `on` as strings, as OpenAPI means them."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class _SpecLoader(yaml.SafeLoader):
        max_aliases = 10_000

        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._aliases_seen = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self._aliases_seen += 1
                if self._aliases_seen > self.max_aliases:
                    raise yaml.MarkedYAMLError(
                        problem=f"more than {self.max_aliases} aliases; refusing a possible alias bomb",
                        problem_mark=self.peek_event().start_mark,
                    )
            return super().compose_node(parent, index)

    def refuse(node: Any, problem: str) -> Any:
        raise yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)

    # OpenAPI keys are strings: `200:` and `1.0:` must not become int/float.
    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                refuse(key_node, f"a {key_node.id} used as a mapping key; OpenAPI keys are strings")
            key = key_node.value if key_node.tag in (
                "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
                "tag:yaml.org,2002:timestamp",
            ) else loader.construct_object(key_node, deep=deep)
            if not isinstance(key, str):
                refuse(key_node, f"a {type(key).__name__} used as a mapping key; OpenAPI keys are strings")
            mapping[key] = loader.construct_object(value_node, deep=deep)
        return mapping

    # `example: 2024-01-01` is a string in OpenAPI (JSON has no dates): keep it as written
    def construct_timestamp(loader: Any, node: Any) -> str:
        return str(node.value)

    def construct_binary(loader: Any, node: Any) -> Any:
        return refuse(node, "a !!binary value; a JSON document holds no bytes (write the base64 text as a string)")

    def construct_int(loader: Any, node: Any) -> Any:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > 4000:
            refuse(node, f"an integer with {digits} digits; refusing numbers longer than 4000 digits")
        return yaml.SafeLoader.construct_yaml_int(loader, node)

    _SpecLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    _SpecLoader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    _SpecLoader.add_constructor("tag:yaml.org,2002:binary", construct_binary)
    _SpecLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
    _LOADER = _SpecLoader
    return _LOADER


def read_document_file(path: Path, *, share_equal: bool = False) -> dict[str, Any]:
    """Read a spec file; a missing or unreadable file is a one-line SpecError naming it.
    `share_equal`: see `parse_document` (the document must be read only)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SpecError(f"{path}: is a directory, not a spec file") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    del raw  # the bytes are not needed while the text is parsed (48 MB on a 50,000-operation file)
    prefer = "json" if path.suffix.lower() == ".json" else "yaml" if path.suffix.lower() in (".yaml", ".yml") else "auto"
    if prefer == "yaml" and text.lstrip()[:1] == "{":
        prefer = "auto"
    return parse_document(text, source=str(path), prefer=prefer, share_equal=share_equal)


CONVERTED_NOTE = "Swagger 2.0 document converted to OpenAPI 3.0.3 (x-apiparity-converted-from: 2.0)"


def as_openapi3(document: dict[str, Any], source: str) -> dict[str, Any]:
    """The document as OpenAPI 3.x: Swagger 2.0 converted, 3.0/3.1 as they are, anything else refused."""
    if "swagger" in document and "openapi" not in document:
        from apiparity.targets.swagger2 import convert_swagger2

        document = convert_swagger2(document, source)
    check_openapi_version(document, source)
    return document


def conversion_notes(document: dict[str, Any]) -> list[str]:
    return [CONVERTED_NOTE] if document.get("x-apiparity-converted-from") == "2.0" else []


def check_openapi_version(document: dict[str, Any], source: str) -> str:
    """Return the document's major.minor OpenAPI version; refuse what is not OpenAPI 3.0/3.1."""
    if "swagger" in document and "openapi" not in document:
        raise SpecError(f"{source}: Swagger {document.get('swagger')!r} is not an OpenAPI 3 document; read it with as_openapi3")
    version = document.get("openapi")
    if version is None:
        raise SpecError(f"{source}: not an OpenAPI document (no `openapi` version field)")
    text = str(version)
    if not (text.startswith("3.0") or text.startswith("3.1")):
        raise SpecError(f"{source}: unsupported OpenAPI version {text!r}; apiparity reads OpenAPI 3.0.x and 3.1.x, and Swagger 2.0")
    return text[:3]
