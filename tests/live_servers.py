"""An ASGI app served by uvicorn on a free loopback port, in a thread, for tests whose point is the wire."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx


@contextlib.contextmanager
def uvicorn_in_thread(app: Any, *, ready_path: str = "/openapi.json", wait_seconds: float = 30.0) -> Iterator[str]:
    """Yield the base URL once `ready_path` answers (any status); stop the server on the way out."""
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            httpx.get(url + ready_path, timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)
