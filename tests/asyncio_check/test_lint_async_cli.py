"""`apiparity lint-async`: exit codes, file:line output, fix hints, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli

EXAMPLE = EXAMPLES / "async_blocking" / "app.py"
SCAN_APPS = Path(__file__).with_name("scan_apps.py")


def line_of(path: Path, text: str) -> int:
    (line,) = [n for n, content in enumerate(path.read_text().splitlines(), 1) if text in content]
    return line


def test_example_prints_both_blocking_handlers_with_location_and_fix(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run_cli("lint-async", "examples/async_blocking/app.py:app")
    assert result.exit_code == 1, result.stderr
    sleepy = line_of(EXAMPLE, "time.sleep(0.1)  # BLOCKS")
    connect = line_of(EXAMPLE, 'sqlite3.connect(":memory:")')
    assert f"examples/async_blocking/app.py:{sleepy}: GET /sleepy: time.sleep(0.1) blocks the event loop" in result.stdout
    assert f"examples/async_blocking/app.py:{connect}: GET /stock:" in result.stdout
    assert "stock (handler) -> get_stock (async dependency) -> stock_snapshot -> count_stock_rows" in result.stdout
    assert result.stdout.count("    fix: ") == 2
    assert "declare `sleepy` with plain `def`" in result.stdout
    assert "run_in_threadpool(stock_snapshot" in result.stdout
    for quiet in ("/nap", "/sync-sleepy", "/offloaded", "/settings"):
        assert f"GET {quiet}:" not in result.stdout


def test_json_format(tmp_path):
    out = tmp_path / "lint.json"
    result = run_cli("lint-async", f"{EXAMPLE}:app", "--format", "json", "-o", str(out))
    assert result.exit_code == 1
    data = json.loads(out.read_text())
    assert sorted(f["operation"] for f in data["findings"]) == ["GET /sleepy", "GET /stock"]
    assert {f["family"] for f in data["findings"]} == {"sleep", "database"}
    assert all(f["file"] == str(EXAMPLE.resolve()) and f["line"] > 0 and f["fix_hint"] for f in data["findings"])
    assert data["operations"] == 6


def test_only_correct_handlers_exits_0():
    result = run_cli("lint-async", f"{SCAN_APPS}:correct_app")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "No blocking calls found in 2 operation(s)" in result.stdout


def test_max_depth_option():
    shallow = run_cli("lint-async", f"{SCAN_APPS}:app", "--format", "json", "--max-depth", "0")
    data = json.loads(shallow.stdout)
    assert shallow.exit_code == 1
    assert {"GET /alias-module", "GET /alias-function"} <= {f["operation"] for f in data["findings"]}
    assert "GET /method" not in {f["operation"] for f in data["findings"]}
    # depth 0: only calls written directly in async handlers/dependencies
    assert all(len([c for c in f["chain"] if "(" not in c]) == 0 for f in data["findings"])


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("tests/apps/small_apps.py:plain_flask_app", "not a flask target"),
        ("tests/apps/small_apps.py:openapi3_app", "not a flask-openapi3 target"),
        ("tests/apps/small_apps.py:raw_asgi_app", "not a asgi target"),
    ],
)
def test_non_fastapi_target_exits_2_with_one_line(monkeypatch, target, expected):
    monkeypatch.chdir(ROOT)
    args = ["lint-async", target] + (["--spec-path", "/spec.json"] if "raw_" in target else [])
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert expected in result.stderr
    assert "lint-async needs a FastAPI app object" in result.stderr


def test_spec_file_target_exits_2(tmp_path):
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}))
    result = run_cli("lint-async", str(spec))
    assert result.exit_code == 2
    assert "not a spec target" in result.stderr


def test_missing_module_exits_2():
    result = run_cli("lint-async", "no/such/file.py:app")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


BOOKSTORE_MODERN = EXAMPLES / "bookstore" / "modern_app.py"


@pytest.mark.skipif(not BOOKSTORE_MODERN.exists(), reason="bookstore example not written yet")
def test_bookstore_modern_app_is_clean():
    result = run_cli("lint-async", f"{BOOKSTORE_MODERN}:app")
    assert result.exit_code == 0, result.stdout


def test_check_on_a_pair_whose_new_side_blocks_is_not_ready(tmp_path):
    twin = Path(__file__).with_name("legacy_twin.py")
    out = tmp_path / "report.json"
    result = run_cli("check", f"{twin}:app", f"{EXAMPLE}:app", "--max-examples", "3", "--seed", "1", "--json", str(out),
                     "--probes", "trailing-slash,if-none-match,no-credentials")  # the loop gate is the subject
    assert "event_loop" in json.loads(out.read_text()).get("extras", {}), "check did not run the event-loop monitor"
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "NOT READY" in result.stdout
    data = json.loads(out.read_text())
    gates = {g["name"]: g for g in data["verdict"]["gates"]}
    gate = gates["no-event-loop-blocking"]
    assert not gate["passed"]
    assert {d.split(":")[0] for d in gate["details"] if d.startswith("GET")} == {"GET /sleepy", "GET /stock"}
    # every other gate passes: the blocking loop alone makes it NOT READY
    assert [name for name, g in gates.items() if not g["passed"]] == ["no-event-loop-blocking"]
    assert "no-event-loop-blocking" in result.stdout
