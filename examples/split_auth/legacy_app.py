"""The legacy items service: plain Flask (no spec library) on SQLite, mounted under /api.

Log in with POST /api/login {"username", "password"} -> {"token": "legacy-..."}; send it as
`Authorization: Bearer <token>`. Tokens live in the database, so the rewrite never accepts them.

Test-only reset (enabled by SPLIT_AUTH_ENABLE_RESET=1): POST /api/_test/reset puts the two fixture
items back and restarts the id sequence (the next item created is id 3). Users and tokens survive.

Run: cd examples/split_auth && SPLIT_AUTH_ENABLE_RESET=1 waitress-serve --listen=127.0.0.1:5001 legacy_app:app
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import tempfile
from pathlib import Path

from flask import Flask, g, jsonify, request

DATABASE = Path(os.environ.get("SPLIT_AUTH_LEGACY_DB", Path(tempfile.gettempdir()) / "split_auth_legacy.sqlite3"))
PASSWORD = os.environ.get("SPLIT_AUTH_ALICE_PASSWORD", "wonderland")
FIXTURES = [(1, "apple", 3, "alice"), (2, "pear", 5, "alice")]

app = Flask(__name__)


def _connect() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, timeout=10)
    connection.row_factory = sqlite3.Row
    return connection


def init_db() -> None:
    with _connect() as db:
        db.executescript(
            """
            CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, password TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, username TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS items (
                id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, price INTEGER NOT NULL, owner TEXT NOT NULL
            );
            """
        )
        db.execute("INSERT OR REPLACE INTO users VALUES ('alice', ?)", (PASSWORD,))
    reset()


def reset() -> None:
    """Fixture items only, and the id sequence restarted after them."""
    with _connect() as db:
        db.execute("DELETE FROM items")
        db.execute("DELETE FROM sqlite_sequence WHERE name = 'items'")
        db.executemany("INSERT INTO items (id, name, price, owner) VALUES (?, ?, ?, ?)", FIXTURES)


def db() -> sqlite3.Connection:
    if "db" not in g:
        g.db = _connect()
    return g.db


@app.teardown_appcontext
def _close(exc: BaseException | None) -> None:
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def _item(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "name": row["name"], "price": row["price"], "owner": row["owner"]}


def current_user() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    row = db().execute("SELECT username FROM sessions WHERE token = ?", (header[len("Bearer "):],)).fetchone()
    return row["username"] if row else None


@app.before_request
def _require_login():
    if request.endpoint in ("login", "test_reset") or request.endpoint is None:
        return None
    g.user = current_user()
    if g.user is None:
        return jsonify(error="unauthorized"), 401
    return None


@app.post("/api/login")
def login():
    body = request.get_json(silent=True) or {}
    row = db().execute("SELECT password FROM users WHERE username = ?", (body.get("username"),)).fetchone()
    if row is None or row["password"] != body.get("password"):
        return jsonify(error="bad credentials"), 401
    token = "legacy-" + secrets.token_hex(16)
    with db():
        db().execute("INSERT INTO sessions VALUES (?, ?)", (token, body["username"]))
    return jsonify(token=token)


@app.post("/api/_test/reset")
def test_reset():
    if os.environ.get("SPLIT_AUTH_ENABLE_RESET") != "1":
        return jsonify(error="not found"), 404
    reset()
    return "", 204


@app.get("/api/me")
def me():
    return jsonify(username=g.user)


@app.get("/api/items")
def list_items():
    limit = request.args.get("limit", default=50, type=int)
    rows = db().execute("SELECT * FROM items ORDER BY id LIMIT ?", (limit,)).fetchall()
    return jsonify([_item(r) for r in rows])


@app.post("/api/items")
def create_item():
    body = request.get_json()
    with db():
        cursor = db().execute("INSERT INTO items (name, price, owner) VALUES (?, ?, ?)", (body["name"], body["price"], g.user))
    row = db().execute("SELECT * FROM items WHERE id = ?", (cursor.lastrowid,)).fetchone()
    return jsonify(_item(row)), 201


@app.get("/api/items/search")
def search_items():
    low = request.args.get("min_price", type=int)
    high = request.args.get("max_price", type=int)
    if low is None or high is None or low > high:
        return jsonify(error="min_price must not exceed max_price"), 400
    rows = db().execute("SELECT * FROM items WHERE price BETWEEN ? AND ? ORDER BY id", (low, high)).fetchall()
    return jsonify([_item(r) for r in rows])


@app.get("/api/items/<int:item_id>")
def get_item(item_id: int):
    row = db().execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        return jsonify(error=f"item {item_id} not found"), 404
    return jsonify(_item(row))


init_db()
