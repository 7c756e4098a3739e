"""Known answers on the bookstore example: the README's two runs, and 1 shard vs 3 merged shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiparity.model import Report
from tests.check.test_check_cli import assert_same_outcome
from tests.conftest import run_cli
from tests.scenario import BOOKSTORE, Scenarios, bookstore_check

pytestmark = [
    pytest.mark.skipif(not (BOOKSTORE / "regressions.json").exists(), reason="bookstore example not present"),
    pytest.mark.scenario("bookstore"),
]


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def test_faithful_port_is_ready(scenarios: Scenarios) -> None:
    run = bookstore_check(scenarios, "modern")
    report = run.report()
    assert run.exit_code == 0, run.stdout
    assert report.verdict.ready
    assert report.fuzz.operations_total == report.old.operations == 23
    # NEW (FastAPI, in-process) had its event loop watched during the fuzz, and nothing blocked it
    loop_gate = next(g for g in report.verdict.gates if g.name == "no-event-loop-blocking")
    assert loop_gate.passed and "event_loop" in report.extras


def test_regressed_port_is_not_ready_and_names_every_seeded_regression(scenarios: Scenarios) -> None:
    run = bookstore_check(scenarios, "regressed")
    report = run.report()
    assert run.exit_code == 1
    assert run.stdout.startswith("apiparity cutover readiness: NOT READY")
    breaking_ops = {f"{c.method} {c.path}" for c in report.diff.changes if c.severity == "breaking" and not c.waived_by}
    group_ops = {g.operation for g in report.fuzz.groups if not g.waived_by}
    missing = []
    for regression in json.loads((BOOKSTORE / "regressions.json").read_text()):
        found = breaking_ops if regression["kind"] == "spec" else group_ops
        if regression["operation"] not in found:
            missing.append(f"{regression['id']} {regression['operation']}")
    assert not missing, f"regressions absent from the report: {missing}"
    # ... and the HTML report of the same run shows them too
    text = run.text("html")
    for regression in json.loads((BOOKSTORE / "regressions.json").read_text()):
        assert regression["operation"] in text


def test_three_merged_shards_give_the_single_run_verdict_and_counts(scenarios: Scenarios, tmp_path: Path) -> None:
    single = bookstore_check(scenarios, "regressed").report()
    files = [str(bookstore_check(scenarios, "regressed", "--shard", f"{index}/3").copy("json", tmp_path / f"shard-{index}.json"))
             for index in (1, 2, 3)]
    result = run_cli("merge", *files, "--json", str(tmp_path / "merged.json"))
    assert result.exit_code == 1
    merged = Report.from_dict(json.loads((tmp_path / "merged.json").read_text()))
    assert_same_outcome(single, merged)
