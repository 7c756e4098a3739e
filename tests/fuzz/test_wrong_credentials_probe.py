"""A credential that is present but wrong (fresh24a item 3): with `-H` supplying a valid token on
every case, and the no-credentials probe only dropping it, a port answering a wrong token with 403
where the legacy app said 401 was invisible. The `wrong-credentials` probe sends a well-formed wrong
credential of the same scheme, once per operation that requires one."""

from __future__ import annotations

import json
from pathlib import Path

from apiparity.fuzz.probes.base import ProbeOperation
from apiparity.fuzz.probes.wrong_credentials import WrongCredential, with_wrong_credentials, wrong_credentials
from apiparity.fuzz.wire import WireRequest
from apiparity.redact import INVENTED_BASIC, INVENTED_CREDENTIAL, Redaction
from tests.conftest import run_cli

# a pharmacy: the token is a required header parameter, no security scheme
OLD_APP = '''
from flask import Flask, jsonify, request
app = Flask(__name__)
SPEC = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
    "/stock": {"patch": {"parameters": [{"name": "X-Pharmacist-Token", "in": "header", "required": True,
                                         "schema": {"type": "string"}}],
                         "responses": {"200": {"description": "ok"}, "401": {"description": "bad token"}}}},
    "/open": {"get": {"responses": {"200": {"description": "anyone"}}}}}}

@app.get("/openapi.json")
def spec():
    return jsonify(SPEC)

@app.patch("/stock")
def stock():
    if request.headers.get("X-Pharmacist-Token") != "rx-secret-token":
        return jsonify(error="UNAUTHORIZED"), 401
    return jsonify(stock=3)

@app.get("/open")
def open_():
    return jsonify(ok=True)
'''
NEW_APP = '''
from typing import Annotated
from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
app = FastAPI()

@app.patch("/stock")
def stock(x_pharmacist_token: Annotated[str, Header()]):
    if x_pharmacist_token != "rx-secret-token":
        return JSONResponse({"error": "UNAUTHORIZED"}, status_code=403)  # the planted slip: 403 for a wrong token
    return {"stock": 3}

@app.get("/open")
def open_():
    return {"ok": True}
'''


def _run(tmp_path: Path, *probes: str) -> list[dict[str, object]]:
    (tmp_path / "old_app.py").write_text(OLD_APP)
    (tmp_path / "new_app.py").write_text(NEW_APP)
    out = tmp_path / "report.json"
    result = run_cli("fuzz", f"{tmp_path / 'old_app.py'}:app", f"{tmp_path / 'new_app.py'}:app", "--seed", "1", "--max-examples", "3",
                     "-H", "X-Pharmacist-Token: rx-secret-token", "--probes", ",".join(probes), "--format", "json", "-o", str(out))
    assert result.exit_code in (0, 1), result.stderr
    groups: list[dict[str, object]] = json.loads(out.read_text())["fuzz"]["groups"]
    return groups


def test_a_403_for_a_wrong_token_is_found_although_every_case_carries_a_valid_one(tmp_path: Path) -> None:
    assert _run(tmp_path, "no-credentials") == []  # dropping the token: both sides refuse alike (no probe sees the slip)
    groups = _run(tmp_path, "wrong-credentials")
    assert [(g["operation"], g["signature"]) for g in groups] == [("PATCH /stock", "status 401 != 403")]
    example = groups[0]["examples"][0]  # type: ignore[index]
    assert example["request"]["headers"]["X-Pharmacist-Token"] == INVENTED_CREDENTIAL  # no secret: shown as sent
    assert f"\"X-Pharmacist-Token\": \"{INVENTED_CREDENTIAL}\"" in example["curl_new"] and "rx-secret-token" not in json.dumps(groups)


def _operation(document: dict[str, object], method: str, path: str) -> ProbeOperation:
    spec = document["paths"][path][method.lower()]  # type: ignore[index]
    return ProbeOperation(label=f"{method} {path}", method=method, path=path, document=document,
                          parameters=tuple(spec.get("parameters", [])))


def test_the_wrong_credential_keeps_the_scheme() -> None:
    document = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}, "basic": {"type": "http", "scheme": "basic"},
                                           "key": {"type": "apiKey", "in": "query", "name": "api_key"},
                                           "sid": {"type": "apiKey", "in": "cookie", "name": "sid"}}},
        "paths": {"/a": {"get": {"security": [{"bearer": []}]}, "post": {"security": [{"basic": []}]},
                         "put": {"security": [{"key": [], "sid": []}]}, "delete": {"security": [{}, {"bearer": []}]},
                         "patch": {"parameters": [{"name": "X-Api-Key", "in": "header", "required": True,
                                                   "schema": {"type": "string", "pattern": "^k-[0-9]+$"}}]}}},
    }
    assert wrong_credentials(_operation(document, "GET", "/a")) == [WrongCredential("header", "Authorization", f"Bearer {INVENTED_CREDENTIAL}")]
    assert wrong_credentials(_operation(document, "POST", "/a")) == [WrongCredential("header", "Authorization", f"Basic {INVENTED_BASIC}")]
    assert wrong_credentials(_operation(document, "DELETE", "/a")) == []  # credentials optional
    put = wrong_credentials(_operation(document, "PUT", "/a"))
    sent = with_wrong_credentials(WireRequest("PUT", "/a", query="api_key=good&x=1", headers=[("Cookie", "sid=good; theme=dark")]), put)
    assert sent.query == f"x=1&api_key={INVENTED_CREDENTIAL}" and sent.header("cookie") == f"theme=dark; sid={INVENTED_CREDENTIAL}"
    # a pattern the invented value breaks: the generated case's (well-formed, wrong) value is sent
    generated = WireRequest("PATCH", "/a", headers=[("X-Api-Key", "k-17")])
    assert wrong_credentials(_operation(document, "PATCH", "/a"), generated) == [WrongCredential("header", "X-Api-Key", "k-17")]
    # what apiparity invented is no secret; the user's credential still is
    policy = Redaction.build(headers=[("Authorization", "Bearer real-token")])
    assert policy.header("Authorization", f"Basic {INVENTED_BASIC}") == f"Basic {INVENTED_BASIC}"
    assert policy.query(f"api_key={INVENTED_CREDENTIAL}") == f"api_key={INVENTED_CREDENTIAL}"
    assert policy.header("Authorization", "Bearer real-token") == "Bearer [redacted]"
