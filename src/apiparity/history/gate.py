"""Gate `no-readiness-regression` (`--fail-on-regress`): an operation ready in the baseline run
(the previous run that judged readiness) is no longer ready. Reads `Report.history` only."""

from __future__ import annotations

from typing import Any

from apiparity.model import Gate, Report

GATE_NAME = "no-readiness-regression"


def gate_readiness_regression(report: Report, thresholds: Any) -> Gate | None:
    section = report.history
    if section is None or not section.fail_on_regress:
        return None
    regressed = list(section.regressed)
    baseline = section.baseline
    return Gate(
        name=GATE_NAME,
        description="Every operation ready in the baseline run is still ready",
        threshold="0 operations regressed" + (f" since {baseline}" if baseline else ""),
        measured=f"{len(regressed)} regressed" if baseline else "no baseline run yet",
        passed=not regressed,
        details=[f"{op}: ready in {baseline}, not ready now" for op in regressed],
    )
