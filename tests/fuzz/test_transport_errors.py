"""A transport error during the run (issue 14 item 4): NEW's server accepts the connection, then
resets it. Each such request is a transport error on NEW, with its own gate, never a 5xx."""

from __future__ import annotations

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
from tests.conftest import ROOT

APPS = ROOT / "tests" / "apps"


@pytest.fixture()
def resetting_server() -> Iterator[str]:
    """Accepts every connection and resets it at once (SO_LINGER 0: an RST, no answer)."""
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
