"""FastAPI port of the events booking service, keeping what the legacy Flask app's clients see.

Pydantic models and `Query(...)` validate the input the way the Flask handlers did by hand (strict
JSON types, the same checks in the same order), and exception handlers give every failure the
legacy body: RequestValidationError -> 400 `{"error": "invalid body"|"invalid query parameter",
"field": ...}` (or `{"error": "body must be a JSON object"}`), HTTPException -> `{"error": "not
found"}`. Datetimes are written with `.isoformat()` like the Flask handlers (never pydantic's `Z`),
`<int:...>` is a `{...:flaskint}` convertor (`\\d+`), slashes are not redirected, a repeated query
parameter means its first value, and HEAD/OPTIONS answer the way Flask answers them itself.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic.json_schema import SkipJsonSchema
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, PlainValidator, StrictInt, StrictStr, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

UTC = timezone.utc
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
EMAIL_PATTERN = "^[^@\\s]+@[^@\\s]+$"

_SEED = {
    1: {"id": 1, "title": "Jazz im Park — Sommerfest", "description": "Open air, bring a blanket",
        "starts_at": datetime(2024, 7, 12, 18, 0, tzinfo=UTC), "ends_at": datetime(2024, 7, 12, 22, 30, tzinfo=UTC),
        "capacity": 100, "created_at": datetime(2024, 4, 2, 9, 0, 12, 345678, tzinfo=UTC),
        "attendees": [{"id": 1, "name": "Zoë Faßbender", "email": "zoe@example.com",
                       "booked_at": datetime(2024, 5, 1, 8, 15, 0, 250000, tzinfo=UTC)}]},
    2: {"id": 2, "title": "Atelier céramique", "description": None,
        "starts_at": datetime(2024, 8, 3, 9, 0, tzinfo=UTC), "ends_at": None, "capacity": 2, "created_at": datetime(2024, 4, 20, 16, 45, tzinfo=UTC),
        "attendees": [{"id": 2, "name": "Ada", "email": "ada@example.com", "booked_at": datetime(2024, 6, 2, 10, 0, tzinfo=UTC)},
                      {"id": 3, "name": "Bob", "email": "bob@example.com", "booked_at": datetime(2024, 6, 3, 11, 30, tzinfo=UTC)}]},
    3: {"id": 3, "title": "東京 meetup: lightning talks", "description": "",
        "starts_at": datetime(2024, 7, 1, 10, 0, tzinfo=UTC), "ends_at": datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
        "capacity": 30, "created_at": datetime(2024, 5, 5, 7, 30, tzinfo=UTC), "attendees": []},
}

events: dict[int, dict] = {}
_counters = {"event": 0, "attendee": 0}


def reset() -> None:
    events.clear()
    events.update(copy.deepcopy(_SEED))
    _counters["event"] = max(events)
    _counters["attendee"] = max(a["id"] for e in events.values() for a in e["attendees"])


reset()


class FlaskInt(Convertor):
    """Werkzeug's <int:...>: unsigned digits (any Unicode digit, as `\\d` matches)."""

    regex = r"\d+"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("flaskint", FlaskInt())


# ---------------------------------------------------------------- wire format, as the Flask handlers wrote it


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _attendee_json(a: dict) -> dict:
    return {"id": a["id"], "name": a["name"], "email": a["email"], "booked_at": _iso(a["booked_at"])}


def _event_json(e: dict) -> dict:
    return {"id": e["id"], "title": e["title"], "description": e["description"], "starts_at": _iso(e["starts_at"]),
            "ends_at": _iso(e["ends_at"]), "capacity": e["capacity"], "created_at": _iso(e["created_at"]),
            "attendees": [_attendee_json(a) for a in e["attendees"]]}


# ---------------------------------------------------------------- input models: the legacy checks, in the legacy order


def parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _required_datetime(value: object) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError("not an ISO 8601 date-time with an offset")
    return parsed


def _optional_datetime(value: object) -> datetime | None:
    return None if value is None else _required_datetime(value)


def _stripped(max_length: int):  # noqa: ANN202
    def check(value: str) -> str:
        if not value.strip() or len(value) > max_length:
            raise ValueError("blank or too long")
        return value.strip()

    return AfterValidator(check)


def _email(value: str) -> str:
    if len(value) > 120 or not EMAIL.fullmatch(value):
        raise ValueError("not an email address")
    return value


def _query_int(value: object) -> int:
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise ValueError("not an integer")
    return int(value)


