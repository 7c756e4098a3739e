"""A plain Flask app (no document: apiparity infers a skeleton from url_map) whose FastAPI port,
`plain_fastapi_defaults.py`, keeps every FastAPI default. Nothing here is a bug in either app: each
difference is a framework default the framework probes must find without --mode all (HEAD/OPTIONS,
an undeclared method's 405 page, a repeated query parameter, boolean spellings, a non-integer id)."""

from __future__ import annotations

from flask import Flask, abort, jsonify, request

app = Flask(__name__)

ITEMS = [
    {"id": 1, "name": "anvil", "active": True},
    {"id": 2, "name": "bucket", "active": False},
    {"id": 3, "name": "crowbar", "active": True},
]


@app.get("/items")
def list_items():
    limit = request.args.get("limit", 10, type=int)  # the first of ?limit=1&limit=2
    active = request.args.get("active") == "true"  # a hand-written check: "1", "yes", "True" read as false
    found = [item for item in ITEMS if item["active"]] if active else ITEMS
    return jsonify(found[:limit])


@app.get("/items/<int:item_id>")
def get_item(item_id: int):
    for item in ITEMS:
        if item["id"] == item_id:
            return jsonify(item)
    abort(404)


def reset() -> None:
    """Nothing to reset: the app never writes."""
