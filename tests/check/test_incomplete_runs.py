"""A run that could not complete (issue 14, item 2): a side that died mid-run, the run's own deadline
(--max-run-time), an internal error in a phase. Each exits 2 with every requested report written,
marked incomplete with its cause in every format, and never READY; Ctrl-C stays 130."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apiparity.model import Report
from apiparity.report import FORMATS, render
from tests.adversarial.corpus import case
from tests.conftest import ROOT, run_cli

LEGACY = "tests.check.apps:legacy"
REGRESSED = "tests.check.apps:regressed"
FAST = ("--max-examples", "3", "--phases", "examples,fuzzing", "--no-history")
HANGING = "tests/fuzz/hanging_flask_pair.py"


def _reports(tmp_path: Path) -> tuple[str, ...]:
    return ("--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"), "--markdown", str(tmp_path / "r.md"),
            "--junit", str(tmp_path / "r.xml"), "--sarif", str(tmp_path / "r.sarif"))


def _assert_marked_incomplete(tmp_path: Path, cause: str, detail: str) -> dict:
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["complete"] is False and report["incomplete"]["cause"] == cause, report.get("incomplete")
    assert detail in report["incomplete"]["detail"]
    assert report["verdict"]["ready"] is False
    for name in ("r.html", "r.md", "r.xml", "r.sarif"):
        assert f"Incomplete ({cause}" in (tmp_path / name).read_text(), name
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    return report


@case("run-internal-error-mid-run")
@pytest.mark.parametrize("error", [RuntimeError("grouping broke"), SystemExit(0)], ids=["RuntimeError", "SystemExit"])
def test_an_internal_error_in_the_fuzz_phase_exits_2_with_every_report_marked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                               error: BaseException) -> None:
    from apiparity.fuzz.group import Grouper

    def broken(self: Grouper, *args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(Grouper, "add", broken)
    result = run_cli("check", LEGACY, REGRESSED, *FAST, *_reports(tmp_path))
    assert result.exit_code == 2, result.stdout + result.stderr  # SystemExit(0) was exit 0 with no report
    report = _assert_marked_incomplete(tmp_path, "internal-error", f"{type(error).__name__}: {error}")
    assert report["incomplete"]["phase"] == "fuzz"
    assert report["fuzz"]["cases"] > 0  # what ran before the error is reported
    assert "could not complete (internal-error)" in result.stderr and "Traceback" not in result.stderr
    assert "NOT READY" in result.stdout.splitlines()[0] and "INCOMPLETE" in result.stdout.splitlines()[0]


@case("run-deadline-whole-run")
def test_max_run_time_stops_a_run_stuck_on_a_side_and_exits_2(tmp_path: Path) -> None:
    # NEW's handlers never return and --timeout is long: only the run's own deadline ends it
    completed = subprocess.run(
        [sys.executable, "-c", "from apiparity.cli import main; main()", "check", f"{HANGING}:old_app", f"{HANGING}:new_app",
         # the bound counts the interpreter's start-up and the loading too: room for them on a busy machine
         "--timeout", "600", "--max-run-time", "12", *FAST, *_reports(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )
    assert completed.returncode == 2, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert "Traceback" not in completed.stderr
    report = _assert_marked_incomplete(tmp_path, "run-deadline", "--max-run-time 12 s")
    assert report["incomplete"]["phase"] == "fuzz"


@case("run-side-died")
def test_a_side_that_dies_mid_run_leaves_the_run_incomplete(tmp_path: Path) -> None:
    import shlex
    import textwrap

    script = tmp_path / "dying.py"
    script.write_text(textwrap.dedent("""
        import os, sys, json
        from wsgiref.simple_server import make_server
        served = [0]

        def app(environ, start_response):
            served[0] += 1
            if served[0] > 3:  # the readiness probe, then a few cases
                os._exit(1)
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"id": 1}).encode()]

        make_server("127.0.0.1", int(sys.argv[1]), app).serve_forever()
    """))
    bookstore = "examples/bookstore/legacy_app.py:app"
    result = run_cli("check", bookstore, bookstore, "--new-cmd", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {{port}}",
                     "--include", "GET /books/{book_id}", "--seed", "1", "--max-examples", "5", "--no-history", *_reports(tmp_path))
    assert result.exit_code == 2, result.stdout + result.stderr
    _assert_marked_incomplete(tmp_path, "side-died", "ended during the run (exit 1)")


def test_ctrl_c_is_still_130_with_the_partial_report_marked_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import apiparity.fuzz.runner as runner
    from apiparity.model import FuzzResult, OperationStats

    def interrupted(*args: object, **kwargs: object) -> FuzzResult:
        raise runner.Interrupted(FuzzResult(cases=2, operations_total=2, operations=[OperationStats("GET /items", cases=2)]))

    monkeypatch.setattr(runner, "run_fuzz", interrupted)
    result = run_cli("check", LEGACY, REGRESSED, *FAST, *_reports(tmp_path))
    assert result.exit_code == 130
    report = _assert_marked_incomplete(tmp_path, "interrupted", "Ctrl-C")
    assert report["fuzz"]["cases"] == 2


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_says_why_the_run_is_incomplete(fmt: str) -> None:
    from tests.report.sample_reports import check_report

    report: Report = check_report(ready=True)
    report.mark_incomplete("side-died", "the server `gunicorn app:app` ended during the run (exit 9)", phase="fuzz")
    text = render(report, fmt)
    assert "side-died" in text and "ended during the run (exit 9)" in text, fmt


def test_an_incomplete_run_is_never_ready_nor_exit_0() -> None:
    from apiparity.verdict import GateThresholds, decide, exit_code
    from tests.report.sample_reports import check_report

    report = check_report(ready=True)
    report.verdict = decide(report, GateThresholds())
    report.verdict.ready = True
    assert exit_code(report) == 0
    report.mark_incomplete("internal-error", "RuntimeError: x", phase="load")
    assert decide(report, GateThresholds()).ready is False
    assert exit_code(report) == 2
    assert Report.from_dict(json.loads(render(report, "json"))).incomplete == report.incomplete


@case("run-live-side-died")
@pytest.mark.parametrize("command", ["check", "fuzz", "replay"])
def test_a_live_server_that_goes_away_mid_run_leaves_the_run_incomplete(tmp_path: Path, command: str) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    served = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            served[0] += 1
            body = b'{"status":"fine"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if served[0] == 3:  # then the server goes away, for good
                threading.Thread(target=lambda: (server.shutdown(), server.server_close()), daemon=True).start()

        do_HEAD = do_OPTIONS = do_GET  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        if command == "check":
            result = run_cli("check", "tests/fuzz/drip_pair.py:app", "tests/fuzz/drip_pair.py:app", "--new-url", url, *FAST,
                             *_reports(tmp_path))
        elif command == "fuzz":
            result = run_cli("fuzz", "tests/fuzz/drip_pair.py:app", "tests/fuzz/drip_pair.py:app", "--new-url", url,
                             "--max-examples", "3", "--format", "json", "-o", str(tmp_path / "r.json"))
        else:
            traffic = tmp_path / "t.jsonl"
            traffic.write_text("".join(json.dumps({"method": "GET", "path": path}) + "\n" for path in ["/ok", "/drip-body"] * 5))
            result = run_cli("replay", str(traffic), "tests/fuzz/drip_pair.py:app", "tests/fuzz/drip_pair.py:app", "--new-url", url,
                             "--format", "json", "-o", str(tmp_path / "r.json"))
    finally:
        server.server_close()
    assert served[0] >= 3
    assert result.exit_code == 2, result.stdout + result.stderr  # was 1: NOT READY over transport errors
    if command == "check":
        _assert_marked_incomplete(tmp_path, "side-died", f"NEW {url} stopped accepting connections during the run")
    else:
        report = json.loads((tmp_path / "r.json").read_text())
        assert report["incomplete"]["cause"] == "side-died" and url in report["incomplete"]["detail"]


@case("run-reset-hook-sys-exit")
def test_a_reset_hook_calling_sys_exit_is_a_reported_problem_not_the_exit_code(tmp_path: Path) -> None:
    hook = tmp_path / "exiting_reset.py"
    hook.write_text("import sys\ncalls = [0]\n\ndef reset():\n    calls[0] += 1\n    if calls[0] > 2:\n        sys.exit(0)\n")
    result = run_cli("check", LEGACY, REGRESSED, *FAST, "--reset", f"{hook}:reset", *_reports(tmp_path))
    assert result.exit_code == 1, result.stdout + result.stderr  # was 0, no report, no output
    report = json.loads((tmp_path / "r.json").read_text())
    assert any("raised SystemExit: 0" in error for error in report["fuzz"]["errors"]), report["fuzz"]["errors"]
    assert report["verdict"]["ready"] is False


def test_fuzz_stops_at_max_run_time_too(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = run_cli("fuzz", f"{HANGING}:old_app", f"{HANGING}:new_app", "--timeout", "600", "--max-run-time", "2",
                     "--format", "markdown", "-o", str(out))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "could not complete (run-deadline)" in result.stderr
    assert "Incomplete (run-deadline during fuzz): --max-run-time 2 s passed" in out.read_text()
