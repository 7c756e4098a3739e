"""Legacy side of the divergence pair: a flask-openapi3 app whose handlers are ported one-to-one
to `divergence_fastapi.py`. Each operation reproduces one runtime row of divergences.md; the fuzz
engine must recognize and label every one of them."""

from __future__ import annotations

import datetime as dt

from flask import abort, request
from flask_openapi3 import OpenAPI
from pydantic import BaseModel

# 400 for validation errors: the status many Flask validation libraries answer with.
app = OpenAPI(__name__, security_schemes={}, validation_error_status=400)


class EventPath(BaseModel):
    event_id: int


class Event(BaseModel):
    id: int
    starts_at: dt.datetime


@app.get("/events/<int:event_id>", responses={200: Event})
def get_event(path: EventPath):
    # jsonify renders datetimes as RFC 1123 (divergence: datetime-format)
    return {"id": path.event_id, "starts_at": dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.timezone.utc)}


class ItemsQuery(BaseModel):
    limit: int


@app.get("/items", responses={200: None})
def list_items(query: ItemsQuery):
    # invalid `limit` is a 400 here, 422 in FastAPI (divergence: validation-status)
    return {"limit": query.limit, "items": []}


class ItemPath(BaseModel):
    item_id: int


@app.delete("/items/<int:item_id>", responses={204: None})
def delete_item(path: ItemPath):
    # an empty 204 that Flask labels text/html (divergence: no-content-type)
    return "", 204


@app.get("/me", responses={200: None, 401: None})
def who_am_i():
    # the handler checks the token itself: 401 (divergence: missing-auth)
    if not request.headers.get("X-Token"):
        return {"error": "unauthorized"}, 401
    return {"user": "alice"}


class UserPath(BaseModel):
    user_id: int


@app.get("/users/<int:user_id>", responses={200: None})
def get_user(path: UserPath):
    # werkzeug's <int:> refuses negative numbers with an HTML 404 (divergence: int-path-negative)
    return {"id": path.user_id}


class ThingPath(BaseModel):
    thing_id: int


@app.get("/things/<int:thing_id>", responses={200: None, 404: None})
def get_thing(path: ThingPath):
    # abort() answers an HTML page (divergence: html-error-page)
    if path.thing_id > 10:
        abort(404)
    return {"id": path.thing_id}


class Profile(BaseModel):
    name: str


@app.get("/profile", responses={200: Profile})
def get_profile():
    # Flask returns every key the handler built (divergence: response-model-drops-keys)
    return {"name": "alice", "internal_score": 7}


def reset() -> None:
    """Nothing to reset: the pair is stateless (kept for the --reset option's tests)."""
