"""`apiparity check OLD NEW`: spec diff + differential fuzz + conformance -> READY / NOT READY.

Exit 0 READY, 1 NOT READY, 2 bad input or a run that could not complete, 130 interrupted (for a run
that did not complete, every requested report is still written, marked incomplete).
"""

from __future__ import annotations

import copy
import os
from typing import Any

import click

from apiparity.commands._common import target_options
from apiparity.errors import ApiparityError
from apiparity.commands._fuzz_options import fuzz_options
from apiparity.history.options import fail_on_regress_option, history_options
from apiparity.report import file_formats

REPORT_OPTIONS = file_formats()  # one `--<format> FILE` per report format (found in apiparity.report)


class ReportWriteError(ApiparityError):
    """A requested report file could not be written (the run itself finished)."""


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
    from apiparity.commands._progress import ProgressDisplay, progress_mode
    from apiparity.report import render

    try:
        with ProgressDisplay("check", progress_mode(options.pop("progress", None))) as progress:
            report, exit_code = run_check(old, new, options, progress=progress)
    except ApiparityError as exc:
        # bad input ends the run before it has anything to report: no report file is written (an
        # earlier run's file at that path is not this run's), and the one error line says so
        requested = [options[f"{name}_path"] for name in REPORT_OPTIONS if options.get(f"{name}_path")]
        if requested and not isinstance(exc, ReportWriteError):
            exc.args = (f"{exc} (no report written: {', '.join(requested)})",)
        raise
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


# ----------------------------------------------------------------------------------- the pipeline


def run_check(old_ref: str | None, new_ref: str | None, options: dict[str, Any], *, progress: Any = None) -> tuple[Any, int]:
    """Load, validate, diff, fuzz, decide and write every requested report; returns (report, exit code).

    Everything that can be wrong with the input (config, options, baseline file, targets) is
    checked before a single request is sent, so bad input exits 2 without a half-run. Servers
    started for a side (--old-python, --old-cmd) are stopped on the way out, whatever happens.
    """
    from apiparity.sides import side_session

    with side_session() as sides:
        return _run_check(old_ref, new_ref, options, progress=progress, sides=sides)


