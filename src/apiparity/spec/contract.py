"""The contract model the runtime reads: one document's operations, their parameters, request
bodies, responses, links and security, with every `$ref` on the way followed once.

fuzz (probes, divergence labels, links, stateful steps, the value pool) and traffic (matching a
recorded request to its operation) ask the same questions of a document: "the parameters of
GET /books/{id}", "the schema NEW declares for a 404", "the credentials this operation needs".
They ask them of a `Contract`, built once per document per run (`Contract(document)` is cheap:
each operation is read the first time it is asked for, then kept), instead of walking the raw
dict each with its own `$ref` handling.

What it is built from, and why not `spec.normalize.NormalizedDocument` (the diff's model): the
runtime reads what a document *says* (`type: "integer"` as written, `example`, `nullable`, an
`anyOf` with a null branch, the `X-Fields` header a diff counts as noise), never the diff's
canonical form, which merges and rewrites schemas; and it must never raise on a broken document
(a label is unlabelled, never a crash), where normalization stops with a one-line error. So the
model holds the raw nodes (shared with the document: read them, never change them) and resolves
local references with the one never-raising resolver `spec.refs.follow_local_refs`; remote and
file references are bundled before a run (`spec.refs.bundle_external_refs`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from apiparity.spec.methods import HTTP_METHODS
from apiparity.spec.refs import follow_local_refs

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ParameterContract:
    name: str
    location: str | None  # path | query | header | cookie, as written (`in`)
    required: bool
    schema: Any  # `schema` with its `$ref`s followed; None when absent or unresolvable
    raw: dict[str, Any]  # the parameter object, `$ref` followed (the document's own: never changed)

    @property
    def schema_dict(self) -> dict[str, Any]:
        """The schema when it is an object, else `{}`."""
        return self.schema if isinstance(self.schema, dict) else {}


@dataclass(frozen=True, slots=True)
class MediaContract:
    media_type: str  # as written ("application/json; charset=utf-8")
    schema: Any  # `$ref` followed; None when absent
    raw: Mapping[str, Any]

    @property
    def is_json(self) -> bool:
        return "json" in self.media_type


@dataclass(frozen=True, slots=True)
class RequestBodyContract:
    required: bool
    content: Mapping[str, MediaContract]  # by media type as written, in document order
    raw: Mapping[str, Any]

    def json_media(self) -> MediaContract | None:
        """The first JSON media type."""
        return next((media for media in self.content.values() if media.is_json), None)


@dataclass(frozen=True, slots=True)
class ResponseContract:
    status: str  # as written: "200", "2XX", "default"
    content: Mapping[str, MediaContract]
    headers: Mapping[str, Any]  # name as written -> header object, `$ref` followed
    links: Mapping[str, Mapping[str, Any]]  # name -> link object, `$ref` followed (unresolvable ones left out)
    raw: Mapping[str, Any]

    def json_schemas(self) -> list[Any]:
        """The schemas of its JSON media types, in document order (absent ones as None)."""
        return [media.schema for media in self.content.values() if media.is_json]


@dataclass(frozen=True, slots=True)
class OperationContract:
    method: str  # upper case
    path: str  # the path template as written
    operation_id: str | None
    tags: tuple[str, ...]
    # path-level parameters the operation does not redefine (same name and `in`) first, then its own
    parameters: tuple[ParameterContract, ...]
    request_body: RequestBodyContract | None
    responses: Mapping[str, ResponseContract]  # by status as written, in document order
    security: tuple[Any, ...] | None  # the effective requirements (the operation's, else the document's); None when not a list
    raw: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def parameters_in(self, location: str) -> list[ParameterContract]:
        return [p for p in self.parameters if p.location == location]

    def parameter(self, location: str, name: str) -> ParameterContract | None:
        return next((p for p in self.parameters if p.location == location and p.name == name), None)

    def response_for(self, status: int) -> ResponseContract | None:
        """The response declared for an answer with `status`: its own, else its range (`4XX`),
        else `default` (an empty declaration falls through to the next); None when none applies
        or the chosen one cannot be read."""
        for key in (str(status), f"{status // 100}XX", "default"):
            if self.raw_responses.get(key):
                return self.responses.get(key)
        return None

    @property
    def raw_responses(self) -> Mapping[str, Any]:
        responses = self.raw.get("responses")
        return {str(k): v for k, v in responses.items()} if isinstance(responses, dict) else _EMPTY


class Contract:
    """The operations of one document (OpenAPI 3.0/3.1, or Swagger 2.0 converted to 3.0), read on demand."""

    __slots__ = ("_methods", "_operations", "document")

    def __init__(self, document: Mapping[str, Any] | None) -> None:
        self.document: Mapping[str, Any] = document if isinstance(document, Mapping) else _EMPTY
        self._operations: dict[tuple[str, str], OperationContract | None] = {}
        self._methods: dict[str, frozenset[str]] = {}

    @classmethod
    def of(cls, source: Contract | Mapping[str, Any] | None) -> Contract:
        """`source` itself when it is a contract, else the contract of the raw document."""
        return source if isinstance(source, Contract) else cls(source)

    # ------------------------------------------------------------------ reading nodes

    def resolve(self, node: Any) -> Any:
        """`node` with its chain of local `$ref`s followed; None when a reference leads nowhere.
        Never raises: a reference cycle stops after a bounded number of hops."""
        return follow_local_refs(self.document, node)

    def resolve_dict(self, node: Any) -> dict[str, Any] | None:
        resolved = self.resolve(node)
        return resolved if isinstance(resolved, dict) else None

    @property
    def security(self) -> Any:
        """The document-level security requirements, as written."""
        return self.document.get("security")

    def security_scheme(self, name: str) -> dict[str, Any] | None:
        components = self.document.get("components")
        schemes = components.get("securitySchemes") if isinstance(components, dict) else None
        return self.resolve_dict(schemes.get(name)) if isinstance(schemes, dict) else None

    # ------------------------------------------------------------------ operations

    def paths(self) -> list[str]:
        paths = self.document.get("paths")
        return [str(p) for p in paths] if isinstance(paths, dict) else []

    def path_item(self, path: str) -> dict[str, Any] | None:
        """The path item of `path` (a `$ref`-ed one followed)."""
        paths = self.document.get("paths")
        return self.resolve_dict(paths.get(path)) if isinstance(paths, dict) else None

    def path_methods(self, path: str) -> frozenset[str]:
        """Upper-case methods the document declares on `path`."""
        found = self._methods.get(path)
        if found is None:
            item = self.path_item(path) or {}
            found = self._methods[path] = frozenset(m.upper() for m in HTTP_METHODS if isinstance(item.get(m), dict))
        return found

    def operation(self, method: str, path: str) -> OperationContract | None:
        """The operation `method path` (`method` in any case), or None when the document has none."""
        key = (method.upper(), path)
        if key not in self._operations:
            self._operations[key] = self._read(key[0], path)
        return self._operations[key]

    def operation_of(self, label: str) -> OperationContract | None:
        """The operation of a label "GET /books/{id}"."""
        method, _, path = label.partition(" ")
        return self.operation(method, path)

    def operations(self) -> Iterator[OperationContract]:
        """Every operation, in document order (paths, then methods as their path item lists them)."""
        for path in self.paths():
            item = self.path_item(path) or {}
            for key in item:
                found = self.operation(key, path) if key in HTTP_METHODS and isinstance(item[key], dict) else None
                if found is not None:
                    yield found

    def _read(self, method: str, path: str) -> OperationContract | None:
        item = self.path_item(path)
        raw = item.get(method.lower()) if item is not None else None
        if item is None or not isinstance(raw, dict):
            return None
        operation_id, tags = raw.get("operationId"), raw.get("tags")
        security = raw.get("security", self.security)
        return OperationContract(
            method=method,
            path=path,
            operation_id=None if operation_id is None else str(operation_id),
            tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            parameters=self._parameters(item, raw),
            request_body=self._request_body(raw.get("requestBody")),
            responses=self._responses(raw.get("responses")),
            security=tuple(security) if isinstance(security, list) else None,
            raw=raw,
        )

    def _parameter_list(self, holder: Mapping[str, Any]) -> list[dict[str, Any]]:
        raw = holder.get("parameters")
        resolved = [self.resolve_dict(p) for p in raw] if isinstance(raw, list) else []
        return [p for p in resolved if p is not None and "name" in p]

    def _parameters(self, item: Mapping[str, Any], operation: Mapping[str, Any]) -> tuple[ParameterContract, ...]:
        own = self._parameter_list(operation)
        redefined = {(p["name"], p.get("in")) for p in own}
        shared = [p for p in self._parameter_list(item) if (p["name"], p.get("in")) not in redefined]
        return tuple(self._parameter(p) for p in [*shared, *own])

    def _parameter(self, raw: dict[str, Any]) -> ParameterContract:
        location = raw.get("in")
        return ParameterContract(
            name=str(raw["name"]),
            location=None if location is None else str(location),
            required=bool(raw.get("required")) or location == "path",
            schema=self.resolve(raw.get("schema")),
            raw=raw,
        )

    def _content(self, raw: Any) -> Mapping[str, MediaContract]:
        if not isinstance(raw, dict):
            return _EMPTY
        return MappingProxyType({
            str(media_type): MediaContract(str(media_type), self.resolve(media.get("schema")), media)
            for media_type, media in raw.items() if isinstance(media, dict)
        })

    def _request_body(self, raw: Any) -> RequestBodyContract | None:
        body = self.resolve_dict(raw)
        if body is None:
            return None
        return RequestBodyContract(required=bool(body.get("required")), content=self._content(body.get("content")), raw=body)

    def _responses(self, raw: Any) -> Mapping[str, ResponseContract]:
        if not isinstance(raw, dict):
            return _EMPTY
        responses: dict[str, ResponseContract] = {}
        for status, entry in raw.items():
            response = self.resolve_dict(entry)
            if response is None:
                continue
            headers = response.get("headers")
            links = response.get("links")
            responses[str(status)] = ResponseContract(
                status=str(status),
                content=self._content(response.get("content")),
                headers=MappingProxyType({str(n): self.resolve(h) for n, h in headers.items()}) if isinstance(headers, dict) else _EMPTY,
                links=MappingProxyType({
                    str(n): link for n, link in ((n, self.resolve_dict(v)) for n, v in links.items()) if link is not None
                }) if isinstance(links, dict) else _EMPTY,
                raw=response,
            )
        return MappingProxyType(responses)
