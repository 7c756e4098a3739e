"""A small plain Flask app: no spec library, so it has no OpenAPI document.

apiparity can only infer a skeleton from `app.url_map`: the rule converters give the path parameter
types (`int`, `string`, `path`, `uuid`, `float`) and the rule methods give the operations. Bodies,
query parameters and response shapes are unknown to it.

Errors are Flask's defaults (HTML pages for 404/405), as in most plain Flask services.

Run it:  cd examples/plain_flask && flask --app app run
"""

import copy
import uuid

from flask import Flask, request

app = Flask(__name__)

_SEED_NOTES = {
    1: {"id": 1, "text": "buy milk", "tags": ["home"]},
    2: {"id": 2, "text": "call the bank", "tags": ["admin", "urgent"]},
}
_SESSION = uuid.UUID("12345678-1234-5678-1234-567812345678")

notes: dict[int, dict] = {}


def reset() -> None:
    """Restore the seed notes."""
    notes.clear()
    notes.update(copy.deepcopy(_SEED_NOTES))


reset()


@app.get("/notes")
def list_notes():
    tag = request.args.get("tag")
    rows = [n for n in sorted(notes.values(), key=lambda n: n["id"]) if tag is None or tag in n["tags"]]
    return rows


@app.post("/notes")
def create_note():
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return {"error": "text is required"}, 400
    note = {"id": max(notes, default=0) + 1, "text": data["text"], "tags": list(data.get("tags") or [])}
    notes[note["id"]] = note
    return note, 201


@app.route("/notes/<int:note_id>", methods=["GET", "PUT", "DELETE"])
def note_item(note_id: int):
    note = notes.get(note_id)
    if note is None:
        return {"error": f"note {note_id} not found"}, 404
    if request.method == "GET":
        return note
    if request.method == "DELETE":
        del notes[note_id]
        return "", 204
    data = request.get_json(silent=True) or {}
    note.update({k: v for k, v in data.items() if k in ("text", "tags")})
    return note


@app.get("/tags/<string:slug>")
def notes_by_tag(slug: str):
    return {"tag": slug, "notes": [n["id"] for n in notes.values() if slug in n["tags"]]}


@app.get("/files/<path:file_path>")
def file_info(file_path: str):
    parts = file_path.split("/")
    return {"path": file_path, "name": parts[-1], "depth": len(parts)}


@app.get("/sessions/<uuid:session_id>")
def session(session_id: uuid.UUID):
    if session_id != _SESSION:
        return {"error": "unknown session"}, 404
    return {"id": str(session_id), "user": "alice"}


@app.get("/convert/<float:celsius>")
def convert(celsius: float):
    return {"celsius": celsius, "fahrenheit": round(celsius * 9 / 5 + 32, 2)}


@app.route("/echo", methods=["GET", "POST", "PATCH"])
def echo():
    return {"method": request.method, "args": request.args.to_dict(flat=False), "json": request.get_json(silent=True)}
