"""Operations the document secures get one request without credentials: `-H Authorization: ...`
puts a token on every generated case, so a missing token's answer would otherwise never be seen."""

from __future__ import annotations

import json
from pathlib import Path

from apiparity.fuzz.generate import Credentials, required_credentials
from apiparity.fuzz.probes.framework import without_credentials as _without_credentials
from apiparity.fuzz.wire import WireRequest
from tests.conftest import run_cli

OLD_APP = '''
from flask import Flask, jsonify, request
app = Flask(__name__)
SPEC = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {"/me": {"get": {"security": [{"bearer": []}], "responses": {
            "200": {"description": "me"}, "401": {"description": "no token"}}}},
                  "/open": {"get": {"responses": {"200": {"description": "anyone"}}}}}}

@app.get("/openapi.json")
def spec():
    return jsonify(SPEC)

@app.get("/me")
def me():
    if request.headers.get("Authorization") != "Bearer t0k3n":
        return jsonify(detail="missing token"), 401
    return jsonify(user="ada")

@app.get("/open")
def open_():
    return jsonify(ok=True)
'''
NEW_APP = '''
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPBearer
app = FastAPI()
bearer = HTTPBearer()  # auto_error: 403 without a token (the classic port slip)

@app.get("/me")
def me(credentials=Depends(bearer)) -> dict:
    if credentials.credentials != "t0k3n":
        raise HTTPException(401, "missing token")
    return {"user": "ada"}

@app.get("/open")
def open_() -> dict:
    return {"ok": True}
'''


def test_required_credentials_read_the_effective_security() -> None:
    document = {
        "security": [{"key": []}],
        "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                                           "sid": {"type": "apiKey", "in": "cookie", "name": "sid"},
                                           "token": {"type": "apiKey", "in": "query", "name": "token"}}},
        "paths": {"/a": {"get": {}, "post": {"security": []}, "put": {"security": [{}, {"key": []}]},
                         "patch": {"security": [{"sid": [], "token": []}]}}},
    }
    assert required_credentials(document, "GET", "/a") == Credentials(headers=frozenset({"x-key"}))
    assert required_credentials(document, "POST", "/a") is None  # explicitly public
    assert required_credentials(document, "PUT", "/a") is None  # credentials optional
    assert required_credentials(document, "PATCH", "/a") == Credentials(query=frozenset({"token"}), cookies=frozenset({"sid"}))


def test_credentials_are_taken_out_of_headers_cookies_and_query() -> None:
    request = WireRequest("GET", "/a", query="token=s3&page=2",
                          headers=[("X-Key", "k"), ("Cookie", "sid=1; theme=dark"), ("Accept", "*/*")])
    stripped = _without_credentials(request, Credentials(frozenset({"x-key"}), frozenset({"token"}), frozenset({"sid"})))
    assert stripped.query == "page=2"
    assert stripped.headers == [("Cookie", "theme=dark"), ("Accept", "*/*")]


def test_a_403_for_a_missing_token_is_found_although_every_case_carries_one(tmp_path: Path) -> None:
    (tmp_path / "old_app.py").write_text(OLD_APP)
    (tmp_path / "new_app.py").write_text(NEW_APP)
    out = tmp_path / "report.json"
    result = run_cli("fuzz", f"{tmp_path / 'old_app.py'}:app", f"{tmp_path / 'new_app.py'}:app", "--seed", "1",
                     "--max-examples", "3", "-H", "Authorization: Bearer t0k3n", "--probes", "no-credentials", "--format", "json", "-o", str(out))
    assert result.exit_code == 1, result.stderr
    groups = json.loads(out.read_text())["fuzz"]["groups"]
    # FastAPI's HTTPBearer answers a missing token with 403 (older releases) or its own 401 body (newer)
    assert [g["operation"] for g in groups] == ["GET /me"]
    assert groups[0]["signature"] in ("status 401 != 403", "body $.detail value changed")
    assert "Authorization" not in groups[0]["examples"][0]["curl_old"]
