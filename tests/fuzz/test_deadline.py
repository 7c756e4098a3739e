"""--timeout is a total deadline for a live side's answer (issue 14, item 2): a server that drip-feeds
its headers or its body one byte at a time (each read gets a byte well within the per-read timeout)
is timed out at --timeout, a finding on that side; the run goes on and the process ends."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from apiparity.fuzz.transports import HTTPTransport
from apiparity.fuzz.wire import WireRequest
from tests.adversarial.corpus import case
from tests.adversarial.servers import raw_server, read_request
from tests.conftest import ROOT

OLD = "tests/fuzz/drip_pair.py:app"
DRIP_EVERY_S = 0.05
OK_BODY = b'{"status":"fine"}'


def _drip(conn: socket.socket, data: bytes, stop: threading.Event) -> None:
    for byte in data:
        if stop.is_set():
            return
        conn.sendall(bytes([byte]))
        time.sleep(DRIP_EVERY_S)


def _dripping(stop: threading.Event):  # noqa: ANN202 - a raw_server connection handler
    def on_connection(conn: socket.socket) -> None:
        while not stop.is_set():
            request = read_request(conn)
            if not request:
                return
            path = request.split(b" ", 2)[1]
            if path.startswith(b"/drip-headers"):
                # a status line and headers without end, one byte at a time
                _drip(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Slow: " + b"a" * 10**6, stop)
                return
            if path.startswith(b"/drip-body"):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n")
                _drip(conn, b'{"status": "' + b"f" * 10**6, stop)
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(OK_BODY), OK_BODY))

    return on_connection


@pytest.fixture
def dripping_server() -> Iterator[str]:
    stop = threading.Event()
    with raw_server(_dripping(stop)) as url:
        yield url
        stop.set()


@case("run-live-drip-feed-transport")
@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body"])
def test_a_drip_feeding_server_is_timed_out_at_the_deadline(dripping_server: str, path: str) -> None:
    transport = HTTPTransport(dripping_server, timeout=1.0)
    outcome: dict[str, object] = {}

    def send() -> None:
        outcome["response"] = transport.send(WireRequest(method="GET", path=path, operation=f"GET {path}"))

    worker = threading.Thread(target=send, daemon=True)
    worker.start()
    worker.join(60)  # without a total deadline the drip lasts 10**6 * DRIP_EVERY_S: the test fails here
    assert not worker.is_alive(), f"GET {path} still running after 60 s: --timeout is not a deadline"
    response = outcome["response"]
    assert response.timed_out and response.error == "timeout: no answer within 1 s"  # type: ignore[attr-defined]
    ok = transport.send(WireRequest(method="GET", path="/ok", operation="GET /ok"))
    assert ok.status == 200 and ok.body == OK_BODY  # the next request is answered (a fresh connection)
    transport.close()


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body"])
def test_one_off_requests_of_a_run_are_bounded_in_total_too(dripping_server: str, path: str) -> None:
    """A reset URL, load's reachability probe and a started side's readiness probe share `request_within`."""
    import httpx

    from apiparity.fuzz.deadline import request_within

    outcome: dict[str, BaseException] = {}

    def send() -> None:
        try:
            request_within("GET", dripping_server + path, 1.0)
        except BaseException as exc:  # noqa: BLE001 - read below
            outcome["error"] = exc

    worker = threading.Thread(target=send, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), f"GET {path} still running after 60 s"
    assert isinstance(outcome.get("error"), httpx.TimeoutException), outcome
    assert request_within("GET", dripping_server + "/ok", 5.0).content == OK_BODY


def _run(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from apiparity.cli import main; main()", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


@case("run-live-drip-feed-fuzz")
def test_fuzz_against_a_drip_feeding_new_reports_timeouts_and_goes_on(dripping_server: str, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    completed = _run("fuzz", OLD, OLD, "--new-url", dripping_server, "--timeout", "1", "--phases", "examples", "--probes", "none",
                     "--seed", "1", "--format", "json", "-o", str(out), "--no-progress")
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    report = json.loads(out.read_text())
    groups = {g["operation"]: g for g in report["fuzz"]["groups"]}
    assert groups["GET /drip-headers"]["kind"] == "timeout" and groups["GET /drip-body"]["kind"] == "timeout"
    assert "GET /ok" not in groups  # answered alike on both sides
    assert {o["operation"] for o in report["fuzz"]["operations"] if o["cases"]} == {"GET /ok", "GET /drip-headers", "GET /drip-body"}


@case("run-live-drip-feed-check")
def test_check_against_a_drip_feeding_new_is_not_ready_with_both_timeouts(dripping_server: str, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    completed = _run("check", OLD, OLD, "--new-url", dripping_server, "--timeout", "1", "--phases", "examples", "--probes", "none",
                     "--seed", "1", "--json", str(out), "--no-history", "--no-progress")
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    report = json.loads(out.read_text())
    kinds = {g["operation"]: g["kind"] for g in report["fuzz"]["groups"]}
    assert kinds.get("GET /drip-headers") == "timeout" and kinds.get("GET /drip-body") == "timeout", kinds
    assert not report["verdict"]["ready"]


@case("run-live-drip-feed-load")
def test_load_against_a_drip_feeding_server_counts_each_drip_as_an_error_and_stops(dripping_server: str, tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    completed = _run("load", dripping_server, dripping_server, "--spec", OLD, "-t", "2", "--timeout", "1", "-u", "3",
                     "--format", "json", "-o", str(out), timeout=180)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    load = json.loads(out.read_text())["extras"]["load"]
    rows = {row["operation"]: row for row in load["operations"]}
    for side in ("old", "new"):
        # an answer that never completes is an error at --timeout, never a 200 or a request left uncounted
        for operation in ("GET /drip-headers", "GET /drip-body"):
            stats = rows[operation][side]
            assert stats["requests"] > 0 and stats["errors"] == stats["requests"], (side, operation, stats)
        assert rows["GET /ok"][side]["errors"] == 0
    assert any("no complete answer within 1 s" in sample for sample in load["new"]["error_samples"])
