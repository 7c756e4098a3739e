"""Paths that moved under another prefix: the removals and additions that are one move.

A port often mounts the same routes elsewhere: Flask's `/api/v1/posts/<int:post_id>` becomes
FastAPI's `/posts/{post_id}` (a router without the version prefix, often with a trailing slash).
Each removed path is still a breaking change for a client calling OLD's URL, so the findings stay;
what this adds is the one cause behind them, so a reader fixes one mount instead of reading N
removals (and `check`'s N not-found groups).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from apiparity.diff.rules.operations import DEPRECATED_OPERATION_REMOVED, OPERATION_ADDED, OPERATION_REMOVED, PATH_ADDED, PATH_REMOVED
from apiparity.model import Change, PathMove

_REMOVED = frozenset({PATH_REMOVED, OPERATION_REMOVED, DEPRECATED_OPERATION_REMOVED})
_ADDED = frozenset({PATH_ADDED, OPERATION_ADDED})
_PARAMETER = re.compile(r"\{[^}/]*\}")
MIN_OPERATIONS = 2  # one pair of look-alike paths is a coincidence, not a mount


def _segments(path: str) -> tuple[str, ...]:
    return tuple(segment for segment in _PARAMETER.sub("{}", path).split("/") if segment)


def _prefix(segments: tuple[str, ...]) -> str:
    return "/" + "/".join(segments) if segments else ""


def _candidates(old: tuple[str, ...], new: tuple[str, ...]) -> Iterable[tuple[str, str]]:
    """(OLD prefix, NEW prefix) pairs under which `old` and `new` are the same route: a common tail
    naming at least one literal segment (`/{}` alone matches any item route), the prefixes differing."""
    for tail in range(1, min(len(old), len(new)) + 1):
        if old[-tail:] != new[-tail:]:
            break
        old_prefix, new_prefix = old[: len(old) - tail], new[: len(new) - tail]
        if old_prefix != new_prefix and any(segment != "{}" for segment in old[-tail:]):
            yield _prefix(old_prefix), _prefix(new_prefix)


def find_path_moves(changes: list[Change]) -> list[PathMove]:
    """The prefix moves that explain at least MIN_OPERATIONS removed operations, each removed
    operation counted for the move that explains most; best first."""
    removed = [(c.method, c.path) for c in changes if c.rule_id in _REMOVED]
    added = [(c.method, c.path) for c in changes if c.rule_id in _ADDED]
    if len(removed) < MIN_OPERATIONS or not added:
        return []
    added_by_method: dict[str, list[str]] = {}
    for method, path in added:
        added_by_method.setdefault(method, []).append(path)
    explained: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for method, old_path in removed:
        for new_path in added_by_method.get(method, ()):
            for move in set(_candidates(_segments(old_path), _segments(new_path))):
                explained.setdefault(move, []).append((method, old_path, new_path))
    moves: list[PathMove] = []
    taken: set[tuple[str, str]] = set()
    for (old_prefix, new_prefix), pairs in sorted(explained.items(), key=lambda item: (-len({(m, p) for m, p, _ in item[1]}), item[0])):
        fresh = {(method, old_path): new_path for method, old_path, new_path in pairs if (method, old_path) not in taken}
        if len(fresh) < MIN_OPERATIONS:
            continue
        taken.update(fresh)
        slashes = sum(new_path.endswith("/") and not old_path.endswith("/") for (_, old_path), new_path in fresh.items())
        moves.append(PathMove(old_prefix=old_prefix or "/", new_prefix=new_prefix or "/", operations=len(fresh),
                              removed=len(removed), trailing_slash_added=slashes,
                              example_old=next(iter(fresh))[1], example_new=next(iter(fresh.values()))))
    return moves
