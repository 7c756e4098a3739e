"""Both apps served by real servers on 127.0.0.1: waitress for Flask, uvicorn for FastAPI."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.targets import load_target
from tests.conftest import ROOT

APPS = ROOT / "tests" / "apps"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture(scope="module")
def servers():
    import uvicorn
    from waitress.server import create_server

    old = load_target(str(APPS / "divergence_flask.py") + ":app")
    new = load_target(str(APPS / "divergence_fastapi.py") + ":app")
    old_port, new_port = _free_port(), _free_port()
    waitress = create_server(old.app, host="127.0.0.1", port=old_port, threads=2)
    uvicorn_server = uvicorn.Server(uvicorn.Config(new.app, host="127.0.0.1", port=new_port, log_level="warning"))
    threads = [threading.Thread(target=waitress.run, daemon=True), threading.Thread(target=uvicorn_server.run, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        _wait(f"http://127.0.0.1:{old_port}/profile")
        _wait(f"http://127.0.0.1:{new_port}/profile")
        yield old, new, f"http://127.0.0.1:{old_port}", f"http://127.0.0.1:{new_port}"
    finally:
        uvicorn_server.should_exit = True
        waitress.close()
        for thread in threads:
            thread.join(5)


def test_live_servers_give_the_same_findings_as_in_process(servers):
    old, new, old_url, new_url = servers
    settings = dict(max_examples=5, seed=2, include=("GET /events/{event_id}", "GET /profile", "GET /me"), probes=())
    live = run_fuzz(old, new, FuzzSettings(old_url=old_url, new_url=new_url, workers=2, **settings))
    in_process = run_fuzz(old, new, FuzzSettings(**settings))
    assert live.settings["transports"] == {"old": "http", "new": "http"}
    assert {g.key for g in live.groups} == {g.key for g in in_process.groups}
    assert any(g.divergence == "datetime-format" for g in live.groups)
    example = next(g for g in live.groups if g.divergence == "datetime-format").examples[0]
    assert example.curl_old.startswith(f"curl -sS -i -X GET {old_url}/events/")
    # the reproducer works: run it against the live OLD server
    import shlex
    import subprocess

    curl = subprocess.run(shlex.split(example.curl_old), capture_output=True, text=True, timeout=10)
    if curl.returncode == 127:
        pytest.skip("no curl binary")
    assert "GMT" in curl.stdout


def test_unsafe_methods_refused_for_non_loopback_hosts(servers):
    old, new, _, new_url = servers
    # 192.0.2.1 (TEST-NET-1) is never contacted: only DELETE operations are selected and refused
    result = run_fuzz(old, new, FuzzSettings(old_url="http://192.0.2.1:9", new_url=new_url, include=("DELETE",), max_examples=2))
    assert result.cases == 0
    [stats] = [o for o in result.operations if o.operation.startswith("DELETE")]
    assert "allow-unsafe" in (stats.skipped_reason or "")
