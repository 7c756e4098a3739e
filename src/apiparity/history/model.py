"""What one run says about each operation, as typed values: the history's own small model.

`extract.run_record` builds these from a `Report`; `store.HistoryStore` writes and reads them;
`readiness` and `render` only read them. Nothing here imports the engine.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class OpStatus(str, enum.Enum):
    """An operation's state in one run."""

    READY = "ready"  # exercised, and no blocking cause
    BLOCKED = "blocked"  # exercised, with at least one blocking cause
    NOT_EXERCISED = "not-exercised"  # in scope, but fewer cases than the gate asks (never ready, never routed)
    OUT_OF_SCOPE = "out-of-scope"  # another shard's, or only in NEW's document: this run says nothing about it


class CauseKind(str, enum.Enum):
    GROUP = "group"  # a mismatch group (one cause, possibly on several operations)
    BREAKING_CHANGE = "breaking-change"  # an unwaived breaking change of the spec diff
    CONFORMANCE = "conformance"  # NEW's answers break OLD's document
    NEW_5XX = "new-5xx"  # NEW answered 5xx where OLD answered below 500
    LOAD_LATENCY = "load-latency"  # the operation's p95 ratio over the load gate
    NOT_EXERCISED = "not-exercised"


REGRESSION_TIER = "regression"
WAIVED_TIER = "waived"


@dataclass(slots=True, frozen=True)
class Cause:
    """One reason an operation is (or would be) not ready. A cause shared by several operations has
    one `key` and one row per operation it touches."""

    key: str  # stable across runs: how "new since" / "fixed since" are told
    operation: str
    kind: CauseKind
    tier: str  # "regression", "waived", "legacy-bug-fixed", "harmless", "accepted", ...
    title: str
    count: int = 1
    blocking: bool = True  # keeps the operation from being ready (a regression, or a tier the gate fails on)


@dataclass(slots=True)
class OperationResult:
    operation: str  # "GET /books/{book_id}" (OLD's path template)
    status: OpStatus
    cases: int = 0
    mismatches: int = 0
    groups_by_tier: dict[str, int] = field(default_factory=dict)
    breaking: int = 0
    conformance: int = 0
    new_5xx: int = 0
    load_p95_ratio: float | None = None

    @property
    def method(self) -> str:
        return self.operation.partition(" ")[0]

    @property
    def path(self) -> str:
        return self.operation.partition(" ")[2]


@dataclass(slots=True)
class RunRecord:
    """One `check` or `fuzz` run: provenance, gates and every operation's result and causes."""

    recorded_at: str  # UTC ISO 8601, seconds
    command: str
    tool_version: str
    old_ref: str = ""
    new_ref: str = ""
    verdict: str | None = None  # READY / NOT READY (check), None (fuzz)
    complete: bool = True
    shard: str | None = None
    seed: int | None = None
    commit: str | None = None
    branch: str | None = None
    ci: str | None = None
    batch: str | None = None  # the CI run shards share (GITHUB_RUN_ID, ...): shards of one batch are one run
    label: str | None = None
    spec_ran: bool = False
    fuzz_ran: bool = False
    load_ran: bool = False
    gates: list[dict[str, object]] = field(default_factory=list)  # [{name, passed, measured}]
    spec_changes: dict[str, int] = field(default_factory=dict)  # severity -> unwaived count, plus "waived"
    operations: list[OperationResult] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    # the options that change what a run exercises (extract.exercised_options): runs whose options
    # differ are not compared cause by cause ("not comparable"); {} for runs recorded before
    options: dict[str, str] = field(default_factory=dict)
    id: int | None = None  # set by the store

    @property
    def judges_readiness(self) -> bool:
        """Only a run where both the spec diff and the fuzz ran can make an operation ready."""
        return self.spec_ran and self.fuzz_ran and (self.complete or self.shard is not None)

    def operation(self, name: str) -> OperationResult | None:
        for result in self.operations:
            if result.operation == name:
                return result
        return None
