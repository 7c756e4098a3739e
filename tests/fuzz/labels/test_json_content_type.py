"""The `json-body-content-type` label (apiparity.fuzz.labels.json_content_type) on a real Flask app
and its FastAPI port, each request sent to both in-process, compared and labelled as a run does.

Right (found on a real port, flask2fastapi's users API): a POST with no body, or a JSON body sent as
text/plain, is Flask's 415 from `get_json()` and FastAPI's 422 or 201. Near misses: OLD's own 400 for
a JSON body missing a field (the app's message, not Werkzeug's), and a 415 the legacy app answers on
purpose to a JSON body (an upload route that takes only octet-stream), and a route the port no longer
has (a real pair moved /api/v1/posts to /posts/: NEW's 404 is its router's, not its body model's)."""

from __future__ import annotations

from collections.abc import Iterator

from typing import Any

import pytest
from fastapi import FastAPI, Request
from flask import Flask, jsonify
from flask import request as flask_request
from pydantic import BaseModel

from apiparity.fuzz.wire import WireRequest
from tests.fuzz.labels.harness import Sides, judge, serve

LABEL = "json-body-content-type"

legacy = Flask(__name__)


@legacy.post("/users")
def create_user() -> Any:
    data = flask_request.get_json()
    if not data or "name" not in data or "email" not in data:
        return jsonify({"error": "Name and email required"}), 400
    return jsonify({"name": data["name"], "email": data["email"]}), 201


@legacy.post("/uploads")
def upload() -> Any:
    if flask_request.content_type != "application/octet-stream":
        return jsonify({"error": "send the file as application/octet-stream"}), 415
    return jsonify({"size": len(flask_request.get_data())}), 201


@legacy.post("/api/v1/posts")
def create_post() -> Any:
    data = flask_request.get_json()
    return jsonify({"title": data.get("title")}), 201


modern = FastAPI()


class UserIn(BaseModel):
    name: str
    email: str


@modern.post("/users", status_code=201)
def create_user_new(body: UserIn) -> dict[str, str]:
    return {"name": body.name, "email": body.email}


@modern.post("/uploads", status_code=201)
async def upload_new(request: Request) -> dict[str, int]:
    return {"size": len(await request.body())}


@pytest.fixture(scope="module")
def sides() -> Iterator[Sides]:
    yield from serve(legacy, modern)


def label_of(sides: Sides, path: str, body: bytes | None, content_type: str | None) -> tuple[str | None, list[str], tuple[int, int]]:
    """(the label the case gets, the preconditions of the label that fail, (OLD, NEW) statuses)."""
    headers = [("Content-Type", content_type)] if content_type else []
    judged = judge(sides, WireRequest("POST", path, headers=headers, body=body, operation=f"POST {path}"), LABEL, kinds=("status",))
    return judged.label, judged.failed, (judged.old.status, judged.new.status)


def test_no_body_is_flasks_415_and_fastapis_422(sides) -> None:
    assert label_of(sides, "/users", None, None) == (LABEL, [], (415, 422))


def test_a_json_body_sent_as_text_plain(sides) -> None:
    found, failed, statuses = label_of(sides, "/users", b'{"name": "a", "email": "a@b.c"}', "text/plain")
    assert (found, failed) == (LABEL, []) and statuses[0] == 415


def test_near_miss_the_apps_own_400_for_a_json_body(sides) -> None:
    found, failed, statuses = label_of(sides, "/users", b'{"name": "a"}', "application/json")
    assert statuses == (400, 422)
    assert found != LABEL and failed == ["OLD answered 415 Unsupported Media Type, NEW did not",
                                         "the request's Content-Type is not JSON (or there is none)"]


def test_near_miss_a_415_the_legacy_route_answers_on_purpose_to_json(sides) -> None:
    found, failed, statuses = label_of(sides, "/uploads", b'{"a": 1}', "application/json")
    assert statuses == (415, 201)
    assert found != LABEL and failed == ["the request's Content-Type is not JSON (or there is none)"]


def test_near_miss_a_route_the_port_no_longer_has(sides) -> None:
    found, failed, statuses = label_of(sides, "/api/v1/posts", None, None)
    assert statuses == (415, 404)
    assert found != LABEL and failed == ["NEW routes the method and path (it answered other than 404/405, or its document declares them)"]
