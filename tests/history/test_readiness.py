"""Per-operation readiness: causes attributed to every operation they touch, the K-run window,
shard batches merged, routes and prefixes, regressions against a baseline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apiparity.history.extract import group_operations, run_record
from apiparity.history.model import CauseKind, OpStatus, RunRecord
from apiparity.history.readiness import (
    operation_readiness,
    ready_prefixes,
    regressions,
    routes,
    snapshots,
    trend,
)
from apiparity.model import MismatchGroup
from tests.history.factory import OPERATIONS, report

EVERY = set(OPERATIONS)


@dataclass(slots=True)
class GroupWithOperations(MismatchGroup):
    """A group the way issue 17's grouping by cause may shape it: one cause, several operations."""

    operations: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class TieredGroup(MismatchGroup):
    tier: str | None = None


def records(*reports: object, batches: tuple[str | None, ...] | None = None) -> list[RunRecord]:
    out = []
    for index, rep in enumerate(reports):
        record = run_record(rep, provenance={"batch": batches[index] if batches else None})  # type: ignore[arg-type]
        record.id = index + 1
        out.append(record)
    return out


def ready_ops(*reports: object, window: int = 1) -> set[str]:
    readiness = operation_readiness(snapshots(records(*reports)), window=window)
    return {name for name, op in readiness.items() if op.ready}


def test_each_kind_of_cause_blocks_its_operation_only() -> None:
    rep = report(groups=[("GET /items", "status 200 != 422")], breaking=[("POST /items", "request-body-required")],
                 conformance=["DELETE /items/{item_id}"], new_5xx=["GET /items/{item_id}"])
    assert ready_ops(rep) == {"GET /health"}
    record = run_record(rep)
    kinds = {c.operation: c.kind for c in record.causes}
    assert kinds == {"GET /items": CauseKind.GROUP, "POST /items": CauseKind.BREAKING_CHANGE,
                     "DELETE /items/{item_id}": CauseKind.CONFORMANCE, "GET /items/{item_id}": CauseKind.NEW_5XX}


def test_a_document_level_breaking_change_touches_every_operation() -> None:
    rep = report(breaking=[("", "security-scheme-removed")])
    record = run_record(rep)
    assert ready_ops(rep) == set()
    assert {c.operation for c in record.causes} == EVERY
    assert len({c.key for c in record.causes}) == 1, "one cause, attributed to each operation"


def test_a_group_listing_several_operations_blocks_each_of_them() -> None:
    @dataclass
    class Shared:
        operation: str
        count: int

    rep = report()
    group = GroupWithOperations(operation="GET /items", signature="body $.errors shape", kind="body", count=4,
                                operations=[Shared("GET /items", 2), Shared("POST /items", 2)])
    rep.fuzz.groups.append(group)
    assert group_operations(group) == ["GET /items", "POST /items"]
    assert ready_ops(rep) == {"GET /items/{item_id}", "DELETE /items/{item_id}", "GET /health"}


def test_only_regression_tier_groups_block() -> None:
    rep = report(waived_groups=[("POST /items", "body $.x")])
    rep.fuzz.groups.append(TieredGroup(operation="GET /items", signature="status 500 != 404", kind="status", count=1,
                                       tier="legacy-bug-fixed"))
    rep.fuzz.groups.append(TieredGroup(operation="GET /health", signature="status 200 != 500", kind="status", count=1,
                                       tier="regression"))
    record = run_record(rep)
    assert record.operation("GET /items").groups_by_tier == {"legacy-bug-fixed": 1}
    assert record.operation("POST /items").groups_by_tier == {"waived": 1}
    assert ready_ops(rep) == EVERY - {"GET /health"}


def test_tiers_the_gate_fails_on_block_readiness_too() -> None:
    rep = report()
    rep.fuzz.groups.append(TieredGroup(operation="GET /items", signature="204 content type", kind="header", count=1, tier="harmless"))
    assert "GET /items" in ready_ops(rep)
    rep.extras["gate_thresholds"] = {"fail_on_tiers": ["regression", "harmless"]}
    assert "GET /items" not in ready_ops(rep)
    (cause,) = run_record(rep).causes
    assert cause.tier == "harmless" and cause.blocking


