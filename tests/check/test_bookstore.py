"""Known answers on the bookstore example: the README's two runs, and 1 shard vs 3 merged shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiparity.model import Report
from tests.check.test_check_cli import assert_same_outcome
from tests.conftest import EXAMPLES, run_cli

BOOKSTORE = EXAMPLES / "bookstore"
LEGACY = str(BOOKSTORE / "legacy_app.py") + ":app"
MODERN = str(BOOKSTORE / "modern_app.py") + ":app"
REGRESSED = str(BOOKSTORE / "regressed_app.py") + ":app"
RESETS = (
    "--reset", str(BOOKSTORE / "legacy_app.py") + ":reset",
    "--reset", str(BOOKSTORE / "modern_app.py") + ":reset",
    "--reset", str(BOOKSTORE / "regressed_app.py") + ":reset",
)
FAST = ("--max-examples", "5", "--seed", "1")

pytestmark = pytest.mark.skipif(not (BOOKSTORE / "regressions.json").exists(), reason="bookstore example not present")


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def check(*args: str, json_path: Path) -> tuple[int, Report, str]:
    result = run_cli("check", *args, *RESETS, *FAST, "--json", str(json_path))
    return result.exit_code, Report.from_dict(json.loads(json_path.read_text())), result.stdout


def test_faithful_port_is_ready(tmp_path: Path) -> None:
    code, report, stdout = check(LEGACY, MODERN, json_path=tmp_path / "r.json")
    assert code == 0, stdout
    assert report.verdict.ready
    assert report.fuzz.operations_total == report.old.operations == 23
    # NEW (FastAPI, in-process) had its event loop watched during the fuzz, and nothing blocked it
    loop_gate = next(g for g in report.verdict.gates if g.name == "no-event-loop-blocking")
    assert loop_gate.passed and "event_loop" in report.extras


def test_regressed_port_is_not_ready_and_names_every_seeded_regression(tmp_path: Path) -> None:
    code, report, stdout = check(LEGACY, REGRESSED, json_path=tmp_path / "r.json", )
    assert code == 1
    assert stdout.startswith("apiparity cutover readiness: NOT READY")
    breaking_ops = {f"{c.method} {c.path}" for c in report.diff.changes if c.severity == "breaking" and not c.waived_by}
    group_ops = {g.operation for g in report.fuzz.groups if not g.waived_by}
    missing = []
    for regression in json.loads((BOOKSTORE / "regressions.json").read_text()):
        found = breaking_ops if regression["kind"] == "spec" else group_ops
        if regression["operation"] not in found:
            missing.append(f"{regression['id']} {regression['operation']}")
    assert not missing, f"regressions absent from the report: {missing}"
    # ... and the HTML report shows them too
    html = tmp_path / "r.html"
    run_cli("check", LEGACY, REGRESSED, *RESETS, *FAST, "--html", str(html))
    text = html.read_text()
    for regression in json.loads((BOOKSTORE / "regressions.json").read_text()):
        assert regression["operation"] in text


def test_three_merged_shards_give_the_single_run_verdict_and_counts(tmp_path: Path) -> None:
    _, single, _ = check(LEGACY, REGRESSED, json_path=tmp_path / "single.json")
    files = []
    for index in (1, 2, 3):
        path = tmp_path / f"shard-{index}.json"
        check(LEGACY, REGRESSED, "--shard", f"{index}/3", json_path=path)
        files.append(str(path))
    result = run_cli("merge", *files, "--json", str(tmp_path / "merged.json"))
    assert result.exit_code == 1
    merged = Report.from_dict(json.loads((tmp_path / "merged.json").read_text()))
    assert_same_outcome(single, merged)
