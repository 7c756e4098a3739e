"""The FastAPI port of the parts service with two seeded regressions (see modern_app.py for the
faithful one):

- R1: a part's `qty` is renamed `quantity` in every answer (GET/POST/PATCH /parts...);
- R2: POST /parts answers 200 instead of the legacy 201.

The rest of this docstring is the faithful port's: What it takes to answer like the legacy app, where the frameworks differ:

- validation errors: webargs' 422 {"error": "invalid request", "fields": {"json": {field: [message]}}},
  marshmallow's messages included (RequestValidationError handler below);
- 404/405 as the legacy JSON (StarletteHTTPException handler), no trailing-slash redirects
  (`redirect_slashes=False`: Flask 1.1 answers 404 for /parts/), and a non-integer id (`/parts/abc`)
  is a 404, as Werkzeug's <int:> converter matches no route, not FastAPI's 422;
- HEAD answered like GET without a body and OPTIONS with 200 and an Allow header, as Flask does for
  every route (FastAPI answers 405 to both);
- a repeated query parameter (`?limit=5&limit=9`) means its first value, as Flask reads it;
- a PATCH with no body is an empty update, as webargs reads a missing JSON body.
"""

import copy
from typing import Any, Dict, List, Optional

from fastapi import Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

app = FastAPI(title="Parts", version="2.0.0", redirect_slashes=False)

_SEED = {
    1: {"id": 1, "name": "bolt", "qty": 120, "unit_price": 0.25, "tags": ["metal"]},
    2: {"id": 2, "name": "washer", "qty": 0, "unit_price": 0.05, "tags": ["metal", "small"]},
    3: {"id": 3, "name": "gasket", "qty": 7, "unit_price": 1.5, "tags": []},
}
parts: Dict[int, Dict[str, Any]] = {}
_next_id = [4]


def reset() -> None:
    parts.clear()
    parts.update(copy.deepcopy(_SEED))
    _next_id[0] = 4


reset()


class PartIn(BaseModel):
    name: str = Field(..., min_length=1, max_length=50)
    qty: int = Field(..., ge=0)
    unit_price: float = Field(0.0, ge=0)
    tags: List[str] = []


class PartPatch(BaseModel):
    qty: Optional[int] = Field(None, ge=0)
    unit_price: Optional[float] = Field(None, ge=0)


class Part(BaseModel):
    id: int
    name: str
    quantity: int  # R1: renamed from qty
    unit_price: float
    tags: List[str]


def _out(part: Dict[str, Any]) -> Dict[str, Any]:
    row = dict(part)
    row["quantity"] = row.pop("qty")
    return row


class Error(BaseModel):
    error: str


NOT_FOUND = {404: {"model": Error, "description": "Unknown part"}}


class Page(BaseModel):
    items: List[Part]
    total: int


# marshmallow's words for what pydantic 1 reports
_MESSAGES = {
    "value_error.missing": "Missing data for required field.",
    "type_error.integer": "Not a valid integer.",
    "type_error.float": "Not a valid number.",
    "type_error.str": "Not a valid string.",
    "type_error.list": "Not a valid list.",
}
_REQUIRED = {"/parts": [name for name, field in PartIn.__fields__.items() if field.required]}


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    if any(error["loc"][0] == "path" for error in exc.errors()):  # Werkzeug's converter: no route at all
        return JSONResponse({"error": "not found"}, status_code=404)
    fields: Dict[str, Dict[str, List[str]]] = {}
    for error in exc.errors():
        location = {"body": "json", "query": "query"}.get(str(error["loc"][0]), str(error["loc"][0]))
        names = [str(part) for part in error["loc"][1:]]
        if not names and error["type"] == "value_error.missing":  # no body at all: every required field
            for name in _REQUIRED.get(request.url.path, []):
                fields.setdefault(location, {})[name] = [_MESSAGES["value_error.missing"]]
            continue
        message = _MESSAGES.get(error["type"])
        if message is None and error["type"].startswith("value_error.number"):
            limit = error.get("ctx", {}).get("limit_value")
            message = f"Must be greater than or equal to {limit}." if "ge" in error["type"] else f"Must be less than or equal to {limit}."
        if message is None and error["type"].startswith("value_error.any_str"):
            message = "Length must be between 1 and 50."
        fields.setdefault(location, {})[names[0] if names else location] = [message or error["msg"]]
    return JSONResponse({"error": "invalid request", "fields": fields}, status_code=422)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    names = {404: "not found", 405: "method not allowed"}
    return JSONResponse({"error": names.get(exc.status_code, str(exc.detail).lower())}, status_code=exc.status_code)