def test_an_operation_not_exercised_is_never_ready() -> None:
    rep = report(unexercised=["DELETE /items/{item_id}"])
    assert run_record(rep).operation("DELETE /items/{item_id}").status is OpStatus.NOT_EXERCISED
    assert "DELETE /items/{item_id}" not in ready_ops(rep)


def test_the_window_needs_k_ready_runs_in_a_row() -> None:
    bad = report(groups=[("GET /items", "status 200 != 422")])
    good = report()
    assert "GET /items" in ready_ops(bad, good, window=1)
    assert "GET /items" not in ready_ops(bad, good, window=2)
    assert "GET /items" in ready_ops(bad, good, good, window=2)
    assert "GET /items" not in ready_ops(good, window=2), "fewer runs than the window: not ready yet"
    readiness = operation_readiness(snapshots(records(bad, good)), window=2)
    assert [c.operation for c in readiness["GET /items"].blockers] == ["GET /items"], "the blocker in the window is named"


def test_a_fuzz_run_alone_never_makes_an_operation_ready() -> None:
    assert ready_ops(report(command="fuzz")) == set()
    # ... and does not count in the window of check runs
    bad = report(groups=[("GET /items", "status 200 != 422")])
    assert "GET /items" not in ready_ops(bad, report(command="fuzz"))


def test_shards_of_one_batch_are_one_snapshot() -> None:
    ops = list(report().fuzz.operations)
    first = [s.operation for s in ops[::2]]
    second = [s.operation for s in ops[1::2]]
    shard1 = report(shard="1/2", out_of_scope=second, groups=[("GET /items", "status 200 != 422")])
    shard2 = report(shard="2/2", out_of_scope=first)
    snaps = snapshots(records(shard1, shard2, batches=("ci:7", "ci:7")))
    assert len(snaps) == 1 and snaps[0].label == "#1+1"
    assert snaps[0].ready_count() == (4, 5)
    readiness = operation_readiness(snaps)
    assert {n for n, op in readiness.items() if not op.ready} == {"GET /items"}
    # without a batch each shard is its own run, and the other shard's operations are out of its scope
    alone = snapshots(records(shard1, shard2))
    assert [s.ready_count() for s in alone] == [(2, 3), (2, 2)]


def test_routes_and_prefixes() -> None:
    rep = report(operations=("GET /books", "POST /books", "GET /books/search", "GET /books/{book_id}",
                             "PUT /books/{book_id}", "GET /authors", "GET /authors/{author_id}", "GET /authors/{author_id}/books"),
                 groups=[("PUT /books/{book_id}", "status 200 != 422")])
    readiness = operation_readiness(snapshots(records(rep)))
    by_path = {route.path: route.ready for route in routes(readiness)}
    assert by_path == {"/authors": True, "/authors/{author_id}": True, "/authors/{author_id}/books": True,
                       "/books": True, "/books/search": True, "/books/{book_id}": False}
    assert ready_prefixes(readiness) == ["/authors", "/books/search"]


def test_trend_and_regressions_against_a_baseline() -> None:
    first = report(groups=[("GET /items", "status 200 != 422"), ("POST /items", "status 201 != 200")])
    second = report(groups=[("POST /items", "status 201 != 200")])
    third = report(groups=[("GET /health", "status 200 != 500")])
    snaps = snapshots(records(first, second, third))
    points = trend(snaps)
    assert [(p.ready, p.total) for p in points] == [(3, 5), (4, 5), (4, 5)]
    assert [c.operation for c in points[1].fixed_causes] == ["GET /items"] and not points[1].new_causes
    assert [c.operation for c in points[2].new_causes] == ["GET /health"]
    assert [c.operation for c in points[2].fixed_causes] == ["POST /items"]
    assert [op.operation for op in regressions(snaps, snaps[1])] == ["GET /health"]
    assert [op.operation for op in regressions(snaps, snaps[0])] == ["GET /health"]


def test_a_probe_method_no_operation_declares_blocks_every_operation_of_its_path() -> None:
    """A HEAD or OPTIONS group is filed under the method sent (`HEAD /items`), which no operation
    declares: the route answers it, so it blocks the path's operations, not none."""
    rep = report(groups=[("HEAD /items", "status 200 != 405")])
    assert ready_ops(rep) == EVERY - {"GET /items", "POST /items"}
    assert {c.operation for c in run_record(rep).causes} == {"GET /items", "POST /items"}
