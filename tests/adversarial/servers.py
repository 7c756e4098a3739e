"""Loopback servers for the server cases: a tiny HTTP server that records its hits, and a raw TCP
server whose connection handler can misbehave (hang, reset, drip-feed)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    url: str
    hits: list[str] = field(default_factory=list)  # "METHOD /path?query"


@contextlib.contextmanager
def http_server(respond: Callable[[BaseHTTPRequestHandler], None], host: str = "127.0.0.1") -> Iterator[Recorded]:
    """Serve on `host`:<free port> (a loopback address); `respond(handler)` answers every request."""
    recorded = Recorded(url="")

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            recorded.hits.append(f"{self.command} {self.path}")
            respond(self)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    recorded.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorded
    finally:
        server.shutdown()
        server.server_close()


def send_json(handler: BaseHTTPRequestHandler, status: int, body: bytes, extra: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (extra or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def raw_server(on_connection: Callable[[socket.socket], None]) -> Iterator[str]:
    """A TCP server on 127.0.0.1: each accepted connection is handed to `on_connection`."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=_guarded, args=(on_connection, conn), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def _guarded(on_connection: Callable[[socket.socket], None], conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        on_connection(conn)
    with contextlib.suppress(OSError):
        conn.close()


def read_request(conn: socket.socket) -> bytes:
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def reset(conn: socket.socket) -> None:
    """Close with RST instead of FIN (SO_LINGER 0): a connection reset by peer."""
    import struct

    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
