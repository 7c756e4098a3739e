"""modern.py with one regression: `GET /v1/assets` still sends its ETag but ignores If-None-Match
(never 304), so every poll downloads the whole list again. Nothing else differs.

FastAPI port of the media service, matching what the Flask app's clients see.

What a migration guide makes a careful team do on top of the one-to-one port:
- `redirect_slashes=False` (Flask answers `/v1/assets/` with a 404, not a redirect);
- one handler for Starlette's HTTP errors writing Flask's JSON error body (werkzeug's texts), and
  the legacy's constant 422 body for validation errors (a list of one error, documented as such);
- auth as a dependency on `HTTPBearer(auto_error=False)`, so a missing or wrong token is the
  legacy's 401 JSON with `WWW-Authenticate: Bearer` (not FastAPI's own error);
- `PlainTextResponse` for health/version, `Response(media_type=...)` for CSV and the bytes, the
  same `ETag` (over the canonical JSON, not the serialized bytes, so it does not depend on the
  framework's JSON encoder), `Cache-Control` and `Content-Disposition`;
- the export route declared before `/assets/{asset_id}` (Starlette matches in order; Flask prefers
  the static rule), and an explicit HEAD route (Starlette adds none to a GET route).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import struct
import zlib
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

VERSION = "2.4.1"
UPLOAD_TOKEN = "mda_live_4f9c2b7e1d83a6"
ASSET_ID = r"^ast-[0-9]{3}$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,40}\.(png|pdf)$"
MEDIA_TYPES = {"image": "image/png", "document": "application/pdf"}

Kind = Literal["image", "document"]


def png(rgb: tuple[int, int, int]) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    raw = b"\x00" + bytes(rgb)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def pdf(title: str) -> bytes:
    return f"%PDF-1.4\n% {title}\n%%EOF\n".encode()


def placeholder(name: str, kind: str) -> bytes:
    if kind == "image":
        digest = hashlib.sha256(name.encode()).digest()
        return png((digest[0], digest[1], digest[2]))
    return pdf(name)


class Asset(BaseModel):
    id: str
    name: str
    kind: Kind
    size: int
    checksum: str
    tags: list[str]


class AssetList(BaseModel):
    assets: list[Asset]
    total: int


class AssetCreate(BaseModel):
    name: str = Field(..., pattern=NAME_PATTERN)
    kind: Kind
    tags: list[str] = Field([], max_length=5)


class Error(BaseModel):
    error: str
    message: str


_SEED = [
    ("ast-001", "logo.png", "image", ["brand"], png((200, 30, 30))),
    ("ast-002", "banner.png", "image", ["brand", "web"], png((30, 30, 200))),
    ("ast-003", "terms.pdf", "document", ["legal"], pdf("terms")),
    ("ast-004", "price-list.pdf", "document", [], pdf("price list")),
]

assets: dict[str, dict] = {}


def reset() -> None:
    assets.clear()
    for asset_id, name, kind, tags, content in _SEED:
        assets[asset_id] = {"id": asset_id, "name": name, "kind": kind, "tags": list(tags), "content": content}


reset()


def public(asset: dict) -> dict:
    content = asset["content"]
    return Asset(id=asset["id"], name=asset["name"], kind=asset["kind"], size=len(content),
                 checksum="sha256:" + hashlib.sha256(content).hexdigest(), tags=asset["tags"]).model_dump(mode="json")


def etag_of(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:20] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


app = FastAPI(title="Media", version=VERSION, redirect_slashes=False)

WERKZEUG = {
    404: ("not_found", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."),
    405: ("method_not_allowed", "The method is not allowed for the requested URL."),
}


class AssetNotFound(Exception):
    def __init__(self, asset_id: str) -> None:
        self.asset_id = asset_id


class Unauthorized(Exception):
    pass


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    error, message = WERKZEUG.get(exc.status_code, ("error", str(exc.detail)))
    # the legacy's error handler builds a new response: werkzeug's Allow header of a 405 is lost there
    headers = None if exc.status_code == 405 else exc.headers
    return JSONResponse({"error": error, "message": message}, status_code=exc.status_code, headers=headers)


@app.exception_handler(AssetNotFound)
async def asset_not_found(request: Request, exc: AssetNotFound) -> JSONResponse:
    return JSONResponse({"error": "not_found", "message": f"asset {exc.asset_id} not found"}, status_code=404)


@app.exception_handler(Unauthorized)
async def unauthorized(request: Request, exc: Unauthorized) -> JSONResponse:
    return JSONResponse({"error": "unauthorized", "message": "missing or invalid bearer token"}, status_code=401,
                        headers={"WWW-Authenticate": "Bearer"})


@app.exception_handler(RequestValidationError)
async def validation_failed(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse([{"error": "invalid_request", "message": "request validation failed"}], status_code=422)


bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description="upload token")


def require_bearer(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    if credentials is None or credentials.credentials != UPLOAD_TOKEN:
        raise Unauthorized()


def _get(asset_id: str) -> dict:
    asset = assets.get(asset_id)
    if asset is None:
        raise AssetNotFound(asset_id)
    return asset


AssetId = Annotated[str, Path(pattern=ASSET_ID, json_schema_extra={"example": "ast-001"})]
STRING = {"schema": {"type": "string"}}
BINARY = {"schema": {"type": "string", "format": "binary"}}
CACHE_HEADERS = {
    "ETag": {"description": "strong tag of this page", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}
VALIDATION = {422: {"model": list[Error], "description": "Unprocessable Content"}}

router = APIRouter(prefix="/v1")


@router.get("/health", response_class=PlainTextResponse, responses={200: {"description": "Alive"}})
def health() -> str:
    """Liveness probe."""
    return "ok\n"


@router.get("/version", response_class=PlainTextResponse, responses={200: {"description": "Service version"}})
def version() -> str:
    """The deployed version."""
    return f"media {VERSION}\n"


@router.get("/assets", response_model=AssetList,
            responses={200: {"description": "A page of assets", "headers": CACHE_HEADERS},
                       304: {"description": "Not modified", "headers": CACHE_HEADERS}, **VALIDATION})
def list_assets(
    kind: Kind | None = None,
    tag: Annotated[str | None, Query(pattern=r"^[a-z]{1,12}$")] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", description="an ETag seen before")] = None,
):
    """Assets by id, filtered by kind and tag; conditional with If-None-Match."""
    found = [assets[a] for a in sorted(assets)]
    if kind is not None:
        found = [a for a in found if a["kind"] == kind]
    if tag is not None:
        found = [a for a in found if tag in a["tags"]]
    payload = {"assets": [public(a) for a in found[:limit]], "total": len(found)}
    etag = etag_of(payload)
    headers = {"ETag": etag, "Cache-Control": "private, max-age=60"}
    # R1: the conditional request is gone; the ETag is still sent, so clients keep asking
    return Response(json.dumps(payload), media_type="application/json", headers=headers)


@router.get("/assets/export.csv", response_class=Response,
            responses={200: {"description": "Every asset as CSV", "headers": {"Content-Disposition": STRING},
                             "content": {"text/csv": STRING}}, **VALIDATION})
def export_assets(kind: Kind | None = None) -> Response:
    """Spreadsheet export: id, name, kind, size, tags (space separated)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "kind", "size", "tags"])
    for asset_id in sorted(assets):
        asset = assets[asset_id]
        if kind is None or asset["kind"] == kind:
            writer.writerow([asset_id, asset["name"], asset["kind"], len(asset["content"]), " ".join(asset["tags"])])
    return Response(out.getvalue(), media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="assets.csv"'})


@router.post("/assets", status_code=201, response_model=Asset, dependencies=[Depends(require_bearer)],
             responses={201: {"description": "Registered", "headers": {"Location": {"description": "URL of the new asset", "schema": {"type": "string"}}}},
                        401: {"model": Error, "description": "Missing or invalid bearer token",
                              "headers": {"WWW-Authenticate": STRING}}, **VALIDATION})
def create_asset(body: AssetCreate) -> JSONResponse:
    """Register an asset (metadata only; the bytes are a placeholder until the upload lands)."""
    asset_id = f"ast-{max(int(a[4:]) for a in assets) + 1:03d}" if assets else "ast-001"
    assets[asset_id] = {"id": asset_id, "name": body.name, "kind": body.kind, "tags": list(body.tags),
                        "content": placeholder(body.name, body.kind)}
    return JSONResponse(public(assets[asset_id]), status_code=201, headers={"Location": f"/v1/assets/{asset_id}"})


@router.get("/assets/{asset_id}", response_model=Asset, responses={404: {"model": Error}, **VALIDATION})
def get_asset(asset_id: AssetId) -> dict:
    """One asset's metadata."""
    return public(_get(asset_id))


def _download(asset_id: str) -> Response:
    asset = _get(asset_id)
    return Response(asset["content"], media_type=MEDIA_TYPES[asset["kind"]],
                    headers={"Content-Disposition": f'attachment; filename="{asset["name"]}"',
                             "Cache-Control": "private, max-age=3600"})


DOWNLOAD = {
    "description": "The stored bytes",
    "headers": {"Content-Disposition": {"description": "attachment; filename=\"<name>\"", "schema": {"type": "string"}}},
    "content": {"image/png": BINARY, "application/pdf": BINARY},
}


@router.get("/assets/{asset_id}/content", response_class=Response,
            responses={200: DOWNLOAD, 404: {"model": Error}, **VALIDATION})
def asset_content(asset_id: AssetId) -> Response:
    """Download the bytes."""
    return _download(asset_id)


@router.head("/assets/{asset_id}/content", response_class=Response,
             responses={200: {"description": "Headers of the download",
                              "headers": {"Content-Disposition": STRING, "Content-Length": {"schema": {"type": "integer"}}}},
                        404: {"description": "Not Found"}})
def head_asset_content(asset_id: AssetId) -> Response:
    """Size and type of the bytes, no body."""
    return _download(asset_id)


app.include_router(router)


from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402 - Flask's own HEAD/OPTIONS and first query value

app.add_middleware(FlaskDefaults, document=app.openapi())
