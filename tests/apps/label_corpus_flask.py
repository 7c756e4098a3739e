"""Legacy side of the label corpus (tests/fuzz/test_label_corpus.py): a flask-openapi3 app with one
route per known divergence, answering the way Flask really does, and one route per near miss (a
request that looks like the divergence but breaks one of its preconditions). Ported route by route
to `label_corpus_fastapi.py`."""

from __future__ import annotations

import datetime as dt
import math

from flask import abort, jsonify, redirect, request
from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field

app = OpenAPI(__name__, security_schemes={}, validation_error_status=400)


@app.errorhandler(405)
def method_not_allowed(error):  # noqa: ANN001, ANN201 - Flask's handler signature
    # a JSON 405 under /json/ (so only the Allow header differs from Starlette's), Flask's HTML page elsewhere
    if request.path.startswith("/json/"):
        response = jsonify({"detail": "Method Not Allowed"})
        response.status_code = 405
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
        return response
    return error


# ------------------------------------------------------------------ head-options-405 / allow-header


@app.get("/ping", responses={200: None})
def ping():
    return {"ok": True}


@app.get("/json/ping", responses={200: None})
def json_ping():
    return {"ok": True}


@app.get("/gone", responses={200: None})
def gone():
    return {"ok": True}


# ------------------------------------------------------------------ trailing-slash-redirect


@app.get("/rows/", responses={200: None})
def rows():
    return {"rows": []}


@app.get("/legacy-path", responses={200: None})
def legacy_path():
    return redirect("/new-path", code=301)


# ------------------------------------------------------------------ int-path-negative


class UserPath(BaseModel):
    user_id: int


@app.get("/users/<int:user_id>", responses={200: None})
def get_user(path: UserPath):
    return {"id": path.user_id}


class ArticlePath(BaseModel):
    slug: str


@app.get("/articles/<slug>", responses={200: None, 404: None})
def get_article(path: ArticlePath):
    return {"error": "not found"}, 404


# ------------------------------------------------------------------ missing-auth-status


@app.get("/me", responses={200: None, 401: None})
def who_am_i():
    if not request.headers.get("X-Token"):
        return {"error": "unauthorized"}, 401
    return {"user": "alice"}


@app.get("/admin", responses={200: None, 403: None})
def admin():
    if not request.headers.get("X-Token"):
        return {"error": "forbidden"}, 403
    return {"admin": True}


# ------------------------------------------------------------------ json-string-body


@app.post("/notes", responses={201: None})
def create_note():
    body = request.get_json(force=True, silent=True)
    text = body if isinstance(body, str) else (body or {}).get("text", "")
    return {"text": text}, 201


# ------------------------------------------------------------------ repeated-query-param


class SearchQuery(BaseModel):
    q: str = ""


@app.get("/search", responses={200: None})
def search(query: SearchQuery):
    return {"q": request.args.get("q", "")}


class TagsQuery(BaseModel):
    tag: list[str] = Field(default_factory=list)


@app.get("/tags", responses={200: None})
def tags(query: TagsQuery):
    return {"tag": request.args.get("tag", "")}


# ------------------------------------------------------------------ validation-status / validation-error-body


class ItemsQuery(BaseModel):
    limit: int


@app.get("/items", responses={200: None})
def list_items(query: ItemsQuery):
    return {"limit": query.limit}


@app.get("/strict", responses={200: None, 422: None})
def strict():
    if not (request.args.get("limit") or "").isdigit():
        return {"error": "limit must be a number"}, 422
    return {"limit": int(request.args["limit"])}


@app.get("/checked", responses={200: None, 422: None})
def checked():
    if not (request.args.get("limit") or "").isdigit():
        return jsonify([{"loc": ["limit"], "msg": "value is not a valid integer", "type": "type_error.integer"}]), 422
    return {"limit": int(request.args["limit"])}


@app.get("/checked-page", responses={200: None, 422: None})
def checked_page():
    if not (request.args.get("limit") or "").isdigit():
        return "<p>limit must be a number</p>", 422
    return {"limit": int(request.args["limit"])}


# ------------------------------------------------------------------ no-content-type-204


class ItemPath(BaseModel):
    item_id: int


@app.delete("/items/<int:item_id>", responses={204: None})
def delete_item(path: ItemPath):
    return "", 204


@app.delete("/files/<int:item_id>", responses={204: None})
def delete_file(path: ItemPath):
    return "", 204


# ------------------------------------------------------------------ html-error-page / detail-error-body


class ThingPath(BaseModel):
    thing_id: int


@app.get("/things/<int:thing_id>", responses={200: None, 404: None})
def get_thing(path: ThingPath):
    if path.thing_id > 10:
        abort(404)
    return {"id": path.thing_id}


@app.get("/crash/<int:thing_id>", responses={200: None, 404: None})
def crash(path: ThingPath):
    raise KeyError(path.thing_id)  # the legacy crash the port fixed


class BookingPath(BaseModel):
    booking_id: int


@app.delete("/bookings/<int:booking_id>", responses={204: None, 404: None})
def delete_booking(path: BookingPath):
    return {"error": "not found"}, 404


@app.delete("/orders/<int:booking_id>", responses={204: None, 404: None})
def delete_order(path: BookingPath):
    return {"detail": f"Order {path.booking_id} not found"}, 404


# ------------------------------------------------------------------ datetimes


class EventPath(BaseModel):
    event_id: int


@app.get("/events/<int:event_id>", responses={200: None})
def get_event(path: EventPath):
    return {"id": path.event_id, "starts_at": dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.timezone.utc)}  # RFC 1123 via jsonify


@app.get("/days/<int:event_id>", responses={200: None})
def get_day(path: EventPath):
    return {"id": path.event_id, "starts_at": "2024-01-01"}


@app.get("/slots/<int:event_id>", responses={200: None})
def get_slot(path: EventPath):
    return {"id": path.event_id, "starts_at": dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.timezone.utc).isoformat()}


@app.get("/naive-slots/<int:event_id>", responses={200: None})
def get_naive_slot(path: EventPath):
    return {"id": path.event_id, "starts_at": dt.datetime(2024, 1, 1, 12, 30).isoformat()}


# ------------------------------------------------------------------ missing keys


class ProfilePath(BaseModel):
    profile_id: int


@app.get("/profiles/<int:profile_id>", responses={200: None})
def get_profile(path: ProfilePath):
    return {"id": path.profile_id, "name": "ada", "bio": None}


@app.get("/old-profiles/<int:profile_id>", responses={200: None})
def get_old_profile(path: ProfilePath):
    return {"id": path.profile_id, "name": "ada", "bio": None}


@app.get("/accounts/<int:profile_id>", responses={200: None})
def get_account(path: ProfilePath):
    return {"id": path.profile_id, "secret_score": 7}


@app.get("/ledgers/<int:profile_id>", responses={200: None})
def get_ledger(path: ProfilePath):
    return {"id": path.profile_id, "secret_score": 7}


@app.get("/contacts/<int:profile_id>", responses={200: None})
def get_contact(path: ProfilePath):
    return {"id": path.profile_id, "email": "ada@example.com"}


# ------------------------------------------------------------------ nan-infinity


@app.get("/ratio", responses={200: None})
def ratio():
    return app.response_class('{"ratio": NaN}', mimetype="application/json")  # what json.dumps(math.nan) writes


@app.get("/ratio-text", responses={200: None})
def ratio_text():
    return {"ratio": "NaN", "note": str(math.inf)}
