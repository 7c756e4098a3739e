"""Renderers: one module per format (`apiparity.report.<format>`), each exposing
``render(report: Report) -> str``. They read the report model only, never the engine.

The formats are found, not listed: every module of this package that defines a top-level
`render(` is the renderer of the format named after it (`json_format` is `json`: a module may not
shadow the standard library's name). The scan reads the modules' source, imports none of them
(`--help` stays fast), and gives `--format` its choices and `check`/`merge` a `--<format> FILE`
option per format (text excepted: `check` prints it). Adding a format is one module and its test."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from apiparity.errors import ApiparityError

if TYPE_CHECKING:  # the format registry is read by `check --help`: the report model is imported by the renderers
    from apiparity.model import Report

_RENDERER = re.compile(r"^def render\(", re.MULTILINE)
FORMAT_SUFFIX = "_format"  # json_format.py renders `json`
PRINTED_FORMAT = "text"  # what check prints: no `--text FILE`


def discover_formats() -> dict[str, str]:
    """format name -> module, `text` first then by name: each public module of this package whose
    source defines a top-level `render(` (read, not imported; a module without its source, as in a
    bytecode-only install, is imported to ask)."""
    found: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.ispkg or info.name.startswith("_"):
            continue
        module = f"{__name__}.{info.name}"
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is not None and origin.endswith(".py"):
            with open(origin, encoding="utf-8") as handle:
                renders = bool(_RENDERER.search(handle.read()))
        else:
            renders = callable(getattr(importlib.import_module(module), "render", None))
        if renders:
            found[info.name.removesuffix(FORMAT_SUFFIX)] = module
    return dict(sorted(found.items(), key=lambda item: (item[0] != PRINTED_FORMAT, item[0])))


# format name -> module; `--format` choices and the report file options are derived from it, so a
# format cannot be declared without a renderer, nor a renderer added without becoming a format.
FORMATS: dict[str, str] = discover_formats()


def file_formats() -> tuple[str, ...]:
    """The formats `check` and `merge` write to a file of their own (`--<format> FILE`, config
    `[reports] <format> = FILE`): every format but the one check prints."""
    return tuple(name for name in FORMATS if name != PRINTED_FORMAT)


def available_formats() -> list[str]:
    import importlib.util

    return [name for name, module in FORMATS.items() if importlib.util.find_spec(module) is not None]


def render(report: Report, fmt: str) -> str:
    """Render `report` in `fmt`, after the running command's redaction policy (`apiparity.redact`)
    has been applied to every string of it: no format can show what another one hides."""
    if fmt not in FORMATS:
        raise ApiparityError(f"unknown format {fmt!r}; choose one of {', '.join(available_formats())}")
    from apiparity.redact import current
    from apiparity.report.sanitize import representable

    module = importlib.import_module(FORMATS[fmt])
    text = module.render(representable(current().report(report)))
    if fmt in _READ_AS_TEXT:
        from apiparity.report.sanitize import terminal_safe

        text = terminal_safe(text)  # no ESC/OSC/CR from a document or an answer reaches a terminal, a CI log or a page
    return text


# formats read in a terminal, a CI log or a browser as they are (the text renderer escapes on its own,
# keeping its colours; JSON, YAML, JUnit and SARIF escape control characters by their syntax)
_READ_AS_TEXT = frozenset({"markdown", "github", "html"})


def write_atomic(path: str | Path, text: str) -> None:
    """Write a report so that it is either complete or not there: temp file in the same folder, then
    rename. `-` is stdout; a path that exists and is not a regular file (a device such as
    /dev/stdout, a FIFO, a symlink to /proc/self/fd/1) is written through, never replaced by a file;
    a path under a file is bad input (ApiparityError, exit 2)."""
    import stat

    if str(path) == "-":
        import sys

        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        mode = target.stat().st_mode  # follows symlinks: what the path ends at
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        raise ApiparityError(f"{path}: cannot write the report: a parent of it is a file, not a folder") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ApiparityError(f"{path}: cannot write the report: it is a directory")
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise ApiparityError(f"{path}: cannot write the report: a parent of it is a file, not a folder") from None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp creates 0600; a report is meant to be shared, so give it the usual umask mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
