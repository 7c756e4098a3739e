"""Config parsing (README's example included) and the pure verdict over hand-built reports."""

from __future__ import annotations

import re

import pytest

from apiparity.config import RawConfig, load_settings, settings_from_raw
from apiparity.errors import ConfigError
from apiparity.model import Gate, OperationStats, SideInfo
from apiparity.verdict import GATES, GateThresholds, decide, percentile, register_gate
from tests.conftest import ROOT
from tests.report.sample_reports import check_report, empty_check_report


def test_readme_config_example_is_valid(tmp_path) -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    (tmp_path / "apiparity.toml").write_text(example)
    settings = load_settings(tmp_path / "apiparity.toml")
    assert settings.old.endswith("legacy_app.py:app")
    assert settings.fuzz["equivalent_status"] == ("400=422",)
    assert settings.fuzz["headers"] == {"X-Api-Key": "test-key"}
    assert settings.gates.latency_factor == 1.5 and settings.reports["html"] == "apiparity-report.html"
    assert settings.waivers[0]["reason"].startswith("isbn moved")


def test_pyproject_table_is_read(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.apiparity]\nold = "a:app"\n[tool.apiparity.gates]\nmin_cases_per_operation = 4\n')
    settings = load_settings(tmp_path / "pyproject.toml")
    assert settings.old == "a:app" and settings.gates.min_cases_per_operation == 4


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"gates": {"min_operations_share": 1.5}}, "gates.min_operations_share"),
        ({"gates": {"latency_factor": "fast"}}, "gates.latency_factor"),
        ({"gates": {"typo": 1}}, "gates.typo"),
        ({"max_examples": "many"}, "fuzz.max_examples"),
        ({"fuzz": {"colour": 1}}, "fuzz.colour"),
        ({"status_equivalences": ["400-422"]}, "400-422"),
        ({"reports": {"pdf": "x.pdf"}}, "reports.pdf"),
        ({"old": 3}, "old"),
    ],
)
def test_bad_config_names_the_key(data: dict, where: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(where)):
        settings_from_raw(RawConfig(data=data))


def test_verdict_of_the_sample_report_fails_the_right_gates() -> None:
    verdict = decide(check_report())
    result = {g.name: g.passed for g in verdict.gates}
    assert verdict.ready is False
    assert result == {
        "valid-documents": True,
        "no-breaking-changes": False,
        "no-mismatch-groups": False,
        "operations-exercised": False,
        "new-conforms-to-old-spec": False,
        "no-new-5xx": False,
        "no-transport-errors": True,
    }
    exercised = next(g for g in verdict.gates if g.name == "operations-exercised")
    assert exercised.measured == "75% (3/4)"
    assert any("DELETE /legacy" in d for d in exercised.details)


def test_thresholds_change_the_outcome() -> None:
    report = check_report()
    lenient = GateThresholds(min_operations_share=0.75, max_conformance_issues=12, max_new_5xx=1)
    result = {g.name: g.passed for g in decide(report, lenient).gates}
    assert result["operations-exercised"] and result["new-conforms-to-old-spec"] and result["no-new-5xx"]
    strict = GateThresholds(min_cases_per_operation=21)
    assert not {g.name: g.passed for g in decide(empty_check_report(), strict).gates}["operations-exercised"]


def test_clean_report_is_ready_and_missing_sections_are_not() -> None:
    assert decide(empty_check_report()).ready
    report = empty_check_report()
    report.fuzz = None
    verdict = decide(report)
    assert not verdict.ready
    assert {g.name for g in verdict.gates if g.measured == "not run"} >= {"no-mismatch-groups", "operations-exercised"}


def test_shard_scope_is_not_counted_against_exercised_operations() -> None:
    report = empty_check_report()
    report.fuzz.operations.append(OperationStats("POST /other", skipped_reason="not in this shard"))
    report.fuzz.operations.append(OperationStats("GET /new-only", skipped_reason="only in NEW's document (cases come from OLD's; use --spec both)"))
    report.fuzz.operations_total = 3
    gate = next(g for g in decide(report).gates if g.name == "operations-exercised")
    assert gate.passed and gate.measured == "100% (1/1)"


def test_latency_gate_only_over_http() -> None:
    report = empty_check_report()
    report.fuzz.operations[0].old_latency_ms = [10.0] * 20
    report.fuzz.operations[0].new_latency_ms = [10.0] * 18 + [40.0, 40.0]
    assert "latency" not in {g.name for g in decide(report).gates}
    report.old = SideInfo("http://127.0.0.1:1/openapi.json", "url", "http")
    report.new = SideInfo("http://127.0.0.1:2/openapi.json", "url", "http")
    gate = next(g for g in decide(report).gates if g.name == "latency")
    assert not gate.passed and gate.measured.startswith("40.0 ms")
    assert next(g for g in decide(report, GateThresholds(latency_factor=5)).gates if g.name == "latency").passed
    assert "latency" not in {g.name for g in decide(report, GateThresholds(latency_factor=None)).gates}


def test_an_extra_gate_can_be_registered() -> None:
    @register_gate("event-loop-blocking")
    def blocking(report, thresholds):  # noqa: ANN001, ANN202
        found = report.extras.get("blocking")
        if found is None:
            return None
        return Gate("event-loop-blocking", "No blocking call in async handlers", "0", str(found), found <= thresholds.extra.get("max_blocking", 0))

    try:
        report = empty_check_report()
        assert "event-loop-blocking" not in {g.name for g in decide(report).gates}
        report.extras["blocking"] = 2
        assert not decide(report).ready
        assert decide(report, GateThresholds(extra={"max_blocking": 2})).ready
    finally:
        GATES.pop("event-loop-blocking")


def test_percentile_is_nearest_rank() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == 10
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(range(1, 101)), 95) == 95


def test_latency_gate_runs_for_app_targets_called_over_http() -> None:
    """`check app.py:app ... --old-url/--new-url`: the targets are apps, the run called both over HTTP."""
    report = empty_check_report()
    report.fuzz.operations[0].old_latency_ms = [10.0] * 20
    report.fuzz.operations[0].new_latency_ms = [10.0] * 20
    report.fuzz.settings["transports"] = {"old": "http", "new": "http"}
    assert next(g for g in decide(report).gates if g.name == "latency").passed
    report.fuzz.settings["transports"] = {"old": "wsgi", "new": "http"}
    assert "latency" not in {g.name for g in decide(report).gates}
