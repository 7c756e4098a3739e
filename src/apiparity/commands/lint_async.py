"""`apiparity lint-async TARGET`: blocking calls inside the async handlers of a FastAPI app."""

from __future__ import annotations

import json
import os
from typing import Any

import click

from apiparity.commands._common import load_side, target_options


@click.command("lint-async")
@click.argument("target")
@target_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the result here instead of stdout.")
@click.option(
    "--max-depth",
    type=click.IntRange(0, 20),
    default=None,
    help="How many calls deep to follow user code from each async handler/dependency (default 4).",
)
def command(
    target: str,
    app_dir: str | None,
    spec_path: str | None,
    load_timeout: float,
    fmt: str,
    output: str | None,
    max_depth: int | None,
) -> None:
    """Find blocking calls (time.sleep, requests, sync DB drivers, boto3, subprocess, file I/O)
    reachable from the `async def` handlers and dependencies of the FastAPI app TARGET.

    Plain `def` handlers and dependencies are not flagged: FastAPI runs them in its threadpool.

    Exit 0 nothing found, 1 blocking calls found, 2 TARGET is not a loadable FastAPI app.
    """
    from apiparity.asyncio_check.static_scan import DEFAULT_MAX_DEPTH, scan_app
    from apiparity.errors import TargetError

    loaded = load_side(target, app_dir=app_dir, spec_path=spec_path, load_timeout=load_timeout)
    if loaded.framework != "fastapi" or loaded.app is None:
        raise TargetError(
            f"{target}: lint-async needs a FastAPI app object (module:app or file.py:app), "
            f"not a {loaded.framework} target"
        )
    result = scan_app(loaded.app, max_depth=DEFAULT_MAX_DEPTH if max_depth is None else max_depth)
    if fmt == "json":
        text = json.dumps({"target": target, **result.to_dict()}, indent=2) + "\n"
    else:
        text = render_text(result)
    if output:
        from apiparity.report import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    if result.findings:
        raise click.exceptions.Exit(1)


def render_text(result: Any) -> str:
    lines: list[str] = []
    for finding in result.findings:
        lines.append(f"{display_path(finding.file)}:{finding.line}: {finding.operation}: {finding.call} blocks the event loop")
        lines.append(f"    chain: {' -> '.join(finding.chain)}")
        if finding.also:
            lines.append(f"    also in the same function: {'; '.join('line ' + a for a in finding.also)}")
        lines.append(f"    fix: {finding.fix_hint}")
    for note in result.notes:
        lines.append(f"note: {note}")
    operations = len({f.operation for f in result.findings})
    if result.findings:
        lines.append(
            f"{len(result.findings)} blocking call site(s) in {operations} of {result.operations} operation(s) "
            f"({result.async_entry_points} async handler(s), dependencies and middleware scanned, depth {result.max_depth})."
        )
    else:
        lines.append(
            f"No blocking calls found in {result.operations} operation(s) "
            f"({result.async_entry_points} async handler(s), dependencies and middleware scanned, depth {result.max_depth})."
        )
    return "\n".join(lines) + "\n"


def display_path(path: str) -> str:
    """Relative to the current folder when the file is under it (clickable in terminals and CI logs)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative
