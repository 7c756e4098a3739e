"""A crash or hang of NEW's handler is a finding on NEW, never the end of the run, a hang, or a pass
(issue 14, item 2): SystemExit, sys.exit(), KeyboardInterrupt, a loop blocked for good, a worker
thread that never returns."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from apiparity.fuzz.transports import ASGITransport
from apiparity.fuzz.wire import WireRequest
from tests.adversarial.corpus import case
from tests.conftest import ROOT

PAIR = "tests/fuzz/crashing_pair.py"


@pytest.fixture
def transport():
    from tests.fuzz.crashing_pair import new_app

    sending = ASGITransport(new_app, timeout=1.0)
    yield sending
    sending.close()


def send(transport: ASGITransport, path: str):
    return transport.send(WireRequest(method="GET", path=path, operation=f"GET {path}"))


@case("run-handler-system-exit")
@pytest.mark.parametrize(("path", "exception"), [("/exit-async", "SystemExit"), ("/exit-sync", "SystemExit"),
                                                 ("/interrupt", "KeyboardInterrupt")])
def test_a_handler_raising_systemexit_or_keyboardinterrupt_is_a_finding(transport: ASGITransport, path: str, exception: str) -> None:
    response = send(transport, path)
    assert response.status == 0 and response.error is not None and response.error.startswith(f"app raised {exception}")
    assert send(transport, "/ok").status == 200  # the run goes on, on the same loop


@case("run-handler-blocks-loop-forever")
def test_an_async_handler_blocking_its_loop_for_good_times_out_and_the_run_goes_on(transport: ASGITransport) -> None:
    response = send(transport, "/sleep-async")
    assert response.timed_out and response.error == "timeout: no answer within 1 s"
    assert transport.abandoned_loops == 1
    assert send(transport, "/ok").status == 200  # on a fresh loop
    assert all(thread.daemon for thread in threading.enumerate() if thread.name == "apiparity-asgi-loop")


@case("run-process-exits")
def test_check_of_crashing_handlers_exits_1_with_a_report_and_the_process_ends(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    completed = subprocess.run(
        [sys.executable, "-c", "from apiparity.cli import main; main()", "check", f"{PAIR}:old_app", f"{PAIR}:new_app",
         "--timeout", "1", "--phases", "examples", "--seed", "1", "--json", str(out), "--no-history"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    report = json.loads(out.read_text())
    groups = {g["operation"]: g for g in report["fuzz"]["groups"]}
    assert {"GET /exit-async", "GET /exit-sync", "GET /interrupt", "GET /sleep-async", "GET /never-returns"} <= set(groups)
    assert not report["verdict"]["ready"]
    reached = {o["operation"] for o in report["fuzz"]["operations"] if o["cases"]}
    assert "GET /ok" in reached


@case("run-unreachable-side")
def test_check_with_an_unreachable_live_side_is_exit_2_before_the_run(tmp_path: Path) -> None:
    import socket

    from tests.conftest import run_cli

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "r.json"
    result = run_cli("check", f"{PAIR}:old_app", f"{PAIR}:new_app", "--new-url", f"http://127.0.0.1:{port}", "--json", str(out),
                     "--no-history")
    assert result.exit_code == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "--new-url" in errors[0] and f"127.0.0.1:{port}" in errors[0], result.stderr
    assert not out.exists()


@case("run-wsgi-handler-never-returns")
def test_check_of_flask_handlers_that_never_return_writes_the_report_and_exits(tmp_path: Path) -> None:
    flask_pair = "tests/fuzz/hanging_flask_pair.py"
    out = tmp_path / "r.json"
    completed = subprocess.run(
        [sys.executable, "-c", "from apiparity.cli import main; main()", "check", f"{flask_pair}:old_app", f"{flask_pair}:new_app",
         "--timeout", "1", "--phases", "examples", "--seed", "1", "--json", str(out), "--no-history"],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,  # a process that outlived its report fails here
    )
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-3000:]
    report = json.loads(out.read_text())
    kinds = {g["operation"]: g["kind"] for g in report["fuzz"]["groups"]}
    assert kinds.get("GET /never-returns") == "timeout" and kinds.get("GET /sleeps") == "timeout", kinds
    assert "GET /ok" not in kinds and not report["verdict"]["ready"]
