"""Which operation of OLD's document a recorded request belongs to, and what in it the document
does not describe (an unknown path, an undocumented method, a query parameter under an old name).

Matching follows OpenAPI's rule that a concrete path wins over a templated one
(`/books/search` before `/books/{book_id}`), after removing the document's base path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from apiparity.spec.methods import HTTP_METHODS
from apiparity.spec.contract import Contract, OperationContract

_NUMBERISH = re.compile(r"^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")


@dataclass(slots=True)
class _Template:
    template: str
    pattern: re.Pattern[str]
    literal_segments: int
    methods: dict[str, tuple[set[str], bool]] = field(default_factory=dict)  # METHOD -> (query names, any name allowed)


@dataclass(slots=True, frozen=True)
class Match:
    operation: str  # "GET /books/{book_id}", or "GET /v1/books/{n} (undocumented)"
    api_path: str  # the path without the document's base path (what transports prefix with each side's)
    under_base_path: bool  # False: the path is outside the base path; sent from the server root
    undocumented: str | None = None  # why the document does not describe this request
    documented: bool = True  # the operation exists in the document (even when a parameter does not)
    tags: tuple[str, ...] = ()
    operation_id: str | None = None


class OperationIndex:
    """Path templates and query parameter names of one OpenAPI document."""

    def __init__(self, document: Contract | dict[str, Any], base_path: str = "") -> None:
        self.contract = Contract.of(document)  # the document's contract model, read once per run
        self.document = self.contract.document
        self.base_path = base_path.rstrip("/")
        self.labels: list[str] = []  # documented operations, in document order
        self.details: dict[str, tuple[list[str], str | None]] = {}  # label -> (tags, operationId), for selectors
        templates = []
        for template in self.contract.paths():
            if self.contract.path_item(template) is None:
                continue
            entry = _Template(template, _compile(template), sum(1 for s in template.split("/") if s and "{" not in s))
            for method in HTTP_METHODS:
                operation = self.contract.operation(method, template)
                if operation is not None:
                    entry.methods[operation.method] = self._query_names(operation)
                    self.labels.append(operation.label)
                    self.details[operation.label] = (list(operation.tags), operation.raw.get("operationId"))
            templates.append(entry)
        # concrete before templated; then longer first, so the most specific template wins
        self._templates = sorted(templates, key=lambda t: (-t.literal_segments, -len(t.template)))

    def match(self, method: str, path: str, query: str) -> Match:
        under = not self.base_path or path == self.base_path or path.startswith(self.base_path + "/")
        api_path = path[len(self.base_path):] or "/" if under and self.base_path else path
        decoded = unquote(api_path)
        found = [t for t in self._templates if t.pattern.match(decoded)] if under else []
        if not found:
            return Match(f"{method} {_shape(path)} (undocumented)", api_path, under, "path not in OLD's document", documented=False)
        with_method = next((t for t in found if method in t.methods), None)
        if with_method is None:
            return Match(f"{method} {found[0].template} (undocumented)", api_path, under,
                         f"method {method} not documented for {found[0].template}", documented=False)
        names, any_name = with_method.methods[method]
        label = f"{method} {with_method.template}"
        tags, operation_id = self.details[label]
        problem = None
        if not any_name:
            unknown = sorted({name for name, _ in parse_qsl(query, keep_blank_values=True)} - names)
            if unknown:
                listed = ", ".join(repr(n) for n in unknown)
                problem = f"undocumented query parameter{'s' if len(unknown) > 1 else ''} {listed}"
        return Match(label, api_path, under, problem, tags=tuple(tags), operation_id=operation_id)

    @staticmethod
    def _query_names(operation: OperationContract) -> tuple[set[str], bool]:
        names: set[str] = set()
        any_name = False
        for query in operation.parameters_in("query"):
            parameter, schema = query.raw, query.schema
            names.add(query.name)
            style, explode = parameter.get("style", "form"), parameter.get("explode", True)
            if isinstance(schema, dict) and schema.get("type") == "object":
                if style == "deepObject":
                    any_name = True  # name[key]=value: any key of the object
                elif style == "form" and explode:
                    names.update(str(k) for k in (schema.get("properties") or {}))
                    any_name = any_name or schema.get("additionalProperties") not in (None, False)
        return names, any_name


def selected(match: Match, method: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """--include/--exclude with fuzz's selectors (METHOD, /path/glob, 'METHOD /glob', tag:NAME,
    id:OPERATION_ID) over the operation a request matched (an undocumented one by its path shape)."""
    if not include and not exclude:
        return True
    from types import SimpleNamespace

    from apiparity.fuzz.generate import selects

    path = match.operation.split(" ", 1)[1].removesuffix(" (undocumented)")
    item = SimpleNamespace(method=method, path=path, tags=list(match.tags), operation_id=match.operation_id)
    if include and not any(selects(s, item) for s in include):  # type: ignore[arg-type]
        return False
    return not any(selects(s, item) for s in exclude)  # type: ignore[arg-type]


def _compile(template: str) -> re.Pattern[str]:
    regex = ""
    for piece in re.split(r"(\{[^}/]+\})", template):
        regex += "[^/]+" if piece.startswith("{") and piece.endswith("}") else re.escape(piece)
    return re.compile(f"^{regex}$")


def _shape(path: str) -> str:
    """/v1/books/12 -> /v1/books/{n}: undocumented paths grouped by shape, not by id."""
    return "/".join("{n}" if _NUMBERISH.match(segment) else segment for segment in path.split("/"))
