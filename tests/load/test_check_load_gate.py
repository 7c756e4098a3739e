"""`check --load-duration`: after the fuzz, the same GET mix loads OLD then NEW; gate load-latency."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

OLD_APP = "tests.load.apps:legacy_app"
NEW_APP = "tests.load.apps:modern_app"
FAST = ("--max-examples", "2", "--phases", "examples", "--seed", "3", "--exclude", "POST")


def test_check_with_a_load_run_gates_on_the_p95_ratio(servers, tmp_path: Path) -> None:
    out = tmp_path / "check.json"
    result = run_cli("check", OLD_APP, NEW_APP, "--old-url", servers.old, "--new-url", servers.new, *FAST,
                     "--load-duration", "2", "--load-users", "2", "--load-per-operation", "3",
                     "--load-max-p95-ratio", "1000", "--latency-factor", "0", "--json", str(out))
    data = json.loads(out.read_text())
    load = data["extras"]["load"]
    assert load["settings"]["duration"] == 2 and load["settings"]["seed"] == 3
    assert {row["operation"] for row in load["operations"]} >= {"GET /items", "GET /items/{item_id}", "overall"}
    assert load["overall"]["old"]["requests"] > 0 and load["overall"]["new"]["requests"] > 0
    gates = {g["name"]: g for g in data["verdict"]["gates"]}
    gate = gates["load-latency"]
    assert gate["passed"] and "p95" in gate["measured"] and "1000" in gate["threshold"]
    assert result.exit_code == (0 if all(g["passed"] for g in gates.values()) else 1), result.stdout


def test_load_duration_needs_two_live_servers() -> None:
    result = run_cli("check", OLD_APP, NEW_APP, *FAST, "--load-duration", "2")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --load-duration: a load run needs both sides on live servers")


def test_a_load_run_that_fails_fails_its_gate() -> None:
    from apiparity.model import Report
    from apiparity.verdict import GateThresholds, decide

    report = Report(command="check", extras={"load_error": "load run failed: NEW http://127.0.0.1:9: the load worker failed"})
    gate = next(g for g in decide(report, GateThresholds()).gates if g.name == "load-latency")
    assert not gate.passed and gate.measured == "not measured" and "load worker failed" in gate.details[0]
    # no load run requested: no gate at all
    assert "load-latency" not in {g.name for g in decide(Report(command="check"), GateThresholds()).gates}
