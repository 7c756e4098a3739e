"""Legacy media/asset service: flask-openapi3, an APIBlueprint under `/v1` plus a class-based
APIView, an in-memory store, and the non-JSON answers its clients depend on.

- `GET /v1/health` and `GET /v1/version` answer `text/plain` (load balancers and deploy scripts
  read them with `curl | grep`);
- `GET /v1/assets` is a JSON list with a strong `ETag` (over the canonical JSON of the page) and
  `Cache-Control: private, max-age=60`; `If-None-Match` with the current tag answers an empty 304;
- `GET /v1/assets/export.csv` is `text/csv` written by the csv module (CRLF line endings, as RFC
  4180 says) with `Content-Disposition: attachment; filename="assets.csv"`;
- `GET /v1/assets/<asset_id>/content` is the stored bytes (`image/png` or `application/pdf`) with
  `Content-Disposition: attachment; filename="<name>"`; `HEAD` on it is documented (CDNs and the
  upload client probe size and type with it);
- `POST /v1/assets` registers an asset's metadata (JSON, no multipart) behind a bearer token; a
  missing or wrong token is a 401 JSON error with `WWW-Authenticate: Bearer`, checked before the
  body is validated;
- every error is JSON `{"error": ..., "message": ...}`; validation errors are 422 with a list of one such
  object (flask-openapi3 documents the 422 as an array of the validation error model).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import struct
import zlib
from typing import Literal

from flask import Response, request
from flask_openapi3 import APIBlueprint, APIView, Info, OpenAPI
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException, NotFound

VERSION = "2.4.1"
# the upload token (in production it comes from the environment; a fixed one for the pair)
UPLOAD_TOKEN = "mda_live_4f9c2b7e1d83a6"
ASSET_ID = r"^ast-[0-9]{3}$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,40}\.(png|pdf)$"
MEDIA_TYPES = {"image": "image/png", "document": "application/pdf"}

Kind = Literal["image", "document"]


def png(rgb: tuple[int, int, int]) -> bytes:
    """A valid 1x1 PNG of one colour."""
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


class AssetCreated(Asset):
    model_config = ConfigDict(openapi_extra={  # type: ignore[typeddict-unknown-key]
        "description": "Registered",
        "headers": {"Location": {"description": "URL of the new asset", "schema": {"type": "string"}}},
    })


class AssetList(BaseModel):
    assets: list[Asset]
    total: int


class AssetPage(AssetList):
    model_config = ConfigDict(openapi_extra={  # type: ignore[typeddict-unknown-key]
        "description": "A page of assets",
        "headers": {
            "ETag": {"description": "strong tag of this page", "schema": {"type": "string"}},
            "Cache-Control": {"schema": {"type": "string"}},
        },
    })


class AssetCreate(BaseModel):
    name: str = Field(..., pattern=NAME_PATTERN)
    kind: Kind
    tags: list[str] = Field([], max_length=5)


class ListQuery(BaseModel):
    kind: Kind | None = None
    tag: str | None = Field(None, pattern=r"^[a-z]{1,12}$")
    limit: int = Field(20, ge=1, le=50)


class ExportQuery(BaseModel):
    kind: Kind | None = None


class ListHeaders(BaseModel):
    if_none_match: str | None = Field(None, alias="If-None-Match", description="an ETag seen before")


class AssetPath(BaseModel):
    asset_id: str = Field(..., pattern=ASSET_ID, json_schema_extra={"example": "ast-001"})


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


def validation_failed(e: ValidationError):
    # flask-openapi3 documents the 422 as an array of `validation_error_model`: the body is one
    return Response(json.dumps([{"error": "invalid_request", "message": "request validation failed"}]),
                    status=422, mimetype="application/json")


security_schemes = {"bearer": {"type": "http", "scheme": "bearer", "description": "upload token"}}
app = OpenAPI(__name__, info=Info(title="Media", version=VERSION), security_schemes=security_schemes,
              validation_error_model=Error, validation_error_callback=validation_failed)


@app.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return {"error": (exc.name or "error").lower().replace(" ", "_"), "message": exc.description}, exc.code


def _get(asset_id: str) -> dict:
    asset = assets.get(asset_id)
    if asset is None:
        raise NotFound(f"asset {asset_id} not found")
    return asset


TEXT = {"content": {"text/plain": {"schema": {"type": "string"}}}}
UNAUTHORIZED = {
    "description": "Missing or invalid bearer token",
    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
CACHE_HEADERS = {
    "ETag": {"description": "strong tag of this page", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}
BINARY = {"schema": {"type": "string", "format": "binary"}}
DOWNLOAD = {
    "description": "The stored bytes",
    "headers": {"Content-Disposition": {"description": "attachment; filename=\"<name>\"", "schema": {"type": "string"}}},
    "content": {"image/png": BINARY, "application/pdf": BINARY},
}

api = APIBlueprint("media", __name__, url_prefix="/v1")


@api.before_request
def require_bearer():
    """Upload endpoints need the token, checked before anything else (body validation included)."""
    if request.endpoint == "media.create_asset":
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token != UPLOAD_TOKEN:
            body = json.dumps({"error": "unauthorized", "message": "missing or invalid bearer token"})
            return Response(body, status=401, mimetype="application/json", headers={"WWW-Authenticate": "Bearer"})
    return None


@api.get("/health", responses={200: {"description": "Alive", **TEXT}})
def health():
    """Liveness probe."""
    return Response("ok\n", mimetype="text/plain")


@api.get("/version", responses={200: {"description": "Service version", **TEXT}})
def version():
    """The deployed version."""
    return Response(f"media {VERSION}\n", mimetype="text/plain")


@api.get("/assets", responses={200: AssetPage, 304: {"description": "Not modified", "headers": CACHE_HEADERS}})
def list_assets(query: ListQuery, header: ListHeaders):
    """Assets by id, filtered by kind and tag; conditional with If-None-Match."""
    found = [assets[a] for a in sorted(assets)]
    if query.kind is not None:
        found = [a for a in found if a["kind"] == query.kind]
    if query.tag is not None:
        found = [a for a in found if query.tag in a["tags"]]
    payload = {"assets": [public(a) for a in found[:query.limit]], "total": len(found)}
    etag = etag_of(payload)
    headers = {"ETag": etag, "Cache-Control": "private, max-age=60"}
    if matches(header.if_none_match, etag):
        return Response(status=304, headers=headers)
    return Response(json.dumps(payload), mimetype="application/json", headers=headers)


@api.get("/assets/export.csv", responses={200: {
    "description": "Every asset as CSV",
    "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
    "content": {"text/csv": {"schema": {"type": "string"}}},
}})
def export_assets(query: ExportQuery):
    """Spreadsheet export: id, name, kind, size, tags (space separated)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name", "kind", "size", "tags"])
    for asset_id in sorted(assets):
        asset = assets[asset_id]
        if query.kind is None or asset["kind"] == query.kind:
            writer.writerow([asset_id, asset["name"], asset["kind"], len(asset["content"]), " ".join(asset["tags"])])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="assets.csv"'})


