"""`apiparity rules`: every diff rule (ID, severity, direction, description) and every noise rule."""

from __future__ import annotations

import click


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--severity", type=click.Choice(["breaking", "warning", "info"]), default=None, help="Only rules of this severity.")
def command(fmt: str, severity: str | None) -> None:
    """List the diff rules (one per line) followed by the noise rules of each profile."""
    from apiparity.diff.docs import rules_json, rules_markdown, rules_text

    if fmt == "json":
        click.echo(rules_json(severity))
    elif fmt == "markdown":
        click.echo(rules_markdown(severity), nl=False)
    else:
        click.echo(rules_text(severity), nl=False)
