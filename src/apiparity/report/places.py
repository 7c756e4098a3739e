"""Where in the user's code each finding belongs, for SARIF results and GitHub annotations.

Spec files: the line a change's JSON pointer starts on. App targets: the handler of the operation
(`report.handlers`, filled by `apiparity.targets.handlers` when the run loads apps),
NEW's for what NEW must fix, OLD's for what only OLD has. Paths are relative to the source root
(`%SRCROOT%`) when under it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from apiparity.model import Change, ConformanceIssue, MismatchGroup, Report
from apiparity.report.locate import pointer_line
from apiparity.report.view import change_operation

@dataclass(slots=True, frozen=True)
class Place:
    file: str  # relative to the source root (posix) when under it, else absolute
    line: int | None = None
    function: str | None = None

    @property
    def relative(self) -> bool:
        return not os.path.isabs(self.file)


def source_root(report: Report) -> Path:
    if report.handlers is not None and report.handlers.root:
        return Path(report.handlers.root)
    from apiparity.targets.handlers import source_root as current_root

    return current_root()


def _relative(report: Report, file: str) -> str:
    from apiparity.targets.handlers import repo_path

    return repo_path(file, source_root(report))


def handler_place(report: Report, side: str, operation: str) -> Place | None:
    """The handler of `operation` ("GET /books/{id}") on `side` ("old"/"new"), or None."""
    from apiparity.targets.handlers import operation_key

    if report.handlers is None:
        return None
    handlers = report.handlers.side(side)
    method, _, path = operation.partition(" ")
    if method and path:
        found = handlers.get(operation_key(method, path))
        if found is not None and found.file:
            return Place(found.file, found.line, found.function or None)
    return None


def app_place(report: Report, side: str) -> Place | None:
    found = report.handlers.app(side) if report.handlers is not None else None
    if found is not None and found.file:
        return Place(found.file, found.line)
    return None


def change_place(report: Report, change: Change) -> Place | None:
    """A spec change: its line in the spec file, else the handler (NEW's; OLD's for a removal)."""
    sides = ["new", "old"] if change.new_pointer is not None else ["old", "new"]
    for side in sides:
        source = report.new_source_file if side == "new" else report.old_source_file
        pointer = change.new_pointer if side == "new" else change.old_pointer
        if source and pointer is not None:
            line = pointer_line(source, pointer)
            if line is not None:
                return Place(_relative(report, source), line)
    if change.method:
        for side in sides:
            place = handler_place(report, side, change_operation(change))
            if place is not None:
                return place
    for side in sides:
        place = app_place(report, side)
        if place is not None:
            return place
    return None


def group_place(report: Report, group: MismatchGroup) -> Place | None:
    """A mismatch group: NEW's handler (where the fix goes), else OLD's. A group filed under a method
    no handler serves (a probe's `HEAD /authors`): a handler of the same path (the GET one first, which
    Flask answers HEAD with), else NEW's app, where the routing is set up."""
    for operation in _same_path_operations(report, group.operation):
        place = handler_place(report, "new", operation) or handler_place(report, "old", operation)
        if place is not None:
            return place
    return app_place(report, "new") or app_place(report, "old")


def _same_path_operations(report: Report, operation: str) -> list[str]:
    """`operation` first, then the other methods a side's handlers serve on its path (GET first)."""
    from apiparity.spec.methods import HTTP_METHODS  # GET first
    from apiparity.targets.handlers import operation_key

    method, _, path = operation.partition(" ")
    if report.handlers is None or not path:
        return [operation]
    others = [other for other in (m.upper() for m in HTTP_METHODS) if other != method.upper()
              and any(report.handlers.side(side).get(operation_key(other, path)) is not None for side in ("new", "old"))]
    return [operation, *(f"{other} {path}" for other in others)]


def conformance_place(report: Report, issue: ConformanceIssue) -> Place | None:
    """A conformance cause: the handler of the side that answered; when that side has no such
    operation (NEW answering 405 for an operation it dropped), that side's app module."""
    side = "old" if issue.side == "old" else "new"
    return handler_place(report, side, issue.operation) or app_place(report, side)


def file_place(report: Report, file: str | None, line: int | None) -> Place | None:
    """A place an engine recorded (event-loop blocks, static findings), made source-root relative."""
    if not file:
        return None
    return Place(_relative(report, file), line)

