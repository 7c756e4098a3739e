"""The report model's shared values: the skip reasons later stages decide on."""

from __future__ import annotations

from apiparity.fuzz import generate
from apiparity.history.extract import _operations
from apiparity.history.model import OpStatus
from apiparity.model import NOT_IN_SHARD, ONLY_IN_NEW, FuzzResult, OperationStats, Report, is_out_of_scope
from apiparity.report import merge


def test_out_of_scope_reasons_are_the_constants_every_stage_uses() -> None:
    assert is_out_of_scope(NOT_IN_SHARD) and is_out_of_scope(ONLY_IN_NEW)
    assert not is_out_of_scope(None) and not is_out_of_scope("no cases could be generated")
    # one value, owned by the model: the planner and `merge` write and read that very string
    assert generate.NOT_IN_SHARD is NOT_IN_SHARD and merge.NOT_IN_SHARD is NOT_IN_SHARD


def test_a_reason_that_only_begins_like_a_scope_reason_is_not_out_of_scope() -> None:
    # matched exactly: a free-text reason is never read back by its first words
    assert not is_out_of_scope(f"{NOT_IN_SHARD} yet: no cases could be generated")


def test_history_leaves_out_of_scope_operations_out_like_the_gate() -> None:
    report = Report("check", fuzz=FuzzResult(operations=[
        OperationStats("GET /a", cases=3),
        OperationStats("GET /b", skipped_reason=NOT_IN_SHARD),
        OperationStats("GET /c", skipped_reason=ONLY_IN_NEW),
        OperationStats("GET /d", skipped_reason="no cases could be generated"),
    ]))
    statuses = {name: result.status for name, result in _operations(report).items()}
    assert statuses["GET /b"] == statuses["GET /c"] == OpStatus.OUT_OF_SCOPE
    assert statuses["GET /d"] != OpStatus.OUT_OF_SCOPE


def test_operation_stats_parts_add_every_count_and_leave_latencies_to_the_caller() -> None:
    import dataclasses

    counts = [f.name for f in dataclasses.fields(OperationStats) if f.type in ("int", int)]
    assert {"cases", "new_5xx_where_old_ok", "new_transport_errors", "old_transport_errors", "pooled_found"} <= set(counts)
    mine = OperationStats("GET /a", old_latency_ms=[1.0], **{name: 1 for name in counts})
    mine.add_counts(OperationStats("GET /a", old_latency_ms=[2.0], **{name: 2 for name in counts}))
    assert all(getattr(mine, name) == 3 for name in counts) and mine.old_latency_ms == [1.0]
