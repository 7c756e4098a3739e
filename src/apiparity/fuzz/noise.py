"""Diffy-style noise cancellation: every case goes to OLD twice; a field that differs between the
two OLD answers (timestamps, generated ids, random tokens) varies on its own, so a difference in
that field between OLD and NEW says nothing about NEW. Noise is learned per operation and field
and applied to every case of the operation, including the ones compared before it was learned."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from apiparity.fuzz.compare import CompareOptions, Difference, compare_responses
from apiparity.fuzz.wire import WireResponse
from apiparity.model import NoiseCancelled


@dataclass(slots=True)
class NoiseTable:
    # operation -> field -> how many OLD/OLD pairs differed there
    learned: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # operation -> field -> how many OLD/NEW differences were cancelled because of it
    cancelled: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def learn(self, operation: str, first: WireResponse, second: WireResponse, options: CompareOptions) -> None:
        """Record the fields that differ between two answers of OLD to the same request."""
        for difference in compare_responses(first, second, options):
            self.learned[operation][_noise_field(difference)] += 1

    def is_noise(self, operation: str, difference: Difference) -> bool:
        return _noise_field(difference) in self.learned.get(operation, {})

    def filter(self, operation: str, differences: list[Difference]) -> list[Difference]:
        """`differences` minus noise, counting what was cancelled."""
        kept = []
        for difference in differences:
            if self.is_noise(operation, difference):
                self.cancelled[operation][_noise_field(difference)] += 1
            else:
                kept.append(difference)
        return kept

    def report(self) -> list[NoiseCancelled]:
        entries = []
        for operation in sorted(self.learned):
            for field_path, seen in sorted(self.learned[operation].items()):
                hits = self.cancelled.get(operation, Counter())[field_path]
                entries.append(
                    NoiseCancelled(
                        operation=operation,
                        field_path=field_path,
                        count=hits,
                        reason=f"differs between two calls to OLD ({seen} of the OLD/OLD pairs)",
                    )
                )
        return entries


def _noise_field(difference: Difference) -> str:
    # status, transport and timeout differences are all "the answer itself is unstable"
    if difference.kind in ("status", "transport", "timeout"):
        return difference.kind
    return difference.field
