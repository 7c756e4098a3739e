"""examples/legacy_stack: a Flask 1.1.4 / Werkzeug 1.0.1 / webargs 6 service (and the same code on
Flask 2.3), ported to FastAPI 0.99 on pydantic 1, each in its own virtualenv with nothing of
apiparity installed (scripts/legacy-venvs.sh builds them under .venv-legacy/, cached). apiparity
runs each side in its own interpreter (--old-python/--new-python) or by command (--old-cmd/--new-cmd)."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.sides.procs import pids_with

STACK = EXAMPLES / "legacy_stack"
LEGACY, MODERN, REGRESSED = (f"{STACK}/{name}.py:app" for name in ("legacy_app", "modern_app", "regressed_app"))
# dev servers on a shared machine: the latency gate measures the machine, not the port
FAST = ("--seed", "1", "--max-examples", "10", "--latency-factor", "0")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


def _venvs_buildable() -> bool:
    if all((ROOT / ".venv-legacy" / name / "bin" / "python").exists() for name in ("legacy", "legacy-flask2", "modern")):
        return True
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def venvs() -> dict[str, str]:
    if not _venvs_buildable():
        pytest.skip("the legacy virtualenvs are not built and PyPI is unreachable")
    done = subprocess.run(["bash", str(ROOT / "scripts" / "legacy-venvs.sh")], capture_output=True, text=True,
                          timeout=1200, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    pythons = dict(line.split("=", 1) for line in done.stdout.split())
    assert set(pythons) == {"legacy", "legacy-flask2", "modern"}
    return pythons


def _check(tmp_path: Path, old: str, new: str, *args: str) -> tuple[int, dict, str]:
    report = tmp_path / "report.json"
    result = run_cli("check", old, new, *FAST, *args, "--json", str(report))
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(report.read_text()), result.stderr


def _left_behind() -> list[int]:
    return pids_with(f"--ref {STACK}/")


def test_the_venvs_hold_the_legacy_pins_and_no_apiparity(venvs):
    probe = "import importlib.util, sys; import flask, werkzeug; print(flask.__version__, werkzeug.__version__, importlib.util.find_spec('apiparity') is None)"
    out = subprocess.run([venvs["legacy"], "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["1.1.4", "1.0.1", "True"]
    probe = "import importlib.util, fastapi, pydantic; print(fastapi.__version__, pydantic.VERSION, importlib.util.find_spec('apiparity') is None)"
    out = subprocess.run([venvs["modern"], "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0.99.1" and out[1].startswith("1.") and out[2] == "True"


@pytest.mark.parametrize("legacy", ["legacy", "legacy-flask2"])
def test_faithful_port_is_ready_across_interpreters(venvs, tmp_path, legacy):
    code, report, stderr = _check(tmp_path, LEGACY, MODERN, "--old-python", venvs[legacy], "--new-python", venvs["modern"])
    assert code == 0, (report["verdict"], report["fuzz"]["groups"])
    sides = report["extras"]["sides"]
    assert sides["old"]["server"] == ("werkzeug 1.0.1" if legacy == "legacy" else "werkzeug 2.3.8")
    assert sides["new"]["server"] == "uvicorn 0.22.0"
    assert report["old"]["inferred"] is True  # plain Flask: the url_map skeleton, rules sent over by the bootstrap
    assert report["fuzz"]["cases"] > 50 and all(op["cases"] for op in report["fuzz"]["operations"])
    assert "legacy_app.py:reset (in OLD's own interpreter)" in report["fuzz"]["settings"]["isolation"]["old"]
    assert "event-loop watch off for NEW" in stderr
    # the bootstrap ran in the venv's own interpreter (the Flask 1.1 venv is on Python 3.8 where the machine has one)
    version = subprocess.run([venvs[legacy], "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert f"runs in its own interpreter, Python {version}, served by" in stderr
    assert _left_behind() == []


def test_regressed_port_is_not_ready_with_each_regression_named(venvs, tmp_path):
    code, report, _ = _check(tmp_path, LEGACY, REGRESSED, "--old-python", venvs["legacy"], "--new-python", venvs["modern"])
    assert code == 1
    found = {(g["operation"], g["signature"]) for g in report["fuzz"]["groups"]}
    assert ("POST /parts", "status 201 != 200") in found  # R2
    assert any(op == "GET /parts/{part_id}" and "$.qty missing in NEW" in sig for op, sig in found)  # R1
    assert _left_behind() == []


def test_by_command_gunicorn_and_uvicorn(venvs, tmp_path):
    """Each side served by its own command in its own venv; the documents from the bootstraps
    (--old-python/--new-python extract, the commands serve). No reset reaches a command's
    process, so only safe methods are sent: GET operations are compared."""
    legacy_bin, modern_bin = Path(venvs["legacy"]).parent, Path(venvs["modern"]).parent
    old_cmd = f"{shlex.quote(str(legacy_bin / 'gunicorn'))} --chdir {shlex.quote(str(STACK))} -w 2 -b 127.0.0.1:{{port}} legacy_app:app"
    new_cmd = f"{shlex.quote(str(modern_bin / 'uvicorn'))} --app-dir {shlex.quote(str(STACK))} --port {{port}} {{module}}:app"
    for new, module, expected in ((MODERN, "modern_app", 0), (REGRESSED, "regressed_app", 1)):
        code, report, _ = _check(tmp_path, LEGACY, new, "--old-python", venvs["legacy"], "--new-python", venvs["modern"],
                                 "--old-cmd", old_cmd, "--new-cmd", new_cmd.replace("{module}", module),
                                 "--include", "GET", "--min-operations-share", "0")
        assert code == expected, report["fuzz"]["groups"]
        assert "gunicorn" in report["extras"]["sides"]["old"]["started"]
        assert pids_with(str(legacy_bin / "gunicorn")) == [] and pids_with(f"{module}:app") == []
    assert any("qty missing in NEW" in g["signature"] for g in report["fuzz"]["groups"])


def test_legacy_app_crashing_on_start_leaves_nothing(venvs, tmp_path):
    """The legacy app in its venv fails at import (a missing dependency, as on a fresh checkout)."""
    broken = tmp_path / "broken_legacy.py"
    broken.write_text("from flask import Flask\nimport flask_bcrypt  # not installed in the legacy venv\napp = Flask(__name__)\n")
    result = run_cli("check", f"{broken}:app", MODERN, "--old-python", venvs["legacy"], "--new-python", venvs["modern"])
    assert result.exit_code == 2
    assert "No module named 'flask_bcrypt'" in result.stderr and result.stderr.count("\n") == 1
    assert pids_with(str(broken)) == [] and _left_behind() == []


def test_replay_across_interpreters(venvs, tmp_path):
    """`replay` runs each side in its own interpreter too: recorded traffic against the legacy
    Flask 1.1 app and the regressed pydantic-1 port, both served by their bootstraps."""
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text("\n".join(json.dumps(line) for line in (
        {"method": "GET", "path": "/parts/1"},
        {"method": "GET", "path": "/parts?limit=2"},
        {"method": "POST", "path": "/parts", "body": {"name": "nut", "qty": 3, "unit_price": 0.1, "tags": []}},
    )) + "\n")
    report_path = tmp_path / "replay.json"
    result = run_cli("replay", str(traffic), LEGACY, REGRESSED, "--old-python", venvs["legacy"],
                     "--new-python", venvs["modern"], "--format", "json", "-o", str(report_path))
    assert result.exit_code == 1, result.stderr
    report = json.loads(report_path.read_text())
    assert report["fuzz"]["cases"] == 3
    found = {(g["operation"], g["signature"]) for g in report["fuzz"]["groups"]}
    assert ("POST /parts", "status 201 != 200") in found  # R2
    assert any(op == "GET /parts/{part_id}" and "$.qty missing in NEW" in sig for op, sig in found)  # R1
    assert _left_behind() == []
