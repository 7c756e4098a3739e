"""Validate an OpenAPI document with openapi-spec-validator; every error with its JSON pointer.

Documents come from other people, so before the validator sees one, its `$ref`s are checked here:
a reference to a missing pointer, a reference outside the document (a URL, `file:`, a path out of
the document's folder) and a cycle of references that never reaches a schema each become one
problem naming where the `$ref` is. The validator then runs on a copy without those references,
with resolver handlers that refuse to fetch or read anything, so it can neither hang on the network,
read a local file, nor recurse forever.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from apiparity.spec.pointer import MISSING, escape_token, from_parts, lookup

T = TypeVar("T")

# Keywords under which a referenced schema applies to the same instance: a cycle made only of
# these never consumes any input, so every validator or normalizer would loop on it.
_SAME_INSTANCE_KEYWORDS = ("allOf", "anyOf", "oneOf")
# Deep but legitimate documents (MAX_DEPTH levels in targets.documents) need more Python frames
# than the default 1000; they run on a thread with a stack big enough for them.
_RECURSION_LIMIT = 20_000
_STACK_BYTES = 512 * 1024 * 1024


@dataclass(slots=True, frozen=True)
class ValidationProblem:
    pointer: str  # JSON pointer into the document, "" for the root
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def validate_document(
    document: dict[str, Any],
    *,
    limit: int = 200,
    base_path: Path | None = None,
    allow_external_refs: bool = False,
) -> list[ValidationProblem]:
    """All problems openapi-spec-validator finds (at most `limit`), sorted by pointer.

    `base_path` is the document's file, when it is one: relative `$ref`s to files in its folder (or
    below) are then read, through the same safe loader as the document. Nothing outside that folder
    and no URL is ever read unless `allow_external_refs` is true.
    """
    ref_problems, broken_refs = check_references(document, base_path=base_path, allow_external_refs=allow_external_refs)
    checked = _without_refs(document, broken_refs) if broken_refs else document
    checked = compress_ref_chains(checked)
    problems = list(ref_problems)
    problems.extend(_run_with_deep_stack(lambda: _validator_problems(checked, limit, base_path, allow_external_refs)))
    return sorted(set(problems), key=lambda p: (p.pointer, p.message))[:limit]


def check_references(
    document: dict[str, Any],
    *,
    base_path: Path | None = None,
    allow_external_refs: bool = False,
) -> tuple[list[ValidationProblem], set[str]]:
    """Problems with the document's `$ref`s, and the pointers of the objects holding the bad ones."""
    problems: list[ValidationProblem] = []
    broken: set[str] = set()
    local_refs: dict[str, str] = {}  # pointer of the object holding $ref -> pointer it names
    external_documents: dict[Path, Any] = {}
    for pointer, node in _walk_objects(document):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue  # a non-string $ref is a schema error the validator names
        if ref.startswith("#"):
            target = unquote(ref[1:])
            if lookup(document, target) is MISSING:
                problems.append(ValidationProblem(pointer + "/$ref", f"$ref {ref!r} points at nothing in the document"))
                broken.add(pointer)
            else:
                local_refs[pointer] = target
            continue
        refusal = _external_ref_refusal(ref, base_path, allow_external_refs) or _external_target_problem(
            ref, base_path, external_documents
        )
        if refusal:
            problems.append(ValidationProblem(pointer + "/$ref", refusal))
            broken.add(pointer)
    for cycle in _same_instance_cycles(document, local_refs):
        names = " -> ".join(_short(target) for target in cycle + [cycle[0]])
        where = min(cycle)
        problems.append(ValidationProblem(where, f"$ref cycle {names} never reaches a schema (it only refers back to itself)"))
        broken.update(_holders_of(document, local_refs, cycle))
    return problems, broken


def _external_ref_refusal(ref: str, base_path: Path | None, allow: bool) -> str | None:
    """Why `ref` (not a local `#...` pointer) will not be resolved, or None when it may be."""
    parts = urlsplit(ref)
    if parts.scheme and parts.scheme != "file":
        if allow:
            return None
        return f"$ref {ref!r} is a remote reference; apiparity does not fetch references unless allowed"
    if base_path is None:
        return f"$ref {ref!r} names another file, and this document has no folder to read it from"
    if allow:
        return None
    folder = base_path.resolve().parent
    if parts.scheme == "file":
        target = Path(unquote(parts.path))
    else:
        target = folder / unquote(parts.path)
    if not target.resolve().is_relative_to(folder):
        return f"$ref {ref!r} is outside the document's folder; apiparity does not read it unless allowed"
    return None


