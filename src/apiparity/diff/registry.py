"""The rule registry: every finding the spec diff can report, with a stable ID.

Rules are declared by family in `apiparity.diff.rules.<family>`, each exporting its rule IDs as
constants that the describer emits (an ID no family declares is a NameError, not a KeyError at
judging time), and collected here. A rule ID is never renamed once released: waivers and CI
configurations key on it.
Severity follows direction: in requests, anything that rejects a request OLD accepted is breaking;
in responses, anything an existing client may fail to handle is breaking.
"""

from __future__ import annotations

import re

from apiparity.diff.rules.base import Direction, Rule

__all__ = ["Direction", "Rule", "RULES", "all_rules", "get_rule", "is_kebab_case"]

_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _collect() -> dict[str, Rule]:
    from apiparity.diff.rules import documents, operations, parameters, request_bodies, responses, schemas, security, webhooks

    rules: dict[str, Rule] = {}
    for module in (operations, parameters, request_bodies, schemas, responses, security, documents, webhooks):
        for rule in module.RULES:
            if rule.id in rules:
                raise RuntimeError(f"duplicate rule ID {rule.id}")
            rules[rule.id] = rule
    return rules


RULES: dict[str, Rule] = _collect()


def get_rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def all_rules() -> list[Rule]:
    """Every rule, ordered by family then ID (the order of `apiparity rules` and docs/rules.md)."""
    return sorted(RULES.values(), key=lambda r: (r.family, r.id))


def is_kebab_case(rule_id: str) -> bool:
    return bool(_KEBAB.match(rule_id))
