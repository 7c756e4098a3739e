"""The stub "third-party" service: answers every request after 200 ms, without blocking.

A bare ASGI app (no framework) so that it costs as little CPU as possible and never is the
bottleneck it is standing in for. Serve it on loopback only: ./start_stub.sh (uvicorn, port 18300).
"""

from __future__ import annotations

import asyncio
import json
import os

DELAY_S = float(os.environ.get("STUB_DELAY_S", "0.2"))
BODY = json.dumps({"rate": 1.08, "currency": "EUR"}).encode()


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await asyncio.sleep(DELAY_S)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
