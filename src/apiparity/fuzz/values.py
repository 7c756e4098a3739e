"""Learning from answers (RESTler's dynamic feedback): a pool of the identifiers, keys and values
OLD has answered, so later requests name records that exist.

Blind path parameters almost never hit one of the few records an app is seeded with: `GET
/books/{book_id}` draws 7310 and both sides answer 404. The pool remembers every scalar OLD
answered with success (top level, nested in envelopes, in arrays of objects, in a `Location`
header), under its property name and the collection path it came from: a run starts by reading
each collection OLD lists (every shard reads all of them), so seeded records are known before the
first `{id}` is filled, and the pool stays as read then (shards send the cases of one run).

Filling: a path parameter takes values of a property of its own name (`book_id`, `slug`, `sku`),
else the `id` of objects answered under its collection (`/books`, `/authors/{author_id}/books`);
a query parameter takes values of a property of its own name. `POOL_SHARE` of an operation's
positive cases (at least one, at most `MAX_POOLED_CASES`) are sent again with pooled values,
drawn deterministically from the run's seed; the rest stay as generated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

POOL_SHARE = 0.5  # pooled cases per positive generated case of an operation
MAX_POOLED_CASES = 8
MAX_VALUES_PER_KEY = 50
MAX_DEPTH = 6


@dataclass(slots=True)
class ValuePool:
    """Scalars OLD answered, by property name and by the collection path of the answer."""

    by_name: dict[str, list[Any]] = field(default_factory=dict)  # property name -> values, first seen first
    ids_by_collection: dict[str, list[Any]] = field(default_factory=dict)  # "/books" -> values of `id` under it
    learned: int = 0  # answers learned from

    def learn(self, operation_path: str, body: Any, location: str | None = None) -> None:
        """Remember the scalars of one successful JSON answer of the operation on `operation_path`
        (and the last segment of its Location header, as the `id` of that collection)."""
        self.learned += 1
        collection = collection_of(operation_path)
        for name, value in _scalars(body):
            self._add(self.by_name, name, value)
            if name == "id":
                self._add(self.ids_by_collection, collection, value)
        if location:
            path = urlsplit(location).path.rstrip("/")
            parent, _, last = path.rpartition("/")
            if last:
                self._add(self.ids_by_collection, collection_of(parent + "/{id}") if parent else collection, _number(last))

    @staticmethod
    def _add(table: dict[str, list[Any]], key: str, value: Any) -> None:
        values = table.setdefault(key, [])
        if value not in values and len(values) < MAX_VALUES_PER_KEY:
            values.append(value)

    def path_values(self, operation_path: str, name: str) -> list[Any]:
        """Candidates for path parameter `name` of `operation_path`: its own name's values, else
        the ids answered under its collection."""
        own = self.by_name.get(name, [])
        if own:
            return own
        collection = collection_of(_upto(operation_path, name))
        return self.ids_by_collection.get(collection, [])

    def query_values(self, name: str) -> list[Any]:
        return self.by_name.get(name, [])

    def __bool__(self) -> bool:
        return bool(self.by_name or self.ids_by_collection)


def collection_of(path: str) -> str:
    """The collection an operation path's answer belongs to: `/authors/{author_id}/books/{book_id}`
    and `/authors/{author_id}/books` -> `/authors/{}/books` (parameters unnamed, so a sibling path
    naming them otherwise is the same collection)."""
    parts = [p for p in path.strip("/").split("/") if p]
    if parts and parts[-1].startswith("{"):
        parts = parts[:-1]
    return "/" + "/".join("{}" if p.startswith("{") else p for p in parts)


def _upto(path: str, name: str) -> str:
    """`/authors/{author_id}/books/{book_id}`, "author_id" -> `/authors/{author_id}`."""
    parts = path.split("/")
    for index, part in enumerate(parts):
        if part == "{" + name + "}":
            return "/".join(parts[: index + 1])
    return path


def _scalars(body: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(property name, value) of every string or integer under an object key, at any depth."""
    if depth > MAX_DEPTH:
        return
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, (dict, list)):
                yield from _scalars(value, depth + 1)
            elif isinstance(value, (str, int)) and not isinstance(value, bool) and value != "" and len(str(value)) <= 200:
                yield str(key), value
    elif isinstance(body, list):
        for item in body[:MAX_VALUES_PER_KEY]:
            yield from _scalars(item, depth + 1)


def _number(text: str) -> Any:
    return int(text) if text.isdigit() else text


def pooled_count(positive_cases: int) -> int:
    """How many pooled cases an operation with this many positive generated cases gets."""
    if positive_cases <= 0:
        return 0
    return max(1, min(MAX_POOLED_CASES, round(positive_cases * POOL_SHARE)))


def draw(values: list[Any], rng: random.Random) -> Any:
    return values[rng.randrange(len(values))]


def pooled_cases(operation: Any, cases: list[Any], pool: ValuePool, *, seed: int, label: str) -> list[Any]:
    """Pooled copies of the first positive cases of `operation` (a schemathesis APIOperation):
    every path parameter the pool knows values for, and each query parameter the pool knows
    (always when the case already sends it, else every other time), set to a pooled value of the
    parameter's type. Deterministic for (seed, label)."""
    from apiparity.fuzz.generate import GeneratedCase, operation_seed, schema_contract, to_wire
    from apiparity.fuzz.probes.base import schema_types
    from apiparity.fuzz.stateful import bind

    if not pool:
        return []
    contract = schema_contract(operation.schema)
    spec = contract.operation(operation.method, operation.path)
    candidates: dict[tuple[str, str], list[Any]] = {}
    for parameter in spec.parameters if spec is not None else ():
        where, name = parameter.location, parameter.name
        if where not in ("path", "query"):
            continue
        schema = parameter.schema_dict
        kinds = schema_types(schema, contract)
        found = pool.path_values(operation.path, name) if where == "path" else pool.query_values(name)
        fitting = _of_type(found, kinds, schema)
        if fitting:
            candidates[(where, name)] = fitting
    if not candidates:
        return []
    positive = [c for c in cases if c.mode == "positive" and c.case is not None]
    rng = random.Random(operation_seed(seed, f"pool:{label}"))
    made: list[Any] = []
    for case in positive[: pooled_count(len(positive))]:
        sent = dict(case.case.query or {})
        values: dict[str, tuple[str, Any]] = {}
        for (where, name), fitting in candidates.items():
            if where == "path" or name in sent or rng.random() < 0.5:
                values[name] = (where, draw(fitting, rng))
        if not values:
            continue
        try:
            bound = bind(case.case, values)
            made.append(GeneratedCase(to_wire(bound, label), "pool", "positive", bound))
        except Exception:  # noqa: BLE001 - a value schemathesis cannot serialize is left out
            continue
    return made


def _of_type(values: list[Any], kinds: set[str], schema: dict[str, Any]) -> list[Any]:
    """The pooled values a parameter of these JSON types accepts (integers for an integer, text for
    a string), within its enum when it has one."""
    fitting: list[Any] = []
    for value in values:
        if kinds == {"integer"} or kinds == {"integer", "number"}:
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                fitting.append(int(value))
        elif "string" in kinds or not kinds:
            fitting.append(str(value))
    enum = schema.get("enum")
    if isinstance(enum, list):
        fitting = [v for v in fitting if v in enum]
    return list(dict.fromkeys(fitting))
