"""A transport error during the run (issue 14 item 4): NEW's server accepts the connection, reads
the request, then resets it. Each such request is a transport error on NEW, with its own gate, never a 5xx."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.model import Report
from apiparity.report.text import render_text
from apiparity.targets import load_target
from apiparity.verdict import decide
from tests.adversarial.corpus import case
from tests.conftest import ROOT, run_cli

APPS = ROOT / "tests" / "apps"


@contextlib.contextmanager
def _resetting() -> Iterator[str]:
    """A server that resets every connection a request arrives on (SO_LINGER 0: an RST, no answer)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=reset, args=(connection,), daemon=True).start()

    def reset(connection: socket.socket) -> None:
        # a request's first bytes are read, then the connection is reset (a TCP connect alone, like
        # the reachability check before and after the run, is closed normally)
        connection.settimeout(5)
        with contextlib.suppress(OSError):
            if connection.recv(65536):
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


@pytest.fixture()
def resetting_server() -> Iterator[str]:
    with _resetting() as url:
        yield url


@case("run-transport-errors-mid-run")
def test_a_new_side_that_resets_connections_fails_the_transport_gate_not_the_5xx_gate(resetting_server: str) -> None:
    old = load_target(str(APPS / "divergence_flask.py") + ":app")
    new = load_target(str(APPS / "divergence_fastapi.py") + ":app")
    settings = FuzzSettings(new_url=resetting_server, max_examples=2, seed=1, phases=("examples",), probes=(), timeout=5.0)
    result = run_fuzz(old, new, settings)
    sent = sum(s.cases for s in result.operations)
    assert sent > 0
    assert sum(s.new_transport_errors for s in result.operations) == sent
    assert sum(s.old_transport_errors for s in result.operations) == 0
    assert sum(s.new_5xx for s in result.operations) == sum(s.new_5xx_where_old_ok for s in result.operations) == 0
    report = Report(command="fuzz", fuzz=result)
    gates = {g.name: g for g in decide(report).gates}
    assert not gates["no-transport-errors"].passed
    assert gates["no-transport-errors"].measured == f"transport errors on NEW {sent}, on OLD 0"
    assert gates["no-new-5xx"].passed
    assert f"transport errors on NEW: {sent}, on OLD: 0" in render_text(report)


@case("run-transport-errors-both-sides")
def test_fuzz_where_neither_side_answers_is_never_exit_0() -> None:
    # no answer on either side is no difference (nothing a client could tell apart), and no 5xx:
    # before, `fuzz` found no mismatch group and exited 0 over a run that tested nothing
    with _resetting() as old_url, _resetting() as new_url:
        result = run_cli("fuzz", str(APPS / "divergence_flask.py") + ":app", str(APPS / "divergence_fastapi.py") + ":app",
                         "--old-url", old_url, "--new-url", new_url, "--max-examples", "1", "--phases", "examples",
                         "--seed", "1", "--format", "json", "-o", "-")
    assert result.exit_code == 1, result.stderr
    assert "0 mismatch group(s)" in result.stderr and "transport errors on NEW" in result.stderr
