"""Targets served by a live service: fetch the document over HTTP and keep the base URL."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from apiparity.errors import TargetError
from apiparity.targets.documents import check_openapi_version, parse_document
from apiparity.targets.model import Target

DEFAULT_SPEC_PATHS = ("/openapi.json", "/openapi/openapi.json")


def load_url_target(ref: str, *, spec_path: str | None = None, timeout: float = 10.0) -> Target:
    """Fetch `ref`. A URL whose path is empty or "/" is taken as the service root, and its document
    is looked for at `spec_path` or the frameworks' usual places."""
    import httpx

    parts = urlsplit(ref)
    if parts.path in ("", "/"):
        candidates = [spec_path] if spec_path else list(DEFAULT_SPEC_PATHS)
        urls = [urlunsplit((parts.scheme, parts.netloc, c, "", "")) for c in candidates]
        base_url = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    else:
        urls = [ref]
        base_url = _base_url(ref, spec_path)
    last_error = ""
    for url in urls:
        try:
            response = httpx.get(url, timeout=timeout, follow_redirects=True)
        except httpx.TimeoutException:
            raise TargetError(f"{url}: no answer within {timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise TargetError(f"{url}: cannot connect ({_reason(exc)})") from None
        except httpx.HTTPError as exc:
            raise TargetError(f"{url}: request failed ({_reason(exc)})") from None
        if response.status_code != 200:
            last_error = f"{url}: HTTP {response.status_code}, expected 200 with an OpenAPI document"
            continue
        document = parse_document(response.text, source=url, prefer="auto")
        check_openapi_version(document, url)
        return Target(ref=ref, kind="url", framework="url", document=document, base_url=base_url)
    raise TargetError(last_error)


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
