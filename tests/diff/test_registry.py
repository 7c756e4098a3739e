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
