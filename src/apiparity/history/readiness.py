"""Readiness over time: which operations and routes are ready, the trend, and what regressed.

- A *snapshot* is one run, or every shard run of one CI batch merged (`RunRecord.batch`).
- An operation is *ready* when, in each of the last K snapshots that judge readiness (spec diff
  and fuzz both ran) and have it in scope, its status was READY, and there are K such snapshots.
- A *route* is a path template; it is ready when every method on it is ready. A path prefix
  (`/books`) is ready when every operation under it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from apiparity.history.model import (
    Cause,
    CauseKind,
    OperationResult,
    OpStatus,
    RunRecord,
)

_STATUS_RANK = {OpStatus.OUT_OF_SCOPE: 0, OpStatus.READY: 1, OpStatus.NOT_EXERCISED: 2, OpStatus.BLOCKED: 3}


@dataclass(slots=True)
class Snapshot:
    runs: list[RunRecord]
    operations: dict[str, OperationResult] = field(default_factory=dict)
    causes: list[Cause] = field(default_factory=list)
    _scoped: dict[str, OperationResult] = field(default_factory=dict)  # filled by _merge
    _by_operation: dict[str, list[Cause]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        ids = [r.id for r in self.runs if r.id is not None]
        if not ids:
            return "this run"
        return f"#{ids[0]}" if len(self.runs) == 1 else f"#{ids[0]}+{len(self.runs) - 1}"

    @property
    def first(self) -> RunRecord:
        return self.runs[0]

    @property
    def judges_readiness(self) -> bool:
        return all(r.judges_readiness for r in self.runs)

    def in_scope(self) -> dict[str, OperationResult]:
        return self._scoped

    def ready_count(self) -> tuple[int, int]:
        scoped = self.in_scope()
        return sum(1 for r in scoped.values() if r.status is OpStatus.READY), len(scoped)

    def blocking_keys(self) -> dict[str, Cause]:
        keys: dict[str, Cause] = {}
        for cause in self.causes:
            if cause.blocking and cause.kind is not CauseKind.NOT_EXERCISED:
                keys.setdefault(cause.key, cause)
        return keys

    def causes_of(self, operation: str) -> list[Cause]:
        return self._by_operation.get(operation, [])


def snapshots(runs: Sequence[RunRecord]) -> list[Snapshot]:
    """Runs (oldest first) as snapshots: the shard runs of one batch merged into one."""
    order: list[Snapshot] = []
    batches: dict[str, Snapshot] = {}
    for run in runs:
        if run.batch and run.batch in batches:
            batches[run.batch].runs.append(run)
            continue
        snap = Snapshot(runs=[run])
        order.append(snap)
        if run.batch:
            batches[run.batch] = snap
    for snap in order:
        _merge(snap)
    return order


def _merge(snap: Snapshot) -> None:
    seen: set[tuple[str, str]] = set()
    for run in snap.runs:
        for result in run.operations:
            current = snap.operations.get(result.operation)
            if current is None or _STATUS_RANK[result.status] > _STATUS_RANK[current.status]:
                snap.operations[result.operation] = result
        for cause in run.causes:
            if (cause.key, cause.operation) not in seen:
                seen.add((cause.key, cause.operation))
                snap.causes.append(cause)
                snap._by_operation.setdefault(cause.operation, []).append(cause)
    snap._scoped = {name: r for name, r in snap.operations.items() if r.status is not OpStatus.OUT_OF_SCOPE}


# -------------------------------------------------------------------------------------- readiness


@dataclass(slots=True)
class OperationReadiness:
    operation: str
    ready: bool
    statuses: list[OpStatus]  # over the snapshots considered, oldest first
    blockers: list[Cause]  # blocking causes of the latest snapshot (or of the one in the window that blocked)
    exercised: bool

    @property
    def method(self) -> str:
        return self.operation.partition(" ")[0]

    @property
    def path(self) -> str:
        return self.operation.partition(" ")[2]


def operation_readiness(snaps: Sequence[Snapshot], *, window: int = 1) -> dict[str, OperationReadiness]:
    """Each operation of the latest judging snapshot, ready or not over the last `window` judging snapshots."""
    judging = [s for s in snaps if s.judges_readiness]
    if not judging:
        return {}
    latest = judging[-1]
    out: dict[str, OperationReadiness] = {}
    for name in sorted(latest.in_scope(), key=_op_sort_key):
        considered = []
        for snap in reversed(judging):
            if name in snap.in_scope():
                considered.append(snap)
                if len(considered) == window:
                    break
        considered.reverse()
        statuses = [s.operations[name].status for s in considered]
        ready = len(considered) == window and all(status is OpStatus.READY for status in statuses)
        blockers = [c for c in latest.causes_of(name) if c.blocking]
        if not ready and not blockers:
            for snap in reversed(considered):
                blockers = [c for c in snap.causes_of(name) if c.blocking]
                if blockers:
                    break
        out[name] = OperationReadiness(
            operation=name, ready=ready, statuses=statuses, blockers=_rank(blockers),
            exercised=latest.operations[name].status is not OpStatus.NOT_EXERCISED,
        )
    return out


def _rank(causes: list[Cause]) -> list[Cause]:
    order = {CauseKind.NEW_5XX: 0, CauseKind.BREAKING_CHANGE: 1, CauseKind.GROUP: 2, CauseKind.CONFORMANCE: 3,
             CauseKind.LOAD_LATENCY: 4, CauseKind.NOT_EXERCISED: 5}
    return sorted(causes, key=lambda c: (order[c.kind], -c.count, c.key))


def _op_sort_key(name: str) -> tuple[str, str]:
    method, _, path = name.partition(" ")
    return path, method


@dataclass(slots=True)
class Route:
    path: str  # a path template, e.g. /books/{book_id}
    operations: list[OperationReadiness]

    @property
    def ready(self) -> bool:
        return bool(self.operations) and all(op.ready for op in self.operations)

    @property
    def methods(self) -> list[str]:
        return [op.method for op in self.operations]

    def blockers(self, limit: int = 3) -> list[Cause]:
        """The top causes keeping this route on OLD (each cause once, shared ones first)."""
        seen: dict[str, Cause] = {}
        for op in self.operations:
            for cause in op.blockers:
                seen.setdefault(cause.key, cause)
        return _rank(list(seen.values()))[:limit]

    def not_ready(self) -> list[str]:
        return [op.operation for op in self.operations if not op.ready]


def routes(readiness: dict[str, OperationReadiness]) -> list[Route]:
    by_path: dict[str, list[OperationReadiness]] = defaultdict(list)
    for op in readiness.values():
        by_path[op.path].append(op)
    return [Route(path, sorted(ops, key=lambda o: o.method)) for path, ops in sorted(by_path.items())]


def ready_prefixes(readiness: dict[str, OperationReadiness]) -> list[str]:
    """The shortest path prefixes (whole segments) under which every operation is ready."""
    paths = sorted({op.path for op in readiness.values()})
    ready_by_path = {p: all(op.ready for op in readiness.values() if op.path == p) for p in paths}
    prefixes: list[str] = []
    for path in paths:
        segments = path.strip("/").split("/")
        for depth in range(1, len(segments) + 1):
            prefix = "/" + "/".join(segments[:depth])
            if "{" in segments[depth - 1]:
                continue
            under = [p for p in paths if p == prefix or p.startswith(prefix + "/")]
            if under and all(ready_by_path[p] for p in under):
                if not any(prefix == q or prefix.startswith(q + "/") for q in prefixes):
                    prefixes.append(prefix)
                break
    return sorted(prefixes)


# ------------------------------------------------------------------------------------------ trend


@dataclass(slots=True)
class TrendPoint:
    snapshot: Snapshot
    ready: int
    total: int
    new_causes: list[Cause]
    fixed_causes: list[Cause]
    # the options (history.extract.exercised_options) that differ from the run before: then new and
    # fixed are not told (a cause "fixed" because -H now passes a token was never fixed)
    changed_options: list[str] = field(default_factory=list)


def trend(snaps: Sequence[Snapshot]) -> list[TrendPoint]:
    points: list[TrendPoint] = []
    previous: Snapshot | None = None
    for snap in snaps:
        ready, total = snap.ready_count()
        changed = changed_options(previous, snap) if previous is not None else []
        new, fixed = changes_between(previous, snap) if previous is not None and not changed else ([], [])
        points.append(TrendPoint(snap, ready, total, new, fixed, changed))
        previous = snap
    return points


def changed_options(before: Snapshot, after: Snapshot) -> list[str]:
    """The exercised options that differ between two runs, as `name: before -> after`; [] when they
    are the same or either run was recorded without them."""
    old, new = before.first.options, after.first.options
    if not old or not new:
        return []
    return [f"{name}: {old.get(name, '?')} -> {new.get(name, '?')}" for name in sorted(set(old) | set(new))
            if old.get(name) != new.get(name)]


def changes_between(before: Snapshot, after: Snapshot) -> tuple[list[Cause], list[Cause]]:
    """(blocking causes in `after` that `before` did not have, those of `before` gone in `after`).
    A cause on an operation `after` did not run (another shard's) is not counted as fixed."""
    old, new = before.blocking_keys(), after.blocking_keys()
    scoped = after.in_scope()
    added = [c for k, c in new.items() if k not in old]
    fixed = [c for k, c in old.items() if k not in new and c.operation in scoped]
    return sorted(added, key=lambda c: c.key), sorted(fixed, key=lambda c: c.key)


def regressions(snaps: Sequence[Snapshot], baseline: Snapshot, *, window: int = 1) -> list[OperationReadiness]:
    """Operations ready at `baseline` (over the window ending there) that are not ready now."""
    upto = list(snaps[: snaps.index(baseline) + 1])
    before = operation_readiness(upto, window=window)
    now = operation_readiness(snaps, window=window)
    return [now[name] for name, op in before.items() if op.ready and name in now and not now[name].ready]
