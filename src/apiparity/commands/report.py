"""`apiparity report REPORT.json`: render a saved JSON report in another format.

The GitHub Action turns its JSON report into annotations with `--format github`, so no script has
to import apiparity's internals (which fails when apiparity lives in a pipx environment).
"""

from __future__ import annotations

import click

from apiparity.report import FORMATS


@click.command("report")
@click.argument("report_path", metavar="REPORT.json", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="text", show_default=True, metavar="FORMAT",
              help=f"{', '.join(FORMATS)} (the report renderers available).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout (atomically).")
def command(report_path: str, fmt: str, output: str | None) -> None:
    """Render REPORT.json (written by check, fuzz, diff, merge, replay or load with --json / --format json)
    in FORMAT. Exit 0, or 2 when the file is not an apiparity JSON report."""
    from apiparity.errors import ConfigError
    from apiparity.report import available_formats, render, write_atomic
    from apiparity.report.json_format import read_report

    formats = available_formats()
    if fmt not in formats:
        raise ConfigError(f"unknown --format {fmt!r}; choose one of {', '.join(formats)}")
    text = render(read_report(report_path), fmt)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=not text.endswith("\n"))
