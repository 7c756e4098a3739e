"""OLD and NEW for the runtime cases: `old_app` behaves; `new_app` serves the same document but
each route misbehaves in its own way (raises, hangs, lies about JSON, floods, streams bytes)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response, StreamingResponse

HUGE_BYTES = 40 * 1024 * 1024


def _build(hostile: bool) -> FastAPI:
    app = FastAPI(title="runtime pair", version="1")

    @app.get("/ok")
    def ok() -> dict[str, str]:
        return {"status": "fine"}

    @app.get("/boom")
    def boom() -> dict[str, str]:
        if hostile:
            raise RuntimeError("handler bug")
        return {"status": "fine"}

    @app.get("/hang")
    async def hang() -> dict[str, str]:
        if hostile:
            await asyncio.sleep(3600)
        return {"status": "fine"}

    @app.get("/not-json")
    def not_json() -> Response:
        body = b'{"status": "fine"' if hostile else b'{"status": "fine"}'
        return Response(body, media_type="application/json")

    @app.get("/huge")
    def huge() -> Response:
        if hostile:
            return Response(b'{"data": "' + b"x" * HUGE_BYTES + b'"}', media_type="application/json")
        return JSONResponse({"data": "x"})

    @app.get("/binary")
    def binary() -> Response:
        payload = bytes(range(256)) * 4
        return Response(payload[::-1] if hostile else payload, media_type="application/octet-stream")

    @app.get("/stream")
    def stream() -> StreamingResponse:
        def chunks():
            for index in range(5):
                yield f"chunk {index}{'!' if hostile and index == 3 else ''}\n".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    return app


old_app = _build(hostile=False)
new_app = _build(hostile=True)
