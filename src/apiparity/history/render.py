"""`apiparity history` output: the runs, the trend, what changed, each operation's status per run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apiparity.history.model import Cause, OpStatus
from apiparity.history.readiness import (
    OperationReadiness,
    Snapshot,
    TrendPoint,
    changed_options,
    changes_between,
)

STATUS_MARK = {OpStatus.READY: "+", OpStatus.BLOCKED: "x", OpStatus.NOT_EXERCISED: "?", OpStatus.OUT_OF_SCOPE: "."}
LEGEND = "+ ready   x blocked   ? not exercised   . not in that run"


@dataclass(slots=True)
class HistoryView:
    file: str
    window: int
    points: list[TrendPoint]  # the runs shown, oldest first
    readiness: dict[str, OperationReadiness]
    reference: Snapshot | None  # what "since" compares the latest run with
    reference_reason: str  # "the previous run", "2026-12-01", "baseline #3"
    regressed: list[OperationReadiness]


def since_changes(view: HistoryView) -> tuple[list[Cause], list[Cause]]:
    if view.reference is None or not view.points:
        return [], []
    if changed_options(view.reference, view.points[-1].snapshot):
        return [], []  # other options exercised other things: nothing new or fixed to tell
    return changes_between(view.reference, view.points[-1].snapshot)


def render_text(view: HistoryView) -> str:
    out: list[str] = []
    if not view.points:
        return f"history: {view.file}: no runs recorded yet\n"
    out.append(f"history: {view.file} ({len(view.points)} run(s) shown; an operation is ready after "
               f"{view.window} ready run(s) in a row)")
    out.append("")
    out.append(f"{'run':<8} {'recorded (UTC)':<17} {'commit':<8} {'command':<7} {'verdict':<10} {'ready':>7}  new fixed  NEW")
    for point in view.points:
        first = point.snapshot.first
        when = first.recorded_at.replace("T", " ")[:16]
        commit = (first.commit or "-")[:7]
        verdict = first.verdict or "-"
        counts = f"{'n/c':>3} {'n/c':>5}" if point.changed_options else f"{len(point.new_causes):>3} {len(point.fixed_causes):>5}"
        out.append(f"{point.snapshot.label:<8} {when:<17} {commit:<8} {first.command:<7} {verdict:<10} "
                   f"{point.ready:>3}/{point.total:<3}  {counts}  {first.new_ref}")
    readies = [f"{p.ready}/{p.total}" for p in view.points]
    out.append("")
    out.append("trend: operations ready " + " -> ".join(readies))
    new, fixed = since_changes(view)
    changed = changed_options(view.reference, view.points[-1].snapshot) if view.reference is not None else []
    if changed:
        out.append(f"since {view.reference_reason} ({view.reference.label}): not comparable: options changed "  # type: ignore[union-attr]
                   f"({'; '.join(changed)})")
    elif view.reference is not None:
        out.append(f"since {view.reference_reason} ({view.reference.label}): {len(new)} new cause(s), {len(fixed)} fixed")
        for cause in new:
            out.append(f"  new    {cause.operation}: {cause.title}")
        for cause in fixed:
            out.append(f"  fixed  {cause.operation}: {cause.title}")
    if view.regressed:
        out.append(f"regressed (ready in {view.reference.label if view.reference else 'the baseline'}, not now):")
        out += [f"  {op.operation}" for op in view.regressed]
    out.append("")
    names = sorted({n for p in view.points for n in p.snapshot.in_scope()} | set(view.readiness),
                   key=lambda n: (n.partition(" ")[2], n))
    width = max((len(n) for n in names), default=10)
    columns = max(len(view.points), 4)
    out.append(f"{'operation':<{width}}  {'runs':<{columns}}  readiness")
    for name in names:
        marks = "".join(STATUS_MARK[_status(p.snapshot, name)] for p in view.points)
        op = view.readiness.get(name)
        if op is None:
            state = "-"
        elif op.ready:
            state = "READY"
        else:
            state = "not ready" + (f": {op.blockers[0].title}" if op.blockers else "")
        out.append(f"{name:<{width}}  {marks:<{columns}}  {state}")
    out.append("")
    out.append(LEGEND)
    ready = sum(1 for op in view.readiness.values() if op.ready)
    out.append(f"ready now: {ready}/{len(view.readiness)} operation(s)")
    return "\n".join(out) + "\n"


def render_json(view: HistoryView) -> dict[str, Any]:
    new, fixed = since_changes(view)
    return {
        "file": view.file,
        "window": view.window,
        "runs": [
            {"run": p.snapshot.label, "ids": [r.id for r in p.snapshot.runs], "recorded_at": p.snapshot.first.recorded_at,
             "command": p.snapshot.first.command, "verdict": p.snapshot.first.verdict, "commit": p.snapshot.first.commit,
             "branch": p.snapshot.first.branch, "seed": p.snapshot.first.seed, "tool_version": p.snapshot.first.tool_version,
             "old": p.snapshot.first.old_ref, "new": p.snapshot.first.new_ref, "label": p.snapshot.first.label,
             "shards": [r.shard for r in p.snapshot.runs if r.shard],
             "ready": p.ready, "total": p.total,
             "new_causes": [_cause(c) for c in p.new_causes], "fixed_causes": [_cause(c) for c in p.fixed_causes]}
            for p in view.points
        ],
        "since": {"reference": view.reference.label if view.reference else None, "reason": view.reference_reason,
                  "new_causes": [_cause(c) for c in new], "fixed_causes": [_cause(c) for c in fixed]},
        "operations": {
            name: {"ready": op.ready, "statuses": [s.value for s in op.statuses], "exercised": op.exercised,
                   "per_run": [_status(p.snapshot, name).value for p in view.points],
                   "blockers": [_cause(c) for c in op.blockers]}
            for name, op in view.readiness.items()
        },
        "regressed": [op.operation for op in view.regressed],
    }


def _cause(cause: Cause) -> dict[str, Any]:
    return {"key": cause.key, "operation": cause.operation, "kind": cause.kind.value, "tier": cause.tier,
            "title": cause.title, "count": cause.count}


def _status(snap: Snapshot, name: str) -> OpStatus:
    result = snap.operations.get(name)
    return result.status if result is not None else OpStatus.OUT_OF_SCOPE
