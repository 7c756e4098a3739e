"""Optional dependencies: which extra a command needs, and the one-line error when it is missing.

The core install carries only what apiparity itself imports; `load` (Locust, gevent) and `shadow`
(uvicorn) are extras, so that `pip install apiparity` resolves next to old Flask and pydantic 1 apps.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from apiparity.errors import ApiparityError


@dataclass(frozen=True, slots=True)
class Extra:
    name: str
    modules: tuple[str, ...]
    purpose: str


EXTRAS: dict[str, Extra] = {
    "load": Extra("load", ("locust", "gevent"), "load runs (Locust, gevent)"),
    "shadow": Extra("shadow", ("uvicorn",), "the shadow proxy's server (uvicorn)"),
}


class MissingExtraError(ApiparityError):
    """A command needs an optional dependency that is not installed. Exit code 2."""


def missing_modules(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here, found without importing them (importing
    Locust would monkey-patch this process with gevent)."""
    missing: list[str] = []
    for module in EXTRAS[extra].modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # ValueError: sys.modules[module] is None (import blocked)
            found = False
        if not found:
            missing.append(module)
    return missing


def require_extra(extra: str, *, command: str) -> None:
    """MissingExtraError naming the extra to install when one of its modules is missing."""
    missing = missing_modules(extra)
    if missing:
        spec = EXTRAS[extra]
        raise MissingExtraError(
            f"{command} needs {spec.purpose}, not installed here (no module {', '.join(repr(m) for m in missing)}): "
            f"pip install 'apiparity[{extra}]'"
        )
