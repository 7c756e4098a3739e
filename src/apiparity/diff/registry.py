"""The rule registry: every finding the spec diff can report, with a stable ID, and who detects it.

Rules are declared by family: each module of `apiparity.diff.rules` (but `base`) is a family,
exporting `RULES` (its rows; its rule IDs as constants) and `DETECTORS` (its detection, called by
`apiparity.diff.describe`). The registry finds the families by listing the package: a new family
module is picked up with no wiring. A rule ID is never renamed once released: waivers and CI
configurations key on it.
Severity follows direction: in requests, anything that rejects a request OLD accepted is breaking;
in responses, anything an existing client may fail to handle is breaking.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from types import ModuleType

from apiparity.diff.rules.base import Detector, Direction, DocumentDetector, OperationDetector, OperationSet, Rule

__all__ = ["Direction", "Family", "Rule", "RULES", "all_rules", "detectors", "discover", "families", "get_rule", "is_kebab_case"]

_KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_NOT_A_FAMILY = frozenset({"base"})


@dataclass(frozen=True, slots=True)
class Family:
    name: str  # the module's name
    rules: tuple[Rule, ...]
    detectors: tuple[Detector, ...]


def discover(package: ModuleType) -> list[Family]:
    """Every family module of `package` (a package of rule families), in module name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name in _NOT_A_FAMILY or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if not hasattr(module, "RULES") or not hasattr(module, "DETECTORS"):
            raise RuntimeError(f"rule family {module.__name__} must export RULES and DETECTORS")
        found.append(Family(info.name, tuple(module.RULES), tuple(module.DETECTORS)))
    return found


def ordered_detectors(found: list[Family]) -> list[Detector]:
    """The families' detectors in walk order: document detectors, operation sets, operation
    detectors, each by its `order` (then family name, for ties)."""
    kinds: list[type] = [DocumentDetector, OperationSet, OperationDetector]
    keyed = [(kinds.index(type(d)), d.order, family.name, d) for family in found for d in family.detectors]
    return [d for *_, d in sorted(keyed, key=lambda item: item[:3])]


def _collect(found: list[Family]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for family in found:
        for rule in family.rules:
            if rule.id in rules:
                raise RuntimeError(f"duplicate rule ID {rule.id}")
            rules[rule.id] = rule
    return rules


def _families() -> list[Family]:
    from apiparity.diff import rules

    return discover(rules)


_FAMILIES = _families()
RULES: dict[str, Rule] = _collect(_FAMILIES)
_DETECTORS = ordered_detectors(_FAMILIES)


def families() -> list[Family]:
    return list(_FAMILIES)


def detectors() -> list[Detector]:
    return list(_DETECTORS)


def get_rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def all_rules() -> list[Rule]:
    """Every rule, ordered by family then ID (the order of `apiparity rules` and docs/rules.md)."""
    return sorted(RULES.values(), key=lambda r: (r.family, r.id))


def is_kebab_case(rule_id: str) -> bool:
    return bool(_KEBAB.match(rule_id))
