"""`apiparity spec TARGET`: print or write a target's document, validate it, or check it against
the committed copy (`--check FILE`, `--write`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from apiparity.commands._common import count_operations, load_side, target_options


@click.command("spec")
@click.argument("target")
@target_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the document here instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default=None, help="Output format (default: from -o suffix, else json).")
@click.option("--no-validate", is_flag=True, help="Skip validation with openapi-spec-validator.")
@click.option(
    "--check",
    "check_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Compare with the committed document FILE (JSON or YAML; key order and whitespace ignored); "
    "exit 1 with a diff when it is out of date.",
)
@click.option("--write", is_flag=True, help="With --check: update (or create) FILE instead of failing when it is out of date.")
def command(
    target: str,
    app_dir: str | None,
    spec_path: str | None,
    load_timeout: float,
    output: str | None,
    fmt: str | None,
    no_validate: bool,
    check_file: str | None,
    write: bool,
) -> None:
    """Print TARGET's OpenAPI document and validate it.

    With --check FILE, compare it with the committed FILE instead of printing it, so contract
    changes show up in pull requests; --write updates FILE.

    Exit 0 valid (and up to date), 1 invalid document or FILE out of date, 2 the target could not
    be loaded.
    """
    if write and not check_file:
        raise click.UsageError("--write needs --check FILE (the committed document to update)")
    if check_file and output:
        raise click.UsageError("--check and -o/--output cannot be combined; use --check FILE --write to update FILE")
    loaded = load_side(target, app_dir=app_dir, spec_path=spec_path, load_timeout=load_timeout)
    drifted = False
    if check_file:
        drifted = _check_drift(target, loaded.document, Path(check_file), write=write, fmt=fmt)
    else:
        fmt = fmt or ("yaml" if output and output.endswith((".yaml", ".yml")) else "json")
        text = dump_document(loaded.document, fmt)
        if output:
            from apiparity.report import write_atomic

            write_atomic(output, text)
        else:
            click.echo(text, nl=False)
    operations = count_operations(loaded.document)
    summary = f"{target}: {loaded.framework}, OpenAPI {loaded.document.get('openapi')}, {operations} operations"
    for note in loaded.notes:
        click.echo(f"note: {note}", err=True)
    if loaded.inferred:
        summary += " (inferred skeleton: x-apiparity-inferred: true)"
    if no_validate:
        click.echo(summary + ", not validated", err=True)
        if drifted:
            raise click.exceptions.Exit(1)
        return
    from apiparity.spec.validate import validate_document

    problems = validate_document(loaded.document, base_path=loaded.source_path)
    if problems:
        click.echo(f"{summary}: INVALID, {len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(summary + ", valid", err=True)
    if drifted:
        raise click.exceptions.Exit(1)


def _check_drift(target: str, document: dict, committed: Path, *, write: bool, fmt: str | None) -> bool:
    """Compare with (or update) the committed document; True when it is out of date and was not updated."""
    from apiparity.spec.drift import check_file

    if not committed.exists():
        if not write:
            from apiparity.errors import ApiparityError

            raise ApiparityError(f"{committed}: no such file; create it with `apiparity spec {target} --check {committed} --write`")
        _write_committed(committed, document, fmt)
        click.echo(f"{committed}: created from {target}")
        return False
    result = check_file(committed, document, generated_label=target)
    if result.up_to_date:
        click.echo(result.render(), nl=False)
        return False
    if write:
        _write_committed(committed, document, fmt)
        click.echo(f"{committed}: updated from {target} ({len(result.changes)} change(s))")
        return False
    click.echo(result.render(), nl=False)
    click.echo(f"Run `apiparity spec {target} --check {committed} --write` to update it.")
    return True


def _write_committed(path: Path, document: dict, fmt: str | None) -> None:
    from apiparity.report import write_atomic

    fmt = fmt or ("yaml" if path.suffix.lower() in (".yaml", ".yml") else "json")
    write_atomic(path, dump_document(document, fmt))


def dump_document(document: dict, fmt: str) -> str:
    """Serialize a document as JSON (2-space indent) or YAML (block style, key order kept)."""
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