def _external_target_problem(ref: str, base_path: Path | None, cache: dict[Path, Any]) -> str | None:
    """For a relative file `$ref` that may be read: a missing file or a pointer to nothing in it."""
    parts = urlsplit(ref)
    if parts.scheme or base_path is None or not parts.path:
        return None
    target = (base_path.resolve().parent / unquote(parts.path)).resolve()
    if target not in cache:
        from apiparity.errors import SpecError
        from apiparity.targets.documents import read_document_file

        try:
            cache[target] = read_document_file(target)
        except SpecError as exc:
            cache[target] = exc
    loaded = cache[target]
    if isinstance(loaded, Exception):
        return f"$ref {ref!r}: {loaded}"
    if parts.fragment and lookup(loaded, unquote(parts.fragment)) is MISSING:
        return f"$ref {ref!r} points at nothing in {target.name}"
    return None


def _same_instance_cycles(document: dict[str, Any], local_refs: dict[str, str]) -> list[list[str]]:
    """Cycles among referenced schemas that pass only through $ref/allOf/anyOf/oneOf/not."""
    edges: dict[str, list[str]] = {}

    def edges_of(target: str) -> list[str]:
        if target not in edges:
            edges[target] = [local_refs[holder] for holder in _same_instance_holders(document, target) if holder in local_refs]
        return edges[target]

    cycles: list[list[str]] = []
    seen_cycles: set[frozenset[str]] = set()
    finished: set[str] = set()
    for start in sorted(set(local_refs.values())):
        if start in finished:
            continue
        # Iterative DFS keeping the current path, so a long chain cannot hit the recursion limit.
        path: list[str] = [start]
        on_path = {start}
        iterators: list[Iterator[str]] = [iter(edges_of(start))]
        while iterators:
            successor = next(iterators[-1], None)
            if successor is None:
                iterators.pop()
                finished.add(path[-1])
                on_path.discard(path.pop())
                continue
            if successor in on_path:
                cycle = path[path.index(successor):]
                if frozenset(cycle) not in seen_cycles:
                    seen_cycles.add(frozenset(cycle))
                    cycles.append(cycle)
            elif successor not in finished:
                path.append(successor)
                on_path.add(successor)
                iterators.append(iter(edges_of(successor)))
    return cycles


def _same_instance_holders(document: dict[str, Any], target: str) -> list[str]:
    """Pointers of the objects holding a local $ref that applies to the same instance as `target`."""
    holders: list[str] = []
    pending = [target]
    while pending:
        pointer = pending.pop()
        node = lookup(document, pointer)
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            holders.append(pointer)
        for keyword in _SAME_INSTANCE_KEYWORDS:
            branches = node.get(keyword)
            if isinstance(branches, list):
                pending.extend(f"{pointer}/{keyword}/{index}" for index in range(len(branches)))
        if isinstance(node.get("not"), dict):
            pending.append(f"{pointer}/not")
    return holders


def _holders_of(document: dict[str, Any], local_refs: dict[str, str], cycle: list[str]) -> set[str]:
    members = set(cycle)
    return {holder for target in cycle for holder in _same_instance_holders(document, target) if local_refs.get(holder) in members}


def _without_refs(document: dict[str, Any], holders: set[str]) -> dict[str, Any]:
    """A copy of `document` with the `$ref` key removed from the objects at `holders`."""
    import copy

    stripped = copy.deepcopy(document)
    for pointer in holders:
        node = lookup(stripped, pointer)
        if isinstance(node, dict):
            node.pop("$ref", None)
    return stripped


_CHECKED_VALUES = ("default", "example", "const", "enum")


