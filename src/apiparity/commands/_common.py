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


def document_problems(target: Any, *, allow_remote_refs: bool = False) -> list[str]:
    """The validation problems of a side's document. With --allow-remote-refs, its external refs
    are first read under the one loading policy the diff and the fuzz use (`bundle_external_refs`:
    URLs allowed, `file:` and files outside its folder never), so the validator fetches nothing itself."""
    from apiparity.spec.validate import validate_document

    document = target.document
    source = target.source_path if getattr(target, "source_path", None) is not None and target.kind == "file" else None
    if allow_remote_refs:
        from apiparity.spec.refs import bundle_external_refs

        document = bundle_external_refs(document, base_dir=source.parent if source else None, allow_remote=True,
                                        label=str(target.ref))
    # a spec file's own folder: refs to files beside it are read (as `spec` reads them), nothing else
    return [str(p) for p in validate_document(document, base_path=source)]


def warn_invalid_documents(*sides: tuple[str, Any, list[str]]) -> None:
    """One `warning:` line on stderr per side whose document is not valid OpenAPI (label, target,
    problems): the diff still runs, and the report lists the problems, as `check` shows them."""
    for label, target, problems in sides:
        if problems:
            click.echo(f"warning: {label} {target.ref}: not a valid OpenAPI document ({len(problems)} problem(s); first: "
                       f"{problems[0]}); `apiparity spec {target.ref}` lists them", err=True)


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
        # an inferred skeleton's info.version is a placeholder, not the service's version
        version=str(info.get("version")) if isinstance(info, dict) and info.get("version") is not None and not target.inferred else None,
        operations=count_operations(target.document),
        validation_errors=validation_errors or [],
    )




def count_operations(document: dict[str, Any]) -> int:
    from apiparity.spec.methods import HTTP_METHODS

    paths = document.get("paths") or {}
    if not isinstance(paths, dict):
        return 0
    return sum(1 for item in paths.values() if isinstance(item, dict) for key in item if key in HTTP_METHODS)


def transport_errors_note(result: Any) -> str:
    """', transport errors on NEW n, on OLD m' when a side gave no answer to some request, else ''."""
    new = sum(o.new_transport_errors for o in result.operations)
    old = sum(o.old_transport_errors for o in result.operations)
    return f", transport errors on NEW {new}, on OLD {old}" if new or old else ""
