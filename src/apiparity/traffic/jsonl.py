"""The JSONL traffic format: one request per line, written by `--record` and read by `replay`.

    {"method": "GET", "path": "/books", "query": [["page", "2"]], "headers": {"Accept": "application/json"}}
    {"method": "POST", "path": "/authors", "headers": {}, "body": {"name": "Ada"}, "media_type": "application/json"}

- `method`, `path` are required; `path` may carry a query string (`/books?page=2`), appended to `query`.
- `query`: a list of `[name, value]` pairs (order and repeats kept), an object `{name: value | [values]}`,
  or a raw string `page=2&per_page=5`.
- `headers`: an object, or a list of `[name, value]` pairs when a name repeats.
- `body`: JSON (sent as JSON, with `Content-Type: application/json` unless `headers`/`media_type` say otherwise),
  or a string (sent as UTF-8 text); `body_base64` for bytes that are neither.
- `media_type`: the Content-Type to send when `headers` has none.
- Anything else on the line (`time`, `status`, `id`, ...) is kept out of the replay: notes for humans.

Blank lines are skipped. docs/traffic.md is the user-facing description of the same format.
"""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode

from apiparity.errors import ApiparityError
from apiparity.traffic.records import RecordedRequest, clean_headers, split_target


def read_jsonl(path: str | Path) -> list[RecordedRequest]:
    """Every request in a JSONL file; ApiparityError naming the line for anything malformed."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ApiparityError(f"{where}: not JSON: {exc.msg}") from None
            records.append(record_from_json(data, where))
    return records


def record_from_json(data: Any, where: str) -> RecordedRequest:
    """One JSONL object -> RecordedRequest (ApiparityError naming `where` when it is malformed)."""
    if not isinstance(data, dict):
        raise ApiparityError(f"{where}: expected an object with method and path")
    method, target = data.get("method"), data.get("path")
    if not isinstance(method, str) or not method.strip() or not isinstance(target, str) or not target:
        raise ApiparityError(f"{where}: 'method' and 'path' must be non-empty strings")
    path, inline_query = split_target(target)
    query = "&".join(part for part in (inline_query, _query(data.get("query"), where)) if part)
    headers = _headers(data.get("headers"), where)
    body = _body(data, where)
    media_type = data.get("media_type")
    if not (isinstance(media_type, str) and media_type) and isinstance(data.get("body"), (dict, list, int, float, bool)):
        media_type = "application/json"  # "sent as JSON": a server reading JSON needs to be told it is
    if isinstance(media_type, str) and media_type and body is not None and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", media_type))
    return RecordedRequest(method.strip().upper(), path, query, clean_headers(headers), body, where)


def _query(value: Any, where: str) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, str):
        return value.lstrip("?")
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for name, item in value.items():
            for one in item if isinstance(item, list) else [item]:
                pairs.append((str(name), _scalar(one)))
    elif isinstance(value, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        pairs = [(str(name), _scalar(item)) for name, item in value]
    else:
        raise ApiparityError(f"{where}: 'query' must be [[name, value], ...], an object or a string")
    return urlencode(pairs)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _headers(value: Any, where: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [(str(k), _scalar(v)) for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in value):
        return [(str(k), _scalar(v)) for k, v in value]
    raise ApiparityError(f"{where}: 'headers' must be an object or [[name, value], ...]")


def _body(data: dict[str, Any], where: str) -> bytes | None:
    if data.get("body_base64") is not None:
        try:
            return base64.b64decode(str(data["body_base64"]), validate=True)
        except ValueError:
            raise ApiparityError(f"{where}: 'body_base64' is not base64") from None
    if "body" not in data or data["body"] is None:
        return None
    body = data["body"]
    media_type = str(data.get("media_type") or "")
    if isinstance(body, str) and "json" not in media_type:
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ----------------------------------------------------------------------------------- writing


def record_to_json(method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes | None) -> dict[str, Any]:
    """The JSONL object for one request (the inverse of `record_from_json`)."""
    kept = clean_headers(headers)
    names = [k.lower() for k, _ in kept]
    line: dict[str, Any] = {"method": method.upper(), "path": path}
    if query:
        line["query"] = [list(pair) for pair in parse_qsl(query, keep_blank_values=True)]
    line["headers"] = dict(kept) if len(set(names)) == len(names) else [list(pair) for pair in kept]
    if body is not None:
        media_type = next((v for k, v in kept if k.lower() == "content-type"), "").split(";", 1)[0].strip().lower()
        if media_type:
            line["media_type"] = media_type
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            line["body_base64"] = base64.b64encode(body).decode("ascii")
            return line
        if "json" in media_type:
            try:
                line["body"] = json.loads(text)
                return line
            except ValueError:
                pass
        if "json" in media_type:
            line["body_base64"] = base64.b64encode(body).decode("ascii")  # broken JSON replays byte for byte
        else:
            line["body"] = text
    return line


class JsonlRecorder:
    """Appends one line per request to a JSONL file, flushed at once, safe from several threads,
    so a run that is killed still leaves a file of whole lines. Secrets are redacted unless
    `redact=False` (replay them with -H / --old-header instead)."""

    def __init__(self, path: str | Path, *, redact: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: IO[str] = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._lock = threading.Lock()
        self._redact = redact
        self.count = 0

    def write(self, method: str, path: str, query: str = "", headers: list[tuple[str, str]] | None = None,
              body: bytes | None = None, **notes: Any) -> None:
        line = record_to_json(method, path, query, list(headers or []), body)
        line.update({k: v for k, v in notes.items() if v is not None})
        if self._redact:
            from apiparity.redact import current

            line = current().record(line)
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._handle.write(text)
            self._handle.flush()
            self.count += 1

    def write_wire(self, request: Any, *, base_path: str = "") -> None:
        """Record a fuzz `WireRequest` as the client-visible request (base path included)."""
        path = request.path if request.absolute or base_path in ("", "/") else base_path.rstrip("/") + request.path
        self.write(request.method, path, request.query, list(request.headers), request.body)

    def close(self) -> None:
        with self._lock:
            if not self._handle.closed:
                self._handle.close()

    def __enter__(self) -> JsonlRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