def _value_pointer(document: dict[str, Any], value: Any) -> str:
    """Where a value the validator checked against its own schema stands (a `default` or `example`
    that breaks its schema's format: FastAPI's `created_at: datetime = datetime.now()` writes a naive
    timestamp), when the validator gives no path; "" when it is not found or not a scalar."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    stack: list[tuple[Any, tuple[str, ...]]] = [(document, ())]
    while stack:
        node, parts = stack.pop()
        if isinstance(node, dict):
            for key in _CHECKED_VALUES:
                found = node.get(key)
                if found == value or (key == "enum" and isinstance(found, list) and value in found):
                    return from_parts([*parts, key])
            stack.extend((child, (*parts, str(key))) for key, child in reversed(list(node.items())) if isinstance(child, (dict, list)))
        elif isinstance(node, list):
            stack.extend((child, (*parts, str(index))) for index, child in reversed(list(enumerate(node))) if isinstance(child, (dict, list)))
    return ""


def _validator_problems(document: dict[str, Any], limit: int, base_path: Path | None, allow: bool) -> list[ValidationProblem]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(document.get("openapi", ""))
    base_cls = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    validator_cls = type(base_cls.__name__, (base_cls,), {"resolver_handlers": _GuardedHandlers(base_path, allow), **_faster(base_cls)})
    base_uri = base_path.resolve().as_uri() if base_path else ""
    problems: list[ValidationProblem] = []
    try:
        for error in validator_cls(document, base_uri=base_uri).iter_errors():
            error = _most_specific(error)
            path = getattr(error, "absolute_path", None) or getattr(error, "path", None) or []
            pointer = from_parts(path) or _value_pointer(document, getattr(error, "instance", None))
            problems.append(ValidationProblem(pointer, _message(error)))
            if len(problems) >= limit:
                break
    except RecursionError:
        problems.append(ValidationProblem("", "the document is nested too deeply (or has a $ref cycle) to validate"))
    except Exception as exc:  # noqa: BLE001 - the validator itself failed on this document; report, don't crash
        detail = str(exc).splitlines()[0] if str(exc).strip() else ""
        detail = detail if len(detail) <= 200 else detail[:197] + "..."
        reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        if problems:
            problems.append(ValidationProblem("", f"validation stopped early ({reason}) because of the structural problems listed"))
        else:
            problems.append(ValidationProblem("", f"validator failed: {reason}"))
    return problems


_FASTER: dict[type, dict[str, Any]] = {}
# Meta-schema checks of single schemas, by checker and the schema's JSON text: OLD and NEW share
# most of their schemas, and a document repeats some. Bounded: cleared when it grows past this.
_META_CHECKS: dict[tuple[Any, str], Exception | None] = {}
_META_CHECKS_MAX = 50_000


def _faster(base_cls: type) -> dict[str, Any]:
    """Class attributes making openapi-spec-validator's `base_cls` faster, same problems found:

    - its whole-document validator gets a registry crawled once (the OpenAPI 3.1 schema resolves
      `$dynamicRef: #meta` for every schema it meets, and an uncrawled registry crawls every
      metaschema again for each lookup: a third of the time on a 3 MB document);
    - the meta-schema check of each schema (most of the rest) is memoized by the schema's text.
    """
    if base_cls not in _FASTER:
        attributes: dict[str, Any] = {}
        crawled = _crawled(base_cls.schema_validator)  # type: ignore[attr-defined]
        if crawled is not None:
            attributes["schema_validator"] = crawled
        keywords = dict(base_cls.keyword_validators)  # type: ignore[attr-defined]
        keywords["schema"] = type(keywords["schema"].__name__, (keywords["schema"],), {"_get_schema_checker": _memoized_checker})
        attributes["keyword_validators"] = keywords
        _FASTER[base_cls] = attributes
    return _FASTER[base_cls]


def _crawled(validator: Any) -> Any:
    """`validator` (a jsonschema validator of the OpenAPI schema) again, over a crawled registry."""
    try:
        from jsonschema_specifications import REGISTRY
        from referencing import Resource
        from referencing.jsonschema import DRAFT202012

        schema = validator.schema
        resource = Resource.from_contents(schema, default_specification=DRAFT202012)
        if not resource.id():
            return None
        registry = REGISTRY.with_resource(resource.id(), resource).crawl()
        return validator.__class__(schema, registry=registry)
    except Exception:  # noqa: BLE001 - an optimization: the validator's own registry still works
        return None


def _memoized_checker(self: Any, schema: Any, schema_value: Any) -> Callable[[Any], None]:
    import json

    from jsonschema.exceptions import SchemaError, ValidationError

    checker = super(type(self), self)._get_schema_checker(schema, schema_value)
    identity = (getattr(checker, "func", checker), repr(sorted(getattr(checker, "keywords", {}).items(), key=str)))

    def check(value: Any) -> None:
        try:
            key = (identity, json.dumps(value))
        except (TypeError, ValueError):
            checker(value)
            return
        if key in _META_CHECKS:
            error = _META_CHECKS[key]
            if error is not None:
                raise error
            return
        if len(_META_CHECKS) >= _META_CHECKS_MAX:
            _META_CHECKS.clear()
        try:
            checker(value)
        except (SchemaError, ValidationError) as exc:
            _META_CHECKS[key] = exc
            raise
        _META_CHECKS[key] = None

    return check


class _GuardedHandlers(dict):  # type: ignore[type-arg]
    """Resolver handlers for every URI scheme (jsonschema-path falls back to urlopen for a scheme it
    has no handler for): files in the document's folder are read with our safe loader, anything
    else is refused unless external references are allowed."""

    def __init__(self, base_path: Path | None, allow: bool) -> None:
        super().__init__()
        self.base_path = base_path
        self.allow = allow

    def __contains__(self, scheme: object) -> bool:
        return True

    def __missing__(self, scheme: str) -> Callable[[str], Any]:
        return self.resolve

    def resolve(self, uri: str) -> Any:
        from apiparity.targets.documents import parse_document, read_document_file

        parts = urlsplit(uri)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
            folder = self.base_path.resolve().parent if self.base_path else None
            if self.allow or (folder is not None and path.resolve().is_relative_to(folder)):
                return read_document_file(path) if path.suffix else parse_document(path.read_text(), source=str(path))
        elif self.allow and parts.scheme in ("http", "https"):
            import httpx

            response = httpx.get(uri, timeout=10.0)
            response.raise_for_status()
            return parse_document(response.text, source=uri)
        raise ValueError(f"apiparity does not resolve {uri!r}")


def compress_ref_chains(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every local `$ref` that leads to a node holding nothing but another local
    `$ref` pointed straight at the chain's end (a copy; `document` itself when there is no chain).
    The validator resolves every `$ref` it meets from scratch, so a chain of n refs, each of them
    validated, cost n^2 lookups (1,000 chained refs: 88 s); the schemas are the same, so are the
    problems it finds. Cycles are left as they are (check_references reports them)."""
    from apiparity.spec.pointer import lookup

    def pure_local_ref(node: Any) -> str | None:
        if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            return str(node["$ref"])
        return None

    ends: dict[str, str] = {}

    def end_of(ref: str) -> str:
        chain: list[str] = []
        seen: set[str] = set()
        current = ref
        while current not in ends:
            if current in seen:  # a cycle: leave every ref of it as it is
                for item in chain:
                    ends[item] = item
                return ref
            seen.add(current)
            chain.append(current)
            try:
                target = lookup(document, current[1:])
            except Exception:  # noqa: BLE001 - a pointer that leads nowhere is reported elsewhere
                target = None
            following = pure_local_ref(target)
            if following is None:
                ends[current] = current
                break
            current = following
        final = ends[current]
        for item in chain:
            ends[item] = final
        return final

    changed = False
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and end_of(ref) != ref:
                changed = True
                break
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if not changed:
        return document

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: rewrite(v) for k, v in node.items()}
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                out["$ref"] = end_of(ref)
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    return _run_with_deep_stack(lambda: rewrite(document))