Title = Annotated[StrictStr, Field(min_length=1, max_length=120), _stripped(120)]
Description = Annotated[StrictStr, Field(max_length=2000)]
Capacity = Annotated[StrictInt, Field(ge=1, le=10000)]
QueryInt = BeforeValidator(_query_int)
DATE_TIME = {"type": "string", "format": "date-time"}


class NewEvent(BaseModel):
    title: Title
    description: Description | None = None
    starts_at: Annotated[datetime, PlainValidator(_required_datetime), WithJsonSchema(DATE_TIME)]
    ends_at: Annotated[datetime | None, PlainValidator(_optional_datetime),
                       WithJsonSchema({"anyOf": [DATE_TIME, {"type": "null"}]})] = None
    capacity: Capacity = 50

    @model_validator(mode="after")
    def ends_after_start(self) -> NewEvent:
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise PydanticCustomError("field_error", "ends before it starts", {"field": "ends_at"})
        return self


class EventPatch(BaseModel):
    title: Title = None  # type: ignore[assignment]  # absent: unchanged; null: refused, as in Flask
    description: Description | None = None
    capacity: Capacity = None  # type: ignore[assignment]


class NewAttendee(BaseModel):
    name: Annotated[StrictStr, Field(min_length=1, max_length=80), _stripped(80)]
    email: Annotated[StrictStr, Field(max_length=120, json_schema_extra={"pattern": EMAIL_PATTERN}), AfterValidator(_email)]


# ---------------------------------------------------------------- output models: documentation only (handlers
# return JSONResponse with the legacy wire format, which FastAPI sends as it is)


class Attendee(BaseModel):
    id: int
    name: str
    email: str
    booked_at: datetime


class Event(BaseModel):
    id: int
    title: str
    description: str | None
    starts_at: datetime
    ends_at: datetime | None
    capacity: Annotated[int, Field(ge=1)]
    created_at: datetime
    attendees: list[Attendee]


class EventPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[Event]


class Error(BaseModel):
    error: str
    field: str | SkipJsonSchema[None] = None  # absent, never null


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": Error} for status in statuses}


def json_body(request: Request) -> None:
    """Flask's get_json(silent=True) only reads bodies sent as JSON (FastAPI parses a body with
    no content type too)."""
    mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not (mime == "application/json" or (mime.startswith("application/") and mime.endswith("+json"))):
        raise HTTPException(400)


# ---------------------------------------------------------------- routes


events_router = APIRouter(prefix="/api/events")
attendees_router = APIRouter(prefix="/api/events/{event_id:flaskint}/attendees")


@events_router.get("", response_model=EventPage, responses=errors(400))
def list_events(
    limit: Annotated[int, Query(ge=1, le=100), QueryInt] = 20,
    offset: Annotated[int, Query(ge=0), QueryInt] = 0,
    q: Annotated[str | None, Query(max_length=50)] = None,
) -> JSONResponse:
    items = sorted(events.values(), key=lambda e: (e["starts_at"], e["id"]))
    if q:
        items = [e for e in items if q.casefold() in e["title"].casefold()]
    page = items[offset: offset + limit]
    return JSONResponse({"total": len(items), "limit": limit, "offset": offset, "items": [_event_json(e) for e in page]})


@events_router.post("", status_code=201, dependencies=[Depends(json_body)], response_model=Event, responses=errors(400))
def create_event(body: NewEvent) -> JSONResponse:
    _counters["event"] += 1
    event = {"id": _counters["event"], "title": body.title, "description": body.description, "starts_at": body.starts_at,
             "ends_at": body.ends_at, "capacity": body.capacity, "attendees": [], "created_at": datetime.now(UTC)}
    events[event["id"]] = event
    return JSONResponse(_event_json(event), status_code=201, headers={"Location": f"/api/events/{event['id']}"})


@events_router.get("/{event_id:flaskint}", response_model=Event, responses=errors(404))
def get_event(event_id: int) -> JSONResponse:
    event = events.get(event_id)
    if event is None:
        raise HTTPException(404)
    return JSONResponse(_event_json(event))


@events_router.patch("/{event_id:flaskint}", dependencies=[Depends(json_body)], response_model=Event, responses=errors(400, 404, 409))
def update_event(event_id: int, body: EventPatch) -> JSONResponse:
    changes = body.model_dump(include=body.model_fields_set)
    event = events.get(event_id)
    if event is None:
        raise HTTPException(404)
    if changes.get("capacity", event["capacity"]) < len(event["attendees"]):
        return JSONResponse({"error": "capacity below bookings"}, status_code=409)
    event.update(changes)
    return JSONResponse(_event_json(event))


