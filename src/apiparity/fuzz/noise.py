"""Diffy-style noise cancellation: every case goes to OLD twice; a field that differs between the
two OLD answers (timestamps, generated ids, random tokens) varies on its own, so a difference in
that field between OLD and NEW says nothing about NEW. Noise is learned per operation and field
and applied to every case of the operation, including the ones compared before it was learned.

A noisy field still has a shape: a random uuid stays a dashed uuid, a `now()` timestamp stays an
ISO date-time. When OLD's two answers agree on the shape and NEW's value has another one (uuid ->
32 hex digits, date-time -> epoch number), that is a "format changed" difference, kept.

A step of a stateful sequence (create, then GET what was created) answers about a resource the
sequence made: its `created_at` is as new as the create, though the GET alone never varies. Such a
sequence is run twice on OLD, and what differs between the two runs at one step is that step's own
noise (`learn_step`), applied to that step's comparison only (`filter(..., step=...)`) and listed in
the report beside the operation's noise."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from apiparity.fuzz.compare import Change, CompareOptions, Difference, compare_responses
from apiparity.fuzz.wire import WireResponse
from apiparity.model import NoiseCancelled


@dataclass(slots=True)
class NoiseTable:
    # operation -> field -> how many OLD/OLD pairs differed there
    learned: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # operation -> field -> how many OLD/NEW differences were cancelled because of it
    cancelled: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    # operation -> fields whose two OLD answers differed in shape too (null vs string...): no shape to hold NEW to
    shapeless: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # operation -> field -> in how many stateful steps it differed between OLD's two runs of the sequence
    step_learned: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def learn(self, operation: str, first: WireResponse, second: WireResponse, options: CompareOptions) -> None:
        """Record the fields that differ between two answers of OLD to the same request."""
        for difference in compare_responses(first, second, options):
            name = _noise_field(difference)
            self.learned[operation][name] += 1
            if difference.values is None or shape(difference.values[0]) != shape(difference.values[1]):
                self.shapeless[operation].add(name)

    def learn_step(self, operation: str, first: WireResponse, second: WireResponse, options: CompareOptions) -> StepNoise:
        """The fields that differ between OLD's answers to one step of two runs of the same stateful
        sequence: noise of that step only (the operation's own table is left as it is)."""
        step = StepNoise()
        for difference in compare_responses(first, second, options):
            name = _noise_field(difference)
            step.fields.add(name)
            if difference.values is None or shape(difference.values[0]) != shape(difference.values[1]):
                step.shapeless.add(name)
        for name in step.fields:
            self.step_learned[operation][name] += 1
        return step

    def is_noise(self, operation: str, difference: Difference, step: StepNoise | None = None) -> bool:
        name = _noise_field(difference)
        return name in self.learned.get(operation, {}) or (step is not None and name in step.fields)

    def filter(self, operation: str, differences: list[Difference], step: StepNoise | None = None) -> list[Difference]:
        """`differences` minus noise (the operation's, and `step`'s for a step of a stateful
        sequence), counting what was cancelled; a noisy field whose value changed shape on NEW is
        kept as a "format changed" difference."""
        kept = []
        for difference in differences:
            if not self.is_noise(operation, difference, step):
                kept.append(difference)
                continue
            changed = self._format_change(operation, difference, step)
            if changed is not None:
                kept.append(changed)
            else:
                self.cancelled[operation][_noise_field(difference)] += 1
        return kept

    def _format_change(self, operation: str, difference: Difference, step: StepNoise | None = None) -> Difference | None:
        name = _noise_field(difference)
        if difference.values is None or name in self.shapeless.get(operation, set()):
            return None
        if step is not None and name in step.shapeless:
            return None  # OLD's two runs of this step disagree on the shape themselves
        old_shape, new_shape = shape(difference.values[0]), shape(difference.values[1])
        if old_shape == new_shape:
            return None
        return Difference("body", Change.FORMAT_CHANGED, difference.path,
                          f"{difference.detail} (the value varies on OLD, its format does not: OLD {old_shape}, NEW {new_shape})",
                          values=difference.values)

    def report(self) -> list[NoiseCancelled]:
        entries = []
        for operation in sorted(set(self.learned) | set(self.step_learned)):
            learned = self.learned.get(operation, Counter())
            stepped = self.step_learned.get(operation, Counter())
            for field_path in sorted(set(learned) | set(stepped)):
                hits = self.cancelled.get(operation, Counter())[field_path]
                reasons = []
                if learned[field_path]:
                    reasons.append(f"{learned[field_path]} of the OLD/OLD pairs")
                if stepped[field_path]:
                    reasons.append(f"{stepped[field_path]} stateful step(s) run twice on OLD")
                entries.append(
                    NoiseCancelled(
                        operation=operation,
                        field_path=field_path,
                        count=hits,
                        reason=f"differs between two calls to OLD ({'; '.join(reasons)})",
                    )
                )
        return entries


@dataclass(slots=True)
class StepNoise:
    """What differed between OLD's two runs of one stateful step (see NoiseTable.learn_step)."""

    fields: set[str] = field(default_factory=set)
    shapeless: set[str] = field(default_factory=set)


def _noise_field(difference: Difference) -> str:
    # status, transport and timeout differences are all "the answer itself is unstable"
    if difference.kind in ("status", "transport", "timeout"):
        return difference.kind
    return difference.field


_SHAPES = [
    ("uuid", re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")),
    ("ISO 8601 date-time", re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")),
    ("ISO 8601 date", re.compile(r"\d{4}-\d{2}-\d{2}")),
    ("RFC 1123 date", re.compile(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT")),
    ("integer as string", re.compile(r"-?\d+")),
    ("decimal as string", re.compile(r"-?\d+\.\d+")),
]


def shape(value: Any) -> str:
    """The JSON type of `value` and, for a string, a form clients parse (uuid, date-time...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return next((name for name, pattern in _SHAPES if pattern.fullmatch(value)), "string")
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
