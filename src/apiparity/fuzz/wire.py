"""What goes over the wire: the exact request bytes sent to both sides and the raw answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class WireRequest:
    """One request as serialized by schemathesis, without host or base path (each side adds its own)."""

    method: str
    path: str  # percent-encoded path, operation part only: /books/12
    query: str = ""  # raw encoded query string, without "?"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    operation: str = ""  # "GET /books/{book_id}"
    absolute: bool = False  # path is from the server root (a login or reset request), not under the base path
    probe: str = ""  # a request the contract does not describe, sent on purpose ("trailing-slash")

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def size(self) -> int:
        """How big the request is: the order "smallest example first" uses."""
        return len(self.target) + len(self.body or b"") + sum(len(k) + len(v) for k, v in self.headers)


@dataclass(slots=True)
class WireResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    elapsed_ms: float = 0.0
    error: str | None = None  # "timeout" or "transport: ..." when no answer came
    timed_out: bool = False
    connection_failed: bool = False  # no answer: the connection was refused, reset or broke the protocol
    # never sent: the HTTP client refused to put the request on the wire (a header value with a
    # control character); not the server's fault, so never a transport error (see `unsendable_reason`)
    unsendable: bool = False
    truncated: bool = False  # the answer was longer than the read cap: `body` holds its first bytes only
    # an in-process app's own exception while answering (its traceback, as the framework would have
    # logged it; apiparity.fuzz.transports.AppLogCapture), None when it raised nothing
    app_exception: str | None = None
    _json: Any = field(default=None, repr=False)
    _json_parsed: bool = field(default=False, repr=False)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def transport_error(self) -> bool:
        """No answer came (connection refused or reset, timeout): not an answer of the app, so never a 5xx."""
        return self.timed_out or self.connection_failed

    def header_values(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]

    @property
    def media_type(self) -> str | None:
        value = self.header("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    @property
    def is_json(self) -> bool:
        media = self.media_type or ""
        return media == "application/json" or media.endswith("+json")

    def json(self) -> tuple[bool, Any]:
        """(parsed?, value). Lenient on purpose: Flask may emit NaN, which Python's json accepts."""
        if not self._json_parsed:
            self._json_parsed = True
            if self.truncated:  # the first bytes of a JSON document are not a JSON document
                self._json = (False, None)
                return self._json
            try:
                self._json = (True, json.loads(self.body)) if self.body and self.is_json else (False, None)
            except (ValueError, UnicodeDecodeError, RecursionError):  # nested past the interpreter's limit: compared as text
                self._json = (False, None)
            if self._json[0]:
                from apiparity.report.sanitize import bounded_depth

                self._json = (True, bounded_depth(self._json[1]))  # deeper than any reader walks: cut with a marker
        return self._json

    @property
    def read_cap(self) -> int | None:
        """The cap the read stopped at, when it did."""
        return len(self.body) if self.truncated else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def as_received(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Header values the way every HTTP server reads them: without leading or trailing spaces and
    tabs. RFC 9110 section 5.5: a field value does not include them, and a parser MUST exclude them
    before evaluating the value; so `Authorization: Bearer ` (what schemathesis generates for an
    empty bearer token) reaches uvicorn, gunicorn or waitress as `Bearer`. An HTTP client (httpx and
    h11) refuses to send the unstripped value at all, so each case is normalized once, where it is
    generated, and every side (in-process or live) receives what a real server would hand the app."""
    return [(name, value.strip(" \t")) for name, value in headers]


DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024  # a body beyond this is not read further (see WireResponse.truncated)


class BodyReader:
    """Collects chunks of a response body up to `limit` bytes and says whether there was more."""

    __slots__ = ("limit", "chunks", "size", "truncated")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[bytes] = []
        self.size = 0
        self.truncated = False

    def add(self, chunk: bytes) -> bool:
        """Keep `chunk` (up to the limit); False once the limit is passed: stop reading."""
        room = self.limit - self.size
        if len(chunk) > room:
            self.chunks.append(chunk[:room])
            self.size = self.limit
            self.truncated = True
            return False
        self.chunks.append(chunk)
        self.size += len(chunk)
        return True

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)
