"""Probes: requests beyond the contract, each a registered unit (like schemathesis' checks).

`PROBES` is the registry, in the order the runner sends them. It is found, not listed: every
module of this package is imported and every `Probe` subclass it defines with a `name` is
registered, in definition order, the framework probes first, then the value-semantics ones, then
each other module in name order. Adding a probe is one module here with its `Probe` subclass (and
its test); `apiparity probes` lists them, `--probes A,B` chooses, `--no-probe NAME` (or the
config's `probes` / `no_probe`) leaves one out.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TypeVar

from apiparity.errors import ConfigError
from apiparity.fuzz.probes.base import Probe, ProbeAnswers, ProbeOperation, ProbePool, ProbeRequest

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


FIRST_MODULES = ("framework", "semantics")  # their probes run first, as before discovery


def probe_modules() -> list[str]:
    """The package's modules that may define probes, in the order their probes run: FIRST_MODULES,
    then every other public module in name order (`base` defines the API, no probe)."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_") and info.name != "base")
    return [name for name in FIRST_MODULES if name in names] + [name for name in names if name not in FIRST_MODULES]


def _discover() -> None:
    for module_name in probe_modules():
        module = importlib.import_module(f"{__name__}.{module_name}")
        for value in list(vars(module).values()):  # definition order
            # a class defined here that names itself (a subclass inheriting its parent's name is no new probe)
            if isinstance(value, type) and issubclass(value, Probe) and value.__module__ == module.__name__ and vars(value).get("name"):
                register(value)


_discover()


def select_probes(chosen: tuple[str, ...] | None, disabled: tuple[str, ...] = ()) -> list[Probe]:
    """The probes a run sends: `chosen` (None: every registered one) minus `disabled`, in registry
    order. ConfigError naming an unknown probe."""
    for name in (*(chosen or ()), *disabled):
        if name not in PROBES:
            raise ConfigError(f"unknown probe {name!r}; `apiparity probes` lists them: {', '.join(PROBES)}")
    wanted = set(PROBES) if chosen is None else set(chosen)
    return [probe for name, probe in PROBES.items() if name in wanted and name not in disabled]
