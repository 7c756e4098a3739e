"""load/gate.py: the load-latency gate reads the load section only (typed, or its JSON data)."""

from __future__ import annotations

import pytest

from apiparity.load.gate import latency_gate
from apiparity.model_sections import LatencyStats, LoadComparison, LoadRatios, LoadSection


def stats(p95: float, *, requests: int = 100, error_rate: float = 0.0) -> LatencyStats:
    return LatencyStats(requests=requests, errors=round(requests * error_rate), error_rate=error_rate, rps=50.0, p95_ms=float(p95))


def row(operation: str, old: LatencyStats, new: LatencyStats) -> LoadComparison:
    return LoadComparison(operation=operation, old=old, new=new, ratio=LoadRatios(p95=new.p95_ms / old.p95_ms))


def section(*rows: LoadComparison) -> LoadSection:
    overall = next(r for r in rows if r.operation == "overall")
    return LoadSection(operations=list(rows), overall=overall)


def test_new_as_fast_as_old_passes_with_what_was_measured() -> None:
    gate = latency_gate(section(row("GET /books", stats(10), stats(11)), row("overall", stats(10), stats(11))))
    assert gate.name == "load-latency" and gate.passed and gate.details == []
    assert gate.measured == "p95 10.0 -> 11.0 ms (x1.10), req/s 50.0 -> 50.0, errors 0.0% -> 0.0%"
    assert gate.threshold == "p95 NEW/OLD <= 1.2, error rate +1.0% at most"


def test_a_slower_p95_fails_naming_each_slower_operation() -> None:
    load = section(row("GET /books", stats(10), stats(30)), row("GET /authors", stats(10), stats(10)), row("overall", stats(10), stats(20)))
    gate = latency_gate(load)
    assert not gate.passed
    assert gate.details == ["GET /books: p95 10.0 -> 30.0 ms (x3.00)"]
    assert latency_gate(load, max_p95_ratio=2.5).passed, "the ratio is the caller's threshold"


def test_more_errors_on_new_fail_even_when_it_is_fast() -> None:
    gate = latency_gate(section(row("overall", stats(10, error_rate=0.0), stats(9, error_rate=0.05))))
    assert not gate.passed and gate.details == ["error rate 0.0% -> 5.0%"]
    assert latency_gate(section(row("overall", stats(10, error_rate=0.0), stats(9, error_rate=0.05))), max_error_rate_increase=0.1).passed


def test_a_side_without_requests_is_no_pass() -> None:
    gate = latency_gate(section(row("overall", stats(10), stats(10, requests=0))))
    assert not gate.passed and gate.measured == "no requests measured on a side"


def test_the_json_form_of_the_section_gives_the_same_gate() -> None:
    typed = section(row("GET /books", stats(10), stats(30)), row("overall", stats(10), stats(20)))
    assert latency_gate(typed.to_dict()) == latency_gate(typed)


def test_a_section_without_its_overall_row_is_an_error() -> None:
    with pytest.raises(ValueError, match="overall"):
        latency_gate(LoadSection())
