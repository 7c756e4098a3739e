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
    """Refuse a tree nested deeper than MAX_DEPTH, or a `$ref` that never resolves
    (`check_ref_cycles`); one level at a time, so it is fast on big documents (only for trees: a
    YAML DAG with aliases would be walked once per path)."""
    level = [data] if isinstance(data, (dict, list)) else []
    depth = 0
    references: list[dict[str, Any]] = []
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise SpecError(f"{source}: {TOO_DEEP}")
        below: list[Any] = []
        for node in level:
            if isinstance(node, dict):
                if "$ref" in node:
                    references.append(node)
                below.extend(child for child in node.values() if isinstance(child, (dict, list)))
            else:
                below.extend(child for child in node if isinstance(child, (dict, list)))
        level = below
    check_ref_cycles(data, references, source)


def check_ref_cycles(data: Any, references: list[dict[str, Any]], source: str) -> None:
    """Refuse a local `$ref` that never reaches a value: following `$ref`s from it comes back to
    itself (`A: {$ref: B}`, `B: {$ref: A}`). Every command reads such a document as something else
    (the diff as nothing, the validator as a problem), so it is bad input. `references` holds the
    objects with a `$ref` key; only chains of `$ref` to `$ref` are followed, so this costs nothing
    on a document without them. A recursive schema (`A.children.items: {$ref: A}`) is no cycle."""
    resolved: set[int] = set()  # ids of ref objects known to reach a value
    for start in references:
        chain: list[str] = []
        seen: dict[int, int] = {}
        node: Any = start
        while isinstance(node, dict) and id(node) not in resolved:
            ref = node.get("$ref")
            if not (isinstance(ref, str) and ref.startswith("#")):
                break
            if id(node) in seen:
                cycle = chain[seen[id(node)]:]
                if _is_reference(data, cycle):
                    raise SpecError(f"{source}: {_cycle_text(cycle)}")
                break
            seen[id(node)] = len(chain)
            chain.append(_target_pointer(ref))
            node = _lookup_pointer(data, chain[-1])
        resolved.update(seen)


def _target_pointer(ref: str) -> str:
    from urllib.parse import unquote

    return unquote(ref[1:])


def _lookup_pointer(data: Any, pointer: str) -> Any:
    from apiparity.spec.pointer import MISSING, lookup

    found = lookup(data, pointer)
    return None if found is MISSING else found


def _is_reference(data: Any, cycle: list[str]) -> bool:
    """Whether each `$ref` of the cycle stands where a reference is meant, not inside example data
    (`example`, `default`, `enum`, `const`, `x-...`), where `$ref` is just a key."""
    from apiparity.spec.pointer import split

    data_keys = ("example", "examples", "default", "enum", "const")
    for pointer in cycle:
        for token in split(pointer)[:-1]:
            if token in data_keys or token.startswith("x-"):
                return False
    return True


def _cycle_text(cycle: list[str]) -> str:
    start = cycle.index(min(cycle))
    ordered = cycle[start:] + cycle[:start]
    prefix = "/components/schemas/"

    def short(pointer: str) -> str:
        return pointer[len(prefix):] if pointer.startswith(prefix) and "/" not in pointer[len(prefix):] else pointer or "/"

    names = " -> ".join(short(pointer) for pointer in [*ordered, ordered[0]])
    return f"$ref cycle at {ordered[0] or '/'}: {names} never reaches a value (each only refers to the next)"


def check_shape(data: Any, source: str) -> None:
    """Refuse a parsed document that is nested deeper than MAX_DEPTH, refers to itself (a YAML
    alias inside its own anchor), or whose YAML aliases expand it by more than MAX_ALIAS_EXPANSION
    nodes. Iterative and memoized per shared object, so a bomb costs only its distinct nodes."""
    # id(container) -> (nodes once expanded, depth); scalars count 1 node, depth 0.
    measured: dict[int, tuple[int, int]] = {}
    in_progress: set[int] = set()
    references: list[dict[str, Any]] = []
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
        if isinstance(node, dict) and "$ref" in node:
            references.append(node)
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
    check_ref_cycles(data, references, source)


def _load_yaml(text: str, source: str) -> Any:
    """libyaml's parser when it is there (6x faster on a 3 MB document) and the text cannot hold more
    aliases than allowed; on any error the pure-Python loader reads it again for the exact message
    (line, column, its wording), so both give the same answers."""
    import yaml

    fast = _fast_loader_class()
    if fast is not None and _possible_aliases(text) <= _MAX_ALIASES:
        try:
            return yaml.load(text, Loader=fast)  # noqa: S506 - a CSafeLoader subclass
        except (yaml.YAMLError, RecursionError):
            pass  # the pure-Python loader below names the problem
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


_MAX_ALIASES = 10_000
# An alias is `*name` after a space, a line start or a flow indicator: every alias matches (so do
# some `*` in plain text), so a count under the limit proves the document is under it.
_ALIAS_CANDIDATE = None


def _possible_aliases(text: str) -> int:
    global _ALIAS_CANDIDATE
    if "*" not in text:
        return 0
    if _ALIAS_CANDIDATE is None:
        import re

        _ALIAS_CANDIDATE = re.compile(r"(?:^|[\s\[{,:?-])\*[^\s,\[\]{}]")
    return sum(1 for _ in _ALIAS_CANDIDATE.finditer(text))


def _describe_character(character: int | str) -> str:
    # We always hand PyYAML text, so an int here is a code point, not a byte.
    return f"character U+{ord(character) if isinstance(character, str) else character:04X}"


_LOADER: Any = None
_FAST_LOADER: Any = None


def _loader_class() -> Any:
    """A SafeLoader that refuses documents with many aliases (a "billion laughs" bomb), duplicate
    keys, and keeps keys such as `200` or `on` as strings, as OpenAPI means them."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class _SpecLoader(yaml.SafeLoader):
        max_aliases = _MAX_ALIASES

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

    _LOADER = _with_spec_constructors(_SpecLoader)
    return _LOADER


def _fast_loader_class() -> Any:
    """The same constructors over libyaml's parser (None without libyaml); the caller checks the
    alias count first, since libyaml composes without the pure-Python loader's hook."""
    global _FAST_LOADER
    if _FAST_LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", None)
        if base is None:
            _FAST_LOADER = False
        else:
            _FAST_LOADER = _with_spec_constructors(type("_FastSpecLoader", (base,), {}))
    return _FAST_LOADER or None


def _with_spec_constructors(loader: Any) -> Any:
    import yaml

    def refuse(node: Any, problem: str) -> Any:
        raise yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)

    # OpenAPI keys are strings: `200:` and `1.0:` must not become int/float. A key written twice in
    # one mapping is refused (YAML 1.2 forbids it; the last one silently winning hides half the document).
    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        written = [key for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
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
        if len(mapping) < len(node.value) and len(written) > len({key.value for key in written}):
            _refuse_duplicate(written, refuse)
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

    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    loader.add_constructor("tag:yaml.org,2002:binary", construct_binary)
    loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    return loader


def _refuse_duplicate(keys: list[Any], refuse: Any) -> None:
    first: dict[str, Any] = {}
    for key in keys:
        if key.value in first:
            refuse(key, f"duplicate key {key.value!r} (first at line {first[key.value].start_mark.line + 1}); a key may appear once in a mapping")
        first[key.value] = key


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
