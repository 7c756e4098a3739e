"""From raw per-request latencies to the side-by-side numbers: req/s, percentiles, error rate and
NEW/OLD ratios, per operation and overall. Pure functions over plain data (no Locust here)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from apiparity.model_sections import LatencyStats, LoadComparison, LoadRatios  # the report's types (LatencyStats re-exported)

PERCENTILES = (50.0, 75.0, 90.0, 95.0, 99.0, 99.9)
OVERALL = "overall"


@dataclass(slots=True)
class OperationComparison:
    operation: str
    old: LatencyStats | None
    new: LatencyStats | None
    # NEW / OLD: > 1 is better for rps, < 1 is better for latencies; None when a side has no data.
    ratio: dict[str, float | None] = field(default_factory=dict)

    def to_comparison(self) -> LoadComparison:
        """The report's row (`Report.load.operations`)."""
        return LoadComparison(operation=self.operation, old=self.old, new=self.new,
                              ratio=LoadRatios(**{k: v for k, v in self.ratio.items() if k in ("rps", "p50", "p95", "p99")}))


def summarize(latencies_ms: list[float], *, errors: int, elapsed_s: float, statuses: dict[str, int] | None = None) -> LatencyStats:
    """Percentiles (inclusive method, interpolated) and rates of one operation on one side."""
    count = len(latencies_ms)
    if count == 0:
        return LatencyStats(0, errors, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, {}, dict(statuses or {}))
    if count == 1:
        cuts = {p: latencies_ms[0] for p in PERCENTILES}
    else:
        # 1000 quantiles give every percentile we report, down to 99.9.
        quantiles = statistics.quantiles(latencies_ms, n=1000, method="inclusive")
        cuts = {p: quantiles[round(p * 10) - 1] for p in PERCENTILES}
    return LatencyStats(
        requests=count,
        errors=errors,
        error_rate=round(errors / count, 4),
        rps=round(count / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        p50_ms=round(cuts[50.0], 2),
        p95_ms=round(cuts[95.0], 2),
        p99_ms=round(cuts[99.0], 2),
        mean_ms=round(statistics.fmean(latencies_ms), 2),
        max_ms=round(max(latencies_ms), 2),
        percentiles_ms={_key(p): round(v, 2) for p, v in cuts.items()},
        statuses=dict(sorted((statuses or {}).items())),
    )


def side_stats(raw: dict[str, Any]) -> dict[str, LatencyStats]:
    """Stats of every operation of one side's worker result, plus OVERALL over all requests."""
    elapsed = float(raw["elapsed_s"])
    per_operation: dict[str, LatencyStats] = {}
    all_latencies: list[float] = []
    all_errors = 0
    all_statuses: dict[str, int] = {}
    for name, data in sorted(raw["operations"].items()):
        per_operation[name] = summarize(data["latencies_ms"], errors=data["errors"], elapsed_s=elapsed, statuses=data["statuses"])
        all_latencies.extend(data["latencies_ms"])
        all_errors += data["errors"]
        for status, count in data["statuses"].items():
            all_statuses[status] = all_statuses.get(status, 0) + count
    per_operation[OVERALL] = summarize(all_latencies, errors=all_errors, elapsed_s=elapsed, statuses=all_statuses)
    return per_operation


def compare(old: dict[str, LatencyStats], new: dict[str, LatencyStats]) -> list[OperationComparison]:
    """One row per operation seen on either side (sorted), OVERALL last."""
    names = sorted((set(old) | set(new)) - {OVERALL}) + [OVERALL]
    return [OperationComparison(name, old.get(name), new.get(name), ratios(old.get(name), new.get(name))) for name in names]


def ratios(old: LatencyStats | None, new: LatencyStats | None) -> dict[str, float | None]:
    def ratio(attr: str) -> float | None:
        if old is None or new is None or not old.requests or not new.requests:
            return None
        before, after = getattr(old, attr), getattr(new, attr)
        if before == 0:
            return None
        return round(after / before, 3)

    return {"rps": ratio("rps"), "p50": ratio("p50_ms"), "p95": ratio("p95_ms"), "p99": ratio("p99_ms")}


def _key(percentile: float) -> str:
    return f"{percentile:g}"
