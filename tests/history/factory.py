"""Small `Report`s built by hand: each operation's cases, groups, breaking changes, conformance."""

from __future__ import annotations

from collections.abc import Iterable

from apiparity.model import (
    Change,
    ConformanceIssue,
    DiffResult,
    FuzzResult,
    MismatchGroup,
    OperationStats,
    Report,
    SideInfo,
    Verdict,
)

OPERATIONS = ("GET /items", "POST /items", "GET /items/{item_id}", "DELETE /items/{item_id}", "GET /health")


def report(
    *,
    operations: Iterable[str] = OPERATIONS,
    groups: Iterable[tuple[str, str]] = (),
    breaking: Iterable[tuple[str, str]] = (),
    conformance: Iterable[str] = (),
    unexercised: Iterable[str] = (),
    out_of_scope: Iterable[str] = (),
    new_5xx: Iterable[str] = (),
    waived_groups: Iterable[tuple[str, str]] = (),
    command: str = "check",
    shard: str | None = None,
    generated_at: str = "2026-12-01T10:00:00+00:00",
    new_ref: str = "new.py:app",
    fuzz: bool = True,
) -> Report:
    """`groups`: (operation, signature); `breaking`: (operation or "" for the document, rule id)."""
    skipped = set(unexercised)
    outside = set(out_of_scope)
    five = set(new_5xx)
    stats = [
        OperationStats(operation=op, cases=0 if op in skipped or op in outside else 5,
                       skipped_reason="not in this shard" if op in outside else None,
                       new_5xx_where_old_ok=1 if op in five else 0)
        for op in operations
    ]
    mismatch_groups = [MismatchGroup(operation=op, signature=sig, kind="status", count=2) for op, sig in groups]
    mismatch_groups += [MismatchGroup(operation=op, signature=sig, kind="body", count=1, waived_by="accepted")
                        for op, sig in waived_groups]
    changes = []
    for op, rule in breaking:
        method, _, path = op.partition(" ")
        changes.append(Change(rule_id=rule, severity="breaking", message=f"{rule} on {op or 'the document'}",
                              method=method, path=path))
    issues = [ConformanceIssue(side="new-vs-old-spec", operation=op, check="status_code_conformance", message="x", count=3)
              for op in conformance]
    result = Report(
        command=command,
        old=SideInfo(ref="old.py:app", framework="flask", interface="wsgi"),
        new=SideInfo(ref=new_ref, framework="fastapi", interface="asgi"),
        diff=DiffResult(changes=changes) if command == "check" else None,
        fuzz=FuzzResult(seed=1, cases=5 * len(stats), operations_total=len(stats), groups=mismatch_groups,
                        conformance=issues, operations=stats) if fuzz else None,
        tool_version="0.test",
        generated_at=generated_at,
        shard=shard,
        complete=shard is None,
    )
    result.verdict = Verdict(ready=not (mismatch_groups or changes or issues)) if command == "check" else None
    return result
