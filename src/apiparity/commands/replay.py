"""`apiparity replay TRAFFIC OLD NEW`: recorded requests as cases, compared exactly as `fuzz` does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from apiparity.commands._common import target_options, transport_errors_note
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
    from apiparity.commands._progress import event_printer
    from apiparity.options import FuzzOptions
    from apiparity.pipeline import ReplayRequest, run_replay
    from apiparity.report import FORMATS, render, write_atomic

    if fmt not in FORMATS:
        raise click.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    request = ReplayRequest(traffic=traffic, old=old, new=new, config_path=config_path, app_dir=app_dir, spec_path=spec_path,
                            load_timeout=load_timeout, compare=FuzzOptions.from_mapping(options), wait_for=wait_for,
                            traffic_format=traffic_format, only_host=only_host, sample=sample, sample_seed=sample_seed,
                            rate=rate, workers=workers, checkpoint_path=checkpoint_path, checkpoint_every=checkpoint_every,
                            resume=resume)
    outcome = run_replay(request, on_event=event_printer(None))
    report, result, stopped = outcome.report, outcome.result, outcome.report.incomplete
    text = render(report, fmt)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    if stopped is not None and stopped.cause == "interrupted":
        click.echo("Interrupted: the report holds what was replayed so far.", err=True)
        raise click.exceptions.Exit(outcome.exit_code)
    if stopped is not None:
        click.echo(f"error: the run could not complete ({stopped.cause}): {stopped.detail}; the report holds what was replayed "
                   "before (marked incomplete)", err=True)
        raise click.exceptions.Exit(outcome.exit_code)
    from apiparity.fuzz.tiers import failing_groups

    unexplained = failing_groups(result.groups)  # regressions: legacy-bug-fixed/harmless groups are shown, not failing
    undocumented = sum(item.count for item in report.undocumented_traffic or ())
    click.echo(
        f"replay: {result.cases} of {outcome.requests_read} recorded requests over "
        f"{sum(1 for o in result.operations if o.cases)} operations, {len(unexplained)} mismatch group(s), "
        f"{len(result.noise)} noisy field(s) cancelled, {undocumented} undocumented request(s)" + transport_errors_note(result),
        err=True,
    )
    raise click.exceptions.Exit(outcome.exit_code)
