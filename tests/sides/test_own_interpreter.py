"""A side in its own interpreter (--old-python / --new-python): apiparity's bootstrap imports the app
there, extracts the document, serves it on a loopback port and calls reset() on request; apiparity
treats it as a live side and stops it at the end, on Ctrl-C, and when it crashes on start.

The interpreter here is this test run's own (the legacy stacks in their own virtualenvs, with
nothing of apiparity installed, are in tests/examples/test_legacy_stack.py)."""

from __future__ import annotations

import ast
import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.sides.procs import pids_with, wait_for_pids, wait_until_gone

BOOTSTRAP = ROOT / "src" / "apiparity" / "sides" / "bootstrap.py"
BOOKSTORE = EXAMPLES / "bookstore"
PY = sys.executable


def test_bootstrap_is_standard_library_python_3_8():
    """It runs in the app's interpreter, where nothing of apiparity (nor anything else) is installed."""
    source = BOOTSTRAP.read_text()
    tree = ast.parse(source, feature_version=(3, 8))
    optional = set()  # imported only inside `try: ... except ImportError`
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in node.handlers):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        optional.update(a.name.split(".")[0] for a in sub.names) if isinstance(sub, ast.Import) else optional.add(
                            (sub.module or "").split(".")[0])
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party <= optional == {"werkzeug", "uvicorn"}, (third_party, optional)


def _check(*args: str) -> tuple[int, dict, str]:
    from tests.conftest import run_cli

    report = args[-1]
    result = run_cli("check", *args[:-1], "--json", report)
    return result.exit_code, json.loads(open(report).read()), result.stderr


def test_regressed_port_in_own_interpreters_is_not_ready_and_leaves_no_process(tmp_path):
    report = tmp_path / "r.json"
    result = run_cli("check", f"{BOOKSTORE}/legacy_app.py:app", f"{BOOKSTORE}/regressed_app.py:app",
                     "--old-python", PY, "--new-python", PY, "--seed", "1", "--max-examples", "3",
                     "--phases", "examples,coverage", "--json", str(report))
    assert result.exit_code == 1, result.stderr
    data = json.loads(report.read_text())
    assert data["verdict"]["ready"] is False
    assert data["fuzz"]["groups"], "the seeded regressions are found through the live sides"
    # the port each side listened on is gone after the run: its reproducers say so instead of naming it
    example = data["fuzz"]["groups"][0]["examples"][0]
    assert example["curl_new"].startswith('curl -sS -i -X ') and '"${APIPARITY_NEW_URL:?' in example["curl_new"]
    assert "127.0.0.1" not in example["curl_new"] + example["curl_old"]
    sides = data["extras"]["sides"]
    assert sides["old"]["framework"] == "flask-openapi3" and sides["new"]["framework"] == "fastapi"
    assert sides["new"]["server"].startswith("uvicorn") and sides["old"]["server"].startswith("werkzeug")
    assert data["old"]["interface"] == "http" and data["new"]["interface"] == "http"
    # the module's reset() ran in each side's own process before every call
    isolation = data["fuzz"]["settings"]["isolation"]
    assert "legacy_app.py:reset (in OLD's own interpreter)" in isolation["old"]
    assert "regressed_app.py:reset (in NEW's own interpreter)" in isolation["new"]
    assert "event-loop watch off for NEW" in result.stderr
    for side in ("old", "new"):
        assert not [p for p in pids_with(str(sides[side]["pid"])) if p == sides[side]["pid"]]
    assert not pids_with(f"--ref {BOOKSTORE}/regressed_app.py:app")


def test_plain_flask_skeleton_through_the_bootstrap_equals_the_in_process_one():
    from apiparity.sides import SideLaunch, launch_side, side_session
    from apiparity.targets import load_target

    ref = f"{EXAMPLES}/plain_flask/app.py:app"
    in_process = load_target(ref)
    with side_session() as session:
        target = launch_side("old", ref, SideLaunch(python=PY))
        assert target.inferred and target.framework == "flask" and target.app is None
        assert target.document == in_process.document
        # the module's reset() is reachable, and it answers through the live server
        _, hook = target.process.auto_reset()
        hook()
        import httpx

        assert httpx.get(target.base_url + "/notes").json()[0]["text"] == "buy milk"
        pid = target.process.popen.pid
    assert not session.processes and target.process.popen.poll() is not None
    assert pid not in pids_with("bootstrap.py")


def test_an_app_that_crashes_on_start_is_one_line_naming_its_log(tmp_path):
    app = tmp_path / "broken_app.py"
    app.write_text("import flask\nprint('starting up')\nraise RuntimeError('no database configured')\n")
    result = run_cli("check", f"{app}:app", f"{BOOKSTORE}/modern_app.py:app", "--old-python", PY)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line, result.stderr
    assert "broken_app.py raised RuntimeError: no database configured (line 3)" in line
    log = line.rsplit("(log: ", 1)[1].rstrip(")")
    assert "starting up" in Path(log).read_text()  # what the app printed went to its log, not our stdout
    assert not pids_with(str(app))


def test_a_missing_interpreter_is_bad_input(tmp_path):
    result = run_cli("check", f"{BOOKSTORE}/legacy_app.py:app", f"{BOOKSTORE}/modern_app.py:app",
                     "--old-python", str(tmp_path / "nope" / "python"))
    assert result.exit_code == 2
    assert "--old-python" in result.stderr and "no such executable interpreter" in result.stderr


def test_old_url_and_old_python_together_are_refused():
    result = run_cli("check", f"{BOOKSTORE}/legacy_app.py:app", f"{BOOKSTORE}/modern_app.py:app",
                     "--old-python", PY, "--old-url", "http://127.0.0.1:9")
    assert result.exit_code == 2 and "give one way to reach OLD" in result.stderr