@api.post("/assets", security=[{"bearer": []}], responses={201: AssetCreated, 401: UNAUTHORIZED})
def create_asset(body: AssetCreate):
    """Register an asset (metadata only; the bytes are a placeholder until the upload lands)."""
    asset_id = f"ast-{max(int(a[4:]) for a in assets) + 1:03d}" if assets else "ast-001"
    assets[asset_id] = {"id": asset_id, "name": body.name, "kind": body.kind, "tags": list(body.tags),
                        "content": placeholder(body.name, body.kind)}
    return public(assets[asset_id]), 201, {"Location": f"/v1/assets/{asset_id}"}


view = APIView(url_prefix="/v1")


@view.route("/assets/<asset_id>")
class AssetOne:
    @view.doc(summary="One asset's metadata", responses={200: Asset, 404: Error})
    def get(self, path: AssetPath):
        return public(_get(path.asset_id))


def _download(asset_id: str) -> Response:
    asset = _get(asset_id)
    return Response(asset["content"], mimetype=MEDIA_TYPES[asset["kind"]],
                    headers={"Content-Disposition": f'attachment; filename="{asset["name"]}"',
                             "Cache-Control": "private, max-age=3600"})


@view.route("/assets/<asset_id>/content")
class AssetContent:
    @view.doc(summary="Download the bytes", responses={200: DOWNLOAD, 404: Error})
    def get(self, path: AssetPath):
        return _download(path.asset_id)

    @view.doc(doc_ui=False)  # documented by hand below
    def head(self, path: AssetPath):
        return _download(path.asset_id)


app.register_api(api)
app.register_api_view(view)

# flask-openapi3 cannot document HEAD (utils.parse_method knows GET/POST/PUT/PATCH/DELETE only), so
# the team adds it to the cached document by hand: CDNs and the upload client rely on it.
_content = app.api_doc["paths"]["/v1/assets/{asset_id}/content"]
_content["head"] = {
    "summary": "Size and type of the bytes, no body",
    "operationId": "head_asset_content",
    "parameters": copy.deepcopy(_content["get"]["parameters"]),
    "responses": {
        "200": {"description": "Headers of the download",
                "headers": {"Content-Disposition": {"schema": {"type": "string"}},
                            "Content-Length": {"schema": {"type": "integer"}}}},
        "404": {"description": "Not Found"},
    },
}
