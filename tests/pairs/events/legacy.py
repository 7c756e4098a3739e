"""Legacy events booking service: plain Flask, no spec library, two blueprints under /api/events.

Written the way many small Flask services are: `request.args` read by hand, `request.get_json
(silent=True)` checked field by field (400 `{"error": ..., "field": ...}`), `jsonify`, `abort(404)`
turned into JSON by an error handler, `<int:...>` converters, datetimes kept timezone-aware in UTC
and written by the handlers with `.isoformat()` (`2024-07-12T18:00:00+00:00`), ids from module
counters. The hand-kept contract is contract.yaml next to this file.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone

from flask import Blueprint, Flask, abort, jsonify, request, url_for

UTC = timezone.utc
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")

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


class BadRequest(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.body = {"error": message} if field is None else {"error": message, "field": field}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _attendee_json(a: dict) -> dict:
    return {"id": a["id"], "name": a["name"], "email": a["email"], "booked_at": _iso(a["booked_at"])}


def _event_json(e: dict) -> dict:
    return {"id": e["id"], "title": e["title"], "description": e["description"], "starts_at": _iso(e["starts_at"]),
            "ends_at": _iso(e["ends_at"]), "capacity": e["capacity"], "created_at": _iso(e["created_at"]),
            "attendees": [_attendee_json(a) for a in e["attendees"]]}


def _int_arg(name: str, default: int, low: int, high: int | None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise BadRequest("invalid query parameter", name)
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise BadRequest("invalid query parameter", name)
    return value


def parse_datetime(value: object) -> datetime | None:
    """An ISO 8601 date-time with an offset, in UTC; None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _json_object() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def _title(data: dict) -> str:
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 120:
        raise BadRequest("invalid body", "title")
    return title.strip()


def _description(data: dict) -> str | None:
    description = data.get("description")
    if description is not None and (not isinstance(description, str) or len(description) > 2000):
        raise BadRequest("invalid body", "description")
    return description


def _capacity(data: dict, default: int | None = None) -> int:
    capacity = data.get("capacity", default)
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 10000:
        raise BadRequest("invalid body", "capacity")
    return capacity


events_bp = Blueprint("events", __name__, url_prefix="/api/events")
attendees_bp = Blueprint("attendees", __name__, url_prefix="/api/events/<int:event_id>/attendees")


@events_bp.get("")
def list_events():
    limit = _int_arg("limit", 20, 1, 100)
    offset = _int_arg("offset", 0, 0, None)
    q = request.args.get("q")
    if q is not None and len(q) > 50:
        raise BadRequest("invalid query parameter", "q")
    items = sorted(events.values(), key=lambda e: (e["starts_at"], e["id"]))
    if q:
        items = [e for e in items if q.casefold() in e["title"].casefold()]
    page = items[offset: offset + limit]
    return jsonify({"total": len(items), "limit": limit, "offset": offset, "items": [_event_json(e) for e in page]})


@events_bp.post("")
def create_event():
    data = _json_object()
    title = _title(data)
    description = _description(data)
    starts_at = parse_datetime(data.get("starts_at"))
    if starts_at is None:
        raise BadRequest("invalid body", "starts_at")
    ends_at = None
    if data.get("ends_at") is not None:
        ends_at = parse_datetime(data["ends_at"])
        if ends_at is None:
            raise BadRequest("invalid body", "ends_at")
    capacity = _capacity(data, 50)
    if ends_at is not None and ends_at < starts_at:
        raise BadRequest("invalid body", "ends_at")
    _counters["event"] += 1
    event = {"id": _counters["event"], "title": title, "description": description, "starts_at": starts_at,
             "ends_at": ends_at, "capacity": capacity, "attendees": [], "created_at": datetime.now(UTC)}
    events[event["id"]] = event
    return jsonify(_event_json(event)), 201, {"Location": url_for("events.get_event", event_id=event["id"])}


@events_bp.get("/<int:event_id>")
def get_event(event_id: int):
    event = events.get(event_id)
    if event is None:
        abort(404)
    return jsonify(_event_json(event))


@events_bp.patch("/<int:event_id>")
def update_event(event_id: int):
    data = _json_object()
    changes = {}
    if "title" in data:
        changes["title"] = _title(data)
    if "description" in data:
        changes["description"] = _description(data)
    if "capacity" in data:
        changes["capacity"] = _capacity(data)
    event = events.get(event_id)
    if event is None:
        abort(404)
    if changes.get("capacity", event["capacity"]) < len(event["attendees"]):
        return jsonify({"error": "capacity below bookings"}), 409
    event.update(changes)
    return jsonify(_event_json(event))


@events_bp.delete("/<int:event_id>")
def delete_event(event_id: int):
    if events.pop(event_id, None) is None:
        abort(404)
    return "", 204


@attendees_bp.get("")
def list_attendees(event_id: int):
    event = events.get(event_id)
    if event is None:
        abort(404)
    return jsonify([_attendee_json(a) for a in event["attendees"]])


@attendees_bp.post("")
def book_attendee(event_id: int):
    data = _json_object()
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        raise BadRequest("invalid body", "name")
    email = data.get("email")
    if not isinstance(email, str) or len(email) > 120 or not EMAIL.fullmatch(email):
        raise BadRequest("invalid body", "email")
    event = events.get(event_id)
    if event is None:
        abort(404)
    if any(a["email"].casefold() == email.casefold() for a in event["attendees"]):
        return jsonify({"error": "already booked"}), 409
    if len(event["attendees"]) >= event["capacity"]:
        return jsonify({"error": "event is full"}), 409
    _counters["attendee"] += 1
    attendee = {"id": _counters["attendee"], "name": name.strip(), "email": email, "booked_at": datetime.now(UTC)}
    event["attendees"].append(attendee)
    return jsonify(_attendee_json(attendee)), 201


@attendees_bp.delete("/<int:attendee_id>")
def cancel_booking(event_id: int, attendee_id: int):
    event = events.get(event_id)
    if event is None:
        abort(404)
    kept = [a for a in event["attendees"] if a["id"] != attendee_id]
    if len(kept) == len(event["attendees"]):
        abort(404)
    event["attendees"] = kept
    return "", 204


app = Flask(__name__)
app.register_blueprint(events_bp)
app.register_blueprint(attendees_bp)


@app.errorhandler(BadRequest)
def bad_request(error: BadRequest):
    return jsonify(error.body), 400


@app.errorhandler(404)
def not_found(_error):
    return jsonify({"error": "not found"}), 404


@app.errorhandler(405)
def not_allowed(_error):
    return jsonify({"error": "method not allowed"}), 405
