"""Metamorphic tests of the spec diff on documents it was not written against.

A refactor (same API, written differently) must report nothing above `info`; a mutation (one real
change at one place) must report exactly its rule, in both directions, and still exactly its rule
when the other side is also refactored. The documents are three hand-written ones (a 3.0.3
petstore, a FastAPI-style 3.1 library, a 3.0.1 warehouse) and the bookstore example's real ones.
Every random choice is seeded or derandomized: a failure reproduces.
"""

from __future__ import annotations

import json
import os
import random
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.model import Change
from apiparity.targets.documents import read_document_file

from .metamorphic import MUTATIONS, REFACTORS, Mutation, OperationMutation, Refactor, expected_rules, matches_expected

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HAND_WRITTEN = ("petstore30", "library31", "warehouse30")
BOOKSTORE = ("legacy", "modern")
CORPUS = HAND_WRITTEN + BOOKSTORE
# Deeper local runs: APIPARITY_METAMORPHIC_EXAMPLES=300 python -m pytest tests/diff/test_metamorphic.py
EXAMPLES = int(os.environ.get("APIPARITY_METAMORPHIC_EXAMPLES", "12"))
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
# Mutations assert rule IDs, which the witness search changes only for the candidates it must confirm
# (`one-of-overlap`): 10 instances per pair instead of 60 find the same witnesses on every mutation of
# the corpus (same IDs, severities and verdicts) at a quarter of the CPU, the search being nearly all
# of it. Refactors assert severities and keep the default budget; deeper runs (the variable) too.
MUTATION_WITNESS_EXAMPLES = DiffOptions().witness_examples if "APIPARITY_METAMORPHIC_EXAMPLES" in os.environ else 10


@cache
def _document(name: str) -> dict[str, Any]:
    if name in HAND_WRITTEN:
        return read_document_file(HERE / "documents" / f"{name}.yaml")
    app = ROOT / "examples" / "bookstore" / f"{name}_app.py"
    if not app.exists():
        pytest.skip(f"{app} not written yet")
    from apiparity.targets import load_target

    return load_target(f"{app}:app").document


def document(name: str) -> dict[str, Any]:
    import copy

    return copy.deepcopy(_document(name))


def changes(old: dict[str, Any], new: dict[str, Any], profile: str = "none", witness_examples: int | None = None) -> list[Change]:
    options = DiffOptions(profile=profile) if witness_examples is None else DiffOptions(profile=profile, witness_examples=witness_examples)
    return diff_documents(old, new, options=options).changes


def show(found: list[Change]) -> str:
    return "\n".join(f"  {c.severity} {c.rule_id} {c.method} {c.path}: {c.message}" for c in found)


def check_refactor(old: dict[str, Any], new: dict[str, Any], allowed: frozenset[str], profile: str) -> None:
    for a, b in ((old, new), (new, old)):
        found = changes(a, b, profile)
        unexpected = [c for c in found if c.severity != "info" or c.rule_id not in allowed]
        assert not unexpected, "a refactor changed the API:\n" + show(unexpected)


# ---------------------------------------------------------------------------------- refactors


@pytest.mark.parametrize("refactor", REFACTORS, ids=lambda r: r.name)
@pytest.mark.parametrize("name", CORPUS)
def test_refactor_reports_nothing_above_info(name: str, refactor: Refactor) -> None:
    doc = document(name)
    if not refactor.applies(doc):
        pytest.skip(f"{refactor.name} does not apply to {name}")
    refactored = refactor.apply(doc, random.Random(f"{name}-{refactor.name}"))
    assert json.dumps(refactored, sort_keys=True) != json.dumps(doc, sort_keys=True), f"{refactor.name} did nothing to {name}: the test would prove nothing"
    check_refactor(doc, refactored, refactor.allowed_info, refactor.profile)


@pytest.mark.parametrize("name", CORPUS)
@SETTINGS
@given(data=st.data())
def test_composed_refactors_report_nothing_above_info(name: str, data: st.DataObject) -> None:
    doc = original = document(name)
    chosen = data.draw(st.lists(st.sampled_from([r for r in REFACTORS if r.profile == "none"]), min_size=2, max_size=4), label="refactors")
    seed = data.draw(st.integers(0, 2**16), label="seed")
    allowed: set[str] = set()
    for refactor in chosen:
        if refactor.applies(doc):
            doc = refactor.apply(doc, random.Random(seed))
            allowed |= refactor.allowed_info
    if doc.get("openapi") != original.get("openapi"):
        allowed.add("openapi-version-changed")
    check_refactor(original, doc, frozenset(allowed), "none")


