"""Targets served by a live service: fetch the document over HTTP and keep the base URL."""

from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

from apiparity.errors import TargetError
from apiparity.targets.documents import as_openapi3, conversion_notes, parse_document
from apiparity.targets.model import Target

DEFAULT_SPEC_PATHS = ("/openapi.json", "/openapi/openapi.json")


def load_url_target(ref: str, *, spec_path: str | None = None, timeout: float = 10.0, wait_for: float = 0.0) -> Target:
    """Fetch `ref`. A URL whose path is empty or "/" is taken as the service root, and its document
    is looked for at `spec_path` or the frameworks' usual places.

    `wait_for` seconds: keep retrying while the connection is refused (a server still starting).
    Redirects are followed only within the same scheme, host and port: a request never goes to a
    host the user did not name.
    """
    parts = urlsplit(ref)
    if parts.path in ("", "/"):
        candidates = [spec_path] if spec_path else list(DEFAULT_SPEC_PATHS)
        urls = [urlunsplit((parts.scheme, parts.netloc, c, "", "")) for c in candidates]
        base_url = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    else:
        urls = [ref]
        base_url = _base_url(ref, spec_path)
    last_error = ""
    for index, url in enumerate(urls):
        status, text = fetch_text(url, timeout=timeout, wait_for=wait_for if index == 0 else 0.0)
        if status != 200:
            last_error = f"{url}: HTTP {status}, expected 200 with an OpenAPI document"
            continue
        document = as_openapi3(parse_document(text, source=url, prefer="auto"), url)
        return Target(ref=ref, kind="url", framework="url", document=document, base_url=base_url, notes=conversion_notes(document))
    raise TargetError(last_error)


# A real document is at most tens of MB; a server streaming without end must not fill memory.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
MAX_REDIRECTS = 5


def fetch_text(url: str, *, timeout: float, wait_for: float = 0.0) -> tuple[int, str]:
    """GET `url`: (status, text). `timeout` bounds the whole exchange, not each read; the body is
    capped at MAX_DOCUMENT_BYTES; redirects are followed only to the same origin."""
    import httpx

    deadline = time.monotonic() + timeout
    wait_until = time.monotonic() + wait_for
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        while True:
            try:
                with httpx.Client(timeout=max(0.001, deadline - time.monotonic()), follow_redirects=False) as client:
                    with client.stream("GET", current) as response:
                        if response.is_redirect:
                            location = str(response.url.join(response.headers.get("location", "")))
                            break
                        body = bytearray()
                        for chunk in response.iter_bytes():
                            body += chunk
                            if len(body) > MAX_DOCUMENT_BYTES:
                                raise TargetError(f"{current}: the document is larger than {MAX_DOCUMENT_BYTES // 2**20} MB; refusing to read more")
                            if time.monotonic() > deadline:
                                raise httpx.ReadTimeout("deadline")
                        return response.status_code, body.decode(response.encoding or "utf-8", errors="replace")
            except httpx.ConnectError as exc:
                if time.monotonic() < wait_until:
                    time.sleep(0.1)
                    deadline = max(deadline, time.monotonic() + timeout)
                    continue
                waited = f" after waiting {wait_for:g} s" if wait_for else ""
                raise TargetError(f"{current}: cannot connect{waited} ({_reason(exc)})") from None
            except httpx.TimeoutException:
                raise TargetError(f"{current}: no complete answer within {timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise TargetError(f"{current}: request failed ({_reason(exc)})") from None
        if _origin(location) != _origin(current):
            raise TargetError(
                f"{current}: redirects to {location}, another origin; apiparity only sends requests to URLs "
                "you give it (pass that URL directly if you trust it)"
            )
        current = location
    raise TargetError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _base_url(url: str, spec_path: str | None) -> str:
    """The service root: the document URL minus its known suffix (``/openapi.json`` etc.)."""
    parts = urlsplit(url)
    path = parts.path
    for suffix in ([spec_path] if spec_path else []) + list(DEFAULT_SPEC_PATHS) + ["/openapi.yaml", "/swagger.json"]:
        if suffix and path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    else:
        path = path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
