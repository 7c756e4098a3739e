"""OLD answers plain JSON; NEW answers JSON that is legal on the wire but hostile to its reader:
a lone surrogate escape ("\\ud800"), nesting 200,000 levels deep, NaN and Infinity (Python's json
writes them; strict JSON has no such tokens), and an operationId carrying terminal escapes."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import Response

DEEP = 200_000


def _build(hostile: bool) -> FastAPI:
    app = FastAPI(title="hostile json", version="1")

    @app.get("/surrogate")
    def surrogate() -> Response:
        body = b'{"name": "\\ud800 lone", "ok": true}' if hostile else b'{"name": "fine", "ok": true}'
        return Response(body, media_type="application/json")

    @app.get("/deep")
    def deep() -> Response:
        body = (b'{"a":' * DEEP + b"1" + b"}" * DEEP) if hostile else b'{"a": 1}'
        return Response(body, media_type="application/json")

    @app.get("/nan")
    def nan() -> Response:
        body = b'{"price": NaN, "limit": Infinity, "floor": -Infinity}' if hostile else b'{"price": 1.5, "limit": 10, "floor": 0}'
        return Response(body, media_type="application/json")

    @app.get("/fine")
    def fine() -> dict[str, str]:
        return {"status": "fine"}

    return app


old_app = _build(hostile=False)
new_app = _build(hostile=True)
