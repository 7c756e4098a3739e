"""What a mismatch group means for the cutover: its tier, and how bad its cause is (its rank).

Tiers (`apiparity.model.TIERS`):

- **regression**: a client that works with OLD may break on NEW. Fails the gate.
- **legacy-bug-fixed**: every case of the group had OLD crash (5xx, or the in-process app raised)
  and NEW answer a deliberate 2xx or 4xx. Shown, not failing by default (`[gates] fail_on_tiers`).
  Not when OLD crashed after the run wrote to it with no reset between cases: that crash may come
  from the run's own writes (STATE_DEPENDENT_CRASH), so it stays a regression. Nor when NEW's
  404/405 came from its router (its document has no such method and path, `apiparity.fuzz.routes`):
  the route was removed or moved, nothing was fixed (NOT_ROUTED_IN_NEW).
- **added**: every case was on a route only NEW serves: an operation (or, for a probe's method,
  a path) that NEW's document declares and OLD's does not, OLD answering not-found (404/405) and NEW
  below 500. No client of OLD calls it; shown, not failing by default. NEW crashing there stays a
  regression.
- **harmless**: a framework difference no client reads, from a documented list: the known
  divergences marked `harmless` in `apiparity.fuzz.divergences` (`apiparity rules` lists them).
  Shown, not failing by default.
- **accepted**: the user's config accepts the group's label or cause with a reason
  (`[[gates.accept]] label = "..." reason = "..."`), or a waiver covers it. Never failing.

Ranks order groups by severity, worst first: NEW 5xx where OLD answered below 500 (0), status
class changed (1), a 2xx body field missing or of another type (2), a value changed (3: a body
value, a status of the same class, an error body), headers (4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from apiparity.fuzz.compare import Change
from apiparity.fuzz.routes import NOT_FOUND_STATUSES
from apiparity.model import TIERS, MismatchGroup, Tier

DEFAULT_FAILING_TIERS: tuple[str, ...] = ("regression",)

# why a group where OLD crashed is not a legacy bug fixed: the crash may be the run's doing
STATE_DEPENDENT_CRASH = ("OLD crashed after the run had changed its state (writes it accepted, no reset between cases): "
                         "the crash may come from that state, not from the request; give --reset to tell a legacy bug "
                         "from a regression")

# why a group where OLD crashed is not a legacy bug fixed: NEW never reached a handler
NOT_ROUTED_IN_NEW = ("OLD crashed, and NEW answered 404/405 only because it has no such route (its document does not "
                     "declare the method and path): the route was removed or moved, not fixed")

RANK_NEW_5XX = 0
RANK_STATUS_CLASS = 1
RANK_FIELD_MISSING = 2
RANK_VALUE = 3
RANK_HEADER = 4
RANK_NAMES = {
    RANK_NEW_5XX: "NEW 5xx where OLD was fine",
    RANK_STATUS_CLASS: "status class changed",
    RANK_FIELD_MISSING: "2xx body field missing or type changed",
    RANK_VALUE: "value changed",
    RANK_HEADER: "headers",
}
_STRUCTURAL = frozenset({Change.MISSING, Change.ADDED, Change.TYPE_CHANGED, Change.ELEMENTS_CHANGED, Change.JSON_ONLY_IN_OLD,
                         Change.JSON_ONLY_IN_NEW})


def crashed(status: int, error: str | None) -> bool:
    """An answer that is a crash: a 5xx, or the in-process app raised (a timeout is no crash)."""
    return status >= 500 or bool(error and error.startswith("app raised"))


def case_rank(old_status: int, new_status: int, new_error: str | None, differences: Iterable[Any]) -> int:
    """How bad one case's difference is (see the module doc); `differences` are
    `apiparity.fuzz.compare.Difference`s (kind, change)."""
    old_crashed = crashed(old_status, None)
    if (crashed(new_status, new_error) or (new_error and not new_status)) and not old_crashed:
        return RANK_NEW_5XX
    if old_status != new_status:
        return RANK_STATUS_CLASS if old_status // 100 != new_status // 100 else RANK_VALUE
    rank = RANK_HEADER
    for difference in differences:
        if difference.kind in ("transport", "timeout"):
            return RANK_NEW_5XX
        if difference.kind == "header":
            continue
        if difference.kind == "body" and 200 <= old_status < 300 and difference.change in _STRUCTURAL:
            rank = min(rank, RANK_FIELD_MISSING)
        else:
            rank = min(rank, RANK_VALUE)
    return rank


def intrinsic_tier(statuses: Iterable[tuple[int, int, bool]], *, harmless_label: str | None,
                   crash_after_writes: bool = False, only_in_new: bool = False,
                   new_unrouted: bool = False) -> tuple[Tier, str | None]:
    """(tier, reason) from what the cases show: `statuses` are (OLD status, NEW status, OLD raised)
    of every case of the group; `harmless_label` the group's label when the catalog marks it harmless;
    `crash_after_writes` whether OLD crashed in a case sent after the run wrote to it (no reset);
    `only_in_new` whether every case was on a route only NEW's document declares; `new_unrouted`
    whether NEW answered a case from its router (no such route in NEW)."""
    pairs = list(statuses)
    if harmless_label is not None:
        return "harmless", f"known harmless framework difference `{harmless_label}`"
    if only_in_new and pairs and all(old in NOT_FOUND_STATUSES and not raised and new < 500 for old, new, raised in pairs):
        shown = ", ".join(f"{old} -> {new}" for old, new in sorted({(old, new) for old, new, _ in pairs})[:4])
        return "added", f"a route only NEW serves: OLD's document does not declare it and OLD answered not-found ({shown})"
    if pairs and all((old >= 500 or raised) and (200 <= new < 300 or 400 <= new < 500) for old, new, raised in pairs):
        seen = sorted({(old, new) for old, new, _ in pairs})
        shown = ", ".join(f"{'crash' if old == 0 else old} -> {new}" for old, new in seen[:4])
        if crash_after_writes:
            return "regression", STATE_DEPENDENT_CRASH
        if new_unrouted:
            return "regression", NOT_ROUTED_IN_NEW
        return "legacy-bug-fixed", f"OLD crashed and NEW answers deliberately on every case ({shown})"
    return "regression", None


@dataclass(slots=True, frozen=True)
class Acceptance:
    """`[[gates.accept]]`: a label (known divergence ID) or a cause (a group's signature, globs
    allowed), optionally limited to operations (`operation = "GET /books*"`), with a reason."""

    reason: str
    label: str | None = None
    cause: str | None = None
    operation: str | None = None

    def matches(self, group: MismatchGroup) -> bool:
        if self.label is not None and group.divergence != self.label:
            return False
        if self.cause is not None and not fnmatchcase(group.signature, self.cause):
            return False
        if self.operation is not None:
            operations = [o.operation for o in group.operations] or [group.operation]
            if not any(fnmatchcase(op, self.operation) for op in operations):
                return False
        return True

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Acceptance:
        return cls(reason=str(data["reason"]), label=data.get("label"), cause=data.get("cause"), operation=data.get("operation"))


def parse_acceptances(entries: Any, where: str) -> list[dict[str, str]]:
    """Check `[[gates.accept]]` entries; returns them as plain dicts (GateThresholds stays JSON).
    Raises ValueError with a one-line message naming the entry."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"{where}: expected [[gates.accept]] tables")
    checked = []
    for index, entry in enumerate(entries, 1):
        unknown = sorted(set(entry) - {"label", "cause", "operation", "reason"})
        if unknown:
            raise ValueError(f"{where} #{index}: unknown key {unknown[0]!r} (known: cause, label, operation, reason)")
        if not any(isinstance(entry.get(k), str) and entry[k] for k in ("label", "cause")):
            raise ValueError(f"{where} #{index}: name a `label` (known divergence ID) or a `cause` (group signature)")
        if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
            raise ValueError(f"{where} #{index}: a `reason` is required")
        checked.append({k: str(v) for k, v in entry.items()})
    return checked


