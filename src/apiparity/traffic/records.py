"""One recorded request, whatever file it came from (HAR, JSONL, access log), and how it becomes
the `WireRequest` the fuzz transports send.

A recording holds what the client sent to the server, so hop-by-hop and connection headers are
dropped: each transport sets Host, Content-Length and the connection itself, and a recorded
`Accept-Encoding: br` would only make the answers harder to compare.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

# headers that describe one hop or one connection, not the request (RFC 9110 7.6.1), plus the
# ones each transport computes itself
DROPPED_HEADERS = frozenset({
    "host", "content-length", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
    "trailer", "upgrade", "accept-encoding",
})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(slots=True)
class RecordedRequest:
    """A request as a client sent it: the path is percent-encoded and includes any base path."""

    method: str
    path: str  # "/api/books/12", no query
    query: str = ""  # raw encoded query string, without "?"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    source: str = ""  # "file.har entry 3": where it came from, for error messages

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def clean_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers worth replaying: no hop-by-hop ones, no HTTP/2 pseudo-headers (":authority")."""
    return [(str(k), str(v)) for k, v in headers if k and not k.startswith(":") and k.lower() not in DROPPED_HEADERS]


def split_target(target: str) -> tuple[str, str]:
    """'/books?page=2' or 'http://host/books?page=2' -> ('/books', 'page=2'), path percent-encoded."""
    parts = urlsplit(target)
    path = parts.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    # keep what is already encoded, encode what is not (a HAR may hold a decoded path)
    return quote(path, safe="/%:@!$&'()*+,;=-._~"), parts.query