class FlaskStyleHeadOptionsAndQuery:
    """HEAD runs the GET route without its body; OPTIONS answers 200 with the path's methods in Allow
    (paths that match no route fall through to the 404); a repeated query parameter keeps its first value."""

    def __init__(self, app: Any, router: Any) -> None:
        self.app = app
        self.router = router

    def __call__(self, scope: Dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "http" and scope.get("query_string"):
            seen, kept = set(), []
            for pair in scope["query_string"].split(b"&"):
                name = pair.split(b"=", 1)[0]
                if name not in seen:
                    seen.add(name)
                    kept.append(pair)
            scope = {**scope, "query_string": b"&".join(kept)}
        if scope["type"] != "http" or scope["method"] not in ("HEAD", "OPTIONS"):
            return self.app(scope, receive, send)
        return self._head_or_options(scope, receive, send)

    async def _head_or_options(self, scope: Dict[str, Any], receive: Any, send: Any) -> None:
        if scope["method"] == "HEAD":
            async def without_body(message: Dict[str, Any]) -> None:
                await send({**message, "body": b""} if message["type"] == "http.response.body" else message)

            await self.app({**scope, "method": "GET"}, receive, without_body)
            return
        methods: set = set()
        for route in self.router.routes:
            if route.matches(scope)[0] != Match.NONE:
                methods |= set(getattr(route, "methods", None) or ())
        if not methods:
            await self.app(scope, receive, send)
            return
        methods |= {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        await Response(status_code=200, headers={"Allow": ", ".join(sorted(methods))})(scope, receive, send)


app.add_middleware(FlaskStyleHeadOptionsAndQuery, router=app.router)


def _part_or_404(part_id: int) -> Dict[str, Any]:
    part = parts.get(part_id)
    if part is None:
        raise StarletteHTTPException(status_code=404)
    return part


@app.get("/health")
def health() -> Dict[str, str]:
    return {"status": "ok"}


@app.get("/parts", response_model=Page)
def list_parts(limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0), tag: Optional[str] = None) -> Dict[str, Any]:
    rows = [p for _, p in sorted(parts.items()) if tag is None or tag in p["tags"]]
    return {"items": [_out(p) for p in rows[offset: offset + limit]], "total": len(rows)}


@app.post("/parts", response_model=Part, status_code=200)  # R2: 201 in the legacy app
def create_part(body: PartIn) -> Dict[str, Any]:
    part = {"id": _next_id[0], "name": body.name, "qty": body.qty, "unit_price": body.unit_price, "tags": list(body.tags)}
    parts[part["id"]] = part
    _next_id[0] += 1
    return _out(part)


@app.get("/parts/{part_id}", response_model=Part, responses=NOT_FOUND)
def get_part(part_id: int) -> Dict[str, Any]:
    return _out(_part_or_404(part_id))


@app.patch("/parts/{part_id}", response_model=Part, responses=NOT_FOUND)
def update_part(part_id: int, body: Optional[PartPatch] = Body(None)) -> Dict[str, Any]:
    part = _part_or_404(part_id)
    if body is not None:
        part.update(body.dict(exclude_unset=True))
    return _out(part)


@app.delete("/parts/{part_id}", responses=NOT_FOUND)
def delete_part(part_id: int) -> Dict[str, int]:
    _part_or_404(part_id)
    del parts[part_id]
    return {"deleted": part_id}
