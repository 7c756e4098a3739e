"""Auth that survives resets: a reset that empties the sessions logs a side out; `after_reset = true`
logs it in again after every reset, and a login that fails mid-run is an error line, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.targets import load_target

APP = '''
import secrets
from flask import request
from flask_openapi3 import OpenAPI

def make():
    app = OpenAPI(__name__, security_schemes={"bearer": {"type": "http", "scheme": "bearer"}})
    state = {"sessions": set(), "users": {"alice"}}

    @app.post("/login", doc_ui=False)
    def login():
        if (request.get_json(silent=True) or {}).get("user") not in state["users"]:
            return {"error": "no such user"}, 401
        token = secrets.token_hex(8)
        state["sessions"].add(token)
        return {"token": token}

    @app.get("/me", responses={200: None, 403: None}, security=[{"bearer": []}])
    def me():
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in state["sessions"]:
            return {"error": "forbidden"}, 403  # not 401: no refresh_on status
        return {"user": "alice"}

    return app, state

old_app, old_state = make()
new_app, new_state = make()

def reset_old():
    old_state["sessions"].clear()  # every session gone, the users kept

def reset_new():
    new_state["sessions"].clear()

def reset_new_users():
    new_state["sessions"].clear()
    new_state["users"].clear()  # the user table emptied too: logging in again fails
'''


@pytest.fixture()
def module(tmp_path: Path) -> Path:
    path = tmp_path / "sessions_app.py"
    path.write_text(APP)
    return path


def _run(module: Path, old_after_reset: bool, new_after_reset: bool, reset_new: str = "reset_new"):
    old = load_target(f"{module}:old_app")
    new = load_target(f"{module}:new_app")
    flow = {"path": "/login", "json": {"user": "alice"}, "token": "$.token"}
    settings = FuzzSettings(seed=1, max_examples=3, probes=("no-credentials",), phases=("examples", "fuzzing"),
                            reset_old=(f"{module}:reset_old",), reset_new=(f"{module}:{reset_new}",),
                            old_auth={**flow, "after_reset": old_after_reset}, new_auth={**flow, "after_reset": new_after_reset})
    return run_fuzz(old, new, settings)


def _secured(result) -> list[str]:
    return [g.signature for g in result.groups if g.operation == "GET /me"]


def test_a_reset_that_drops_sessions_logs_out_a_side_that_does_not_log_in_again(module: Path) -> None:
    result = _run(module, old_after_reset=True, new_after_reset=False)
    assert "status 200 != 403" in _secured(result)


def test_after_reset_logs_in_again_and_both_sides_stay_logged_in(module: Path) -> None:
    result = _run(module, old_after_reset=True, new_after_reset=True)
    me = next(s for s in result.operations if s.operation == "GET /me")
    assert me.cases > 1 and _secured(result) == []


def test_a_login_failing_during_the_run_is_an_error_line_not_a_crash(module: Path) -> None:
    result = _run(module, old_after_reset=True, new_after_reset=True, reset_new="reset_new_users")
    problems = [e for e in result.errors if e.startswith("NEW login during the run failed")]
    assert len(problems) == 1 and "401" in problems[0]
    assert "status 200 != 403" in _secured(result)


def test_after_reset_must_be_a_boolean() -> None:
    from apiparity.errors import ConfigError

    with pytest.raises(ConfigError, match="after_reset"):
        FuzzSettings(old_auth={"path": "/login", "after_reset": "yes"})
