"""FastAPI port of the notes service, mimicking what Flask clients see.

The port keeps the wire behaviour of the legacy app: `limit` falls back to 10 when it is not an
integer (Flask's `type=int`), `pinned` is a raw string compared with "true", bodies are checked by
hand and answer 400 `{"error": ...}`, unknown routes and ids answer `{"error": "not found"}`, and
datetimes keep Flask's RFC 1123 format.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

_SEED = {
    1: {"id": 1, "title": "groceries", "body": "milk, eggs", "tags": ["home"], "pinned": True,
        "owner": "ada", "created": datetime(2024, 1, 2, 9, 30, tzinfo=timezone.utc)},
    2: {"id": 2, "title": "standup", "body": "", "tags": ["work", "daily"], "pinned": False,
        "owner": "bob", "created": datetime(2024, 2, 3, 10, 0, tzinfo=timezone.utc)},
    3: {"id": 3, "title": "ideas", "body": "apiparity", "tags": [], "pinned": False,
        "owner": "ada", "created": datetime(2024, 3, 4, 11, 15, 30, tzinfo=timezone.utc)},
}
_USERS = {"ada": {"username": "ada", "display_name": "Ada L.", "admin": True},
          "bob": {"username": "bob", "display_name": "Bob", "admin": False}}
_FIXED_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)

notes: dict[int, dict] = {}


def reset() -> None:
    notes.clear()
    notes.update(copy.deepcopy(_SEED))


reset()


def _wire(note: dict) -> dict[str, Any]:
    # Flask's JSON provider writes datetimes as RFC 1123 ("Tue, 02 Jan 2024 09:30:00 GMT").
    return {**note, "created": format_datetime(note["created"], usegmt=True)}


def _int_or(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


notes_router = APIRouter(prefix="/api/notes")
users_router = APIRouter(prefix="/api/users")


@notes_router.get("")
def list_notes(request: Request) -> dict:
    args = request.query_params
    limit = _int_or(args.get("limit"), 10)
    tag = args.get("tag")
    pinned = args.get("pinned")
    items = sorted(notes.values(), key=lambda n: n["id"])
    if tag:
        items = [n for n in items if tag in n["tags"]]
    if pinned is not None:
        items = [n for n in items if n["pinned"] == (pinned == "true")]
    return {"count": len(items), "items": [_wire(n) for n in items[: max(limit, 0)]]}


@notes_router.get("/{note_id}")
def get_note(note_id: str) -> dict:
    # Flask's <int:...> converter only matches unsigned digits; anything else is an unknown route.
    if not note_id.isascii() or not note_id.isdigit() or int(note_id) not in notes:
        raise HTTPException(404)
    return _wire(notes[int(note_id)])


@notes_router.post("", status_code=201)
async def create_note(request: Request):
    # Flask's get_json(silent=True) only parses bodies sent as application/json.
    data = None
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        try:
            data = await request.json()
        except ValueError:
            data = None
    if not isinstance(data, dict):
        return JSONResponse({"error": "body must be a JSON object"}, status_code=400)
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        return JSONResponse({"error": "title is required"}, status_code=400)
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return JSONResponse({"error": "tags must be a list of strings"}, status_code=400)
    note_id = max(notes, default=0) + 1
    note = {"id": note_id, "title": title.strip(), "body": str(data.get("body") or ""), "tags": tags,
            "pinned": bool(data.get("pinned", False)), "owner": "ada", "created": _FIXED_NOW}
    notes[note_id] = note
    return JSONResponse(_wire(note), status_code=201)


@notes_router.delete("/{note_id}", status_code=204)
def delete_note(note_id: str) -> Response:
    if not note_id.isascii() or not note_id.isdigit() or notes.pop(int(note_id), None) is None:
        raise HTTPException(404)
    return Response(status_code=204)


@users_router.get("/{username}")
def get_user(username: str) -> dict:
    user = _USERS.get(username)
    if user is None:
        raise HTTPException(404)
    owned = [n["id"] for n in sorted(notes.values(), key=lambda n: n["id"]) if n["owner"] == username]
    return {**user, "notes": owned}


app = FastAPI(title="notes")
app.include_router(notes_router)
app.include_router(users_router)


@app.get("/api/health")
def health() -> dict:
    return {"status": "ok"}


# Flask answers OPTIONS on every route itself: 200, empty body, the route's methods in Allow.
_FLASK_ALLOW = [
    (re.compile(r"/api/health"), "GET, HEAD, OPTIONS"),
    (re.compile(r"/api/notes"), "GET, HEAD, OPTIONS, POST"),
    (re.compile(r"/api/notes/[0-9]+"), "DELETE, GET, HEAD, OPTIONS"),
    (re.compile(r"/api/users/[^/]+"), "GET, HEAD, OPTIONS"),
]


@app.middleware("http")
async def automatic_options(request: Request, call_next):
    if request.method == "OPTIONS":
        for pattern, allow in _FLASK_ALLOW:
            if pattern.fullmatch(request.url.path):
                return Response(status_code=200, headers={"Allow": allow}, media_type="text/html")
    return await call_next(request)


@app.exception_handler(StarletteHTTPException)
async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    messages = {404: "not found", 405: "method not allowed"}
    return JSONResponse({"error": messages.get(exc.status_code, str(exc.detail))}, status_code=exc.status_code)


from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402 - Flask's own HEAD/OPTIONS and first query value

app.add_middleware(FlaskDefaults, document=app.openapi())
