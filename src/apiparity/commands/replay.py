"""`apiparity replay TRAFFIC OLD NEW`: recorded requests as cases, compared exactly as `fuzz` does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from apiparity.commands._common import side_info, target_options, transport_errors_note
from apiparity.commands._fuzz_options import COMPARE_OPTIONS, REDACT_OPTION, SIDE_OPTIONS

F = TypeVar("F", bound=Callable[..., Any])


def compare_options(func: F) -> F:
    """The fuzz options that mean something for replayed traffic (same names, same meaning, read by
    the fuzz command's `settings_from_options`); generation options (phases, mode, seed, ...) are left out."""
    options = [
        click.option("--include", multiple=True, metavar="SEL",
                     help="Only requests to these operations: METHOD, /path/glob, 'METHOD /path', tag:NAME, id:OPERATION_ID. Repeatable."),
        click.option("--exclude", multiple=True, metavar="SEL", help="Skip requests to these operations (same selectors). Repeatable."),
        click.option("--timeout", type=float, default=None, help="Seconds per request. [default: 10]"),
        *SIDE_OPTIONS,
        *COMPARE_OPTIONS,
        click.option("--wait-for", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                     help="How long a side started by --old-python/--old-cmd (or a URL target) may take to answer."),
        click.option("--allow-unsafe", is_flag=True, default=None,
                     help="Replay POST/PUT/PATCH/DELETE to hosts that are not loopback, or to live servers with no reset."),
        click.option("--no-redact", is_flag=True, default=None, help="Show secrets (Authorization, cookies, tokens) in reports."),
        REDACT_OPTION,
        click.option("--no-noise", is_flag=True, default=None, help="Call OLD once per request (no noise cancellation)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command("replay")
@click.argument("traffic", type=click.Path(dir_okay=False))
@click.argument("old")
@click.argument("new")
@target_options
@compare_options
@click.option("--traffic-format", type=click.Choice(["har", "jsonl", "access-log", "gor"]), default=None,
              help="Format of TRAFFIC (gor: a GoReplay capture, .gor or .gor.gz). [default: from the extension, else sniffed]")
@click.option("--sample", type=click.FloatRange(0, 1, min_open=True), default=1.0, show_default=True, metavar="SHARE",
              help="Replay this share of the recorded requests (the same ones for the same --seed).")
@click.option("--seed", "sample_seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@click.option("--rate", type=click.FloatRange(0, min_open=True), default=None, metavar="N",
              help="At most N recorded requests per second (each goes to OLD twice and NEW once).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Requests in flight at once (live servers, no reset hooks).")
@click.option("--checkpoint", "checkpoint_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Save progress and findings here every 5000 requests and at the end or on Ctrl-C.")
@click.option("--checkpoint-every", type=click.IntRange(1), default=5000, show_default=True, metavar="N",
              help="Requests between two checkpoint saves.")
@click.option("--resume", is_flag=True, help="Continue from --checkpoint FILE: skip what it replayed and report both parts as one.")
@click.option("--host", "only_host", default=None, metavar="NAME", help="HAR only: replay just the entries sent to this host.")
@click.option("--format", "fmt", default="text", show_default=True, metavar="FORMAT",
              help="text, json, markdown, junit, ... (the report renderers available).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the report here instead of stdout.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="apiparity.toml or pyproject.toml to read [fuzz] comparison settings from. [default: searched upward]")
def command(traffic: str, old: str, new: str, app_dir: str | None, spec_path: str | None, load_timeout: float,
            traffic_format: str | None, only_host: str | None, fmt: str, output: str | None, config_path: str | None,
            sample: float, sample_seed: int, rate: float | None, wait_for: float | None, workers: int, checkpoint_path: str | None, checkpoint_every: int, resume: bool,
            **options: Any) -> None:
    """Replay recorded TRAFFIC (a HAR file, apiparity's JSONL, a Common/Combined access log, or a
    GoReplay capture, streamed) against OLD and NEW and report every behavioural difference, like `fuzz`.

    Each request goes to OLD twice (fields that differ between those answers are noise) and NEW
    once, in recorded order, with the same reset hooks, ignore rules and report. Unsafe methods are
    sent only to in-process apps and loopback servers with a reset, unless --allow-unsafe. Requests
    OLD's document does not describe are replayed too and listed as undocumented traffic
    (extras.undocumented_traffic in the JSON report).

    Exit 0 no unexplained mismatch, 1 mismatches or transport errors (a request a side gave no answer
    to), 2 bad input or a run that could not complete (a side
    died: the report marked incomplete is still written), 130 interrupted.
    """
    from apiparity import __version__
    from apiparity.commands._fuzz_options import settings_from_options
    from apiparity.config import load_config
    from apiparity.commands._common import echo_target_notes
    from apiparity.model import Report
    from apiparity.model_sections import TrafficSection
    from apiparity.report import FORMATS, render, write_atomic
    from apiparity.traffic import read_traffic
    from apiparity.traffic.replay import run_replay

    if fmt not in FORMATS:
        raise click.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    config = load_config(config_path)
    settings = settings_from_options(config.section("fuzz"), app_dir=app_dir, **options)
    from apiparity import redact

    redact.activate(redact.from_settings(settings, old, new))
    from apiparity import outbound

    outbound.activate(outbound.from_settings(settings, old, new))
    from apiparity.traffic.checkpoint import Checkpoint

    checkpoint = Checkpoint.open(checkpoint_path, traffic, resume=resume)
    recorded = read_traffic(traffic, fmt=traffic_format, host=only_host, start=checkpoint.offset if checkpoint.seekable(traffic) else 0)
    for note in recorded.notes:
        click.echo(f"note: {traffic}: {note}", err=True)
    import itertools

    stream = iter(recorded.iter_requests())
    first = next(stream, None)
    if first is None and not checkpoint.done:
        from apiparity.errors import ApiparityError

        # an empty corpus must not read as a pass
        raise ApiparityError(f"{traffic}: no replayable requests" + (f" for host {only_host}" if only_host else ""))
    from apiparity.contract import load_sides
    from apiparity.sides import launches_from, side_session

    sides = click.get_current_context().with_resource(side_session())  # servers started for a side stop with the command
    old_target, new_target = load_sides(old, new, contract=None, app_dir=app_dir, spec_path=spec_path,
                                        load_timeout=load_timeout, wait_for=wait_for or 0.0, launches=launches_from(settings))
    echo_target_notes(old_target, new_target)

    from apiparity.traffic.replay import ReplayOptions

    seeking = checkpoint.seekable(traffic)
    replay_options = ReplayOptions(sample=sample, rate=rate, workers=workers, seed=sample_seed,
                                   skip=0 if seeking else checkpoint.done, first_position=checkpoint.done + 1 if seeking else 1,
                                   checkpoint=checkpoint.saver(recorded) if checkpoint_path else None,
                                   checkpoint_every=checkpoint_every)
    requests = itertools.chain([first], stream) if first is not None else iter(())
    outcome = run_replay(old_target, new_target, requests, settings, options=replay_options)
    outcome = checkpoint.combined(outcome)
    result = outcome.result
    if recorded.stream_stats is not None and recorded.stream_stats.responses:
        click.echo(f"note: {traffic}: {recorded.stream_stats.responses} recorded response payload(s) skipped "
                   "(OLD's live answers are compared)", err=True)
    if recorded.stream_stats is not None and recorded.stream_stats.unparsed:
        click.echo(f"note: {traffic}: {recorded.stream_stats.unparsed} payload(s) not an HTTP request were skipped", err=True)
    for side, ref in sorted(result.settings.get("auto_reset", {}).items()):
        click.echo(f"note: calling {ref} before every call to {side.upper()} (pass --reset, or --no-auto-reset)", err=True)
    requests_read = checkpoint.total_read
    from apiparity.pipeline import lost_live_sides
    from apiparity.model import Incomplete

    stopped = Incomplete("interrupted", "interrupted by the user (Ctrl-C)", "replay") if outcome.interrupted else None
    for summary in sides.summaries().values() if sides.processes else ():
        if summary.died and stopped is None:
            stopped = Incomplete("side-died", f"the server `{summary.started}` ended during the run ({summary.died})", "replay")
    lost = lost_live_sides(settings, old_target, new_target) if stopped is None else []
    stopped = Incomplete("side-died", lost[0], "replay") if lost else stopped
    report = Report(
        command="replay",
        old=side_info(old_target),
        new=side_info(new_target),
        fuzz=result,
        traffic=TrafficSection(path=traffic, format=recorded.format, requests=requests_read, notes=list(recorded.notes),
                               sample=sample, resumed_from=checkpoint.resumed_from),
        undocumented_traffic=outcome.undocumented,
        complete=stopped is None,
        incomplete=stopped,
        tool_version=__version__,
        generated_at=_now(),
    )
    text = render(report, fmt)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    if outcome.interrupted:
        click.echo("Interrupted: the report holds what was replayed so far.", err=True)
        raise click.exceptions.Exit(130)
    if stopped is not None:
        click.echo(f"error: the run could not complete ({stopped.cause}): {stopped.detail}; the report holds what was replayed "
                   "before (marked incomplete)", err=True)
        raise click.exceptions.Exit(2)
    from apiparity.fuzz.tiers import failing_groups

    unexplained = failing_groups(result.groups)  # regressions: legacy-bug-fixed/harmless groups are shown, not failing
    undocumented = sum(item.count for item in outcome.undocumented)
    click.echo(
        f"replay: {result.cases} of {requests_read} recorded requests over "
        f"{sum(1 for o in result.operations if o.cases)} operations, {len(unexplained)} mismatch group(s), "
        f"{len(result.noise)} noisy field(s) cancelled, {undocumented} undocumented request(s)" + transport_errors_note(result),
        err=True,
    )
    raise click.exceptions.Exit(1 if unexplained or transport_errors_note(result) else 0)


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
