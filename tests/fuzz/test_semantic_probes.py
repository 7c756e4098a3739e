"""The value-semantics probes (fuzz/probes/semantics.py), each alone: the requests it builds from a
contract and the answers OLD gave, and on a real Flask/FastAPI pair the regression it finds that
the generated cases (and the other probes) do not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apiparity.fuzz.generate import GeneratedCase
from apiparity.fuzz.probes import PROBES, ProbeOperation, ProbePool
from apiparity.fuzz.probes.framework import ReadBack
from apiparity.fuzz.probes.semantics import (
    FilterCase,
    NumericBounds,
    Pagination,
    SortOrder,
    items_of,
    other_case,
    substring,
    total_of,
)
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.values import ValuePool
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import FuzzResult
from apiparity.targets import load_target

SEMANTIC = ("filter-case", "pagination", "sort-order", "numeric-bounds")
RECIPES = Path(__file__).resolve().parents[1] / "pairs" / "recipes"


def _document(parameters: list[dict[str, Any]], listed: bool = True) -> dict[str, Any]:
    schema = ({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}},
                                                "total": {"type": "integer"}}} if listed else {"type": "object"})
    return {"paths": {"/items": {"get": {"parameters": parameters, "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}}}


def _operation(parameters: list[dict[str, Any]], listed: bool = True) -> ProbeOperation:
    return ProbeOperation(label="GET /items", method="GET", path="/items", document=_document(parameters, listed),
                          parameters=tuple(parameters), path_methods=frozenset({"GET"}))


def _query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _answer(body: Any, status: int = 200) -> WireResponse:
    return WireResponse(status, headers=[("Content-Type", "application/json")], body=json.dumps(body).encode())


def _pool(query: str, body: Any, fetch: Any = None, values: ValuePool | None = None) -> ProbePool:
    case = GeneratedCase(WireRequest("GET", "/items", query, operation="GET /items"), "examples", "positive")
    return ProbePool(answered=[(case, _answer(body))], fetch=fetch, values=values)


def _queries(probe: Any, operation: ProbeOperation, pool: ProbePool) -> list[str]:
    requests = list(probe.requests(operation, pool))
    assert all(r.request.probe == probe.name for r in requests)
    return [r.request.query for r in requests]


def test_the_semantic_probes_are_registered_on_by_default_with_a_doc() -> None:
    for name in SEMANTIC:
        assert name in PROBES and len(PROBES[name].doc) > 60
    assert FuzzSettings().probes is None  # every registered probe runs unless chosen otherwise


# ------------------------------------------------------------------------------------ filter-case


def test_filter_case_sends_a_pooled_value_in_the_other_case_and_as_a_substring() -> None:
    operation = _operation([_query("country", {"type": "string", "maxLength": 40}),
                            _query("page", {"type": "integer", "minimum": 1}),
                            _query("status", {"type": "string", "enum": ["open", "closed"]})])
    values = ValuePool()
    values.learn("/items", {"items": [{"country": "United Kingdom"}, {"country": "Italy"}]})
    pool = _pool("country=zz&page=3", {"items": []}, values=values)
    assert FilterCase().applies(operation)
    # other filters and paging are left out: a random value would empty the list on both sides
    assert _queries(FilterCase(), operation, pool) == ["country=UNITED%20KINGDOM", "country=United"]


def test_filter_case_takes_a_listed_record_text_when_the_pool_has_no_such_property() -> None:
    operation = _operation([_query("q", {"type": "string"})])
    pool = _pool("", {"items": [{"id": 1, "sku": "A-1", "title": "Cordless drill"}]})
    assert _queries(FilterCase(), operation, pool) == ["q=CORDLESS%20DRILL", "q=Cordless"]


def test_filter_case_leaves_enums_patterns_and_non_lists_alone() -> None:
    assert not FilterCase().applies(_operation([_query("status", {"type": "string", "enum": ["a", "b"]})]))
    assert not FilterCase().applies(_operation([_query("sku", {"type": "string", "pattern": "^[A-Z]+$"})]))
    assert not FilterCase().applies(_operation([_query("country", {"type": "string"})], listed=False))


def test_other_case_and_substring() -> None:
    assert other_case("Italy") == "ITALY" and other_case("ITALY") == "italy" and other_case("123") is None
    assert substring("United Kingdom") == "United" and substring("Italy") == "tal" and substring("ab") is None


# ------------------------------------------------------------------------------------- pagination


def test_pagination_sends_first_second_last_past_last_and_the_default_size() -> None:
    operation = _operation([_query("page", {"type": "integer", "minimum": 1}),
                            _query("per_page", {"type": "integer", "minimum": 1, "maximum": 50})])
    fetched: list[WireRequest] = []

    def fetch(side: str, request: WireRequest) -> WireResponse:
        fetched.append(request)
        return _answer({"items": [{"id": i} for i in range(7)], "total": 7})

    pool = _pool("page=40&per_page=9", {"items": []}, fetch=fetch)
    assert Pagination().applies(operation)
    assert _queries(Pagination(), operation, pool) == [
        "page=1&per_page=2", "page=2&per_page=2", "page=4&per_page=2", "page=5&per_page=2", "page=1"]
    assert [r.query for r in fetched] == ["page=1&per_page=50"]  # OLD read once at the largest page


def test_pagination_with_limit_and_offset_counts_the_records_when_there_is_no_total() -> None:
    operation = _operation([_query("limit", {"type": "integer", "minimum": 1}), _query("offset", {"type": "integer", "minimum": 0})])
    pool = _pool("", {"items": []}, fetch=lambda side, request: _answer([{"id": i} for i in range(5)]))
    assert _queries(Pagination(), operation, pool) == ["offset=0&limit=2", "offset=2&limit=2", "offset=4&limit=2",
                                                       "offset=6&limit=2", "offset=0"]


def test_pagination_needs_a_paged_list() -> None:
    assert not Pagination().applies(_operation([_query("per_page", {"type": "integer"})]))  # a size alone
    assert not Pagination().applies(_operation([_query("page", {"type": "integer"})], listed=False))


def test_items_and_total_of_an_envelope() -> None:
    assert items_of({"data": {"results": [1, 2]}}) == [1, 2] and items_of([3]) == [3] and items_of({"a": 1}) is None
    assert total_of(_answer({"meta": {"total": 12}, "data": []})) == 12
    assert total_of(WireResponse(200, headers=[("X-Total-Count", "4")], body=b"[]")) == 4


# ------------------------------------------------------------------------------------- sort-order


def test_sort_order_sends_each_key_both_ways() -> None:
    operation = _operation([_query("sort", {"type": "string", "enum": ["title", "year"]}),
                            _query("order", {"type": "string", "enum": ["asc", "desc"]})])
    assert SortOrder().applies(operation)
    assert _queries(SortOrder(), operation, _pool("sort=year", {"items": []})) == [
        "sort=title&order=asc", "sort=title&order=desc", "sort=year&order=asc", "sort=year&order=desc"]


def test_sort_order_with_a_free_key_sorts_by_a_listed_field_both_ways() -> None:
    operation = _operation([_query("sort_by", {"type": "string"})])
    pool = _pool("", {"items": [{"id": 1, "price": 3.5}]})
    assert _queries(SortOrder(), operation, pool) == ["sort_by=price", "sort_by=-price"]


def test_sort_order_stays_bounded_across_a_long_enum() -> None:
    keys = [f"{sign}{k}" for k in ("a", "b", "c", "d", "e") for sign in ("", "-")]
    operation = _operation([_query("sort", {"type": "string", "enum": keys})])
    sent = _queries(SortOrder(), operation, _pool("", {"items": []}))
    assert len(sent) == 6 and sent[0] == "sort=a" and "sort=-e" not in sent[:1]


# --------------------------------------------------------------------------------- numeric-bounds


def test_numeric_bounds_sends_each_documented_bound_from_the_answered_case() -> None:
    operation = _operation([_query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
                            _query("min_price", {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]}),
                            _query("q", {"type": "string"})])
    assert NumericBounds().applies(operation)
    assert _queries(NumericBounds(), operation, _pool("q=x&limit=7", {"items": []})) == [
        "q=x&limit=1", "q=x&limit=100", "q=x&limit=7&min_price=0"]


# ---------------------------------------------------------------------------------------- read-back


def test_read_back_writes_a_change_of_every_field_of_the_record() -> None:
    document = {"paths": {"/r/{rid}": {"patch": {"requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "properties": {"title": {"anyOf": [{"type": "string", "maxLength": 10}, {"type": "null"}]},
                                         "servings": {"type": "integer", "maximum": 4}, "kind": {"enum": ["a", "b"]},
                                         "code": {"type": "string", "pattern": "^X$"}}}}}}}}}}
    operation = ProbeOperation(label="PATCH /r/{rid}", method="PATCH", path="/r/{rid}", document=document,
                               path_methods=frozenset({"GET", "PATCH"}))
    write = WireRequest("PATCH", "/r/1", headers=[("Content-Type", "application/json")], body=b'{"title": null}',
                        operation="PATCH /r/{rid}")
    record = {"recipe": {"id": 1, "title": "Soup", "servings": 4, "kind": "a", "code": "X"}}
    pool = ProbePool(answered=[(GeneratedCase(write, "examples", "positive"), _answer(record))],
                     fetch=lambda side, request: _answer(record))
    [planned] = list(ReadBack().requests(operation, pool))
    assert planned.request.method == "GET" and planned.request.path == "/r/1"
    assert json.loads(planned.steps[0].body or b"") == {"title": "Soup x", "servings": 3, "kind": "b"}
    assert planned.baseline == planned.request  # judged on what the same GET before the write does not show


# ------------------------------------------------ on a real pair: what each probe finds, and nothing else


@pytest.fixture(scope="module")
def recipes_pair():
    return load_target(f"{RECIPES / 'legacy.py'}:app"), load_target(f"{RECIPES / 'regressed.py'}:app")


def _run(pair: Any, operation: str, probes: tuple[str, ...]) -> FuzzResult:
    old, new = pair
    return run_fuzz(old, new, FuzzSettings(seed=1, max_examples=5, phases=("examples",), probes=probes),
                    operations_filter=lambda label: label == operation)


CASE_SENSITIVE = ("GET /chefs", "filter-case", lambda e: any(k == "country" and v.isupper() for k, v in e.request.query))
PAGE_TWO = ("GET /recipes", "pagination", lambda e: ["page", "2"] in [list(p) for p in e.request.query])
IGNORED = ("PATCH /recipes/{recipe_id}", "read-back", lambda e: e.request.method == "GET")


@pytest.mark.parametrize(("operation", "probe", "matches"), [CASE_SENSITIVE, PAGE_TWO, IGNORED], ids=lambda v: v if isinstance(v, str) else "")
def test_each_probe_finds_its_seeded_regression_that_generated_cases_miss(recipes_pair, operation: str, probe: str, matches) -> None:
    with_probe = _run(recipes_pair, operation, (probe,))
    found = [e for g in with_probe.groups if g.operation == operation for e in g.examples if matches(e)]
    assert found, [g.key for g in with_probe.groups]
    without = _run(recipes_pair, operation, ())
    assert [g.key for g in without.groups if g.operation == operation] == []


@pytest.fixture(scope="module")
def sorted_pair():
    from tests.conftest import ROOT

    module = ROOT / "tests" / "apps" / "sorted_list_pair.py"
    old, new = load_target(f"{module}:legacy"), load_target(f"{module}:modern")
    return old, new


@pytest.mark.parametrize(("probe", "matches"), [
    ("sort-order", lambda e: ["sort", "-name"] in [list(p) for p in e.request.query] and e.old.status == e.new.status == 200),
    ("numeric-bounds", lambda e: ["limit", "100"] in [list(p) for p in e.request.query] and e.new.status == 422),
])
def test_sort_both_ways_and_a_documented_bound(sorted_pair, probe: str, matches) -> None:
    old, new = sorted_pair
    settings = dict(seed=1, max_examples=5, phases=("examples",))
    with_probe = run_fuzz(old, new, FuzzSettings(**settings, probes=(probe,)))
    assert any(matches(e) for g in with_probe.groups for e in g.examples), [g.key for g in with_probe.groups]
    without = run_fuzz(old, new, FuzzSettings(**settings, probes=()))
    assert not any(matches(e) for g in without.groups for e in g.examples)
