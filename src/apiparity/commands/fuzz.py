"""`apiparity fuzz OLD NEW`: send the same generated requests to both apps; report every difference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from apiparity.commands._common import echo_isolation_notes, target_options, transport_errors_note
from apiparity.commands._fuzz_options import fuzz_options
from apiparity.history.options import history_options

if TYPE_CHECKING:
    from apiparity.model_sections import EventLoopSection


@click.command("fuzz")
@click.argument("old")
@click.argument("new")
@target_options
@fuzz_options
@history_options
@click.option("--format", "fmt", default="text", show_default=True, metavar="FORMAT",
              help="text, json, markdown, junit, ... (the report renderers available).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the report here instead of stdout.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the outcome line on stdout (the report goes to -o, if given).")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr: a bar on a terminal, a line per operation when piped or in CI. [default: on]")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="apiparity.toml or pyproject.toml to read [fuzz] settings from. [default: searched upward]")
def command(old: str, new: str, app_dir: str | None, spec_path: str | None, load_timeout: float, fmt: str,
            output: str | None, progress: bool | None, config_path: str | None, quiet: bool = False, **options: Any) -> None:
    """Send the same schemathesis-generated requests to OLD and NEW and report every behavioural difference.

    Each case goes to OLD twice (fields that differ between those two answers are noise, not
    mismatches) and to NEW once. Use --reset MOD:FUNC so each case starts from the same state; an
    app whose module has a module-level reset() gets it automatically (announced on stderr).

    Exit 0 no unexplained mismatch, 1 mismatches or transport errors (a request a side gave no answer
    to: connection refused or reset, timeout), 2 bad input or a run that could not complete (a side
    died, --max-run-time, an internal error: the report marked incomplete is still written), 130 interrupted.
    """
    from apiparity.commands._progress import ProgressDisplay, event_printer, progress_mode
    from apiparity.options import FuzzOptions, HistoryOptions
    from apiparity.pipeline import FuzzRequest, nothing_compared, run_fuzz
    from apiparity.report import FORMATS, render, write_atomic

    if fmt not in FORMATS:
        raise click.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    request = FuzzRequest(old=old, new=new, config_path=config_path, app_dir=app_dir, spec_path=spec_path,
                          load_timeout=load_timeout, fuzz=FuzzOptions.from_mapping(options),
                          history=HistoryOptions.from_mapping(options))
    with ProgressDisplay("fuzz", progress_mode(progress)) as on_progress:
        outcome = run_fuzz(request, on_event=event_printer(on_progress))
    report, result, stopped = outcome.report, outcome.result, outcome.report.incomplete
    echo_isolation_notes(result)
    text = render(report, fmt)
    if output:
        write_atomic(output, text)
    if quiet:
        from apiparity.report.view import status_text

        click.echo(status_text(report))  # like `check -q`: the outcome line only
    elif not output:
        click.echo(text, nl=False)
    if stopped is not None and stopped.cause == "interrupted":
        click.echo("Interrupted: the report holds what ran so far.", err=True)
        raise click.exceptions.Exit(outcome.exit_code)
    if stopped is not None:
        click.echo(f"error: the run could not complete ({stopped.cause}): {stopped.detail}; the report holds what ran before "
                   "(marked incomplete)", err=True)
        raise click.exceptions.Exit(outcome.exit_code)
    from apiparity.fuzz.tiers import failing_groups

    unexplained = failing_groups(result.groups)  # regressions: legacy-bug-fixed/harmless groups are shown, not failing
    click.echo(
        f"fuzz: {result.cases} cases over {sum(1 for o in result.operations if o.cases)} operations, "
        f"{len(unexplained)} mismatch group(s), {len(result.noise)} noisy field(s) cancelled, "
        f"{len(result.conformance)} conformance issue(s)" + transport_errors_note(result),
        err=True,
    )
    if report.event_loop is not None:
        click.echo(f"fuzz: NEW's event loop: {_loop_summary(report.event_loop)}", err=True)
    if nothing_compared(result):
        click.echo(f"fuzz: no case was sent to any of the {result.operations_total} operation(s): nothing was compared "
                   "(see `not exercised` in the report)", err=True)
    # a request that got no answer tested nothing: never exit 0 over it
    raise click.exceptions.Exit(outcome.exit_code)


def _loop_summary(section: EventLoopSection) -> str:
    """The event-loop gate's measurement of a `Report.event_loop` section."""
    from apiparity.asyncio_check.gate import event_loop_gate

    gate = event_loop_gate(section)
    return gate.measured if gate is not None else "not monitored"
