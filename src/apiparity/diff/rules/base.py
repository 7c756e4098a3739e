"""The Rule record shared by the rule families and the registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["request", "response", "operation", "security", "document", "any"]
Severity = Literal["breaking", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    direction: Direction
    description: str  # one line, for `apiparity rules` and docs/rules.md
    message: str  # template: {where} {old} {new} {name} {detail}
    family: str
