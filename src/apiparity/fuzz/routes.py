"""Whether a side routes a request at all: its document declares a path template the request's path
matches (and the method on it), or the side answered something other than its router's not-found.

A 404 or 405 from a side whose document has no such path (or no such method on it) is the router's
answer, not a handler's: the route was removed, moved or never ported. Labels and tiers that claim
a handler's (or a framework's) behaviour on the route ask this first (`apiparity.fuzz.divergences`:
a Flask 415 vs a FastAPI 404 for a path NEW does not have is no content-type difference;
`apiparity.fuzz.tiers`: NEW's 404 for a removed path is no deliberate fix of OLD's crash).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from apiparity.spec.contract import Contract

NOT_FOUND_STATUSES = frozenset({404, 405})  # what a router answers for a path or method it does not route


@dataclass(slots=True, frozen=True)
class RouteTable:
    """The path templates of one document, each with the methods it declares."""

    templates: tuple[tuple[re.Pattern[str], frozenset[str]], ...]

    @classmethod
    def of(cls, contract: Contract) -> RouteTable:
        found = _TABLES.get(id(contract))
        if found is not None and found[0] is contract:
            return found[1]
        table = cls(tuple((_compile(path), contract.path_methods(path)) for path in contract.paths()))
        if len(_TABLES) >= _MAX_TABLES:
            _TABLES.pop(next(iter(_TABLES)))
        _TABLES[id(contract)] = (contract, table)
        return table

    def methods(self, path: str) -> frozenset[str] | None:
        """The methods declared on the templates `path` matches; None when none matches."""
        decoded = unquote(path)
        found = [methods for pattern, methods in self.templates if pattern.match(decoded) or pattern.match(path)]
        return frozenset().union(*found) if found else None

    def routes(self, method: str, path: str) -> bool:
        """The document declares `method` on a template `path` matches."""
        return method.upper() in (self.methods(path) or frozenset())


_TABLES: dict[int, tuple[Contract, RouteTable]] = {}  # id(contract) -> (the contract, kept alive; its table)
_MAX_TABLES = 8


def _compile(template: str) -> re.Pattern[str]:
    regex = "".join("[^/]+" if piece.startswith("{") and piece.endswith("}") else re.escape(piece)
                    for piece in re.split(r"(\{[^}/]+\})", template))
    return re.compile(f"^{regex}$")


def declared(contract: Contract | None, method: str, path: str) -> bool | None:
    """`contract` declares `method` on a template `path` matches; None when there is no document
    to ask (or it declares no path at all)."""
    if contract is None or not contract.paths():
        return None
    return RouteTable.of(contract).routes(method, path)


def path_declared(contract: Contract | None, path: str) -> bool | None:
    """`contract` declares a template `path` matches (any method); None when there is no document."""
    if contract is None or not contract.paths():
        return None
    return RouteTable.of(contract).methods(path) is not None


def router_not_found(status: int, contract: Contract | None, method: str, path: str) -> bool:
    """A side's 404/405 came from its router: its document (`contract`) does not declare the method
    on the path. False for any other status, and when there is no document to tell by."""
    return status in NOT_FOUND_STATUSES and declared(contract, method, path) is False


def routes(status: int, contract: Contract | None, method: str, path: str) -> bool:
    """The side routes the request: it answered something other than 404/405, or its document
    declares the method on the path (a handler's own 404 for a missing record). False when it
    answered 404/405 and there is no document to tell a handler's not-found from the router's."""
    return status not in NOT_FOUND_STATUSES or bool(declared(contract, method, path))
