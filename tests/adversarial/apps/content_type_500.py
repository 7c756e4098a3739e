"""A live pair whose POST handler answers 500 to a Content-Type it does not declare (it parses the
body as JSON whatever the header says), and 201 to a well-formed JSON body: schemathesis'
`not_a_server_error` then re-sends the request with the declared media type to find out whether the
header caused the 500 - a request apiparity must never let out (issue 14, item 3)."""

from __future__ import annotations

import json
import os

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}}}


def _build(version: int) -> FastAPI:
    # CANARY_URL: a `servers` entry pointing at a listener that must receive nothing
    canary = os.environ.get("CANARY_URL")
    app = FastAPI(title="content type 500", version="1", servers=[{"url": canary}] if canary else None)

    @app.post("/items", status_code=201, openapi_extra={"requestBody": _BODY},
              responses={201: {"description": "created"}, 400: {"description": "bad"}})
    async def create(request: Request) -> JSONResponse:
        media_type = request.headers.get("content-type", "").split(";")[0].strip()
        if media_type != "application/json":
            raise RuntimeError(f"cannot parse {media_type!r}")  # the 500 the probe is about
        try:
            data = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": "not JSON"}, status_code=400)
        return JSONResponse({"name": data.get("name") if isinstance(data, dict) else None, "v": version}, status_code=201)

    return app


old_app = _build(1)
new_app = _build(2)
