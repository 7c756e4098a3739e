"""`apiparity fuzz OLD NEW`: send the same generated requests to both apps; report every difference."""

from __future__ import annotations

from typing import Any

import click

from apiparity.commands._common import echo_isolation_notes, side_info, target_options, transport_errors_note
from apiparity.commands._fuzz_options import event_loop_settings_from, fuzz_options, settings_from_options, wait_for_servers
from apiparity.history.options import history_options


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
    from apiparity.config import load_config
    from apiparity.report import FORMATS, render, write_atomic

    if fmt not in FORMATS:
        raise click.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    from apiparity.config import settings_from_raw

    raw = load_config(config_path)
    project = settings_from_raw(raw)  # [fuzz] plus the top-level shortcuts (seed, reset, ...)
    settings = settings_from_options(project.fuzz, app_dir=app_dir, **options)
    from apiparity import redact

    redact.activate(redact.from_settings(settings, old, new, project.contract))
    from apiparity import outbound

    outbound.activate(outbound.from_settings(settings, old, new, project.contract))
    loop_settings = event_loop_settings_from(raw, options)
    settings.contract = settings.contract or project.contract
    from apiparity.history.recorder import open_recorder

    recorder = open_recorder(raw, options)  # before any request: a history file that cannot be used is bad input
    from apiparity.commands._common import echo_target_notes
    from apiparity.contract import load_sides
    from apiparity.sides import launches_from, side_session

    sides = click.get_current_context().with_resource(side_session())  # servers started for a side stop with the command
    old_target, new_target = load_sides(old, new, contract=settings.contract, app_dir=app_dir, spec_path=spec_path,
                                        load_timeout=load_timeout, wait_for=options.get("wait_for") or 0.0,
                                        launches=launches_from(settings))
    wait_for_servers(settings, options.get("wait_for"))
    echo_target_notes(old_target, new_target, spec=settings.spec)

    from apiparity import __version__
    from apiparity.asyncio_check.hooks import loop_section, monitor_for_target
    from apiparity.fuzz.runner import Interrupted, run_fuzz
    from apiparity.model import Report

    monitor = monitor_for_target(new_target, loop_settings, new_url=settings.new_url)
    from apiparity.commands._progress import ProgressDisplay, progress_mode

    from apiparity.fuzz.runner import Crashed
    from apiparity.model import Incomplete
    from apiparity.run_limits import RunDeadline

    stopped: Incomplete | None = None  # why the run could not complete
    deadline = RunDeadline(options.get("max_run_time")).start()
    with ProgressDisplay("fuzz", progress_mode(progress)) as on_progress:
        try:
            result = run_fuzz(old_target, new_target, settings, on_progress=on_progress, loop_monitor=monitor)
        except Interrupted as stop:  # Ctrl-C, or --max-run-time
            deadline.cancel()
            result = stop.partial
            stopped = (Incomplete("run-deadline", deadline.detail, "fuzz") if deadline.reached
                       else Incomplete("interrupted", "interrupted by the user (Ctrl-C)", "fuzz"))
        except Crashed as crash:  # an internal error: what ran is still reported
            result = crash.partial
            stopped = Incomplete("internal-error", f"{type(crash.error).__name__}: {crash.error}"[:300], "fuzz")
        except SystemExit as exc:  # a hook's sys.exit() before the first case: never the command's exit code
            from apiparity.model import FuzzResult

            result = FuzzResult(seed=settings.seed)
            stopped = Incomplete("internal-error", f"SystemExit: {exc}", "fuzz")
        except KeyboardInterrupt:
            if not deadline.reached:
                raise  # Ctrl-C before the first case: nothing to report (exit 130)
            from apiparity.model import FuzzResult

            result = FuzzResult(seed=settings.seed)  # the deadline passed before the first case
            stopped = Incomplete("run-deadline", deadline.detail, "fuzz")
        finally:
            deadline.cancel()
    for summary in sides.summaries().values() if sides.processes else ():
        if summary.died and stopped is None:
            stopped = Incomplete("side-died", f"the server `{summary.started}` ended during the run ({summary.died})", "fuzz")
    if stopped is None:
        from apiparity.commands._fuzz_options import lost_live_sides

        lost = lost_live_sides(settings, old_target, new_target)  # a live server that went away mid-run
        stopped = Incomplete("side-died", lost[0], "fuzz") if lost else None
    echo_isolation_notes(result)
    report = Report(
        command="fuzz",
        old=side_info(old_target),
        new=side_info(new_target),
        fuzz=result,
        complete=stopped is None,
        incomplete=stopped,
        tool_version=__version__,
        generated_at=_now(),
    )
    if monitor is not None:
        report.event_loop = loop_section(monitor, new_target, loop_settings)
    from apiparity.targets.handlers import attach_handlers

    attach_handlers(report, old_target, new_target)  # SARIF / GitHub annotations point at each handler
    if recorder is not None:
        recorder.finish(report, None)  # the trend into the report, the run appended
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
        raise click.exceptions.Exit(130)
    if stopped is not None:
        click.echo(f"error: the run could not complete ({stopped.cause}): {stopped.detail}; the report holds what ran before "
                   "(marked incomplete)", err=True)
        raise click.exceptions.Exit(2)
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
    nothing_sent = result.cases == 0 and result.operations_total > 0
    if nothing_sent:  # no operation got a single case: nothing was compared, which is not "no mismatch"
        click.echo(f"fuzz: no case was sent to any of the {result.operations_total} operation(s): nothing was compared "
                   "(see `not exercised` in the report)", err=True)
    # a request that got no answer tested nothing: never exit 0 over it
    raise click.exceptions.Exit(1 if unexplained or transport_errors_note(result) or nothing_sent else 0)


def _loop_summary(section: Any) -> str:
    """The event-loop gate's measurement of a `Report.event_loop` section."""
    from apiparity.asyncio_check.gate import event_loop_gate

    gate = event_loop_gate(section)
    return gate.measured if gate is not None else "not monitored"


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
