"""`apiparity check OLD NEW`: spec diff + differential fuzz + conformance -> READY / NOT READY.

Exit 0 READY, 1 NOT READY, 2 bad input or a run that could not complete, 130 interrupted (for a run
that did not complete, every requested report is still written, marked incomplete).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from apiparity.commands._common import target_options
from apiparity.errors import ApiparityError
from apiparity.commands._fuzz_options import fuzz_options
from apiparity.history.options import fail_on_regress_option, history_options
from apiparity.report import file_formats

if TYPE_CHECKING:
    from apiparity.pipeline import CheckRequest

REPORT_OPTIONS = file_formats()  # one `--<format> FILE` per report format (found in apiparity.report)


def report_options(func: Any) -> Any:
    """--html/--markdown/--json/--junit/--sarif/... FILE, one per report format (shared with `merge`)."""
    for name in reversed(REPORT_OPTIONS):
        func = click.option(f"--{name}", f"{name}_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                            help=f"Write the {name.upper() if name in ('html', 'json') else name.capitalize()} report here.")(func)
    return func


def gate_options(func: Any) -> Any:
    options = [
        click.option("--min-operations-share", type=click.FloatRange(0, 1), default=None,
                     help="Share of OLD operations that must be exercised. [default: 1.0]"),
        click.option("--min-cases-per-operation", type=click.IntRange(min=0), default=None,
                     help="Cases an operation needs to count as exercised. [default: 1]"),
        click.option("--latency-factor", type=float, default=None,
                     help="HTTP targets: fail when NEW p95 > OLD p95 x FACTOR; 0 turns the gate off. [default: 1.5]"),
        click.option("--load-duration", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                     help="Both sides live: after the fuzz, load OLD then NEW with the same GET/HEAD mix for SECONDS each "
                          "(Locust) and gate on the p95 ratio (gate load-latency). [default: 0, off]"),
        click.option("--load-users", type=click.IntRange(min=1), default=None, help="Concurrent users of the load run. [default: 10]"),
        click.option("--load-per-operation", type=click.IntRange(min=1), default=None,
                     help="Generated requests per operation in the load mix. [default: 10]"),
        click.option("--load-max-p95-ratio", type=click.FloatRange(min=0, min_open=True), default=None,
                     help="Gate load-latency: NEW p95 / OLD p95 at most this. [default: 1.2]"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("check")
@click.argument("old", required=False)
@click.argument("new", required=False)
@target_options
@fuzz_options
@report_options
@gate_options
@history_options
@fail_on_regress_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: apiparity.toml or [tool.apiparity] in pyproject.toml, searched upwards).")
@click.option("--waivers", "waivers_path", type=click.Path(dir_okay=False), default=None, help="Waivers file (TOML/YAML/JSON).")
@click.option("--shard", default=None, metavar="I/N", help="Fuzz only the I-th of N deterministic slices of OLD's operations.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="A previous JSON report: mark what is newly broken and newly fixed since.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line on stdout.")
@click.option("--progress/--no-progress", default=None,
              help="Progress on stderr: a bar on a terminal, a line per operation when piped or in CI. [default: on]")
def command(old: str | None, new: str | None, **options: Any) -> None:
    """Run everything on OLD and NEW and decide READY / NOT READY for the cutover.

    OLD and NEW default to `old` / `new` in the config. Exit 0 READY, 1 NOT READY, 2 bad input or a run
    that could not complete (a side died, --max-run-time, an internal error), 130 interrupted; a run that
    did not complete still writes every report, marked incomplete and never READY.
    """
    from apiparity.commands._progress import ProgressDisplay, event_printer, progress_mode
    from apiparity.pipeline import ReportWriteError, run_check
    from apiparity.report import render

    request = check_request(old, new, options)
    try:
        with ProgressDisplay("check", progress_mode(options.get("progress"))) as progress:
            outcome = run_check(request, on_event=event_printer(progress))
    except ApiparityError as exc:
        # bad input ends the run before it has anything to report: no report file is written (an
        # earlier run's file at that path is not this run's), and the one error line says so
        requested = list(request.reports.given().values())
        if requested and not isinstance(exc, ReportWriteError):
            exc.args = (f"{exc} (no report written: {', '.join(requested)})",)
        raise
    report, exit_code = outcome.report, outcome.exit_code
    from apiparity.commands._common import echo_isolation_notes

    echo_isolation_notes(report.fuzz)  # the auto-reset and each side's isolation, as `fuzz` says them
    if options["quiet"]:
        click.echo(f"{report.verdict.line if report.verdict else 'NO VERDICT'}")
    else:
        click.echo(render(report, "text"), nl=False)
    if exit_code == 130:
        click.echo("Interrupted: partial report written (marked incomplete).", err=True)
    elif report.incomplete is not None:
        click.echo(f"error: the run could not complete ({report.incomplete.cause}): {report.incomplete.detail}; "
                   "the reports hold what ran before (marked incomplete)", err=True)
    raise click.exceptions.Exit(exit_code)


def check_request(old: str | None, new: str | None, options: dict[str, Any]) -> CheckRequest:
    """The typed request of `apiparity check`, from its click parameters."""
    from apiparity.options import FuzzOptions, GateOptions, HistoryOptions, ReportPaths
    from apiparity.pipeline import CheckRequest

    return CheckRequest(
        old=old, new=new, config_path=options.get("config_path"), app_dir=options.get("app_dir"),
        spec_path=options.get("spec_path"), load_timeout=options.get("load_timeout") or 10.0,
        fuzz=FuzzOptions.from_mapping(options), reports=ReportPaths.from_mapping(options),
        gates=GateOptions.from_mapping(options), history=HistoryOptions.from_mapping(options),
        waivers_path=options.get("waivers_path"), shard=options.get("shard"), baseline_path=options.get("baseline_path"),
    )