def apply_acceptances(groups: Iterable[MismatchGroup], accept: Iterable[dict[str, str]]) -> None:
    """Mark groups the config accepts (or a waiver covers) as tier `accepted`, with the reason."""
    acceptances = [Acceptance.from_dict(entry) for entry in accept]
    for group in groups:
        if group.waived_by:
            group.tier, group.tier_reason = "accepted", f"waived: {group.waived_by}"
            continue
        for acceptance in acceptances:
            if acceptance.matches(group):
                group.tier, group.tier_reason = "accepted", f"accepted: {acceptance.reason}"
                break


def failing_groups(groups: Iterable[MismatchGroup], failing_tiers: Iterable[str] = DEFAULT_FAILING_TIERS) -> list[MismatchGroup]:
    """The groups that fail the gate: of a failing tier, not waived."""
    tiers = set(failing_tiers)
    return [g for g in groups if not g.waived_by and g.tier in tiers]


def tier_counts(groups: Iterable[MismatchGroup]) -> dict[str, int]:
    """Groups per tier, every tier named (a waived group counts as accepted)."""
    counts = dict.fromkeys(TIERS, 0)
    for group in groups:
        counts["accepted" if group.waived_by else group.tier] = counts.get("accepted" if group.waived_by else group.tier, 0) + 1
    return counts


def tier_line(counts: dict[str, int]) -> str:
    """'2 regression, 1 legacy-bug-fixed, 0 harmless, 1 accepted'."""
    return ", ".join(f"{counts.get(tier, 0)} {tier}" for tier in TIERS)


def display_order(group: MismatchGroup) -> tuple[int, int, int, str]:
    """Regressions first, then by severity rank (worst first), then most cases."""
    tier = "accepted" if group.waived_by else group.tier
    return (TIERS.index(tier) if tier in TIERS else len(TIERS), group.rank, -group.count, group.key)
