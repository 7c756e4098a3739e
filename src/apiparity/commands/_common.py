"""Options and helpers shared by the commands (kept import-light: click only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

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


def load_side(ref: str, *, app_dir: str | None, spec_path: str | None, load_timeout: float) -> Any:
    """Load one target (imports the loader lazily)."""
    from apiparity.targets import load_target

    return load_target(ref, app_dir=app_dir, spec_path=spec_path, timeout=load_timeout)


def echo_target_notes(*targets: Any, spec: str | None = None) -> None:
    """`note:` lines on stderr: a converted Swagger document, an inferred skeleton, the contract
    used, and (given the run's `spec` setting) which documents the cases come from when `auto` chose."""
    for target in targets:
        for note in target.notes:
            click.echo(f"note: {note}" if "the contract" in note else f"note: {target.ref}: {note}", err=True)
    if spec is not None and len(targets) == 2:
        from apiparity.fuzz.settings import resolve_spec_source

        _, why = resolve_spec_source(spec, *targets)
        if why:
            click.echo(f"note: {why}", err=True)


def side_info(target: Any, validation_errors: list[str] | None = None) -> Any:
    """The report model's SideInfo for a loaded target."""
    from apiparity.model import SideInfo

    info = target.document.get("info") or {}
    return SideInfo(
        ref=target.ref,
        framework=target.framework,
        interface=target.interface,
        inferred=target.inferred,
        title=info.get("title") if isinstance(info, dict) else None,
        version=str(info.get("version")) if isinstance(info, dict) and info.get("version") is not None else None,
        operations=count_operations(target.document),
        validation_errors=validation_errors or [],
    )




def count_operations(document: dict[str, Any]) -> int:
    from apiparity.spec.normalize import HTTP_METHODS

    paths = document.get("paths") or {}
    if not isinstance(paths, dict):
        return 0
    return sum(1 for item in paths.values() if isinstance(item, dict) for key in item if key in HTTP_METHODS)
