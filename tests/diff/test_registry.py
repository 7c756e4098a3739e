"""Meta-tests over the whole rule registry."""

from __future__ import annotations

from apiparity.diff.registry import RULES, all_rules, is_kebab_case
from apiparity.spec.noise import PROFILES, all_noise_rules


def test_every_rule_is_complete_and_kebab_case() -> None:
    for rule in all_rules():
        assert is_kebab_case(rule.id), rule.id
        assert rule.severity in ("breaking", "warning", "info"), rule.id
        assert rule.direction in ("request", "response", "operation", "security", "document", "any"), rule.id
        assert rule.description and "\n" not in rule.description and rule.description.endswith("."), rule.id
        assert rule.message, rule.id
    assert len(RULES) == len(all_rules())


def test_direction_is_part_of_the_id() -> None:
    for rule in all_rules():
        if rule.id.startswith("request-"):
            assert rule.direction == "request", rule.id
        if rule.id.startswith("response-"):
            assert rule.direction == "response", rule.id


def test_noise_rules_are_named_switchable_and_unique() -> None:
    ids = [rule.id for rule in PROFILES["flask-fastapi"]]
    assert len(ids) == len(set(ids))
    for rule in all_noise_rules():
        assert is_kebab_case(rule.id) and rule.description and rule.switchable


def test_every_schema_kind_is_judged_by_meaning_or_says_why_not() -> None:
    from apiparity.diff.rules.schemas import (
        NOT_JUDGED_BY_INSTANCES,
        SCHEMA_KINDS,
        WITNESS_KEYWORDS,
        WITNESS_ONLY,
    )

    for kind in SCHEMA_KINDS:
        assert (kind in WITNESS_KEYWORDS) != (kind in NOT_JUDGED_BY_INSTANCES), kind
    assert WITNESS_ONLY <= set(WITNESS_KEYWORDS)
    assert all(reason for reason in NOT_JUDGED_BY_INSTANCES.values())


def test_every_family_module_is_found_by_the_registry_with_its_detectors() -> None:
    """No hand wiring: each module of apiparity.diff.rules (but base) is a family the registry lists,
    and the walk runs exactly the detectors the families export."""
    from pathlib import Path

    from apiparity.diff import registry, rules

    modules = {path.stem for path in Path(rules.__file__).parent.glob("*.py")} - {"__init__", "base"}
    found = {family.name: family for family in registry.families()}
    assert set(found) == modules
    exported = [detector for family in found.values() for detector in family.detectors]
    assert sorted(map(id, registry.detectors())) == sorted(map(id, exported))
    for family in found.values():
        assert family.rules, family.name
        assert {rule.family for rule in family.rules} == {family.rules[0].family}, family.name
        assert all(rule.id in RULES for rule in family.rules)


_DEMO_FAMILY = '''
from apiparity.diff.rules.base import OperationDetector, Rule

F = "demo"
SUMMARY_SHOUTED = "api-summary-shouted"
RULES = [Rule(SUMMARY_SHOUTED, "info", "operation", "The summary is now upper case.", "summary shouted: {new!r}", F)]


def detect(ctx, old, new):
    if new.summary and new.summary.isupper() and not (old.summary or "").isupper():
        ctx.add(SUMMARY_SHOUTED, old, "operation", new_value=new.summary)


DETECTORS = [OperationDetector(detect, order=60)]
'''


def test_a_new_family_module_is_discovered_and_its_detector_runs(tmp_path, monkeypatch) -> None:
    """A family is one module: dropped into a rules package, the registry finds its rows and its
    detector, and the walk calls the detector on every matched operation."""
    import importlib

    from apiparity.diff import registry

    from .helpers import document, ok, rule_ids

    package = tmp_path / "demo_rules"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "shouting.py").write_text(_DEMO_FAMILY)
    monkeypatch.syspath_prepend(str(tmp_path))
    (demo,) = registry.discover(importlib.import_module("demo_rules"))
    assert demo.name == "shouting" and [rule.id for rule in demo.rules] == ["api-summary-shouted"]

    monkeypatch.setattr(registry, "_DETECTORS", registry.ordered_detectors([*registry.families(), demo]))
    monkeypatch.setitem(registry.RULES, "api-summary-shouted", demo.rules[0])
    old = document({"/x": {"get": {"summary": "list", "responses": {"200": ok()}}}})
    new = document({"/x": {"get": {"summary": "LIST", "responses": {"200": ok()}}}})
    assert rule_ids(old, new) == {"api-summary-changed", "api-summary-shouted"}
    assert registry.detectors()[-1] is demo.detectors[0]  # order 60: after every operation detector


def test_detectors_run_in_walk_order() -> None:
    """Document detectors, then operation sets (paths before webhooks), then operation detectors,
    each by its order: the order findings are emitted in (noise examples and the witness budget follow it)."""
    from apiparity.diff.registry import detectors
    from apiparity.diff.rules.base import DocumentDetector, OperationDetector, OperationSet

    found = detectors()
    kinds = [type(d) for d in found]
    assert kinds == sorted(kinds, key=[DocumentDetector, OperationSet, OperationDetector].index)
    names = [(type(d).__name__, d.presence.__module__ if isinstance(d, OperationSet) else d.detect.__module__) for d in found]
    assert names == [
        ("DocumentDetector", "apiparity.diff.rules.documents"),
        ("DocumentDetector", "apiparity.diff.rules.security"),
        ("OperationSet", "apiparity.diff.rules.operations"),
        ("OperationSet", "apiparity.diff.rules.webhooks"),
        ("OperationDetector", "apiparity.diff.rules.operations"),
        ("OperationDetector", "apiparity.diff.rules.parameters"),
        ("OperationDetector", "apiparity.diff.rules.request_bodies"),
        ("OperationDetector", "apiparity.diff.rules.responses"),
        ("OperationDetector", "apiparity.diff.rules.security"),
    ]


def test_noise_rules_name_registered_rules_by_what_the_registry_says() -> None:
    """The noise rules' rule sets come from the registry's records (family, location, kind), so a
    rule added to a family is covered by the noise rule of its kind without editing spec/noise.py."""
    from apiparity.spec import noise

    headers = noise._header_parameter_rules()
    assert "request-header-parameter-alias-renamed" in headers and "request-header-parameter-max-length-added" in headers
    assert not any(rule_id.startswith("webhook-") for rule_id in headers)
    assert "request-header-parameter-removed" in noise._header_parameter_presence_rules()
    assert "request-header-parameter-became-required" not in noise._header_parameter_presence_rules()
    skeleton = noise._skeleton_rules()
    assert skeleton <= set(RULES)
    assert {"response-default-removed", "api-security-added", "request-query-parameter-added", "schema-title-changed"} <= skeleton
    assert not {"api-path-removed", "request-path-parameter-type-changed", "request-path-parameter-min-removed"} & skeleton
