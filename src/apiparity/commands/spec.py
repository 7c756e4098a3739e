"""`apiparity spec TARGET`: print or write a target's document and validate it."""

from __future__ import annotations

import json

import click

from apiparity.commands._common import count_operations, load_side, target_options


@click.command("spec")
@click.argument("target")
@target_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the document here instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default=None, help="Output format (default: from -o suffix, else json).")
@click.option("--no-validate", is_flag=True, help="Skip validation with openapi-spec-validator.")
def command(
    target: str,
    app_dir: str | None,
    spec_path: str | None,
    load_timeout: float,
    output: str | None,
    fmt: str | None,
    no_validate: bool,
) -> None:
    """Print TARGET's OpenAPI document and validate it.

    Exit 0 valid, 1 invalid document, 2 the target could not be loaded.
    """
    loaded = load_side(target, app_dir=app_dir, spec_path=spec_path, load_timeout=load_timeout)
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
        return
    from apiparity.spec.validate import validate_document

    problems = validate_document(loaded.document)
    if problems:
        click.echo(f"{summary}: INVALID, {len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(summary + ", valid", err=True)


def dump_document(document: dict, fmt: str) -> str:
    """Serialize a document as JSON (2-space indent) or YAML (block style, key order kept)."""
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
