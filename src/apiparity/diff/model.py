"""What the describer emits: raw differences, not yet judged by severity nor filtered for noise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class SchemaDiff:
    """A difference inside one schema pair, relative to the compared root (memoizable)."""

    kind: str  # e.g. "max-length-decreased"; annotation kinds start with "schema-"
    rel: tuple[str, ...]  # property path from the compared root, "[]" for array items
    old_pointer: str | None
    new_pointer: str | None
    old_value: Any = None
    new_value: Any = None
    name: str = ""  # property name for property-level kinds
    # The normalized schema pair where the difference was found (references, never copies): what
    # the witness search compares. `rel` is the path from the compared root to this pair.
    old_schema: Any = None
    new_schema: Any = None


@dataclass(slots=True)
class RawDiff:
    """A difference located in an operation (or the document), carrying its candidate rule ID."""

    rule_id: str
    method: str
    path: str
    direction: str
    old_pointer: str | None = None
    new_pointer: str | None = None
    old_value: Any = None
    new_value: Any = None
    where: str = ""  # human location, e.g. "request body `items[].price`"
    name: str = ""
    status: str = ""
    detail: str = ""
    kind: str = ""  # schema kind (without the location prefix), or "" for non-schema rules
    location: str = ""  # request-body, request-query-parameter, response-body, ... or ""
    old_schema: Any = None  # the schema pair of a schema kind (see SchemaDiff)
    new_schema: Any = None
    rel: str = ""  # the pair's path inside the compared root, e.g. `items[].price`
    # the compared root's pair, when the pair above sits in a branch of a combinator (`anyOf[0].n`):
    # a witness of the branch must hold for the whole schema (another branch may accept it);
    # `root_path` is the pair's path from that root (SchemaDiff.rel)
    root_old_schema: Any = None
    root_new_schema: Any = None
    root_path: tuple[str, ...] = ()
