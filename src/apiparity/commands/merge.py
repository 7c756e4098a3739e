"""`apiparity merge shard-*.json`: combine `check --shard` reports into one verdict."""

from __future__ import annotations

from typing import Any

import click

from apiparity.commands.check import gate_options, report_options
from apiparity.history.options import fail_on_regress_option, history_options


@click.command("merge")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@report_options
@gate_options
@history_options
@fail_on_regress_option
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="A previous JSON report: mark what is newly broken and newly fixed since.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line on stdout.")
def command(reports: tuple[str, ...], **options: Any) -> None:
    """Merge the JSON shard reports of `apiparity check --shard I/N` into the verdict one run gives.

    The gate thresholds are those the shards ran with (recorded in their reports), unless overridden
    here. Exit 0 READY, 1 NOT READY (or a shard missing / interrupted), 2 bad input.
    """
    import copy

    from apiparity.options import GateOptions, HistoryOptions, ReportPaths
    from apiparity.pipeline import requested_outputs, thresholds_from, write_reports
    from apiparity.model_sections import GateThresholds
    from apiparity.report import render
    from apiparity.report.json_format import read_report
    from apiparity.report.merge import merge_reports
    from apiparity.verdict import decide

    shards = [read_report(path) for path in reports]
    merged = merge_reports(shards, names=list(reports))
    from apiparity.config import load_config
    from apiparity.history.recorder import open_recorder

    # shards on separate CI machines cannot share one file: the merged run is recorded instead,
    # when a history is named (--history, APIPARITY_HISTORY, [history] file), never by default
    recorder = open_recorder(load_config(None), HistoryOptions.from_mapping(options), default_on=False)
    thresholds = thresholds_from(copy.deepcopy(merged.gate_thresholds or GateThresholds()), GateOptions.from_mapping(options))
    if options.get("baseline_path"):
        from apiparity.report.baseline import compare_with_baseline

        merged.baseline = compare_with_baseline(merged, read_report(options["baseline_path"]), options["baseline_path"])
    from apiparity.fuzz.explain import relink
    from apiparity.fuzz.tiers import apply_acceptances

    relink(merged)  # group keys changed where a cause spans shards: links and folded conformance follow
    if merged.fuzz is not None:
        apply_acceptances(merged.fuzz.groups, thresholds.accept)
    merged.verdict = decide(merged, thresholds)
    if not merged.complete:
        merged.verdict.ready = False
    if recorder is not None:
        recorder.finish(merged, thresholds)  # the trend, --fail-on-regress's gate, the run appended
    for warning in write_reports(merged, requested_outputs(ReportPaths.from_mapping(options), {})):
        click.echo(warning, err=True)
    if options["quiet"]:
        click.echo(merged.verdict.line)
    else:
        click.echo(render(merged, "text"), nl=False)
    for missing in merged.missing_shards or []:
        click.echo(f"warning: shard {missing} is missing: the merged report is incomplete", err=True)
    raise click.exceptions.Exit(0 if merged.verdict.ready else 1)