@pytest.mark.parametrize("how", ["sigint", "sigkill"])
def test_no_orphan_after_ctrl_c_or_when_apiparity_is_killed(tmp_path, how):
    """Ctrl-C: apiparity stops its sides and exits 130. Killed outright: the bootstrap sees its
    control pipe close (and gets the parent-death signal) and exits by itself."""
    slow = tmp_path / "slow_app.py"  # a legacy app whose answers take a while: the run is mid-fuzz for long
    slow.write_text(textwrap.dedent("""
        import time
        from flask import Flask
        app = Flask(__name__)

        @app.get("/items/<int:item_id>")
        def item(item_id):
            time.sleep(0.2)
            return {"id": item_id}
    """))
    marker = f"--ref {slow}:app"
    process = subprocess.Popen(
        [PY, "-c", "from apiparity.cli import main; main()", "check", f"{slow}:app", f"{slow}:app",
         "--old-python", PY, "--new-python", PY, "--max-examples", "200", "--json", str(tmp_path / "r.json")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        wait_for_pids(marker, 2)
        import time

        time.sleep(2.0)  # well into the fuzz
        process.send_signal(signal.SIGINT if how == "sigint" else signal.SIGKILL)
        process.wait(timeout=120)
        if how == "sigint":
            assert process.returncode == 130, process.stderr.read().decode()[-2000:] if process.stderr else ""
        assert wait_until_gone(marker) == []
    finally:
        if process.poll() is None:
            process.kill()
        for pid in pids_with(marker):  # never leave one behind, even when the test fails
            import os

            os.kill(pid, signal.SIGKILL)


pytest_plugins = ["pytester"]


def test_pytest_plugin_runs_a_side_in_its_own_interpreter(pytester: pytest.Pytester):
    """parity(..., old_python=..., new_python=...): each operation's test compares live sides in
    their own interpreters; the servers are stopped when the pytest session ends."""
    folder = pytester.path / "suite"
    folder.mkdir()
    for name in ("legacy_app.py", "regressed_app.py", "store.py"):
        (folder / name).write_text((BOOKSTORE / name).read_text())
    (folder / "test_port.py").write_text(textwrap.dedent(f"""
        from apiparity.pytest_plugin import parity

        test_port = parity("legacy_app.py:app", "regressed_app.py:app", old_python={PY!r}, new_python={PY!r},
                           include=("GET /books/{{book_id}}", "GET /health"), max_examples=3, seed=1,
                           phases=("examples", "coverage"))
    """))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "suite")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1 and outcomes.get("passed") == 1, result.outlines[-20:]
    assert any("GET /books/{book_id}" in line and "FAILED" in line for line in result.outlines)
    assert not pids_with(f"--ref {folder}") and not pids_with("--ref legacy_app.py:app")


def test_config_side_tables_and_shortcuts():
    from apiparity.commands._fuzz_options import settings_from_options
    from apiparity.config import RawConfig, settings_from_raw
    from apiparity.errors import ConfigError
    from apiparity.sides import SideLaunch, launches_from

    project = settings_from_raw(RawConfig(data={
        "old": {"target": "legacy_app.py:app", "python": ".venv-legacy/legacy/bin/python"},
        "new": "modern_app.py:app", "new_cmd": "uvicorn --port {port} modern_app:app",
    }))
    assert project.old == "legacy_app.py:app" and project.new == "modern_app.py:app"
    settings = settings_from_options(project.fuzz, new_cmd="uvicorn --port {port} other:app")  # the command line wins
    assert launches_from(settings) == {"old": SideLaunch(python=".venv-legacy/legacy/bin/python"),
                                       "new": SideLaunch(cmd="uvicorn --port {port} other:app")}
    with pytest.raises(ConfigError, match=r"old\.pyhton: unknown key \(known: target, python, cmd\)"):
        settings_from_raw(RawConfig(data={"old": {"pyhton": "x"}}))


BARE_WSGI = textwrap.dedent('''
    """A framework-less WSGI app that serves its own document: the bootstrap must serve it with wsgiref."""
    import json

    DOC = {"openapi": "3.0.3", "info": {"title": "bare", "version": "1"}, "paths": {"/items/{item_id}": {"get": {
        "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 9}}],
        "responses": {"200": {"description": "an item", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}}

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/openapi.json":
            body = DOC
        elif path.startswith("/items/"):
            body = {"id": int(path.rsplit("/", 1)[1])}
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error": "not found"}']
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]
''')


def test_an_interpreter_with_nothing_installed_serves_with_wsgiref(tmp_path):
    """A bare virtualenv (no werkzeug, no uvicorn, no apiparity): the app is served by the standard
    library's wsgiref and its document read from the route it serves (--spec-path)."""
    subprocess.run([PY, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True, timeout=120)
    bare = str(tmp_path / "bare" / "bin" / "python")
    assert subprocess.run([bare, "-c", "import werkzeug"], capture_output=True, check=False).returncode != 0
    (tmp_path / "bare_app.py").write_text(BARE_WSGI)
    report = tmp_path / "r.json"
    result = run_cli("check", f"{tmp_path}/bare_app.py:app", f"{tmp_path}/bare_app.py:app", "--old-python", bare,
                     "--new-python", bare, "--spec-path", "/openapi.json", "--max-examples", "5", "--latency-factor", "0",
                     "--json", str(report))
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["extras"]["sides"]["old"]["server"] == "wsgiref (standard library)"
    assert data["old"]["framework"] == "wsgi" and data["fuzz"]["cases"] > 0
    assert not pids_with(f"--ref {tmp_path}/bare_app.py:app")
