"""A total deadline for one live HTTP exchange, enforced at the socket.

httpx's timeouts are per operation: a read waits at most `timeout` for *some* bytes, so a server
that drip-feeds its status line, its headers or its body one byte at a time keeps a request alive
for ever. Here every connect, write and read of a request is given at most the time left until the
request's deadline (`within(seconds)`), and fails with httpcore's own timeout once it has passed:
httpx turns that into `httpx.TimeoutException` and drops the connection, whatever phase the
exchange was in. No extra thread, nothing left running after the deadline.

The deadline is per thread (each fuzz worker sends its own requests), so one client and one pool
are shared by every worker.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

_local = threading.local()


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Everything this thread sends or reads through a `DeadlineTransport` ends `seconds` from now."""
    before = getattr(_local, "end", None)
    _local.end = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.end = before


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """The time an operation may take: its own timeout, cut to what is left of the deadline."""
    end: float | None = getattr(_local, "end", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise error("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # one bounded write per piece: a server that stops reading cannot stretch the deadline either
        view = memoryview(buffer)
        while view:
            piece = view[:65536]
            self._stream.write(bytes(piece), _left(timeout, httpcore.WriteTimeout))
            view = view[len(piece):]

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options)
        return _DeadlineStream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._backend.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (exception mapping, streaming, keep-alive) over a pool whose sockets
    honour `within()`. Plain HTTP/1.1, no proxy from the environment: requests go where the user
    pointed, and nowhere else."""

    def __init__(self, *, limits: httpx.Limits, verify: bool = True) -> None:
        super().__init__(limits=limits, verify=verify)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=_DeadlineBackend(),
        )


def request_within(method: str, url: str, seconds: float, **kwargs: Any) -> httpx.Response:
    """One request whose whole answer (headers and body) arrives within `seconds`, else
    `httpx.TimeoutException`; for the one-off requests of a run (a reset URL, a reachability probe)."""
    with within(seconds), httpx.Client(transport=DeadlineTransport(limits=httpx.Limits()), timeout=seconds) as client:
        return client.request(method, url, follow_redirects=False, **kwargs)
