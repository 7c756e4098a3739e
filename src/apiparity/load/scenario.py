"""The request mix of a load run: one ordered list of requests that both sides receive.

Two sources: valid requests generated from the OLD document (schemathesis positive cases,
reproducible with a seed), or a file of recorded requests (JSONL, one request per line, or HAR).
Paths are always relative ("/books/1"): the mix never names a host, so traffic goes only to the
base URLs the user gave.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from apiparity.errors import ApiparityError
from apiparity.spec.methods import HTTP_METHODS

SAFE_METHODS = frozenset({"GET", "HEAD"})
# Headers the load generator sets itself, or that describe one recorded connection rather than
# the request: replaying them would be wrong (Host) or misleading (Content-Length).
_DROPPED_HEADERS = frozenset({"host", "content-length", "connection", "transfer-encoding", "accept-encoding", "cookie"})


@dataclass(slots=True)
class LoadRequest:
    """One request of the mix. `operation` is the stats label ("GET /books/{book_id}")."""

    method: str
    path: str  # starts with "/", parameters filled in, no query string
    operation: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # JSON value sent as JSON, or a str sent as is
    media_type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["query"] = [list(pair) for pair in self.query]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoadRequest:
        return cls(
            method=data["method"],
            path=data["path"],
            operation=data["operation"],
            query=[(str(k), str(v)) for k, v in data.get("query") or []],
            headers=dict(data.get("headers") or {}),
            body=data.get("body"),
            media_type=data.get("media_type"),
        )


class UnsafeMethodError(ApiparityError):
    """The mix holds requests with side effects and --allow-unsafe was not given."""


def check_methods(requests: list[LoadRequest], *, allow_unsafe: bool, source: str) -> None:
    """Refuse unsafe methods unless allowed: load runs repeat each request many times."""
    if allow_unsafe:
        return
    unsafe = sorted({r.method for r in requests if r.method not in SAFE_METHODS})
    if unsafe:
        first = next(r for r in requests if r.method not in SAFE_METHODS)
        raise UnsafeMethodError(
            f"{source}: {', '.join(unsafe)} request(s) (first: {first.method} {first.path}) would be repeated "
            "many times against both sides; only GET/HEAD are sent unless you pass --allow-unsafe"
        )


# ----------------------------------------------------------------------------------- from the OLD document


def from_document(
    document: dict[str, Any],
    *,
    seed: int,
    per_operation: int = 10,
    allow_unsafe: bool = False,
    source: str = "OLD document",
) -> list[LoadRequest]:
    """Valid requests for the document's operations, `per_operation` each, interleaved.

    Only GET/HEAD operations unless `allow_unsafe`. The same seed gives the same list.
    Interleaving (op1 #1, op2 #1, ..., op1 #2, ...) keeps the mix even when a run is cut short.
    """
    import schemathesis
    from schemathesis.generation import GenerationMode

    try:
        schema = schemathesis.openapi.from_dict(document)
    except Exception as exc:  # noqa: BLE001 - any loader failure is bad input here
        raise ApiparityError(f"{source}: cannot build requests from the document: {exc}") from None
    per_op: list[list[LoadRequest]] = []
    skipped: list[str] = []
    for result in schema.get_all_operations():
        try:
            operation = result.ok()  # type: ignore[union-attr]  # Err has no ok(): raises, caught below
        except Exception as exc:  # noqa: BLE001 - an operation schemathesis cannot read is skipped, not fatal
            skipped.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            continue
        method = operation.method.upper()
        if method not in SAFE_METHODS and not allow_unsafe:
            continue
        label = f"{method} {operation.path}"
        strategy = operation.as_strategy(GenerationMode.POSITIVE)
        cases = _draw(strategy, count=per_operation, seed=seed)
        per_op.append([_case_to_request(case, label) for case in cases])
    requests = [item for batch in _interleave(per_op) for item in batch]
    if not requests:
        kinds = "operations" if allow_unsafe else "GET/HEAD operations (pass --allow-unsafe for the others)"
        raise ApiparityError(f"{source}: no {kinds} to build a load scenario from")
    return requests


def _draw(strategy: Any, *, count: int, seed: int) -> list[Any]:
    """`count` examples of a hypothesis strategy, reproducibly, outside a test run."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings

    drawn: list[Any] = []

    @hypothesis.seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(case: Any) -> None:
        drawn.append(case)

    collect()
    return drawn[:count]


def _case_to_request(case: Any, label: str) -> LoadRequest:
    # as_transport_kwargs applies the document's parameter serialization (styles, explode).
    kwargs = case.as_transport_kwargs(base_url="http://placeholder.invalid")
    parts = urlsplit(kwargs["url"])
    query: list[tuple[str, str]] = []
    for key, value in (kwargs.get("params") or {}).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        query.extend((str(key), _query_text(v)) for v in values)
    generated = {name.lower() for name in (case.headers or {})}
    headers = {k: str(v) for k, v in kwargs["headers"].items() if k.lower() in generated or k.lower() == "content-type"}
    body: Any = None
    if "json" in kwargs:
        body = kwargs["json"]
    elif kwargs.get("data") is not None:
        data = kwargs["data"]
        body = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return LoadRequest(
        method=kwargs["method"].upper(),
        path=parts.path or "/",
        operation=label,
        query=query,
        headers=headers,
        body=body,
        media_type=case.media_type,
    )


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _interleave(groups: list[list[LoadRequest]]) -> list[list[LoadRequest]]:
    longest = max((len(g) for g in groups), default=0)
    return [[g[i] for g in groups if i < len(g)] for i in range(longest)]


# ----------------------------------------------------------------------------------- from a file


def from_file(path: str | Path, *, document: dict[str, Any] | None = None) -> list[LoadRequest]:
    """Recorded requests: JSONL (``{"method","path","query","headers","body"}`` per line) or HAR
    (a ``.har`` file, or JSON with ``log.entries``). Operation labels come from the document's path
    templates when one is given, else from a ``name``/``operation`` key, else method + path."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ApiparityError(f"{file}: cannot read requests file ({exc.strerror or exc})") from None
    stripped = text.lstrip()
    records: list[tuple[str, dict[str, Any]]]
    if file.suffix.lower() == ".har" or (stripped.startswith("{") and '"log"' in stripped[:200] and "\n{" not in stripped):
        records = _har_records(text, file)
    else:
        records = _jsonl_records(text, file)
    matcher = _TemplateMatcher(document) if document else None
    requests = [_record_to_request(where, record, matcher) for where, record in records]
    if not requests:
        raise ApiparityError(f"{file}: no requests in the file")
    return requests


def _jsonl_records(text: str, file: Path) -> list[tuple[str, dict[str, Any]]]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ApiparityError(f"{file}:{number}: not a JSON object ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ApiparityError(f"{file}:{number}: expected a JSON object with method and path")
        records.append((f"{file}:{number}", record))
    return records


def _har_records(text: str, file: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        har = json.loads(text)
        entries = har["log"]["entries"]
    except (json.JSONDecodeError, KeyError, TypeError):
        raise ApiparityError(f"{file}: not a HAR file (expected JSON with log.entries)") from None
    records = []
    for index, entry in enumerate(entries):
        request = entry.get("request") or {}
        url = request.get("url", "")
        parts = urlsplit(url)
        body: Any = None
        post = request.get("postData") or {}
        if post.get("text"):
            body = post["text"]
            if "json" in (post.get("mimeType") or ""):
                try:
                    body = json.loads(body)
                except json.JSONDecodeError:
                    pass
        records.append(
            (
                f"{file}: entry {index}",
                {
                    "method": request.get("method"),
                    # A HAR names the recorded host; only its path and query are kept.
                    "path": parts.path or "/",
                    "query": parse_qsl(parts.query, keep_blank_values=True),
                    "headers": {h["name"]: h["value"] for h in request.get("headers") or [] if "name" in h},
                    "body": body,
                    "media_type": post.get("mimeType"),
                },
            )
        )
    return records


def _record_to_request(where: str, record: dict[str, Any], matcher: _TemplateMatcher | None) -> LoadRequest:
    method = record.get("method")
    path = record.get("path")
    if not isinstance(method, str) or method.lower() not in HTTP_METHODS:
        raise ApiparityError(f"{where}: 'method' must be an HTTP method, got {method!r}")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ApiparityError(
            f"{where}: 'path' must be a path starting with '/' (no scheme or host: traffic goes only to "
            f"the URLs given on the command line), got {path!r}"
        )
    method = method.upper()
    path, _, inline_query = path.partition("?")
    query = _query_pairs(where, record.get("query")) + parse_qsl(inline_query, keep_blank_values=True)
    headers = record.get("headers") or {}
    if not isinstance(headers, dict):
        raise ApiparityError(f"{where}: 'headers' must be an object")
    headers = {str(k): str(v) for k, v in headers.items() if str(k).lower() not in _DROPPED_HEADERS and not str(k).startswith(":")}
    label = record.get("name") or record.get("operation")
    if not isinstance(label, str) or not label:
        template = matcher.match(method, path) if matcher else None
        label = f"{method} {template or path}"
    return LoadRequest(
        method=method,
        path=path,
        operation=label,
        query=query,
        headers=headers,
        body=record.get("body"),
        media_type=record.get("media_type"),
    )


def _query_pairs(where: str, query: Any) -> list[tuple[str, str]]:
    if query is None:
        return []
    if isinstance(query, dict):
        pairs = []
        for key, value in query.items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((str(key), _query_text(item)))
        return pairs
    if isinstance(query, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in query):
        return [(str(k), _query_text(v)) for k, v in query]
    raise ApiparityError(f"{where}: 'query' must be an object or a list of [name, value] pairs")


class _TemplateMatcher:
    """Maps a concrete path to the document's template, so /books/1 and /books/2 share one row."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._patterns: list[tuple[re.Pattern[str], str, set[str], int]] = []
        for template, item in (document.get("paths") or {}).items():
            if not isinstance(item, dict):
                continue
            methods = {m.upper() for m in item if m in HTTP_METHODS}
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            literal_chars = len(re.sub(r"\{[^}]+\}", "", template))
            self._patterns.append((re.compile(regex), template, methods, literal_chars))
        # Literal paths win over templated ones (/books/new before /books/{id}).
        self._patterns.sort(key=lambda p: -p[3])

    def match(self, method: str, path: str) -> str | None:
        for pattern, template, methods, _ in self._patterns:
            if method in methods and pattern.match(path):
                return template
        return None
