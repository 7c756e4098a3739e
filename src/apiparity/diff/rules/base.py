"""What a rule family is: its `Rule` records and its detectors, found by the registry.

A family is one module of `apiparity.diff.rules` exporting `RULES` (its rows) and `DETECTORS` (the
functions that find those rules' differences). The registry discovers the modules; the describer
(`apiparity.diff.describe`) walks the two documents and calls each family's detectors where they
apply. Adding a rule is one family module (its row, its constant, its detection) and its test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import NormalizedDocument, Operation

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
    # What a rule of a generated family is about, for matching without parsing its ID (noise rules):
    # the schema location of a schema rule or the parameter's (`request-header-parameter`), and the
    # kind of change (`max-length-decreased`, `removed`). Empty for the hand-written rows.
    location: str = ""
    kind: str = ""


# --------------------------------------------------------------------------------------- detection


@dataclass(frozen=True, slots=True)
class Perspective:
    """How findings inside a pair of operations are named and judged where the operations sit.

    An operation of `paths` is seen as it is; a webhook is seen mirrored (apiparity.diff.rules.webhooks):
    its rule IDs take a prefix, request and response swap, its schemas are compared the other way.
    """

    name: str
    # schema location -> (the direction its schemas are compared in, compared as text on the wire)
    compared_as: Mapping[str, tuple[str, bool]]
    # the schema (location, kind) combinations that are rules in this perspective
    schema_rule_applies: Callable[[str, str], bool]
    rule_prefix: str = ""
    mirrored: bool = False  # request and response directions swapped


@dataclass(frozen=True, slots=True)
class DocumentDetector:
    """Detection run once per pair of documents, before the operations (document facts, components)."""

    detect: Callable[[DiffContext], None]
    order: int  # among document detectors: the order findings are emitted in


@dataclass(frozen=True, slots=True)
class OperationDetector:
    """Detection run on each pair of matched operations (those of `paths`, then each `OperationSet`'s)."""

    detect: Callable[[DiffContext, Operation, Operation], None]
    order: int  # among operation detectors: the order findings are emitted in
    mirrored: bool = True  # also run on mirrored operations (webhooks)


@dataclass(frozen=True, slots=True)
class OperationSet:
    """A place a document holds operations (`paths`, `webhooks`), matched by (method, key).

    `presence` sees every key (either side may be missing: added, removed, renamed); each matched
    pair is then handed to every `OperationDetector`, seen from `perspective`.
    """

    select: Callable[[NormalizedDocument], Mapping[tuple[str, str], Operation]]
    presence: Callable[[DiffContext, Operation | None, Operation | None], None]
    perspective: Perspective
    order: int  # among operation sets: `paths` first


Detector = DocumentDetector | OperationDetector | OperationSet
