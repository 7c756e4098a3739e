"""Options and helpers shared by the commands (kept import-light: click only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from apiparity.target_info import count_operations, document_problems, side_info  # re-exported for the commands

__all__ = ["count_operations", "document_problems", "side_info"]

F = TypeVar("F", bound=Callable[..., Any])


def target_options(func: F) -> F:
    """--app-dir, --spec-path, --load-timeout: how targets are found and loaded."""
    options = [
        click.option(
            "--app-dir",
            type=click.Path(file_okay=False),
            default=None,
            help="Folder to import module:app targets from (like uvicorn --app-dir). Default: current folder.",
        ),
        click.option(
            "--spec-path",
            default=None,
            metavar="PATH",
            help="Where an ASGI/WSGI app or a service serves its document, e.g. /openapi.json.",
        ),
        click.option(
            "--load-timeout",
            type=float,
            default=10.0,
            show_default=True,
            help="Seconds to wait for a URL target's document.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load_side(ref: str, *, app_dir: str | None, spec_path: str | None, load_timeout: float, share_equal: bool = False) -> Any:
    """Load one target (imports the loader lazily); `share_equal`: see `load_target`."""
    from apiparity.targets import load_target

    return load_target(ref, app_dir=app_dir, spec_path=spec_path, timeout=load_timeout, share_equal=share_equal)


def echo_isolation_notes(fuzz: Any) -> None:
    """`note:` lines on stderr for how each side's state was kept apart: a module-level reset()
    picked up automatically (so the user knows it runs, and how to turn it off), and the isolation
    of each side (`fuzz` and `check` alike)."""
    settings = getattr(fuzz, "settings", None)
    if not isinstance(settings, dict):
        return
    for side, ref in sorted((settings.get("auto_reset") or {}).items()):
        click.echo(f"note: calling {ref} before every call to {side.upper()} (pass --reset, or --no-auto-reset)", err=True)
    for side, isolation in sorted((settings.get("isolation") or {}).items()):
        click.echo(f"note: {side.upper()} isolation: {isolation}", err=True)


def echo_target_notes(*targets: Any, spec: str | None = None) -> None:
    """`note:` lines on stderr for loaded targets (`apiparity.pipeline.target_notes`)."""
    from apiparity.pipeline import target_notes

    for note in target_notes(*targets, spec=spec):
        click.echo(note, err=True)


def warn_invalid_documents(*sides: tuple[str, Any, list[str]]) -> None:
    """One `warning:` line on stderr per side whose document is not valid OpenAPI (label, target,
    problems): the diff still runs, and the report lists the problems, as `check` shows them."""
    for label, target, problems in sides:
        if problems:
            click.echo(f"warning: {label} {target.ref}: not a valid OpenAPI document ({len(problems)} problem(s); first: "
                       f"{problems[0]}); `apiparity spec {target.ref}` lists them", err=True)


def transport_errors_note(result: Any) -> str:
    """', transport errors on NEW n, on OLD m' when a side gave no answer to some request, else ''."""
    new = sum(o.new_transport_errors for o in result.operations)
    old = sum(o.old_transport_errors for o in result.operations)
    unsendable = sum(o.unsendable for o in result.operations)
    return (f", transport errors on NEW {new}, on OLD {old}" if new or old else "") + (f", {unsendable} case(s) not sendable" if unsendable else "")
