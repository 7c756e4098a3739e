"""`apiparity check`, `merge` and `init` end to end on real flask-openapi3 / FastAPI apps."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from apiparity.model import Report
from tests.conftest import run_cli
from tests.scenario import ScenarioRun, Scenarios

LEGACY = "tests.check.apps:legacy"
MODERN = "tests.check.apps:modern"
REGRESSED = "tests.check.apps:regressed"
FAST = ("--max-examples", "3", "--phases", "examples,fuzzing")


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def read(path: Path) -> Report:
    return Report.from_dict(json.loads(path.read_text()))


def test_faithful_port_is_ready_and_every_report_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("previous step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("html", "markdown", "json", "junit")}
    result = run_cli("check", LEGACY, MODERN, *FAST, *[a for fmt, p in out.items() for a in (f"--{fmt}", str(p))])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.startswith("apiparity cutover readiness: READY")
    report = read(out["json"])
    assert report.verdict.ready and report.complete
    assert {g.name for g in report.verdict.gates} >= {"no-breaking-changes", "no-mismatch-groups", "operations-exercised", "new-conforms-to-old-spec", "no-new-5xx"}
    assert "latency" not in {g.name for g in report.verdict.gates}, "in-process targets: no latency gate"
    assert report.fuzz.cases > 0 and report.diff is not None
    assert 'class="banner ok"' in out["html"].read_text()
    assert "**READY**" in out["markdown"].read_text()
    ET.fromstring(out["junit"].read_text())
    assert summary.read_text().startswith("previous step\n# ✅ apiparity cutover readiness: **READY**")


def regressed(scenarios: Scenarios) -> ScenarioRun:
    """`check LEGACY REGRESSED` with the fast options, JSON report: read by three tests (scenario check-apps)."""
    return scenarios.run("check", LEGACY, REGRESSED, *FAST)


@pytest.mark.scenario("check-apps")
def test_regression_is_not_ready_with_the_finding_in_every_section(scenarios: Scenarios) -> None:
    result = regressed(scenarios)
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "NOT READY" in result.stdout.splitlines()[0]
    report = result.report()
    failed = {g.name for g in report.verdict.gates if not g.passed}
    assert {"no-breaking-changes", "no-mismatch-groups"} <= failed
    assert any(c.rule_id == "response-body-property-removed" and "price" in c.message for c in report.diff.changes)
    assert any(g.operation == "GET /items/{item_id}" and "price" in g.signature for g in report.fuzz.groups)


def test_same_seed_same_report_and_the_seed_reaches_the_diffs_witness_search(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apiparity.diff import witness

    seeds: list[int] = []
    original = witness.WitnessSearch.__init__

    def record(self: witness.WitnessSearch, budget: witness.Budget | None = None) -> None:
        seeds.append(budget.seed if budget is not None else -1)
        original(self, budget)

    monkeypatch.setattr(witness.WitnessSearch, "__init__", record)
    witnesses = []
    for name in ("a", "b"):
        run_cli("check", LEGACY, REGRESSED, *FAST, "--seed", "7", "--json", str(tmp_path / f"{name}.json"))
        witnesses.append([(c.rule_id, c.witness) for c in read(tmp_path / f"{name}.json").diff.changes if c.witness is not None])
    assert seeds == [7, 7]  # it was always 0: check never passed its seed on
    assert witnesses[0] and witnesses[0] == witnesses[1]
    # same seed, same report: everything but wall-clock measurements repeats
    a, b = (scrub_timings(json.loads((tmp_path / f"{n}.json").read_text())) for n in ("a", "b"))
    assert a == b
    (tmp_path / "apiparity.toml").write_text("[diff]\nseed = 3\n")
    monkeypatch.chdir(tmp_path)
    run_cli("check", LEGACY, REGRESSED, *FAST, "--json", str(tmp_path / "c.json"))
    run_cli("check", LEGACY, REGRESSED, *FAST, "--seed", "5", "--json", str(tmp_path / "d.json"))
    assert seeds[2:] == [3, 5]  # [diff] seed when no --seed; --seed wins over it


TIMING_KEYS = {"generated_at", "elapsed_ms", "old_latency_ms", "new_latency_ms", "monitored_seconds"}
# the event-loop gate says how long the loop was watched: wall-clock time, like the latencies
WATCHED = re.compile(r"in \d+(\.\d+)? s watched")
# the event-loop gate's notes on what it did not count (stalls of a busy machine, blocks with no app
# frame): whether one comes is timing, as the report's `unattributed` and `starved` it summarizes
STARVED = re.compile(r"not counted: \d+ (stall|block)\(s\) ")


def scrub_timings(data: object) -> object:
    """Everything but wall-clock measurements must repeat exactly (the event loop's stalls are
    measured time too: a stall of the machine that is no block of the app may come or not)."""
    if isinstance(data, dict):
        if "event_loop" in data and isinstance(data["event_loop"], dict):
            data = {**data, "event_loop": {k: v for k, v in data["event_loop"].items() if k not in ("unattributed", "starved")}}
        return {k: scrub_timings(v) for k, v in data.items() if k not in TIMING_KEYS}
    if isinstance(data, list):
        return [scrub_timings(v) for v in data if not (isinstance(v, str) and STARVED.match(v))]
    if isinstance(data, str):
        return WATCHED.sub("in (time) s watched", data)
    return data


def test_waivers_from_config_waive_changes_and_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "apiparity.toml").write_text(
        f'''old = "{LEGACY}"
new = "{REGRESSED}"
max_examples = 3
phases = ["examples", "fuzzing"]

[[waivers]]
rule = "response-body-property-removed"
path = "/items/*"
reason = "price moved to /prices"
expires = 2999-01-01

[[waivers]]
rule = "mismatch"
method = "GET"
path = "/items/{{item_id}}"
reason = "price moved to /prices (runtime)"

[gates]
max_conformance_issues = 100
'''
    )
    result = run_cli("check", "--app-dir", str(Path(__file__).resolve().parents[2]), "--json", "r.json")
    report = read(tmp_path / "r.json")
    assert result.exit_code == 0, result.stdout
    assert all(c.waived_by for c in report.diff.changes if c.severity == "breaking")
    assert report.fuzz.groups and all(g.waived_by == "price moved to /prices (runtime)" for g in report.fuzz.groups)
    assert [w.used > 0 for w in report.diff.waivers] == [True, True]


def test_command_line_overrides_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "apiparity.toml").write_text('old = "nowhere:app"\nnew = "nowhere:app"\nmax_examples = 50\n[gates]\nmin_cases_per_operation = 1000\n')
    root = str(Path(__file__).resolve().parents[2])
    result = run_cli("check", LEGACY, MODERN, "--app-dir", root, *FAST, "--min-cases-per-operation", "1", "--json", "r.json")
    assert result.exit_code == 0, result.stdout + result.stderr
    report = read(tmp_path / "r.json")
    assert report.fuzz.settings["max_examples"] == 3
    assert report.extras["gate_thresholds"]["min_cases_per_operation"] == 1


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (("nope.missing:app", MODERN), None, "nope.missing"),
        ((LEGACY, MODERN, "--shard", "4/3"), None, "--shard"),
        ((LEGACY, MODERN, "--baseline", "missing.json"), None, "missing.json"),
        ((), None, "name OLD and NEW"),
        ((LEGACY, MODERN), "[gates]\nmin_operations_share = 2\n", "gates.min_operations_share"),
        ((LEGACY, MODERN), "colour = 'red'\n", "colour"),
        ((LEGACY, MODERN), "[[waivers]]\nrule = 'x'\n", "reason"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], config: str | None, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    if config is not None:
        (tmp_path / "apiparity.toml").write_text(config)
    result = run_cli("check", *args, "--app-dir", str(Path(__file__).resolve().parents[2]))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_interrupt_writes_incomplete_reports_and_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import apiparity.fuzz.runner as runner
    from apiparity.model import FuzzResult, OperationStats

    def interrupted(*args: object, **kwargs: object) -> FuzzResult:
        raise runner.Interrupted(FuzzResult(cases=2, operations_total=2, operations=[OperationStats("GET /items", cases=2)]))

    monkeypatch.setattr(runner, "run_fuzz", interrupted)
    result = run_cli("check", LEGACY, MODERN, "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"))
    assert result.exit_code == 130
    report = read(tmp_path / "r.json")
    assert report.complete is False and report.fuzz.cases == 2
    assert report.verdict.ready is False
    assert "INCOMPLETE" in (tmp_path / "r.html").read_text()


@pytest.mark.scenario("check-apps")
def test_one_shard_and_three_merged_shards_agree(scenarios: Scenarios, tmp_path: Path) -> None:
    regressed(scenarios).copy("json", tmp_path / "single.json")
    shard_files = []
    for index in (1, 2, 3):
        path = tmp_path / f"shard-{index}.json"
        result = run_cli("check", LEGACY, REGRESSED, *FAST, "--shard", f"{index}/3", "--json", str(path))
        assert result.exit_code in (0, 1), result.stderr
        assert read(path).shard == f"{index}/3"
        shard_files.append(str(path))
    merged = run_cli("merge", *shard_files, "--json", str(tmp_path / "merged.json"), "--html", str(tmp_path / "merged.html"))
    single, combined = read(tmp_path / "single.json"), read(tmp_path / "merged.json")
    assert merged.exit_code == 1
    assert_same_outcome(single, combined)
    assert (tmp_path / "merged.html").exists()
    missing = run_cli("merge", *shard_files[:2])
    assert missing.exit_code == 1 and "shard 3/3 is missing" in missing.stderr


def assert_same_outcome(single: Report, combined: Report) -> None:
    assert combined.complete and combined.shard is None
    assert combined.verdict.ready == single.verdict.ready
    # the event-loop gate measures wall time (a busy machine can stretch a callback past 20 ms in
    # one run and not the other): its presence is compared, not its result
    def gates(report: Report) -> list[tuple]:
        return [(g.name, None, None) if g.name == "no-event-loop-blocking" else (g.name, g.passed, scrub_timings(g.measured))
                for g in report.verdict.gates]

    assert gates(combined) == gates(single)
    assert combined.fuzz.cases == single.fuzz.cases
    assert sorted((g.key, g.count) for g in combined.fuzz.groups) == sorted((g.key, g.count) for g in single.fuzz.groups)
    assert sorted((s.operation, s.cases, s.mismatches) for s in combined.fuzz.operations) == sorted(
        (s.operation, s.cases, s.mismatches) for s in single.fuzz.operations
    )
    assert len(combined.diff.changes) == len(single.diff.changes)


def test_merge_refuses_reports_of_other_targets(tmp_path: Path) -> None:
    run_cli("check", LEGACY, MODERN, *FAST, "--shard", "1/2", "--json", str(tmp_path / "a.json"))
    run_cli("check", LEGACY, REGRESSED, *FAST, "--shard", "2/2", "--json", str(tmp_path / "b.json"))
    result = run_cli("merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.exit_code == 2 and "not the same targets" in result.stderr
    (tmp_path / "junk.json").write_text("{}")
    assert run_cli("merge", str(tmp_path / "junk.json")).exit_code == 2


@pytest.mark.scenario("check-apps")
def test_baseline_marks_newly_broken_and_newly_fixed(scenarios: Scenarios, tmp_path: Path) -> None:
    regressed(scenarios).copy("json", tmp_path / "broken.json")
    # from broken to fixed: everything that was broken is now fixed
    run_cli("check", LEGACY, MODERN, *FAST, "--baseline", str(tmp_path / "broken.json"), "--json", str(tmp_path / "fixed.json"))
    fixed = read(tmp_path / "fixed.json")
    assert fixed.baseline.newly_broken == [] and fixed.baseline.verdict_before == "NOT READY"
    assert any("price" in key for key in fixed.baseline.newly_fixed)
    # from fixed to broken: the regression is new
    result = run_cli("check", LEGACY, REGRESSED, *FAST, "--baseline", str(tmp_path / "fixed.json"), "--json", str(tmp_path / "again.json"))
    again = read(tmp_path / "again.json")
    assert again.baseline.newly_fixed == []
    assert any("response-body-property-removed" in key for key in again.baseline.newly_broken)
    assert all(c.baseline == "new" for c in again.diff.changes if c.severity == "breaking")
    assert "Since baseline" in result.stdout


def test_init_writes_a_config_check_can_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "legacy_service.py").write_text("from flask_openapi3 import OpenAPI\napp = OpenAPI(__name__)\n\ndef reset():\n    pass\n")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "new_service.py").write_text("import fastapi\n\ndef create_app():\n    return fastapi.FastAPI()\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "flask_app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "broken.py").write_text("def (:\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli("init")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "apiparity.toml").read_text()
    assert 'old = "legacy_service.py:app"' in text and 'new = "api/new_service.py:create_app()"' in text
    assert 'reset = ["legacy_service.py:reset"]' in text
    assert ".venv" not in text
    from apiparity.config import load_settings

    settings = load_settings()
    # config paths are relative to the config file (absolute once read)
    assert settings.old == f"{tmp_path.resolve() / 'legacy_service.py'}:app" and settings.gates.latency_factor == 1.5
    again = run_cli("init")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert run_cli("init", "--force").exit_code == 0


def test_init_finds_each_sides_own_virtualenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A legacy app whose Flask 1.1 lives in its own virtualenv: init points old_python at it."""
    (tmp_path / "legacy_app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "modern_app.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    venv = tmp_path / ".venv-legacy" / "legacy"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    for dist in ("Flask-1.1.4.dist-info", "Werkzeug-1.0.1.dist-info"):
        (venv / "lib" / "python3.11" / "site-packages" / dist).mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *a: None if name == "flask" else object())
    assert run_cli("init").exit_code == 0
    text = (tmp_path / "apiparity.toml").read_text()
    assert 'old_python = ".venv-legacy/legacy/bin/python"  # flask 1.1.4 is installed there' in text
    assert '# new_python = "path/to/new-env/bin/python"' in text
    from apiparity.config import load_settings

    settings = load_settings()
    assert settings.fuzz["old_python"] == str(tmp_path.resolve() / ".venv-legacy/legacy/bin/python")  # from the config's folder
