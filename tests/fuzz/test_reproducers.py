"""A printed reproducer reproduces (fresh24a item 2), run against a real server on 127.0.0.1:

- HEAD is `curl -I`: `curl -X HEAD` waits for a body the server never sends (it hung);
- a value the user passed with `-H` is a placeholder to substitute, never `[redacted]`: the literal
  `[redacted]` sent a wrong credential, so the reproducer showed 401 where the run saw 409;
- a side apiparity served on a temporary port (`--new-python`) has a placeholder URL, not a dead one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request

from apiparity.fuzz import curl as reproducers
from apiparity.fuzz.curl import curl_command
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.sides import open_side
from apiparity.fuzz.wire import WireRequest
from apiparity.redact import Redaction, scope
from apiparity.targets.model import Target

TOKEN = "rx-secret-token"


def _app() -> Flask:
    app = Flask(__name__)

    @app.route("/stock", methods=["GET", "PATCH"])
    def stock() -> Any:
        if request.headers.get("X-Pharmacist-Token") != TOKEN:
            return jsonify({"error": "unauthorised"}), 401
        if request.method == "PATCH":
            return jsonify({"error": "insufficient stock"}), 409
        return jsonify({"stock": 3})

    return app


APP_SOURCE = f'''
from flask import Flask, jsonify, request
app = Flask(__name__)

@app.route("/stock", methods=["GET", "PATCH"])
def stock():
    if request.headers.get("X-Pharmacist-Token") != {TOKEN!r}:
        return jsonify({{"error": "unauthorised"}}), 401
    if request.method == "PATCH":
        return jsonify({{"error": "insufficient stock"}}), 409
    return jsonify({{"stock": 3}})
'''


@contextlib.contextmanager
def _waitress() -> Iterator[str]:
    from waitress.server import create_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = create_server(_app(), host="127.0.0.1", port=port, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(5)


def _shell(command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # the reproducer runs in bash as a user pastes it; a generous timeout: a hang is the failure
    return subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="no curl binary")
PATCH = WireRequest(method="PATCH", path="/stock", headers=[("Content-Type", "application/json"), ("X-Pharmacist-Token", TOKEN)],
                    body=b'{"delta": -999}', operation="PATCH /stock")


@needs_curl
def test_a_head_reproducer_returns_instead_of_waiting_for_a_body() -> None:
    head = WireRequest(method="HEAD", path="/stock", headers=[("X-Pharmacist-Token", "nope")], operation="HEAD /stock")
    with _waitress() as url:
        command = curl_command(head, url)
        result = _shell(command)
    assert command.startswith(f"curl -sS -I {url}/stock")
    assert result.returncode == 0 and result.stdout.startswith("HTTP/1.1 401"), result.stderr


@needs_curl
def test_a_curl_reproducer_asks_for_the_h_value_instead_of_sending_redacted() -> None:
    with scope(Redaction.build(headers=[("X-Pharmacist-Token", TOKEN)])), _waitress() as url:
        command = curl_command(PATCH, url)
        unset = _shell(command, {"APIPARITY_H_X_PHARMACIST_TOKEN": ""})
        substituted = _shell(command, {"APIPARITY_H_X_PHARMACIST_TOKEN": TOKEN})
    assert TOKEN not in command and "[redacted]" not in command
    assert unset.returncode != 0 and not unset.stdout  # nothing sent: the shell names what to set
    assert "APIPARITY_H_X_PHARMACIST_TOKEN" in unset.stderr and "-H X-Pharmacist-Token" in unset.stderr
    assert substituted.stdout.startswith("HTTP/1.1 409"), substituted.stdout + substituted.stderr  # what the run saw


def test_a_python_reproducer_reads_the_h_value_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "pharmacy.py").write_text(APP_SOURCE)
    with scope(Redaction.build(headers=[("X-Pharmacist-Token", TOKEN)])):
        command = reproducers.test_client_snippet([PATCH], "pharmacy.py:app", "wsgi", label="OLD")
    assert TOKEN not in command and "[redacted]" not in command
    python = f"PATH={Path(sys.executable).parent}:$PATH; cd {tmp_path} && {command}"
    unset = _shell(python, {"APIPARITY_H_X_PHARMACIST_TOKEN": ""})
    substituted = _shell(python, {"APIPARITY_H_X_PHARMACIST_TOKEN": TOKEN})
    assert unset.returncode != 0 and "set APIPARITY_H_X_PHARMACIST_TOKEN to the value you passed with -H X-Pharmacist-Token" in unset.stderr
    assert substituted.stdout.startswith("409 "), substituted.stdout + substituted.stderr


def test_a_value_apiparity_generated_stays_redacted() -> None:
    generated = WireRequest(method="GET", path="/stock", headers=[("X-Pharmacist-Token", "generated-value")])
    with scope(Redaction.build(headers=[("X-Pharmacist-Token", TOKEN)])):
        command = curl_command(generated, "http://127.0.0.1:9")
    assert "-H 'X-Pharmacist-Token: [redacted]'" in command and "APIPARITY_H_" not in command


@needs_curl
def test_a_side_served_on_a_temporary_port_has_a_placeholder_url() -> None:
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    with _waitress() as url:
        target = Target(ref="pharmacy.py:app", kind="app", framework="flask", document=document, base_url=url, process=object())
        side = open_side("new", target, FuzzSettings(auto_reset=False))
        try:
            shown = side.transport.base_url()
            answered = side.transport.send(WireRequest(method="GET", path="/stock"))
        finally:
            side.close()
        command = curl_command(WireRequest(method="GET", path="/stock", query="q=$HOME"), shown)
        unset = _shell(command, {"APIPARITY_NEW_URL": ""})
        served = _shell(command, {"APIPARITY_NEW_URL": url})
    assert answered.status == 401  # requests still go to the real port
    assert url not in command and command.startswith('curl -sS -i -X GET "${APIPARITY_NEW_URL:?') and "?q=\\$HOME" in command
    assert unset.returncode != 0 and "temporary port" in unset.stderr
    assert served.stdout.startswith("HTTP/1.1 401"), served.stderr  # the request reached the server the user named