def test_refactors_reach_the_features_they_target() -> None:
    """Guards the refactors themselves: each one rewrites what it claims to rewrite."""
    pets = document("petstore30")
    rnd = random.Random(1)
    by_name = {r.name: r for r in REFACTORS}
    as_31 = by_name["to-3.1-type-list"].apply(pets, rnd)
    assert "nullable" not in str(as_31) and "'null'" in str(as_31) and "exclusiveMinimum': 0" in str(as_31)
    inlined = by_name["inline-all-refs"].apply(pets, rnd)
    assert "#/components/schemas/NewPet" not in str(inlined["paths"]) and "#/components/parameters" not in str(inlined["paths"])
    renamed = by_name["rename-components"].apply(pets, rnd)
    assert "Pet" not in renamed["components"]["schemas"] and "petstore_auth" not in renamed["components"]["securitySchemes"]
    moved = by_name["params-to-operation-level"].apply(pets, rnd)
    assert "parameters" not in moved["paths"]["/pets/{petId}"]
    split = by_name["split-input-output"].apply(pets, rnd)
    assert {"Pet-Input", "Pet-Output"} <= set(split["components"]["schemas"])


# ---------------------------------------------------------------------------------- mutations


def check_mutation(old: dict[str, Any], new: dict[str, Any], expected: set[str], *, allowed_info: frozenset[str] = frozenset()) -> None:
    found = changes(old, new, witness_examples=MUTATION_WITNESS_EXAMPLES)
    ids = {c.rule_id for c in found} - allowed_info
    assert matches_expected(ids, expected), f"expected {sorted(expected)}, got:\n" + show(found)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
@pytest.mark.parametrize("name", CORPUS)
@SETTINGS
@given(data=st.data())
def test_mutation_reports_exactly_its_rule(name: str, mutation: Mutation | OperationMutation, data: st.DataObject) -> None:
    doc = document(name)
    candidates = mutation.candidates(doc)
    if not candidates:
        pytest.skip(f"no place for {mutation.name} in {name}")
    where = data.draw(st.sampled_from(candidates), label="where")
    mutated = mutation.apply(doc, where)
    forward, reverse = expected_rules(mutation, doc, where)
    check_mutation(doc, mutated, forward)
    check_mutation(mutated, doc, reverse)


@pytest.mark.parametrize("name", CORPUS)
@SETTINGS
@given(data=st.data())
def test_mutation_survives_a_refactor_of_the_other_side(name: str, data: st.DataObject) -> None:
    doc = document(name)
    usable = [m for m in MUTATIONS if m.candidates(doc)]
    mutation = data.draw(st.sampled_from(usable), label="mutation")
    where = data.draw(st.sampled_from(mutation.candidates(doc)), label="where")
    refactor = data.draw(st.sampled_from([r for r in REFACTORS if r.profile == "none" and r.applies(doc)]), label="refactor")
    mutated = mutation.apply(doc, where)
    refactored = refactor.apply(doc, random.Random(data.draw(st.integers(0, 2**16), label="seed")))
    allowed = refactor.allowed_info | {"openapi-version-changed"}
    forward, reverse = expected_rules(mutation, doc, where)
    check_mutation(refactored, mutated, forward, allowed_info=allowed)
    check_mutation(mutated, refactored, reverse, allowed_info=allowed)


def test_every_mutation_has_a_site_somewhere() -> None:
    """A mutation with no site in any document would silently test nothing."""
    for mutation in MUTATIONS:
        assert any(mutation.candidates(document(name)) for name in HAND_WRITTEN), mutation.name


# ---------------------------------------------------------------------- the bookstore migration


def _findings(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str, str]]:
    # Paths by template shape: a refactor may rename path parameters.
    return {(c.rule_id, c.method, re.sub(r"\{[^}]*\}", "{}", c.path)) for c in changes(old, new, "flask-fastapi") if c.severity != "info"}


@pytest.mark.parametrize("refactor", [r for r in REFACTORS if r.profile == "none"], ids=lambda r: r.name)
def test_bookstore_verdicts_survive_refactoring_the_legacy_document(refactor: Refactor) -> None:
    """Legacy vs faithful port stays clean and legacy vs regressed port keeps exactly its findings
    when the legacy document is written differently."""
    legacy = document("legacy")
    if not refactor.applies(legacy):
        pytest.skip(f"{refactor.name} does not apply")
    regressed_app = ROOT / "examples" / "bookstore" / "regressed_app.py"
    if not regressed_app.exists():
        pytest.skip("bookstore not written yet")
    regressed = _regressed()
    refactored = refactor.apply(legacy, random.Random(refactor.name))
    assert _findings(refactored, document("modern")) == set()
    expected = _regressed_findings()
    assert {rule for rule, _, _ in expected} >= {"api-operation-removed", "request-query-parameter-added-required", "request-query-parameter-enum-value-removed", "response-body-type-changed", "response-body-property-removed"}
    assert _findings(refactored, regressed) == expected


@cache
def _regressed_findings() -> frozenset[tuple[str, str, str]]:
    """Legacy vs regressed port as written: what every refactor of the legacy side must still report."""
    return frozenset(_findings(document("legacy"), _regressed()))


@cache
def _regressed() -> dict[str, Any]:
    from apiparity.targets import load_target

    return load_target(f"{ROOT / 'examples' / 'bookstore' / 'regressed_app.py'}:app").document
