"""How a request reaches one side: in-process WSGI, in-process ASGI, or live HTTP.

All transports share one method, `send(request) -> WireResponse`, so the runner never knows which
kind it talks to. A transport never raises for the app's fault: a handler that raises, hangs or
closes the connection becomes a WireResponse with `error` set.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from apiparity.fuzz.wire import WireRequest, WireResponse

IN_PROCESS_HOST = "localhost"  # one Host for both sides (Flask's and Starlette's test clients differ)


class Transport:
    """Sends one request to one side."""

    name = "base"

    def send(self, request: WireRequest) -> WireResponse:  # pragma: no cover - interface
        raise NotImplementedError

    def base_url(self) -> str:
        """The URL a curl reproducer should target."""
        return f"http://{IN_PROCESS_HOST}"

    def close(self) -> None:
        """Release sockets, loops and threads."""


def _join(base_path: str, request: WireRequest) -> str:
    if request.absolute:
        return request.path
    return (base_path.rstrip("/") + request.path) if base_path not in ("", "/") else request.path


class WSGITransport(Transport):
    """Calls a WSGI app in-process through werkzeug's test client, in a worker thread so that a
    handler that hangs turns into a timeout instead of a hung run."""

    name = "wsgi"

    def __init__(self, app: Any, *, base_path: str = "", timeout: float = 10.0) -> None:
        from werkzeug.test import Client

        self._client = Client(app)
        self._base_path = base_path
        self._timeout = timeout

    def send(self, request: WireRequest) -> WireResponse:
        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                outcome["response"] = self._client.open(
                    _join(self._base_path, request),
                    method=request.method,
                    query_string=request.query,
                    headers=[(k, v) for k, v in request.headers if k.lower() != "host"] + [("Host", IN_PROCESS_HOST)],
                    data=request.body or b"",
                    follow_redirects=False,
                )
                outcome["body"] = outcome["response"].get_data()
            except BaseException as exc:  # noqa: BLE001 - the app's fault becomes a finding
                outcome["error"] = exc

        started = time.perf_counter()
        worker = threading.Thread(target=call, daemon=True, name="apiparity-wsgi")
        worker.start()
        worker.join(self._timeout)
        elapsed = (time.perf_counter() - started) * 1000
        if worker.is_alive():
            return WireResponse(status=0, error=f"timeout: no answer within {self._timeout:g} s", elapsed_ms=elapsed, timed_out=True)
        if "error" in outcome:
            exc = outcome["error"]
            return WireResponse(status=0, error=f"app raised {type(exc).__name__}: {exc}"[:300], elapsed_ms=elapsed)
        response = outcome["response"]
        return WireResponse(
            status=response.status_code,
            headers=list(response.headers.items()),
            body=outcome["body"],
            elapsed_ms=elapsed,
        )


class ASGITransport(Transport):
    """Calls an ASGI app in-process through httpx.ASGITransport on one long-lived event loop that
    this transport owns (the single place where NEW's loop runs)."""

    name = "asgi"

    def __init__(self, app: Any, *, base_path: str = "", timeout: float = 10.0) -> None:
        import httpx

        self._loop = asyncio.new_event_loop()
        self._base_path = base_path
        self._timeout = timeout
        # raise_app_exceptions=False: an exception becomes the 500 a server would answer.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url=f"http://{IN_PROCESS_HOST}")

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def send(self, request: WireRequest) -> WireResponse:
        started = time.perf_counter()
        try:
            response = self._loop.run_until_complete(asyncio.wait_for(self._send(request), self._timeout))
        except (asyncio.TimeoutError, TimeoutError):
            return WireResponse(status=0, error=f"timeout: no answer within {self._timeout:g} s",
                                elapsed_ms=(time.perf_counter() - started) * 1000, timed_out=True)
        except Exception as exc:  # noqa: BLE001
            return WireResponse(status=0, error=f"app raised {type(exc).__name__}: {exc}"[:300],
                                elapsed_ms=(time.perf_counter() - started) * 1000)
        status, headers, body = response
        return WireResponse(status=status, headers=headers, body=body, elapsed_ms=(time.perf_counter() - started) * 1000)

    async def _send(self, request: WireRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        import httpx

        url = httpx.URL(_join(self._base_path, request), query=request.query.encode("ascii", "replace"))
        headers = [(k, v) for k, v in request.headers if k.lower() != "host"]
        response = await self._client.request(request.method, url, headers=headers, content=request.body)
        return response.status_code, list(response.headers.multi_items()), response.content

    def close(self) -> None:
        try:
            self._loop.run_until_complete(self._client.aclose())
        finally:
            self._loop.close()


class HTTPTransport(Transport):
    """Sends requests to a live server with httpx (a connection pool shared by the workers)."""

    name = "http"

    def __init__(self, base_url: str, *, base_path: str = "", timeout: float = 10.0, workers: int = 1) -> None:
        import httpx

        self._base_url = base_url.rstrip("/")
        # a URL that names its own prefix wins over the document's servers[0] path
        self.base_path = urlsplit(self._base_url).path or base_path
        limits = httpx.Limits(max_connections=max(workers, 1) * 2, max_keepalive_connections=max(workers, 1) * 2)
        self._client = httpx.Client(timeout=timeout, limits=limits, follow_redirects=False)
        self._timeout = timeout

    def base_url(self) -> str:
        parts = urlsplit(self._base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def send(self, request: WireRequest) -> WireResponse:
        import httpx

        url = httpx.URL(self._base_url).copy_with(
            raw_path=(_join(self.base_path, request) + (f"?{request.query}" if request.query else "")).encode("ascii", "replace")
        )
        headers = [(k, v) for k, v in request.headers if k.lower() != "host"]
        started = time.perf_counter()
        try:
            response = self._client.request(request.method, url, headers=headers, content=request.body)
        except httpx.TimeoutException:
            return WireResponse(status=0, error=f"timeout: no answer within {self._timeout:g} s",
                                elapsed_ms=(time.perf_counter() - started) * 1000, timed_out=True)
        except httpx.HTTPError as exc:
            return WireResponse(status=0, error=f"transport: {type(exc).__name__}: {exc}"[:300],
                                elapsed_ms=(time.perf_counter() - started) * 1000)
        return WireResponse(status=response.status_code, headers=list(response.headers.multi_items()),
                            body=response.content, elapsed_ms=(time.perf_counter() - started) * 1000)

    def close(self) -> None:
        self._client.close()


def is_loopback(base_url: str) -> bool:
    import ipaddress

    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
