"""A side started by command (--old-cmd / --new-cmd): a free loopback port substituted for {port},
its own process group, waited for (bounded by --wait-for), stopped at the end, and its log named
when it fails to start or dies mid-run."""

from __future__ import annotations

import json
import shlex
import sys
import textwrap
from pathlib import Path

from tests.conftest import EXAMPLES, run_cli
from tests.sides.procs import pids_with, wait_until_gone

BOOKSTORE = EXAMPLES / "bookstore"
PY = shlex.quote(sys.executable)


def _serve(folder, module: str, server: str) -> str:
    """A command line serving `module:app` from `folder` with waitress (WSGI) or uvicorn (ASGI)."""
    if server == "uvicorn":
        return f"{PY} -m uvicorn --app-dir {shlex.quote(str(folder))} {module}:app --host 127.0.0.1 --port {{port}}"
    code = (f"import sys; sys.path.insert(0, {str(folder)!r}); from waitress import serve; "
            f"from {module} import app; serve(app, listen='127.0.0.1:{{port}}')")
    return f"{PY} -c {shlex.quote(code)}"


def test_both_sides_started_by_command_compare_like_live_servers(tmp_path):
    report = tmp_path / "r.json"
    result = run_cli(
        "check", "/openapi/openapi.json", "/openapi.json",  # each side's document, from its own started server
        "--old-cmd", _serve(BOOKSTORE, "legacy_app", "waitress"),
        "--new-cmd", _serve(BOOKSTORE, "regressed_app", "uvicorn"),
        "--include", "GET", "--seed", "1", "--max-examples", "3", "--phases", "examples,coverage", "--wait-for", "60",
        "--json", str(report),
    )
    assert result.exit_code == 1, result.stderr
    data = json.loads(report.read_text())
    assert data["verdict"]["ready"] is False and data["fuzz"]["groups"]
    sides = data["extras"]["sides"]
    assert "waitress" in sides["old"]["started"] and "uvicorn" in sides["new"]["started"]
    assert "log" not in sides["old"] and "died" not in sides["old"]  # a clean run names no log
    # no reset for a command side: only safe methods, and the report says why
    assert "only safe methods" in data["fuzz"]["settings"]["isolation"]["new"]
    for side in ("old", "new"):
        assert sides[side]["pid"] not in pids_with("-c")


def test_document_from_the_bootstrap_and_server_from_the_command(tmp_path):
    """--old-python extracts the document (the interpreter imports the app), --old-cmd serves it."""
    report = tmp_path / "r.json"
    result = run_cli(
        "check", f"{BOOKSTORE}/legacy_app.py:app", f"{BOOKSTORE}/modern_app.py:app",
        "--old-python", sys.executable, "--old-cmd", _serve(BOOKSTORE, "legacy_app", "waitress"),
        "--include", "GET /books", "--min-operations-share", "0", "--seed", "1", "--max-examples", "3",
        "--phases", "examples", "--json", str(report),
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["old"]["framework"] == "flask-openapi3" and data["old"]["interface"] == "http"
    assert data["new"]["interface"] == "asgi"  # NEW in-process as usual
    assert "waitress" in data["extras"]["sides"]["old"]["started"]


def test_a_command_that_exits_at_once_names_its_log(tmp_path):
    crash = f"{PY} -c " + shlex.quote("import sys; print('cannot bind {port}: config missing', file=sys.stderr); sys.exit(3)")
    result = run_cli("check", f"{BOOKSTORE}/legacy_openapi.json", f"{BOOKSTORE}/modern_app.py:app", "--old-cmd", crash)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "exited with code 3 before answering" in line
    assert "config missing" in line  # the log's last line
    log = line.split("log: ", 1)[1].split(" (last line", 1)[0]
    assert "config missing" in Path(log).read_text()


def test_a_command_that_never_answers_is_stopped_with_its_children(tmp_path):
    marker = f"h18-never-answers-{tmp_path.name}"
    never = f"{PY} -c " + shlex.quote(textwrap.dedent(f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "{marker}-child"])
        time.sleep(600)  # {{port}} {marker}
    """))
    result = run_cli("check", f"{BOOKSTORE}/legacy_openapi.json", f"{BOOKSTORE}/modern_app.py:app",
                     "--old-cmd", never, "--wait-for", "1")
    assert result.exit_code == 2
    assert "did not answer on http://127.0.0.1:" in result.stderr and "within 1 s" in result.stderr
    assert wait_until_gone(marker) == []  # the whole process group, the child too


def test_a_command_without_a_port_placeholder_is_bad_input():
    result = run_cli("check", f"{BOOKSTORE}/legacy_openapi.json", f"{BOOKSTORE}/modern_app.py:app",
                     "--old-cmd", "gunicorn legacy:app")
    assert result.exit_code == 2 and "{port}" in result.stderr


DYING = textwrap.dedent("""
    import os, sys, json
    from wsgiref.simple_server import make_server
    served = [0]

    def app(environ, start_response):
        served[0] += 1
        if served[0] > 3:  # the readiness probe, then a few cases
            print("out of memory, exiting", file=sys.stderr, flush=True)
            os._exit(1)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"id": 1}).encode()]

    make_server("127.0.0.1", int(sys.argv[1]), app).serve_forever()
""")


def test_a_side_that_dies_mid_run_is_reported_with_its_log(tmp_path):
    script = tmp_path / "dying.py"
    script.write_text(DYING)
    report = tmp_path / "r.json"
    result = run_cli("check", f"{BOOKSTORE}/legacy_app.py:app", f"{BOOKSTORE}/legacy_app.py:app",
                     "--new-cmd", f"{PY} {shlex.quote(str(script))} {{port}}", "--include", "GET /books/{book_id}",
                     "--seed", "1", "--max-examples", "5", "--json", str(report))
    assert result.exit_code == 2, result.stderr  # a run that could not complete (tests/check/test_incomplete_runs.py)
    new = json.loads(report.read_text())["extras"]["sides"]["new"]
    assert new["died"] == "exit 1"
    assert "out of memory" in Path(new["log"]).read_text()
    assert f"log: {new['log']}" in result.stderr