def _run_check(old_ref: str | None, new_ref: str | None, options: dict[str, Any], *, progress: Any, sides: Any) -> tuple[Any, int]:
    import datetime

    from apiparity import __version__
    from apiparity.commands._common import document_problems, side_info
    from apiparity.commands._fuzz_options import event_loop_settings_from, settings_from_options, wait_for_servers
    from apiparity.config import load_config, settings_from_raw
    from apiparity.errors import ConfigError
    from apiparity.model import Report
    from apiparity.report.json_format import read_report
    from apiparity.report.merge import parse_shard
    from apiparity.waivers import load_waivers

    raw = load_config(options.get("config_path"))
    project = settings_from_raw(raw)
    old_ref = old_ref or project.old
    new_ref = new_ref or project.new
    if not old_ref or not new_ref:
        raise ConfigError("check: name OLD and NEW, as arguments or as `old` / `new` in the config (see `apiparity init`)")
    app_dir = options.get("app_dir") or project.app_dir
    spec_path = options.get("spec_path") or project.spec_path
    thresholds = thresholds_from(project.gates, options)
    loop_settings = event_loop_settings_from(raw, options)
    thresholds.extra.update(loop_settings.gate_extra())
    if options.get("load_max_p95_ratio") is not None:
        thresholds.extra["load_max_p95_ratio"] = options["load_max_p95_ratio"]
    fuzz_settings = settings_from_options(config=project.fuzz, app_dir=app_dir, **{k: v for k, v in options.items() if k != "app_dir"})
    from apiparity import redact

    redact.activate(redact.from_settings(fuzz_settings, old_ref, new_ref, project.contract))
    from apiparity import outbound

    outbound.activate(outbound.from_settings(fuzz_settings, old_ref, new_ref, project.contract))
    shard = parse_shard(options["shard"]) if options.get("shard") else None
    waivers = load_waivers(raw, options.get("waivers_path"))
    baseline = read_report(options["baseline_path"]) if options.get("baseline_path") else None
    outputs = requested_outputs(options, project.reports)
    from apiparity.history.recorder import open_recorder

    recorder = open_recorder(raw, options)  # a history file that cannot be used is bad input: before any request

    # --contract / `contract =`: one document for both sides; OLD and NEW only say where requests go
    from apiparity.commands._common import echo_target_notes
    from apiparity.contract import contract_notes, load_sides

    fuzz_settings.contract = fuzz_settings.contract or project.contract
    # one loading policy for both phases: --allow-remote-refs, or [diff] allow_remote_refs = true
    fuzz_settings.allow_remote_refs = fuzz_settings.allow_remote_refs or bool(project.diff.get("allow_remote_refs", False))
    from apiparity.sides import launches_from

    old, new = load_sides(old_ref, new_ref, contract=fuzz_settings.contract, app_dir=app_dir, spec_path=spec_path,
                          load_timeout=options.get("load_timeout") or 10.0, wait_for=options.get("wait_for") or 0.0,
                          launches=launches_from(fuzz_settings))
    echo_target_notes(old, new, spec=fuzz_settings.spec)
    wait_for_servers(fuzz_settings, options.get("wait_for"))
    load_plan = plan_load(old, new, fuzz_settings, options)  # refuses --load-duration without two live servers
    report = Report(
        command="check",
        old=side_info(old, document_problems(old, allow_remote_refs=fuzz_settings.allow_remote_refs)),
        new=side_info(new, document_problems(new, allow_remote_refs=fuzz_settings.allow_remote_refs)),
        tool_version=__version__,
        generated_at=datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        shard=f"{shard[0]}/{shard[1]}" if shard else None,
        complete=shard is None,
    )
    from apiparity.model_sections import ContractSection

    report.gate_thresholds = copy.deepcopy(thresholds)
    if fuzz_settings.contract:
        report.contract = ContractSection(ref=fuzz_settings.contract, notes=contract_notes(old, new))
    if old.kind == "file" and old.source_path is not None:
        report.old_source_file = str(old.source_path)
    if new.kind == "file" and new.source_path is not None:
        report.new_source_file = str(new.source_path)
    from apiparity.targets.handlers import attach_handlers

    attach_handlers(report, old, new)  # SARIF / GitHub annotations point at each operation's handler
    from apiparity.asyncio_check.hooks import loop_section, monitor_for_target

    # NEW's event loop is watched while the fuzz engine sends it requests (in-process ASGI only)
    monitor = monitor_for_target(new, loop_settings, new_url=fuzz_settings.new_url)
    interrupted = False
    today = datetime.date.today()
    from apiparity.errors import ApiparityError
    from apiparity.run_limits import RunDeadline

    deadline = RunDeadline(options.get("max_run_time")).start()
    phase = "diff"
    try:
        report.diff = run_diff(old, new, project.diff, allow_remote_refs=fuzz_settings.allow_remote_refs,
                               seed=options.get("seed"), run_seed=fuzz_settings.seed)
        from apiparity.waivers import apply_waivers

        report.diff.waivers = apply_waivers(report.diff.changes, waivers, today)
        phase = "fuzz"
        report.fuzz = run_fuzz_phase(old, new, fuzz_settings, shard, progress, loop_monitor=monitor)
        if load_plan is not None:
            phase = "load"
            run_load_phase(report, load_plan)
    except KeyboardInterrupt as exc:
        # Ctrl-C (or --max-run-time): keep what ran; the reports are still written, marked incomplete.
        deadline.cancel()
        partial = getattr(exc, "partial", None)
        if partial is not None:
            report.fuzz = partial
        if deadline.reached:
            report.mark_incomplete("run-deadline", deadline.detail, phase=phase)
        else:
            interrupted = True
            report.mark_incomplete("interrupted", "interrupted by the user (Ctrl-C)", phase=phase)
    except ApiparityError:
        raise  # bad input: one line, exit 2, no report
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - an internal error in a phase (or a hook's sys.exit()): what ran is still reported
        partial = getattr(exc, "partial", None)
        if partial is not None:
            report.fuzz = partial
        cause = getattr(exc, "error", exc)
        report.mark_incomplete("internal-error", f"{type(cause).__name__}: {cause}"[:300], phase=phase)
    finally:
        deadline.cancel()
        if monitor is not None:
            report.event_loop = loop_section(monitor, new, loop_settings)
    if sides.processes:  # servers apiparity started: where they ran, their logs, whether one died mid-run
        report.sides = sides.summaries()
        for summary in report.sides.values():
            if summary.died:
                click.echo(f"warning: the server `{summary.started}` ended during the run ({summary.died}); "
                           f"log: {summary.log}", err=True)
                report.mark_incomplete("side-died", f"the server `{summary.started}` ended during the run ({summary.died})",
                                       phase=phase)
    if report.incomplete is None and report.fuzz is not None:
        from apiparity.commands._fuzz_options import lost_live_sides

        for lost in lost_live_sides(fuzz_settings, old, new):  # a live server that went away mid-run
            report.mark_incomplete("side-died", lost, phase=phase)
    if report.fuzz is not None and report.diff is not None:
        apply_group_waivers(report, waivers, today)
    if interrupted:
        report.interrupted = True
    finish_report(report, thresholds, baseline, options.get("baseline_path"))
    if recorder is not None:
        recorder.finish(report, thresholds)  # the trend, --fail-on-regress's gate, the run appended
    write_reports(report, outputs)
    return report, (130 if interrupted else exit_code_of(report))


def run_diff(old: Any, new: Any, table: dict[str, Any], *, allow_remote_refs: bool = False, seed: int | None = None,
             run_seed: int = 0) -> Any:
    """The check's spec diff. Its witness search is seeded by `seed` (--seed), else [diff] `seed`,
    else the run's own seed (`run_seed`, [fuzz] `seed`): one seed reproduces the whole report."""
    from apiparity.diff.engine import DiffOptions, diff_documents
    from apiparity.errors import ConfigError

    known = {"profile", "disabled_noise_rules", "allow_remote_refs", "noise_examples", "witness", "seed", "witness_seconds"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"[diff] unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    options = DiffOptions(
        profile=str(table.get("profile", "flask-fastapi")),
        disabled_noise_rules=set(table.get("disabled_noise_rules", ())),
        allow_remote_refs=allow_remote_refs or bool(table.get("allow_remote_refs", False)),
        old_base_dir=old.source_path.parent if old.source_path is not None and old.kind == "file" else None,
        new_base_dir=new.source_path.parent if new.source_path is not None and new.kind == "file" else None,
        old_label=old.ref,  # errors name the file or app, not "OLD"
        new_label=new.ref,
        witness=bool(table.get("witness", True)),
        seed=seed if seed is not None else int(table.get("seed", run_seed)),
        witness_seconds=float(table.get("witness_seconds", 20.0)),
    )
    return diff_documents(old.document, new.document, options=options)


def plan_load(old: Any, new: Any, settings: Any, options: dict[str, Any]) -> dict[str, Any] | None:
    """What `--load-duration` will run (URLs, mix, settings), checked before anything is sent; None when off."""
    from apiparity.errors import ConfigError

    duration = options.get("load_duration") or 0.0
    if duration <= 0:
        return None
    old_url, new_url = _live_root(old, settings.old_url, settings.old_base_path), _live_root(new, settings.new_url, settings.new_base_path)
    if old_url is None or new_url is None:
        raise ConfigError("--load-duration: a load run needs both sides on live servers (URL targets, or --old-url and --new-url); "
                          "in-process apps compare framework call overhead, not deployments")
    from apiparity.extras import require_extra

    require_extra("load", command="check --load-duration")
    from apiparity.load import LoadSettings, from_document

    load_settings = LoadSettings(users=options.get("load_users") or 10, duration=duration, timeout=settings.timeout,
                                 headers=dict(settings.headers))
    load_settings.validate()
    # the mix comes from the document the fuzz cases come from; GET/HEAD only unless --allow-unsafe
    requests = from_document(old.document, seed=settings.seed, per_operation=options.get("load_per_operation") or 10,
                             allow_unsafe=settings.allow_unsafe, source=f"{old.ref} (load mix)")
    return {"old_url": old_url, "new_url": new_url, "requests": requests, "settings": load_settings,
            "source": f"{old.ref} document", "seed": settings.seed, "allow_unsafe": settings.allow_unsafe}


def _live_root(target: Any, url: str | None, base_path: str | None) -> str | None:
    """The URL a side's operations live under (service root + base path), or None when in-process."""
    from urllib.parse import urlsplit

    from apiparity.fuzz.generate import document_base_path

    url = url or (target.base_url if target.interface == "http" else None)
    if not url:
        return None
    root = url.rstrip("/")
    if base_path is not None:
        parts = urlsplit(root)
        return f"{parts.scheme}://{parts.netloc}{base_path.rstrip('/')}"
    return root if urlsplit(root).path else root + document_base_path(target.document).rstrip("/")


def run_load_phase(report: Any, plan: dict[str, Any]) -> None:
    """The load comparison into `report.load`; a run that fails is recorded (`load_error`), and fails its gate."""
    from apiparity.errors import ApiparityError
    from apiparity.load import load_section

    try:
        report.load = load_section(plan["old_url"], plan["new_url"], plan["requests"], plan["settings"],
                                   source=plan["source"], seed=plan["seed"], allow_unsafe=plan["allow_unsafe"])
    except ApiparityError as exc:
        report.load_error = f"load run failed: {exc}"


def run_fuzz_phase(old: Any, new: Any, settings: Any, shard: tuple[int, int] | None, progress: Any, *,
                   loop_monitor: Any = None) -> Any:
    from apiparity.fuzz.runner import Interrupted, run_fuzz

    operations_filter = shard_filter(old.document, shard) if shard else None
    try:
        return run_fuzz(old, new, settings, on_progress=progress, operations_filter=operations_filter, loop_monitor=loop_monitor)
    except Interrupted as exc:
        interrupt = KeyboardInterrupt()
        interrupt.partial = exc.partial  # type: ignore[attr-defined]
        raise interrupt from None


def shard_filter(document: dict[str, Any], shard: tuple[int, int]) -> Any:
    """Round-robin over OLD's operations sorted by "METHOD /path": balanced and the same on every machine."""
    import hashlib

    from apiparity.spec.methods import HTTP_METHODS

    index, count = shard
    paths = document.get("paths") or {}
    labels = sorted(
        f"{method.upper()} {path}"
        for path, item in paths.items()
        if isinstance(item, dict)
        for method in item
        if method in HTTP_METHODS
    )
    owner = {label: position % count + 1 for position, label in enumerate(labels)}

    def in_shard(label: str) -> bool:
        if label in owner:
            return owner[label] == index
        # not in OLD's document (NEW-only operations): a stable hash decides
        return int(hashlib.sha256(label.encode()).hexdigest()[:8], 16) % count + 1 == index

    return in_shard


def apply_group_waivers(report: Any, waivers: list[Any], today: Any) -> None:
    """Waive mismatch groups too: a waiver's rule matches the group's divergence ID, its kind
    (status/body/header/...), or "mismatch"; method and path come from the group's operation."""
    statuses = report.diff.waivers
    for group in report.fuzz.groups:
        method, _, path = group.operation.partition(" ")
        candidates = [c for c in (group.divergence, f"mismatch/{group.kind}", group.kind, "mismatch") if c]
        for waiver, status in zip(waivers, statuses):
            if status.expired or not any(waiver.matches(c, method, path) for c in candidates):
                continue
            group.waived_by = waiver.reason
            status.used += 1
            break


def finish_report(report: Any, thresholds: Any, baseline: Any, baseline_path: str | None) -> None:
    from apiparity.verdict import decide

    if baseline is not None:
        from apiparity.report.baseline import compare_with_baseline

        report.baseline = compare_with_baseline(report, baseline, baseline_path or "baseline")
    if report.fuzz is not None:
        from apiparity.fuzz.tiers import apply_acceptances

        apply_acceptances(report.fuzz.groups, thresholds.accept)  # tier `accepted`: [[gates.accept]] and waivers
        from apiparity.fuzz.explain import cross_link

        cross_link(report)  # a spec-diff finding and the mismatch group that shows it point at each other
    report.verdict = decide(report, thresholds)
    if not report.complete and not report.shard:
        report.verdict.ready = False  # an interrupted run is never READY


def exit_code_of(report: Any) -> int:
    from apiparity.verdict import exit_code

    return exit_code(report)


def thresholds_from(base: Any, options: dict[str, Any]) -> Any:
    """The config's gate thresholds with the command-line options on top."""
    import dataclasses

    thresholds = dataclasses.replace(base)
    if options.get("min_operations_share") is not None:
        thresholds.min_operations_share = options["min_operations_share"]
    if options.get("min_cases_per_operation") is not None:
        thresholds.min_cases_per_operation = options["min_cases_per_operation"]
    if options.get("latency_factor") is not None:
        thresholds.latency_factor = options["latency_factor"] or None
    return thresholds


def requested_outputs(options: dict[str, Any], defaults: dict[str, str]) -> dict[str, str]:
    """format -> file: command-line paths over the config's [reports] table."""
    outputs = dict(defaults)
    for name in REPORT_OPTIONS:
        if options.get(f"{name}_path"):
            outputs[name] = options[f"{name}_path"]
    return outputs


def write_reports(report: Any, outputs: dict[str, str]) -> None:
    """Write each requested report atomically; append Markdown to $GITHUB_STEP_SUMMARY when set."""
    from apiparity.report import render, write_atomic

    for fmt, path in outputs.items():
        try:
            write_atomic(path, render(report, fmt))
        except OSError as exc:
            raise ReportWriteError(f"{path}: cannot write the {fmt} report: {exc.strerror or exc}") from None
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(render(report, "markdown") + "\n")
        except OSError as exc:
            click.echo(f"warning: cannot append to $GITHUB_STEP_SUMMARY ({summary}): {exc.strerror or exc}", err=True)
