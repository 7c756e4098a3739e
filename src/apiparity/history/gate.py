"""Gate `no-readiness-regression` (`--fail-on-regress`): an operation ready in the baseline run
(the previous run that judged readiness) is no longer ready. Reads `Report.extras["history"]` only."""

from __future__ import annotations

from typing import Any

from apiparity.model import Gate, Report

GATE_NAME = "no-readiness-regression"


def gate_readiness_regression(report: Report, thresholds: Any) -> Gate | None:
    section = (report.extras or {}).get("history")
    if not isinstance(section, dict) or not section.get("fail_on_regress"):
        return None
    regressed = [str(op) for op in section.get("regressed") or []]
    baseline = section.get("baseline")
    return Gate(
        name=GATE_NAME,
        description="Every operation ready in the baseline run is still ready",
        threshold="0 operations regressed" + (f" since {baseline}" if baseline else ""),
        measured=f"{len(regressed)} regressed" if baseline else "no baseline run yet",
        passed=not regressed,
        details=[f"{op}: ready in {baseline}, not ready now" for op in regressed],
    )
