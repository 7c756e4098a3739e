"""The request mix, the statistics and the chart/gate, without any load."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from apiparity.errors import ApiparityError
from apiparity.load import from_document, from_file, latency_gate, latency_svg
from apiparity.load.scenario import UnsafeMethodError, check_methods
from apiparity.load.stats import compare, side_stats, summarize
from tests.load.apps import legacy_app


@pytest.fixture(scope="module")
def document():
    return legacy_app.api_doc


def test_same_seed_same_mix_and_other_seed_other_mix(document):
    first = from_document(document, seed=3, per_operation=8)
    again = from_document(document, seed=3, per_operation=8)
    other = from_document(document, seed=4, per_operation=8)
    assert [r.to_dict() for r in first] == [r.to_dict() for r in again]
    assert [r.to_dict() for r in first] != [r.to_dict() for r in other]
    # interleaved operations, GET only by default, every request valid against the document
    assert sorted(r.operation for r in first[:2]) == ["GET /items", "GET /items/{item_id}"]
    assert {r.method for r in first} == {"GET"}
    for request in first:
        if request.operation == "GET /items/{item_id}":
            assert 1 <= int(request.path.rsplit("/", 1)[1]) <= 40
        else:
            assert all(name == "limit" and 1 <= int(value) <= 20 for name, value in request.query)


def test_allow_unsafe_adds_write_operations(document):
    mix = from_document(document, seed=0, per_operation=2, allow_unsafe=True)
    posts = [r for r in mix if r.method == "POST"]
    assert posts and all(isinstance(r.body, dict) and isinstance(r.body.get("name"), str) for r in posts)
    with pytest.raises(UnsafeMethodError, match="POST.*--allow-unsafe"):
        check_methods(mix, allow_unsafe=False, source="mix")
    check_methods(mix, allow_unsafe=True, source="mix")


def test_jsonl_file_with_templates_and_query_forms(tmp_path, document):
    path = tmp_path / "r.jsonl"
    path.write_text(
        '{"method": "get", "path": "/items/7?x=1", "headers": {"Host": "prod", "X-Trace": "a"}}\n\n'
        '{"method": "GET", "path": "/items", "query": [["limit", 3]]}\n'
        '{"method": "GET", "path": "/other", "name": "custom"}\n'
    )
    mix = from_file(path, document=document)
    assert [r.operation for r in mix] == ["GET /items/{item_id}", "GET /items", "custom"]
    assert mix[0].query == [("x", "1")] and mix[0].headers == {"X-Trace": "a"}  # Host is never replayed
    assert mix[1].query == [("limit", "3")]
    assert [r.operation for r in from_file(path)][0] == "GET /items/7"  # no document: raw path


def test_har_keeps_only_path_and_query(tmp_path):
    har = {"log": {"entries": [{"request": {"method": "GET", "url": "https://prod.example.com/items?limit=2",
                                            "headers": [{"name": "Accept", "value": "application/json"}]}}]}}
    path = tmp_path / "t.har"
    path.write_text(json.dumps(har))
    (request,) = from_file(path)
    assert (request.method, request.path, request.query) == ("GET", "/items", [("limit", "2")])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"method": "GET", "path": "http://elsewhere/x"}', "no scheme or host"),
        ('{"method": "FETCH", "path": "/x"}', "HTTP method"),
        ("not json", "not a JSON object"),
        ('{"method": "GET", "path": "/x", "query": 5}', "'query'"),
    ],
)
def test_bad_request_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"method": "GET", "path": "/ok"}\n' + line + "\n")
    with pytest.raises(ApiparityError, match=message) as info:
        from_file(path)
    assert f"{path}:2" in str(info.value)


def test_percentiles_rates_and_ratios():
    stats = summarize([float(v) for v in range(1, 101)], errors=5, elapsed_s=2.0, statuses={"200": 95, "500": 5})
    assert (stats.requests, stats.rps, stats.error_rate) == (100, 50.0, 0.05)
    assert stats.p50_ms == pytest.approx(50.5) and stats.p95_ms == pytest.approx(95.05) and stats.p99_ms == pytest.approx(99.01)
    assert stats.percentiles_ms["99.9"] == pytest.approx(99.9, abs=0.01)
    old = side_stats({"elapsed_s": 1.0, "operations": {"GET /a": {"latencies_ms": [10.0] * 10, "errors": 0, "statuses": {"200": 10}}}})
    new = side_stats({"elapsed_s": 1.0, "operations": {"GET /a": {"latencies_ms": [5.0] * 20, "errors": 0, "statuses": {"200": 20}},
                                                        "GET /b": {"latencies_ms": [1.0], "errors": 1, "statuses": {"0": 1}}}})
    rows = {row.operation: row for row in compare(old, new)}
    assert list(rows) == ["GET /a", "GET /b", "overall"]
    assert rows["GET /a"].ratio == {"rps": 2.0, "p50": 0.5, "p95": 0.5, "p99": 0.5}
    assert rows["GET /b"].old is None and rows["GET /b"].ratio["rps"] is None


def _load_section(old_p95: float, new_p95: float, new_error_rate: float = 0.0) -> dict:
    def stats(p95: float, error_rate: float) -> dict:
        return {"requests": 100, "errors": int(error_rate * 100), "error_rate": error_rate, "rps": 50.0, "p50_ms": p95 / 2,
                "p95_ms": p95, "p99_ms": p95 * 1.2, "mean_ms": p95 / 2, "max_ms": p95 * 2}

    row = {"old": stats(old_p95, 0.0), "new": stats(new_p95, new_error_rate), "ratio": {"p95": round(new_p95 / old_p95, 3)}}
    return {"operations": [{"operation": "GET /a <x>", **row}, {"operation": "overall", **row}], "overall": {"operation": "overall", **row}}


def test_latency_gate():
    assert latency_gate(_load_section(10, 11), max_p95_ratio=1.2).passed
    failed = latency_gate(_load_section(10, 13), max_p95_ratio=1.2)
    assert not failed.passed and failed.details == ["GET /a <x>: p95 10 -> 13 ms (x1.30)"]
    assert not latency_gate(_load_section(10, 10, new_error_rate=0.05)).passed


def test_svg_chart_is_well_formed_and_escaped():
    svg = latency_svg(_load_section(10, 13))
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "GET /a &lt;x&gt;" in svg
