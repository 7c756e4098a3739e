"""Trust defects new users met running `check` on real Flask -> FastAPI ports, each on the small pair
tests/pairs/trust (plain Flask with an audit hook keyed by method and a custom 404 handler; its
FastAPI port with GET routes only), run in-process with a small budget."""

from __future__ import annotations

import pytest

from apiparity.fuzz.group import merge_across_operations
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.model import FuzzResult, GroupOperation, HttpRequest, HttpResponse, MismatchExample, MismatchGroup
from apiparity.report.merge import combine_groups
from apiparity.targets import load_target
from tests.conftest import ROOT

PAIR = ROOT / "tests" / "pairs" / "trust"
GET_OPERATIONS = ["/books", "/books/{book_id}", "/reports/{report_id}", "/users", "/users/{user_id}"]


@pytest.fixture(scope="module")
def run() -> FuzzResult:
    old, new = load_target(f"{PAIR / 'legacy.py'}:app"), load_target(f"{PAIR / 'modern.py'}:app")
    return run_fuzz(old, new, FuzzSettings(seed=1, max_examples=5))


# ------------------------------------------------------------------ 1. a title names the method sent


def test_a_probe_group_is_titled_by_the_method_its_examples_sent(run: FuzzResult) -> None:
    """An OPTIONS probe built from `GET /books` answered 200 != 405: the group reads `OPTIONS /books`,
    never `GET /books ... 200 != 405` over an OPTIONS example."""
    for group in run.groups:
        assert group.examples
        method = group.operation.partition(" ")[0]
        assert group.examples[0].request.method == method, group.key
        for entry in group.operations:
            assert any(e.request.method == entry.operation.partition(" ")[0] for e in group.examples) or len(group.examples) < len(
                group.operations), (group.key, entry.operation)
    options = [g for g in run.groups if g.divergence == "head-options-405"]
    assert [g.operation.partition(" ")[0] for g in options] == ["OPTIONS"]
    assert all(e.request.method == "OPTIONS" for e in options[0].examples)


# ------------------------------------------------------------------ 2. one probe-method cause, one group


def test_a_head_crash_on_every_route_is_one_group_listing_every_operation(run: FuzzResult) -> None:
    """Flask answers HEAD from the GET view, where the audit hook raises KeyError (500); FastAPI
    routes no HEAD (405). One cause (the method's routing), one group, every path listed."""
    head = [g for g in run.groups if g.operation.startswith("HEAD ")]
    assert len(head) == 1, [g.key for g in head]
    (group,) = head
    assert group.signature == "status 500 != 405" and group.divergence is None
    assert sorted(o.operation for o in group.operations) == [f"HEAD {p}" for p in GET_OPERATIONS]
    assert group.count == sum(o.count for o in group.operations)
    # the undeclared-method probe (DELETE on GET-only paths) hits the same hook: its own method, its own group
    delete = [g for g in run.groups if g.operation.startswith("DELETE ")]
    assert len(delete) == 1 and len(delete[0].operations) == len(GET_OPERATIONS)


def test_declared_operations_keep_their_status_groups_apart() -> None:
    """Only off-contract methods merge: two declared routes answering the same unlabelled status
    pair are two handlers' decisions."""
    def group(operation: str) -> MismatchGroup:
        method, _, path = operation.partition(" ")
        example = MismatchExample(HttpRequest(method, path), HttpResponse(500), HttpResponse(405), "", "")
        return MismatchGroup(operation, "status 500 != 405", "status", 2, [example], operations=[GroupOperation(operation, 2)])

    declared = merge_across_operations([group("DELETE /a"), group("DELETE /b")], 5)
    assert len(declared) == 2
    probed = merge_across_operations([group("HEAD /a"), group("HEAD /b"), group("OPTIONS /a")], 5,
                                     off_contract={"HEAD /a", "HEAD /b", "OPTIONS /a"})
    assert sorted((g.operation.partition(" ")[0], len(g.operations)) for g in probed) == [("HEAD", 2), ("OPTIONS", 1)]
    # `merge` of shards tells them apart from the operations the shards had statistics for
    merged = combine_groups([group("HEAD /a"), group("HEAD /b"), group("DELETE /a"), group("DELETE /b")],
                            documented={"GET /a", "GET /b", "DELETE /a", "DELETE /b"})
    assert sorted((g.operation, len(g.operations)) for g in merged) == [("DELETE /a", 1), ("DELETE /b", 1), ("HEAD /a", 2)]
