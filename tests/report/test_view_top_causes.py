"""The top-causes list: the worst groups, and spec-only causes never crowded out."""

from __future__ import annotations

from apiparity.report.view import SPEC_CAUSES_KEPT, TOP_CAUSES, top_cause_lines


def test_many_groups_leave_room_for_spec_only_causes() -> None:
    groups = [f"group {n}" for n in range(30)]
    spec = [f"spec {n}" for n in range(5)]
    lines = top_cause_lines(groups, spec)
    assert len(lines) == TOP_CAUSES
    assert lines[-SPEC_CAUSES_KEPT:] == spec[:SPEC_CAUSES_KEPT] and lines[0] == "group 0"


def test_few_groups_give_their_room_to_spec_causes() -> None:
    assert top_cause_lines(["g"], [f"s{n}" for n in range(20)]) == ["g", *[f"s{n}" for n in range(TOP_CAUSES - 1)]]
    assert top_cause_lines([f"g{n}" for n in range(20)], []) == [f"g{n}" for n in range(TOP_CAUSES)]
