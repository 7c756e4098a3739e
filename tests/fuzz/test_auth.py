"""Per-side auth in-process: a login flow whose tokens expire (refreshed on 401), a cookie session,
and a Python hook in schemathesis' provider shape."""

from __future__ import annotations

import itertools

import pytest
from fastapi import Cookie, FastAPI, Header, Response
from fastapi.responses import JSONResponse
from flask import Flask, jsonify, request

from apiparity.errors import ConfigError
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.targets.apps import target_from_app
from tests.conftest import ROOT

CONTRACT = {
    "openapi": "3.1.0",
    "info": {"title": "whoami", "version": "1"},
    "paths": {"/whoami": {"get": {"parameters": [{"name": "n", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10**6}}],
                                  "responses": {"200": {"description": "me", "content": {"application/json": {
        "schema": {"type": "object", "required": ["user"], "properties": {"user": {"type": "string"}}}}}}}}}},
}
USES_PER_TOKEN = 3


def legacy_app() -> Flask:
    """Bearer tokens that expire after USES_PER_TOKEN requests."""
    app = Flask("legacy_whoami")
    tokens: dict[str, int] = {}
    counter = itertools.count(1)
    app.config["logins"] = 0

    @app.post("/login")
    def login():
        assert request.get_json() == {"user": "alice", "password": "s3cret-old"}
        app.config["logins"] += 1
        token = f"old-{next(counter)}"
        tokens[token] = USES_PER_TOKEN
        return jsonify(token=token)

    @app.get("/whoami")
    def whoami():
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if tokens.get(token, 0) <= 0:
            return jsonify(error="expired"), 401
        tokens[token] -= 1
        return jsonify(user="alice")

    return app


def modern_app() -> FastAPI:
    """A cookie session for /whoami, and an API key endpoint for the hook."""
    app = FastAPI()
    sessions: set[str] = set()
    keys: set[str] = set()

    @app.post("/session")
    def session(body: dict, response: Response) -> dict:
        if body.get("password") != "s3cret-new":
            return JSONResponse({"error": "bad"}, status_code=401)
        sessions.add("sid-1")
        response.set_cookie("sid", "sid-1")
        return {}

    @app.post("/keys")
    def new_key() -> dict:
        keys.add("key-1")
        return {"key": "key-1"}

    @app.get("/whoami")
    def whoami(sid: str | None = Cookie(default=None), x_api_key: str | None = Header(default=None)):
        if sid not in sessions and x_api_key not in keys:
            return JSONResponse({"error": "expired"}, status_code=401)
        return {"user": "alice"}

    return app


class ApiKeyAuth:
    """A hook with schemathesis' auth-provider shape, adapted to apiparity: get + set."""

    def get(self, case, context):  # noqa: ANN001
        return context.request("POST", "/keys").json()[1]["key"]

    def set(self, case, data, context):  # noqa: ANN001
        case.headers["X-Api-Key"] = data


@pytest.fixture
def sides():
    old, new = legacy_app(), modern_app()
    return old, target_from_app("legacy", old), target_from_app("modern", new)


BEFORE_REGISTRY = ("trailing-slash", "if-none-match", "no-credentials")  # the probes of before `apiparity probes`: these tests are about auth


def _run(old_target, new_target, **settings):
    old_target.document = new_target.document = CONTRACT  # one contract for both sides
    return run_fuzz(old_target, new_target, FuzzSettings(max_examples=8, auto_reset=False, **{"probes": BEFORE_REGISTRY, **settings}))


def test_login_flows_per_side_with_refresh_on_401(sides, monkeypatch):
    old_app, old, new = sides
    monkeypatch.setenv("OLD_PW", "s3cret-old")
    monkeypatch.setenv("NEW_PW", "s3cret-new")
    result = _run(
        old, new,
        old_auth={"path": "/login", "json": {"user": "alice", "password": "${OLD_PW}"}, "token": "$.token"},
        new_auth={"path": "/session", "json": {"password": "${NEW_PW}"}, "token": "cookie:sid", "cookie": "sid"},
    )
    assert result.groups == [] and result.cases >= 3
    # OLD's tokens run out every 3 requests: each 401 led to a new login and a resend
    assert old_app.config["logins"] >= result.cases * 2 // USES_PER_TOKEN
    assert result.settings["auth"]["new"].startswith("login POST /session")


def test_without_auth_the_sides_answer_401_alike_and_with_one_side_only_they_differ(sides, monkeypatch):
    _, old, new = sides
    assert _run(old, new).groups == []  # both 401, same body shape aside
    monkeypatch.setenv("OLD_PW", "s3cret-old")
    one_sided = _run(old, new, old_auth={"path": "/login", "json": {"user": "alice", "password": "${OLD_PW}"}, "token": "$.token"})
    assert [g.signature for g in one_sided.groups] == ["status 200 != 401"]


def test_python_hook_provider(sides, monkeypatch):
    _, old, new = sides
    monkeypatch.setenv("OLD_PW", "s3cret-old")
    result = _run(old, new, app_dir=str(ROOT),
                  old_auth={"path": "/login", "json": {"user": "alice", "password": "${OLD_PW}"}, "token": "$.token"},
                  new_auth="tests.fuzz.test_auth:ApiKeyAuth")
    assert result.groups == []
    assert result.settings["auth"]["new"] == "hook tests.fuzz.test_auth.ApiKeyAuth"


@pytest.mark.parametrize(("table", "message"), [
    ({"path": "/login", "json": {"password": "plain"}}, "literal secret"),
    ({"path": "login"}, "from the server root"),
    ({"path": "/login", "tokn": "$.t"}, "unknown key 'tokn'"),
    ({"path": "/login", "token": "body.t"}, "`token` must be"),
])
def test_bad_login_tables_are_refused(table, message):
    with pytest.raises(ConfigError, match=message):
        FuzzSettings(old_auth=table)
