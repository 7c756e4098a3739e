"""`fuzz` and `check` watch NEW's event loop: options, config table, and what lands in the report."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, run_cli

TWIN = f"{Path(__file__).with_name('legacy_twin.py')}:app"
BLOCKING = f"{EXAMPLES / 'async_blocking' / 'app.py'}:app"
# the event-loop watch is the subject: the framework probes (HEAD, OPTIONS ...) would add groups of their own
FAST = ("--max-examples", "2", "--seed", "1", "--phases", "examples", "--include", "/sleepy", "--include", "/nap",
        "--probes", "trailing-slash,if-none-match,no-credentials")


def fuzz_json(tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    out = tmp_path / "fuzz.json"
    result = run_cli("fuzz", TWIN, BLOCKING, *FAST, "--format", "json", "-o", str(out), *extra)
    return result.exit_code, json.loads(out.read_text()), result.stderr


def test_fuzz_reports_the_blocking_handler_and_says_so_on_stderr(tmp_path: Path) -> None:
    code, report, stderr = fuzz_json(tmp_path)
    assert code == 0, stderr  # same answers: blocking is a check gate, not a mismatch
    blocks = report["extras"]["event_loop"]["blocks"]
    assert [b["operation"] for b in blocks] == ["GET /sleepy"]
    assert blocks[0]["max_ms"] >= 50
    assert "NEW's event loop: 1 block(s) in 1 operation(s)" in stderr


def test_no_event_loop_turns_the_monitor_off(tmp_path: Path) -> None:
    _, report, stderr = fuzz_json(tmp_path, "--no-event-loop")
    assert "event_loop" not in report["extras"]
    assert "event loop" not in stderr


def test_block_threshold_above_the_block_sees_nothing(tmp_path: Path) -> None:
    _, report, _ = fuzz_json(tmp_path, "--block-threshold-ms", "2000")
    section = report["extras"]["event_loop"]
    assert section["threshold_ms"] == 2000 and section["blocks"] == []


def test_check_config_table_turns_the_gate_off(tmp_path: Path) -> None:
    config = tmp_path / "apiparity.toml"
    config.write_text("[event_loop]\ngate = false\n")
    out = tmp_path / "check.json"
    result = run_cli("check", TWIN, BLOCKING, *FAST, "--config", str(config), "--json", str(out))
    data = json.loads(out.read_text())
    assert "event_loop" not in data["extras"]
    assert "no-event-loop-blocking" not in {g["name"] for g in data["verdict"]["gates"]}
    assert data["extras"]["gate_thresholds"]["extra"]["event_loop"] is False
    assert result.exit_code in (0, 1)


def test_check_unknown_event_loop_key_is_bad_input(tmp_path: Path) -> None:
    config = tmp_path / "apiparity.toml"
    config.write_text("[event_loop]\nthreshold = 5\n")
    result = run_cli("check", TWIN, BLOCKING, *FAST, "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "[event_loop]" in result.stderr and "threshold" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_option_overrides_the_config_threshold(tmp_path: Path) -> None:
    config = tmp_path / "apiparity.toml"
    config.write_text("[event_loop]\nthreshold_ms = 5000\n")
    out = tmp_path / "check.json"
    run_cli("check", TWIN, BLOCKING, *FAST, "--config", str(config), "--block-threshold-ms", "30", "--json", str(out))
    data = json.loads(out.read_text())
    gate = next(g for g in data["verdict"]["gates"] if g["name"] == "no-event-loop-blocking")
    assert not gate["passed"] and "30 ms" in gate["threshold"]
