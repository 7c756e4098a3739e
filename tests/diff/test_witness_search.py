"""The witness search's reach and cost: what it must find quickly, and what it must not repeat."""

from __future__ import annotations

import copy
import gc
from typing import Any

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.diff.witness import Budget, Outcome, WitnessSearch

from .helpers import document, ok, run, schema_at


def _witnesses(result: Any, rule_id: str) -> list[Any]:
    return [c.witness for c in result.changes if c.rule_id == rule_id]


def test_a_text_parameter_bound_is_witnessed_by_the_reading_the_bound_rejects() -> None:
    # "51" fails `type: integer` and 51 fails `maximum: 50`: the search must look at every reading
    # of the text, not only the first (it used to end "possibly breaking" after 200 instances).
    old = schema_at("request-query-parameter", {"type": "integer", "minimum": 1, "maximum": 100})
    new = schema_at("request-query-parameter", {"type": "integer", "minimum": 1, "maximum": 50})
    (witness,) = _witnesses(run(old, new), "request-query-parameter-max-decreased")
    assert witness.verdict == "witnessed", witness.text
    assert witness.keyword == "maximum"


def _recursive(properties: dict[str, Any]) -> dict[str, Any]:
    node = {"type": "object", "properties": {"name": {"type": "string"}, "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}}}
    body = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "node": {"$ref": "#/components/schemas/Node"}, **properties}}
    return document({"/x": {"get": {"responses": {"200": ok(body)}}}}, {"schemas": {"Node": node}})


def test_a_property_removed_from_a_recursive_response_is_witnessed() -> None:
    # The schema reaches a recursive component ($defs at the root): NEW may now send anything under
    # `code`, found by asking for objects that carry it.
    old = _recursive({"code": {"type": "string", "pattern": "^[A-Z]{3}$"}})
    new = _recursive({})
    (witness,) = _witnesses(run(old, new), "response-body-property-removed")
    assert witness.verdict == "witnessed", witness.text
    assert "code" in witness.instance


def test_an_identical_change_in_many_operations_is_searched_once() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 64}}}
    search = WitnessSearch(Budget(seed=0))
    results = []
    for _ in range(3):  # separate objects with the same content, as inline schemas of separate operations are
        old, new = copy.deepcopy(schema), copy.deepcopy(schema)
        new["properties"]["name"]["maxLength"] = 32
        results.append(search.search(old, new, direction="request", keywords=frozenset({"maxLength"})))
    assert {r.outcome for r in results} == {Outcome.WITNESSED}
    assert search.budget.pairs == 1


def test_searches_run_only_for_flagged_findings() -> None:
    # Nothing breaking: no search at all (the budget is untouched).
    old = schema_at("request-body", {"type": "object", "properties": {"a": {"type": "string", "maxLength": 5}}})
    new = schema_at("request-body", {"type": "object", "properties": {"a": {"type": "string", "maxLength": 9}}})
    searched: list[Any] = []
    original = WitnessSearch.search

    def spy(self: WitnessSearch, *args: Any, **kwargs: Any) -> Any:
        searched.append(args)
        return original(self, *args, **kwargs)

    WitnessSearch.search = spy  # type: ignore[method-assign]
    try:
        result = run(old, new)
    finally:
        WitnessSearch.search = original  # type: ignore[method-assign]
    assert [c.rule_id for c in result.changes] == ["request-body-max-length-increased"]
    assert searched == []


def test_the_diff_leaves_the_callers_garbage_collector_as_it_found_it() -> None:
    old = schema_at("request-body", {"type": "string", "maxLength": 5})
    new = schema_at("request-body", {"type": "string", "maxLength": 3})
    assert gc.isenabled()
    before = gc.get_freeze_count()
    diff_documents(old, new, options=DiffOptions(profile="none"))
    assert gc.isenabled() and gc.get_freeze_count() == before
    gc.disable()
    try:
        diff_documents(old, new, options=DiffOptions(profile="none"))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_without_the_search_no_overlap_candidate_is_reported() -> None:
    # `one-of-overlap` is a candidate on every request oneOf; only a witness makes it a finding.
    # With --no-witness it used to be reported as breaking on any oneOf change.
    closed = [{"type": "object", "required": [name], "properties": {name: {"type": "string"}}, "additionalProperties": False} for name in "abc"]
    old = schema_at("request-body", {"oneOf": closed[:2]})
    new = schema_at("request-body", {"oneOf": closed})
    for witness in (True, False):
        result = run(old, new, DiffOptions(profile="none", witness=witness))
        assert [c.rule_id for c in result.changes] == ["request-body-one-of-branch-added"], witness


def test_a_spent_budget_still_tries_the_instances_built_from_the_schemas() -> None:
    # Drawn instances are what the run's budget bounds; with it spent (here: none to draw at all),
    # an obvious witness built from the schemas (null for a nullable removed) is still found. On the
    # OpenAI pair the hard pairs drawn first spent it, and 279 obvious findings read "possibly breaking".
    old = schema_at("request-body", {"type": "object", "properties": {"size": {"type": ["string", "null"]}}})
    new = schema_at("request-body", {"type": "object", "properties": {"size": {"type": "string"}}})
    (witness,) = _witnesses(run(old, new, DiffOptions(profile="none", witness_instances=0)), "request-body-nullable-removed")
    assert witness.verdict == "witnessed", witness.text
    assert (witness.at, witness.instance) == ("size", None)
