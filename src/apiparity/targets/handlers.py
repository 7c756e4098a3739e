"""Where each operation of an app target is handled: its view function's file and line.

Flask (and flask-openapi3) keep views in `app.view_functions` keyed by the url_map rule's
endpoint; FastAPI/Starlette keep them as `route.endpoint` on `app.routes` (mounted sub-apps
included). `inspect` gives the source file and first line of the (unwrapped) function. Paths are
stored relative to the source root (the git work tree holding the current folder, else the
current folder), the way SARIF `%SRCROOT%` and GitHub annotations want them.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from apiparity.model_sections import HandlerPlace, HandlersSection

_FLASK_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_TEMPLATE_VARIABLE = re.compile(r"\{[^{}]*\}")
_SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(slots=True, frozen=True)
class HandlerLocation:
    """The function that answers one operation."""

    file: str  # relative to the source root (posix) when under it, else absolute
    line: int
    function: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "function": self.function}


@lru_cache(maxsize=1)
def _git_toplevel(cwd: str) -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    top = done.stdout.strip()
    return top if done.returncode == 0 and top else None


def source_root() -> Path:
    """The folder repository-relative paths start from: `$APIPARITY_SOURCE_ROOT`, the git work tree
    holding the current folder, else the current folder."""
    override = os.environ.get("APIPARITY_SOURCE_ROOT")
    if override:
        return Path(override).resolve()
    cwd = os.getcwd()
    top = _git_toplevel(cwd)
    return Path(top).resolve() if top else Path(cwd).resolve()


def repo_path(path: str | os.PathLike[str], root: Path | None = None) -> str:
    """`path` relative to the source root (posix) when it is under it, else the absolute path."""
    root = root or source_root()
    absolute = Path(path)
    if not absolute.is_absolute():
        absolute = Path.cwd() / absolute
    absolute = absolute.resolve()
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def operation_key(method: str, path: str) -> str:
    """'GET /books/{book_id}' -> 'GET /books/{}': parameter names differ between frameworks."""
    return f"{method.upper()} {_TEMPLATE_VARIABLE.sub('{}', path.rstrip('/') or '/')}"


def handler_locations(app: Any, *, root: Path | None = None) -> dict[str, HandlerLocation]:
    """operation key ('GET /books/{}') -> where its handler is defined; empty when the app is neither
    Flask nor Starlette/FastAPI, or no source is available (built-ins, compiled code)."""
    if app is None:
        return {}
    root = root or source_root()
    routes: list[tuple[str, str, Any]] = []
    if hasattr(app, "url_map") and hasattr(app, "view_functions"):
        routes = list(_flask_routes(app))
    elif hasattr(app, "routes"):
        routes = list(_starlette_routes(app.routes, ""))
    found: dict[str, HandlerLocation] = {}
    for method, path, function in routes:
        location = _locate(function, root)
        if location is not None:
            found.setdefault(operation_key(method, path), location)
    return found


def _flask_routes(app: Any) -> Any:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions.get(rule.endpoint)
        if view is None:
            continue
        template = _FLASK_VARIABLE.sub(r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - _SKIPPED_METHODS):
            # a class-based view (MethodView) answers each method with its own method
            view_class = getattr(view, "view_class", None)
            handler = getattr(view_class, method.lower(), None) if view_class is not None else None
            yield method, template, handler or view


def _starlette_routes(routes: Any, prefix: str) -> Any:
    for route in routes:
        endpoint = getattr(route, "endpoint", None)
        path = getattr(route, "path", None)
        methods = getattr(route, "methods", None)
        if endpoint is not None and isinstance(path, str) and methods:
            for method in sorted(set(methods) - _SKIPPED_METHODS):
                yield method, prefix + path, endpoint
            continue
        sub_routes = getattr(route, "routes", None)  # Mount / Router
        if isinstance(path, str) and sub_routes:
            yield from _starlette_routes(sub_routes, prefix + path)


def _locate(function: Any, root: Path) -> HandlerLocation | None:
    try:
        target = inspect.unwrap(function)
    except ValueError:
        target = function
    if inspect.ismethod(target):
        target = target.__func__
    if not (inspect.isfunction(target) or inspect.isclass(target)):
        call = type(target).__dict__.get("__call__")  # an instance of a class with __call__
        if call is None or not inspect.isfunction(call):
            return None
        target = call
    try:
        source = inspect.getsourcefile(target)
        _, line = inspect.getsourcelines(target)
    except (OSError, TypeError):
        return None
    if not source or _is_library(source):
        return None
    # getsourcelines counts decorators in; start at the decorator line like tracebacks' "def" is fine either way
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", "handler")
    return HandlerLocation(file=repo_path(source, root), line=max(int(line), 1), function=str(name))


def _is_library(source: str) -> bool:
    """Framework and library code (site-packages, the standard library) is not where a fix goes."""
    parts = Path(source).parts
    if "site-packages" in parts or "dist-packages" in parts:
        return True
    import sysconfig

    stdlib = sysconfig.get_paths().get("stdlib")
    return stdlib is not None and Path(source).resolve().is_relative_to(Path(stdlib).resolve())


def handlers_section(old: Any, new: Any) -> HandlersSection | None:
    """`report.handlers`: the source root, and per side that is an app {key: location} and the app's
    main file; None when neither side is an app."""
    root = source_root()
    section = HandlersSection(root=root.as_posix())
    for side, target in (("old", old), ("new", new)):
        app = getattr(target, "app", None)
        if app is None:
            continue
        try:
            locations = handler_locations(app, root=root)
        except Exception:  # noqa: BLE001 - locating handlers is a convenience; never fail a run for it
            locations = {}
        places = {key: HandlerPlace(file=loc.file, line=loc.line, function=loc.function) for key, loc in sorted(locations.items())}
        app = None
        if locations:
            # where a finding about the app as a whole (a document-level change) is shown: the file
            # most of its handlers live in
            files = [location.file for location in locations.values()]
            app = HandlerPlace(file=max(set(files), key=lambda f: (files.count(f), f)), line=1, function="")
        if side == "old":
            section.old, section.old_app = places, app
        else:
            section.new, section.new_app = places, app
    return section if section.old is not None or section.new is not None else None


def attach_handlers(report: Any, old: Any, new: Any) -> None:
    """Put `handlers_section` into `report.handlers` when a side is an app."""
    section = handlers_section(old, new)
    if section is not None:
        report.handlers = section
