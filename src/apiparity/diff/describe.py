"""Walk two normalized documents side by side and hand each part to the rule families' detectors.

No rule is detected here: each family (`apiparity.diff.rules.<family>`) detects its own rules, the
registry finds the families, and this walk calls their detectors in order: the document detectors
once, then for each `OperationSet` (`paths`, then `webhooks`) its presence check on every key and
the operation detectors on every matched pair. `DiffContext` is what a detector sees: both
documents, the schema comparers, and `add` to emit a difference (no judging here).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from apiparity.diff.model import RawDiff
from apiparity.diff.rules.base import DocumentDetector, OperationDetector, OperationSet, Perspective
from apiparity.diff.rules.schemas import AS_IS
from apiparity.diff.schemas import Fingerprints, SchemaComparer, summarize
from apiparity.spec.normalize import NormalizedDocument, Operation

T = TypeVar("T")
_SWAP = {"request": "response", "response": "request"}


@dataclass(slots=True)
class Description:
    diffs: list[RawDiff] = field(default_factory=list)
    renamed_paths: list[tuple[str, str]] = field(default_factory=list)


class DiffContext:
    """What a family's detector works with while two documents are described."""

    def __init__(self, old: NormalizedDocument, new: NormalizedDocument, *, match_header_aliases: bool = True) -> None:
        self.old = old
        self.new = new
        self.match_header_aliases = match_header_aliases
        self.result = Description()
        self.perspective: Perspective = AS_IS
        self._fingerprints = (Fingerprints(old.ref_targets), Fingerprints(new.ref_targets))
        self._comparers: dict[tuple[str, bool], SchemaComparer] = {}
        self._once: dict[Callable[[DiffContext], Any], Any] = {}

    def add(self, rule_id: str, op: Operation | None, direction: str, **fields: Any) -> None:
        """Emit one difference under `rule_id` (a family's constant), seen from the current perspective."""
        perspective = self.perspective
        if perspective.rule_prefix:
            rule_id = perspective.rule_prefix + rule_id
            if "location" in fields:
                fields["location"] = perspective.rule_prefix + fields["location"]
        if perspective.mirrored:
            direction = _SWAP.get(direction, direction)
        self.result.diffs.append(
            RawDiff(rule_id=rule_id, method=op.method if op else "", path=op.path if op else "", direction=direction, **fields)
        )

    def comparer(self, location: str) -> SchemaComparer:
        """The schema comparer for a schema at `location`, as the current perspective compares it.

        One comparer (one memo) per direction and textuality, shared by every place compared alike.
        """
        key = self.perspective.compared_as[location]
        comparer = self._comparers.get(key)
        if comparer is None:
            direction, textual = key
            comparer = self._comparers[key] = SchemaComparer(self.old, self.new, direction, self._fingerprints, textual=textual)
        return comparer

    def once(self, compute: Callable[[DiffContext], T]) -> T:
        """`compute(self)`, computed on first use and kept for the run (facts several detectors need)."""
        if compute not in self._once:
            self._once[compute] = compute(self)
        result: T = self._once[compute]
        return result


class Describer:
    """The walk: document detectors, then each operation set's keys in (path, method) order."""

    def __init__(self, old: NormalizedDocument, new: NormalizedDocument, *, match_header_aliases: bool = True) -> None:
        from apiparity.diff.registry import detectors

        self.context = DiffContext(old, new, match_header_aliases=match_header_aliases)
        found = detectors()
        self._documents = [d for d in found if isinstance(d, DocumentDetector)]
        self._sets = [d for d in found if isinstance(d, OperationSet)]
        self._operations = [d for d in found if isinstance(d, OperationDetector)]
        self._mirrored = [d for d in self._operations if d.mirrored]

    def run(self) -> Description:
        ctx = self.context
        for document_detector in self._documents:
            document_detector.detect(ctx)
        for operation_set in self._sets:
            self._operation_set(ctx, operation_set)
        return ctx.result

    def _operation_set(self, ctx: DiffContext, operation_set: OperationSet) -> None:
        old_ops, new_ops = operation_set.select(ctx.old), operation_set.select(ctx.new)
        perspective = operation_set.perspective
        operation_detectors = self._mirrored if perspective.mirrored else self._operations
        presence = operation_set.presence
        for key in sorted(set(old_ops) | set(new_ops), key=lambda k: (k[1], k[0])):
            old_op, new_op = old_ops.get(key), new_ops.get(key)
            presence(ctx, old_op, new_op)
            if old_op is None or new_op is None:
                continue
            ctx.perspective = perspective
            try:
                for operation_detector in operation_detectors:
                    operation_detector.detect(ctx, old_op, new_op)
            finally:
                ctx.perspective = AS_IS


__all__ = ["DiffContext", "Describer", "Description", "summarize"]
