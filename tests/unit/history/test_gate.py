"""history/gate.py: `--fail-on-regress` fails when an operation ready in the baseline run is not ready now."""

from __future__ import annotations

from apiparity.history.gate import GATE_NAME, gate_readiness_regression
from apiparity.model import Report
from apiparity.model_sections import HistorySection
from tests.history.factory import report


def with_history(section: HistorySection | None) -> Report:
    result = report()
    result.history = section
    return result


def test_no_gate_without_a_history_or_without_fail_on_regress() -> None:
    assert gate_readiness_regression(with_history(None), None) is None
    assert gate_readiness_regression(with_history(HistorySection(regressed=["GET /items"], baseline="#2")), None) is None


def test_an_operation_no_longer_ready_fails_the_gate_naming_the_baseline() -> None:
    gate = gate_readiness_regression(with_history(HistorySection(fail_on_regress=True, baseline="#2", regressed=["GET /items"])), None)
    assert gate is not None and gate.name == GATE_NAME and not gate.passed
    assert gate.threshold == "0 operations regressed since #2" and gate.measured == "1 regressed"
    assert gate.details == ["GET /items: ready in #2, not ready now"]


def test_nothing_regressed_or_no_baseline_yet_passes() -> None:
    kept = gate_readiness_regression(with_history(HistorySection(fail_on_regress=True, baseline="#2")), None)
    assert kept is not None and kept.passed and kept.measured == "0 regressed"
    first = gate_readiness_regression(with_history(HistorySection(fail_on_regress=True)), None)
    assert first is not None and first.passed and first.measured == "no baseline run yet" and first.threshold == "0 operations regressed"
