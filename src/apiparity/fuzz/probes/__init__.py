"""Probes: requests beyond the contract, each a registered unit (like schemathesis' checks).

`PROBES` is the registry, in the order the runner sends them. Adding a probe is one `Probe`
subclass registered with `@register` (and its test); `apiparity probes` lists them, `--probes A,B`
chooses, `--no-probe NAME` (or the config's `probes` / `no_probe`) leaves one out.
"""

from __future__ import annotations

from typing import TypeVar

from apiparity.errors import ConfigError
from apiparity.fuzz.probes.base import Probe, ProbeAnswers, ProbeOperation, ProbePool, ProbeRequest
from apiparity.fuzz.probes.framework import (
    BooleanSpelling,
    Conditional,
    Head,
    IntegerPath,
    MissingCredentials,
    Options,
    ReadBack,
    RepeatedQuery,
    TrailingSlash,
    UndeclaredMethod,
)
from apiparity.fuzz.probes.semantics import FilterCase, NumericBounds, Pagination, SortOrder

__all__ = [
    "PROBES", "Probe", "ProbeAnswers", "ProbeOperation", "ProbePool", "ProbeRequest", "register", "select_probes",
]

P = TypeVar("P", bound=type[Probe])

PROBES: dict[str, Probe] = {}


def register(cls: P) -> P:
    """Add a probe class to the registry (its `name` must be new)."""
    if not cls.name or cls.name in PROBES:
        raise ValueError(f"probe {cls.__name__}: name {cls.name!r} is empty or taken")
    PROBES[cls.name] = cls()
    return cls


for _cls in (TrailingSlash, Conditional, MissingCredentials, Head, Options, UndeclaredMethod, RepeatedQuery,
             BooleanSpelling, IntegerPath, ReadBack, FilterCase, Pagination, SortOrder, NumericBounds):
    register(_cls)


def select_probes(chosen: tuple[str, ...] | None, disabled: tuple[str, ...] = ()) -> list[Probe]:
    """The probes a run sends: `chosen` (None: every registered one) minus `disabled`, in registry
    order. ConfigError naming an unknown probe."""
    for name in (*(chosen or ()), *disabled):
        if name not in PROBES:
            raise ConfigError(f"unknown probe {name!r}; `apiparity probes` lists them: {', '.join(PROBES)}")
    wanted = set(PROBES) if chosen is None else set(chosen)
    return [probe for name, probe in PROBES.items() if name in wanted and name not in disabled]
