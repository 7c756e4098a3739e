"""The witness search's bound counts work, not seconds: a seed repeats a run's verdicts and witnesses
on an idle and on a loaded machine; the wall clock is only a safety cap that says so when it trips."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apiparity.diff import witness as witness_module
from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.diff.witness import Budget, Outcome, WitnessSearch
from apiparity.model import to_dict

from .helpers import document, ok

BODY_OLD = {"type": "object", "properties": {
    "name": {"type": "string", "maxLength": 64},
    "kind": {"type": "string", "enum": ["a", "b", "c"]},
    "size": {"type": "integer", "minimum": 0, "maximum": 100},
    "tags": {"type": "array", "items": {"type": "string"}},
}}
BODY_NEW = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "maxLength": 8},
    "kind": {"type": "string", "enum": ["a", "b"]},
    "size": {"type": "integer", "minimum": 0, "maximum": 10},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
}}


def _pair() -> tuple[dict[str, Any], dict[str, Any]]:
    def doc(body: dict[str, Any]) -> dict[str, Any]:
        return document({"/things": {"post": {"requestBody": {"content": {"application/json": {"schema": body}}}, "responses": {"200": ok(body)}}}})

    return doc(BODY_OLD), doc(BODY_NEW)


def _report(options: DiffOptions) -> str:
    old, new = _pair()
    return json.dumps(to_dict(diff_documents(old, new, options=options)), sort_keys=True)


class _SlowClock:
    """A machine so loaded that every look at the clock finds 5 more seconds gone."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 5.0
        return self.now


def test_same_seed_same_json_twice() -> None:
    first, second = _report(DiffOptions(seed=3)), _report(DiffOptions(seed=3))
    assert first == second
    assert '"verdict": "witnessed"' in first


def test_a_loaded_machine_gives_the_same_verdicts_and_witnesses(monkeypatch: pytest.MonkeyPatch) -> None:
    idle = _report(DiffOptions(seed=1))
    # 5 s per clock reading: the old 10 s per pair / 20 s per run bounds stopped after two looks
    monkeypatch.setattr(witness_module.time, "perf_counter", _SlowClock())
    loaded = _report(DiffOptions(seed=1, witness_seconds=1e9))
    assert loaded == idle


def test_the_budget_is_a_count_of_instances() -> None:
    search = WitnessSearch(Budget(seed=0, instances=5))
    old = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^[a-z]+$"}}}
    new = {"type": "object", "properties": {"a": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 40}}}
    first = search.search(old, new, direction="request", keywords=frozenset({"maxLength"}))
    assert search.budget.used <= 5  # drawn instances; candidates built from the schemas are bounded per pair
    assert first.outcome is Outcome.WITNESSED and first.instance == {"a": "a" * 41}
    used = search.budget.used
    later = search.search({"type": "integer", "maximum": 9}, {"type": "integer", "maximum": 3}, direction="request",
                          keywords=frozenset({"maximum"}))
    # spent or not, instances built from the schemas are tried (4, the bound + 1), and nothing more is drawn once spent
    assert later.outcome is Outcome.WITNESSED and later.instance == 4
    if used >= 5:
        assert search.budget.used == used


def test_the_safety_cap_marks_the_run_incomplete_and_keeps_the_structural_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(witness_module.time, "perf_counter", _SlowClock())
    old, new = _pair()
    result = diff_documents(old, new, options=DiffOptions(seed=0, witness_seconds=1.0))
    assert result.witness_incomplete is not None and "safety cap (1 s)" in result.witness_incomplete
    searched = [change for change in result.changes if change.witness is not None]
    assert searched and all(change.witness.verdict == "not-checked" for change in searched[1:])
    assert all(change.severity == "breaking" for change in searched if change.witness.verdict == "not-checked")
