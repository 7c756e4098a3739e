"""`apiparity probes`: every registered probe (the requests sent beyond the contract) with its doc."""

from __future__ import annotations

import click


@click.command("probes")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(fmt: str) -> None:
    """List the probes `fuzz` and `check` send beyond the contract (all on by default; choose with
    --probes A,B or leave one out with --no-probe NAME)."""
    from apiparity.fuzz.probes import PROBES

    if fmt == "json":
        import json

        click.echo(json.dumps([{"name": name, "doc": probe.doc} for name, probe in PROBES.items()], indent=2))
        return
    width = max(len(name) for name in PROBES)
    for name, probe in PROBES.items():
        click.echo(f"{name:<{width}}  {probe.doc}")