@events_router.delete("/{event_id:flaskint}", status_code=204, responses=errors(404))
def delete_event(event_id: int) -> Response:
    if events.pop(event_id, None) is None:
        raise HTTPException(404)
    return Response(status_code=204)


@attendees_router.get("", response_model=list[Attendee], responses=errors(404))
def list_attendees(event_id: int) -> JSONResponse:
    event = events.get(event_id)
    if event is None:
        raise HTTPException(404)
    return JSONResponse([_attendee_json(a) for a in event["attendees"]])


@attendees_router.post("", status_code=201, dependencies=[Depends(json_body)], response_model=Attendee, responses=errors(400, 404, 409))
def book_attendee(event_id: int, body: NewAttendee) -> JSONResponse:
    event = events.get(event_id)
    if event is None:
        raise HTTPException(404)
    if any(a["email"].casefold() == body.email.casefold() for a in event["attendees"]):
        return JSONResponse({"error": "already booked"}, status_code=409)
    if len(event["attendees"]) >= event["capacity"]:
        return JSONResponse({"error": "event is full"}, status_code=409)
    _counters["attendee"] += 1
    attendee = {"id": _counters["attendee"], "name": body.name, "email": body.email, "booked_at": datetime.now(UTC)}
    event["attendees"].append(attendee)
    return JSONResponse(_attendee_json(attendee), status_code=201)


@attendees_router.delete("/{attendee_id:flaskint}", status_code=204, responses=errors(404))
def cancel_booking(event_id: int, attendee_id: int) -> Response:
    event = events.get(event_id)
    if event is None:
        raise HTTPException(404)
    kept = [a for a in event["attendees"] if a["id"] != attendee_id]
    if len(kept) == len(event["attendees"]):
        raise HTTPException(404)
    event["attendees"] = kept
    return Response(status_code=204)


app = FastAPI(title="events", redirect_slashes=False)
app.include_router(events_router)
app.include_router(attendees_router)


# ---------------------------------------------------------------- what Flask does on its own


def _routes(routes: list) -> list:
    flat = []
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI >= 0.16x keeps included routers whole
        flat += _routes(included.routes) if included is not None else [route]
    return flat


def _flask_allow(path: str) -> str | None:
    """The Allow header Flask sends for `path`: the route's methods plus HEAD and OPTIONS."""
    methods: set[str] = set()
    for route in _routes(app.router.routes):
        match, _ = route.matches({"type": "http", "path": path, "method": "OPTIONS"})
        if match != Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    if not methods:
        return None
    methods.add("OPTIONS")
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


@app.middleware("http")
async def flask_compat(request: Request, call_next):
    # request.args.get(): the first of repeated values (Starlette keeps the last)
    query = request.scope.get("query_string", b"").decode("latin-1")
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        firsts = list({k: v for k, v in reversed(pairs)}.items())[::-1]
        if len(firsts) != len(pairs):
            request.scope["query_string"] = urlencode(firsts).encode("latin-1")
    if request.method == "OPTIONS":
        allow = _flask_allow(request.url.path)
        if allow is not None:
            return Response(status_code=200, headers={"Allow": allow}, media_type="text/html")
    if request.method == "HEAD":
        allow = _flask_allow(request.url.path)
        if allow is not None and "GET" in allow.split(", "):
            request.scope["method"] = "GET"
            response = await call_next(request)
            return Response(status_code=response.status_code, headers=dict(response.headers))
    return await call_next(request)


def _validation_body(error: dict[str, Any]) -> dict[str, str]:
    loc = error["loc"]
    if loc[0] == "query":
        return {"error": "invalid query parameter", "field": str(loc[1])}
    if error["type"] == "field_error":
        return {"error": "invalid body", "field": error["ctx"]["field"]}
    if loc[0] == "body" and len(loc) >= 2 and error["type"] != "json_invalid":
        return {"error": "invalid body", "field": str(loc[1])}
    return {"error": "body must be a JSON object"}


@app.exception_handler(RequestValidationError)
async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(_validation_body(exc.errors()[0]), status_code=400)


@app.exception_handler(StarletteHTTPException)
async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    # Flask's 405 handler returns a new response: no Allow header, like here
    messages = {400: "body must be a JSON object", 404: "not found", 405: "method not allowed"}
    return JSONResponse({"error": messages.get(exc.status_code, str(exc.detail))}, status_code=exc.status_code)