def _run_with_deep_stack(func: Callable[[], T]) -> T:
    """Run `func` on a thread with a large stack and a raised recursion limit."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = func()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
            outcome["error"] = exc

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    try:
        threading.stack_size(_STACK_BYTES)
        thread = threading.Thread(target=run, name="apiparity-validate", daemon=True)
        threading.stack_size(old_stack)
    except (ValueError, RuntimeError):  # a platform that refuses big stacks: run here instead
        return func()
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _walk_objects(document: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object in the document with its pointer, iteratively."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            yield pointer, node
            stack.extend(
                (f"{pointer}/{escape_token(key)}", value)
                for key, value in node.items()
                if isinstance(value, (dict, list)) and not _is_data_keyword(key)
            )
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{index}", value) for index, value in enumerate(node) if isinstance(value, (dict, list)))


def _is_data_keyword(key: Any) -> bool:
    """Keys whose values are example data or extensions, where a `$ref` key is not a reference."""
    return key in ("example", "default", "enum", "const") or (isinstance(key, str) and key.startswith("x-"))


def _short(pointer: str) -> str:
    prefix = "/components/schemas/"
    return pointer[len(prefix):] if pointer.startswith(prefix) and "/" not in pointer[len(prefix):] else pointer or "/"


def _most_specific(error: Any) -> Any:
    """For oneOf/anyOf failures, the sub-error jsonschema judges most relevant: it names the
    deepest pointer and the actual problem instead of "not valid under any of the schemas"."""
    from jsonschema.exceptions import best_match

    while getattr(error, "context", None):
        deeper = best_match(error.context)
        if deeper is None or deeper is error:
            break
        error = deeper
    return error


def _message(error: Any) -> str:
    text = getattr(error, "message", None) or str(error)
    text = text.splitlines()[0]
    return text if len(text) <= 300 else text[:297] + "..."
