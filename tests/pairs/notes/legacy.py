"""Legacy notes service: plain Flask, no spec library, two blueprints under /api.

Written the way many small Flask services are: `request.args.get(..., type=int)` (a bad value
silently falls back to the default), `jsonify`, `abort(404)` turned into JSON by an error handler,
manual body checks answering 400, datetimes serialized by Flask's JSON provider (RFC 1123).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone

from flask import Blueprint, Flask, abort, jsonify, request

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

notes_bp = Blueprint("notes", __name__, url_prefix="/api/notes")
users_bp = Blueprint("users", __name__, url_prefix="/api/users")


@notes_bp.get("")
def list_notes():
    limit = request.args.get("limit", 10, type=int)
    tag = request.args.get("tag")
    pinned = request.args.get("pinned")
    items = sorted(notes.values(), key=lambda n: n["id"])
    if tag:
        items = [n for n in items if tag in n["tags"]]
    if pinned is not None:
        items = [n for n in items if n["pinned"] == (pinned == "true")]
    return jsonify({"count": len(items), "items": items[: max(limit, 0)]})


@notes_bp.get("/<int:note_id>")
def get_note(note_id: int):
    note = notes.get(note_id)
    if note is None:
        abort(404)
    return jsonify(note)


@notes_bp.post("")
def create_note():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"error": "body must be a JSON object"}), 400
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        return jsonify({"error": "title is required"}), 400
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return jsonify({"error": "tags must be a list of strings"}), 400
    note_id = max(notes, default=0) + 1
    note = {"id": note_id, "title": title.strip(), "body": str(data.get("body") or ""), "tags": tags,
            "pinned": bool(data.get("pinned", False)), "owner": "ada", "created": _FIXED_NOW}
    notes[note_id] = note
    return jsonify(note), 201


@notes_bp.delete("/<int:note_id>")
def delete_note(note_id: int):
    if notes.pop(note_id, None) is None:
        abort(404)
    return "", 204


@users_bp.get("/<username>")
def get_user(username: str):
    user = _USERS.get(username)
    if user is None:
        abort(404)
    owned = [n["id"] for n in sorted(notes.values(), key=lambda n: n["id"]) if n["owner"] == username]
    return jsonify({**user, "notes": owned})


app = Flask(__name__)
app.register_blueprint(notes_bp)
app.register_blueprint(users_bp)


@app.get("/api/health")
def health():
    return jsonify({"status": "ok"})


@app.errorhandler(404)
def not_found(_error):
    return jsonify({"error": "not found"}), 404


@app.errorhandler(405)
def not_allowed(_error):
    return jsonify({"error": "method not allowed"}), 405
