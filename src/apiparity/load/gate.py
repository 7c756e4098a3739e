"""The optional latency gate: is NEW at least as fast as OLD under the same traffic?"""

from __future__ import annotations

from typing import Any

from apiparity.model import Gate
from apiparity.model_sections import LoadSection


def latency_gate(load: LoadSection | dict[str, Any], *, max_p95_ratio: float = 1.2, max_error_rate_increase: float = 0.01) -> Gate:
    """Pass when NEW's overall p95 is at most `max_p95_ratio` x OLD's and NEW's error rate is at most
    OLD's + `max_error_rate_increase`. Reads the load section only (`Report.load`, or its JSON data)."""
    section = load if isinstance(load, LoadSection) else LoadSection.from_dict(load)
    overall = section.overall
    if overall is None:
        raise ValueError("a load section without its overall row")
    old, new = overall.old, overall.new
    ratio = overall.ratio.p95
    details = []
    if not old or not new or not old.requests or not new.requests:
        return Gate("load-latency", "NEW answers at least as fast as OLD under the same load",
                    f"p95 NEW/OLD <= {max_p95_ratio:g}", "no requests measured on a side", False)
    latency_ok = ratio is None or ratio <= max_p95_ratio
    errors_ok = new.error_rate <= old.error_rate + max_error_rate_increase
    for row in section.operations:
        r = row.ratio.p95
        if row.operation != "overall" and r is not None and r > max_p95_ratio and row.old and row.new:
            details.append(f"{row.operation}: p95 {row.old.p95_ms} -> {row.new.p95_ms} ms (x{r:.2f})")
    if not errors_ok:
        details.append(f"error rate {old.error_rate:.1%} -> {new.error_rate:.1%}")
    measured = (
        f"p95 {old.p95_ms} -> {new.p95_ms} ms"
        + (f" (x{ratio:.2f})" if ratio is not None else "")
        + f", req/s {old.rps} -> {new.rps}, errors {old.error_rate:.1%} -> {new.error_rate:.1%}"
    )
    return Gate(
        name="load-latency",
        description="NEW answers at least as fast as OLD under the same load",
        threshold=f"p95 NEW/OLD <= {max_p95_ratio:g}, error rate +{max_error_rate_increase:.1%} at most",
        measured=measured,
        passed=latency_ok and errors_ok,
        details=details,
    )
