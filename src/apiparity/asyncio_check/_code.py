"""Which code is the user's: shared by the static scan and the runtime watchdog.

User code is what lives under the app's own folders (by default the package root of every route
endpoint's module), minus the standard library, installed packages and apiparity itself (a
virtualenv inside the project folder must not count as the user's code)."""

from __future__ import annotations

import functools
import inspect
import os
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["default_roots", "in_library", "under_roots", "endpoint_routes"]

_LIBRARY_DIRS = tuple(
    sorted(
        {
            os.path.realpath(p)
            for key in ("stdlib", "platstdlib", "purelib", "platlib")
            if (p := sysconfig.get_paths().get(key))
        }
        | {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), str(Path(__file__).resolve().parents[1])}
    )
)


@functools.lru_cache(maxsize=4096)
def in_library(filename: str) -> bool:
    """True for the standard library, installed packages, apiparity itself and code without a file."""
    if not filename or filename.startswith("<"):
        return True
    real = os.path.realpath(filename)
    parts = Path(real).parts
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    return any(real == lib or real.startswith(lib + os.sep) for lib in _LIBRARY_DIRS)


def under_roots(filename: str, roots: Iterable[str | Path]) -> bool:
    """True when `filename` is user code under one of `roots`."""
    if in_library(filename):
        return False
    real = os.path.realpath(filename)
    return any(real.startswith(os.path.realpath(root) + os.sep) for root in roots)


def endpoint_routes(app: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(path template, route) of every route with an endpoint, mounted sub-applications included.

    The template is the one the OpenAPI document uses (`path_format`: no `:path` converters)."""
    found: list[tuple[str, Any]] = []
    for route in getattr(app, "routes", None) or []:
        path: str = getattr(route, "path_format", None) or getattr(route, "path", None) or ""
        if getattr(route, "endpoint", None) is not None:
            found.append((prefix + path, route))
        elif getattr(route, "routes", None):
            found.extend(endpoint_routes(route, prefix + path))
    return found


def default_roots(routes: Iterable[Any]) -> list[Path]:
    """The package root folder of every route endpoint's module, outside libraries."""
    roots: set[Path] = set()
    for route in routes:
        endpoint = getattr(route, "endpoint", None)
        if endpoint is None:
            continue
        try:
            endpoint = inspect.unwrap(endpoint)
        except ValueError:
            continue
        code = getattr(endpoint, "__code__", None)
        if code is None or in_library(code.co_filename):
            continue
        folder = Path(code.co_filename).resolve().parent
        while (folder / "__init__.py").is_file() and (folder.parent / "__init__.py").is_file():
            folder = folder.parent  # the top of the package the endpoint lives in
        roots.add(folder)
    return sorted(roots)
