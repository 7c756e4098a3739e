"""The runner on real Flask/FastAPI app pairs."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from flask_openapi3 import OpenAPI
from pydantic import BaseModel

from apiparity.fuzz.runner import Interrupted, run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.model import FuzzResult, to_dict
from apiparity.targets import load_target
from apiparity.targets.apps import target_from_app
from tests.conftest import EXAMPLES, ROOT, run_cli

APPS = ROOT / "tests" / "apps"


@pytest.fixture(scope="module")
def divergence_pair():
    return load_target(str(APPS / "divergence_flask.py") + ":app"), load_target(str(APPS / "divergence_fastapi.py") + ":app")


@pytest.fixture(scope="module")
def divergence_result(divergence_pair) -> FuzzResult:
    old, new = divergence_pair
    return run_fuzz(old, new, FuzzSettings(mode="all", max_examples=10, seed=1, compare_headers=("content-type",)))


def test_divergence_pair_reproduces_and_labels_runtime_rows(divergence_result):
    # a cause seen on several operations is one group listing them
    labelled = {(o.operation, g.divergence) for g in divergence_result.groups if g.divergence for o in g.operations}
    expected = {
        ("GET /events/{event_id}", "datetime-format"),
        ("GET /items", "validation-status"),
        ("DELETE /items/{item_id}", "no-content-type-204"),
        ("GET /me", "missing-auth-status"),
        ("GET /users/{user_id}", "int-path-negative"),
        ("GET /things/{thing_id}", "html-error-page"),
        ("GET /profile", "response-model-drops-keys"),
        ("OPTIONS /profile", "head-options-405"),  # filed under the method the probe sent, not GET
    }
    assert expected <= labelled
    for group in divergence_result.groups:
        if group.divergence:
            assert group.explanation and group.fix_hint
        assert 1 <= len(group.examples) <= 5
        # in-process apps: no server listens, so the reproducer is the framework's test client, labelled per side
        assert all(e.curl_old.startswith("python -c") and "app.test_client()" in e.curl_old and "# OLD: in-process WSGI" in e.curl_old
                   for e in group.examples)
        assert all(e.curl_new.startswith("python -c") and "TestClient(app)" in e.curl_new and "# NEW: in-process ASGI" in e.curl_new
                   for e in group.examples)
    # a reproducer reproduces: run in a shell, it prints each side's status
    import os
    import subprocess
    import sys
    from pathlib import Path

    example = next(g for g in divergence_result.groups if g.divergence == "validation-status").examples[0]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # the python with apiparity
    for command, status in ((example.curl_old, "400"), (example.curl_new, "422")):
        ran = subprocess.run(command, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
        assert ran.stdout.startswith(status), ran.stderr[-500:]


def test_conformance_reported_apart(divergence_result):
    issues = {(c.side, c.operation, c.check) for c in divergence_result.conformance}
    # Flask's RFC 1123 datetime violates its own document's format: date-time
    assert ("old", "GET /events/{event_id}", "response_schema_conformance") in issues
    assert any(side == "new-vs-old-spec" for side, _, _ in issues)


def test_same_seed_same_report(divergence_pair):
    old, new = divergence_pair

    def strip_timings(result: FuzzResult) -> str:
        data = to_dict(result)
        for op in data["operations"]:
            op["old_latency_ms"] = op["new_latency_ms"] = None
        text = json.dumps(data, sort_keys=True)
        import re

        return re.sub(r'"elapsed_ms": [0-9.]+', '"elapsed_ms": 0', text)

    settings = FuzzSettings(mode="all", max_examples=8, seed=7, include=("GET",))
    first, second = run_fuzz(old, new, settings), run_fuzz(old, new, settings)
    assert first.cases == second.cases > 0
    assert strip_timings(first) == strip_timings(second)


class Thing(BaseModel):
    thing_id: int


def _fault_pair():
    flask_app = OpenAPI(__name__, security_schemes={})

    @flask_app.get("/things/<int:thing_id>", responses={200: None})
    def get_thing(path: Thing):
        return {"id": path.thing_id, "token": __import__("uuid").uuid4().hex}

    fastapi_app = FastAPI()

    @fastapi_app.get("/things/{thing_id}")
    def get_thing_new(thing_id: int):
        if thing_id == 0:
            raise RuntimeError("boom")
        if thing_id == 1:
            import time

            time.sleep(3)
        return {"id": thing_id, "token": "fixed"}

    return target_from_app("flask-faults", flask_app), target_from_app("fastapi-faults", fastapi_app)


def test_app_faults_become_findings_and_noise_is_cancelled():
    old, new = _fault_pair()
    result = run_fuzz(old, new, FuzzSettings(max_examples=5, seed=3, timeout=0.5, phases=("examples", "coverage")))
    signatures = {g.signature for g in result.groups}
    assert "status 200 != 500" in signatures  # the handler raising is a 500, not a crash of the run
    assert "timeout on NEW" in signatures
    assert not any("token" in s for s in signatures)
    assert [(n.operation, n.field_path) for n in result.noise] == [("GET /things/{thing_id}", "$.token")]
    [stats] = result.operations
    assert stats.new_5xx_where_old_ok >= 1 and len(stats.old_latency_ms) == stats.cases


def test_interrupt_keeps_partial_result(divergence_pair):
    old, new = divergence_pair

    def stop_after_first_operation(event):
        if event.kind == "operation":
            raise KeyboardInterrupt

    with pytest.raises(Interrupted) as caught:
        run_fuzz(old, new, FuzzSettings(max_examples=2), on_progress=stop_after_first_operation)
    assert caught.value.partial.cases > 0 and len(caught.value.partial.operations) == 1


def test_operations_filter_and_selectors(divergence_pair):
    old, new = divergence_pair
    result = run_fuzz(old, new, FuzzSettings(max_examples=2, exclude=("/users/*",)), operations_filter=lambda label: label.startswith("GET"))
    reasons = {o.operation: o.skipped_reason for o in result.operations}
    assert reasons["GET /users/{user_id}"] == "excluded by --exclude"
    assert reasons["DELETE /items/{item_id}"] == "not in this shard"
    assert reasons["GET /events/{event_id}"] is None and result.operations_total == len(reasons)


def test_cli_exit_codes_and_json_report(tmp_path):
    out = tmp_path / "r.json"
    args = [str(APPS / "divergence_flask.py") + ":app", str(APPS / "divergence_fastapi.py") + ":app"]
    result = run_cli("fuzz", *args, "--max-examples", "3", "--format", "json", "-o", str(out), "--include", "GET /profile")
    assert result.exit_code == 1, result.stderr
    report = json.loads(out.read_text())
    assert report["command"] == "fuzz" and report["fuzz"]["groups"]
    bad = run_cli("fuzz", *args, "--equivalent-status", "400-422")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: ") and "400-422" in bad.stderr
    spec_only = run_cli("fuzz", str(APPS / "divergence_flask.py") + ":app", str(tmp_path / "missing.yaml"))
    assert spec_only.exit_code == 2
    hook = run_cli("fuzz", *args, "--reset", "tests/apps/divergence_flask.py:nope")
    assert hook.exit_code == 2 and "reset hook" in hook.stderr


@pytest.mark.skipif(not (EXAMPLES / "bookstore" / "modern_app.py").exists(), reason="bookstore example not there yet")
def test_bookstore_faithful_port_has_no_mismatch():
    result = run_cli(
        "fuzz", str(EXAMPLES / "bookstore" / "legacy_app.py") + ":app", str(EXAMPLES / "bookstore" / "modern_app.py") + ":app",
        "--seed", "1", "--max-examples", "5", "--format", "json",
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, [g["signature"] for g in report["fuzz"]["groups"]]
    assert report["fuzz"]["cases"] > 100 and "auto_reset" in report["fuzz"]["settings"]
