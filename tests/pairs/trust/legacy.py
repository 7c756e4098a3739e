"""A small legacy Flask app with the habits the trust defects came from (plain Flask, no document:
apiparity infers a skeleton from url_map):

- an audit hook keyed by request method that knows GET and OPTIONS but not HEAD: every HEAD request
  (answered from the GET view by Flask) raises KeyError, a 500 with Flask's traceback logged;
- a custom 404 handler answering `{"error": "Not found"}` for an unknown route (Werkzeug's `<int:>`
  refuses `-1`: routing) and `{"error": "no user 7"}` for a record a handler does not find;
- `GET /reports/{id}` refuses every id it is asked (a report store that was never filled).
"""

from __future__ import annotations

from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import NotFound

app = Flask(__name__)

USERS = {1: {"id": 1, "name": "ada"}, 2: {"id": 2, "name": "grace"}}
BOOKS = {1: {"id": 1, "title": "Dune"}, 2: {"id": 2, "title": "Emma"}}
AUDIT_ACTIONS = {"GET": "read", "OPTIONS": "inspect", "POST": "write"}  # HEAD was never listed


@app.before_request
def audit() -> None:
    app.config.setdefault("AUDIT", []).append(AUDIT_ACTIONS[request.method])


@app.errorhandler(404)
def not_found(error):  # noqa: ANN001, ANN201
    # a handler's own message (`abort(404, description=...)`), else the generic one (an unknown route)
    message = error.description if error.description != NotFound.description else "Not found"
    return jsonify({"error": message}), 404


@app.get("/users")
def list_users():  # noqa: ANN201
    return jsonify(list(USERS.values()))


@app.get("/users/<int:user_id>")
def get_user(user_id: int):  # noqa: ANN201
    if user_id not in USERS:
        abort(404, description=f"no user {user_id}")
    return jsonify(USERS[user_id])


@app.get("/books")
def list_books():  # noqa: ANN201
    return jsonify(list(BOOKS.values()))


@app.get("/books/<int:book_id>")
def get_book(book_id: int):  # noqa: ANN201
    if book_id not in BOOKS:
        abort(404, description=f"no book {book_id}")
    return jsonify(BOOKS[book_id])


@app.get("/reports/<int:report_id>")
def get_report(report_id: int):  # noqa: ANN201
    abort(404)


def reset() -> None:
    app.config["AUDIT"] = []
