"""The run pipeline, without the command line: `run_check(CheckRequest)` (spec diff + differential
fuzz + load + verdict + reports), `run_fuzz(FuzzRequest)` (the fuzz alone), `run_replay(ReplayRequest)`
(recorded traffic) and `run_shadow(ShadowRequest)` (the cutover proxy, until stopped).

A caller passes `on_event` to follow a run: typed, frozen events (`RunStarted`, `PhaseStarted`,
`CaseCompared`, `GroupOpened`, `OperationFinished`, `PhaseFinished`, `Notice`, `RunFinished`, ...)
delivered synchronously in the order things happen. The CLI echoes `Notice` texts on stderr and
feeds the rest to its progress display; the pytest plugin and tests read the events directly.

Bad input raises ApiparityError before a single request is sent (exit 2 for the CLI, no report).
A run that starts always ends with an outcome: Ctrl-C, --max-run-time, an internal error or a side
that died keep what ran, marked incomplete. Servers started for a side are stopped on the way out.

No click here: this module is the library face of the commands (`commands/check.py`, `fuzz.py`, `replay.py`, `shadow.py`).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from apiparity.errors import ApiparityError
from apiparity.options import FuzzOptions, GateOptions, HistoryOptions, ReportPaths, ShadowRequest

if TYPE_CHECKING:
    from apiparity.asyncio_check.watchdog import LoopBlockMonitor
    from apiparity.asyncio_check.settings import EventLoopSettings
    from apiparity.config import RawConfig
    from apiparity.fuzz.runner import ProgressEvent
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.load import LoadRequest, LoadSettings
    from apiparity.model import DiffResult, FuzzResult, Report, SideInfo
    from apiparity.sides import SideSession
    from apiparity.targets import Target
    from apiparity.verdict import GateThresholds
    from apiparity.waivers import Waiver

Phase = Literal["diff", "fuzz", "load", "replay", "shadow"]


class ReportWriteError(ApiparityError):
    """A requested report file could not be written (the run itself finished)."""


# ----------------------------------------------------------------------------------- requests


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """Everything `apiparity check` was asked: targets and the command-line options, typed.
    What is not given here comes from the config file (`config_path`, else searched upward)."""

    old: str | None = None  # None: `old` in the config
    new: str | None = None
    config_path: str | None = None
    app_dir: str | None = None
    spec_path: str | None = None
    load_timeout: float = 10.0
    fuzz: FuzzOptions = field(default_factory=FuzzOptions)
    reports: ReportPaths = field(default_factory=ReportPaths)
    gates: GateOptions = field(default_factory=GateOptions)
    history: HistoryOptions = field(default_factory=HistoryOptions)
    waivers_path: str | None = None
    shard: str | None = None  # "I/N"
    baseline_path: str | None = None


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    report: Report
    exit_code: int  # 0 READY, 1 NOT READY, 2 could not complete, 130 interrupted
    notices: tuple[str, ...] = ()  # the `Notice` texts of the run, in order

    @property
    def interrupted(self) -> bool:
        return self.exit_code == 130


# ----------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class RunStarted:
    command: str  # "check" | "fuzz" | "replay" | "shadow" (old, new: the primary and candidate URLs)
    old: str
    new: str
    seed: int  # the run's seed (replay: the --sample seed; shadow: 0)
    listen_url: str | None = None  # shadow: where clients connect (the port bound, when 0 was asked)


@dataclass(frozen=True, slots=True)
class PhaseStarted:
    phase: Phase


@dataclass(frozen=True, slots=True)
class PhaseFinished:
    phase: Phase
    completed: bool  # False: the phase stopped early (interrupted, deadline, internal error)


@dataclass(frozen=True, slots=True)
class OperationsPlanned:
    """The fuzz phase planned its operations (shard and include/exclude applied)."""

    operations_total: int


@dataclass(frozen=True, slots=True)
class CaseCompared:
    """A generated case of the operation being fuzzed was sent to both sides (reported before its
    answers are grouped). Probe requests and stateful steps count in `cases_sent` but emit none.
    shadow: a mirrored request the candidate answered (operations_done: the operations seen so far,
    operation_cases: the requests compared for this operation so far)."""

    operation: str
    operations_done: int
    operations_total: int
    cases_sent: int
    operation_cases: int  # cases planned for this operation


@dataclass(frozen=True, slots=True)
class GroupOpened:
    """A case's differences opened a new mismatch cause (the report's groups may merge causes of one operation)."""

    operation: str
    signatures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OperationFinished:
    operation: str
    operations_done: int
    operations_total: int
    cases_sent: int


@dataclass(frozen=True, slots=True)
class FuzzFinished:
    operations_done: int
    operations_total: int
    cases_sent: int


@dataclass(frozen=True, slots=True)
class Notice:
    """A line for the user (the CLI prints it on stderr): `note: ...`, `warning: ...`."""

    text: str


@dataclass(frozen=True, slots=True)
class RunFinished:
    exit_code: int
    incomplete: str | None  # the Incomplete cause, None when the run completed


Event = (RunStarted | PhaseStarted | PhaseFinished | OperationsPlanned | CaseCompared | GroupOpened | OperationFinished
         | FuzzFinished | Notice | RunFinished)
EventHandler = Callable[[Event], None]


class _Events:
    """The run's event sink: forwards to the caller's handler and keeps the notices for the outcome."""

    def __init__(self, handler: EventHandler | None) -> None:
        self.handler = handler
        self.notices: list[str] = []

    def __call__(self, event: Event) -> None:
        if isinstance(event, Notice):
            self.notices.append(event.text)
        if self.handler is not None:
            self.handler(event)

    def notice(self, text: str) -> None:
        self(Notice(text))

    def from_runner(self, event: ProgressEvent) -> None:
        """The fuzz runner's progress callback, as typed events."""
        if event.kind == "start":
            self(OperationsPlanned(event.operations_total))
        elif event.kind == "case" and event.operation is not None:
            self(CaseCompared(event.operation, event.operations_done, event.operations_total, event.cases_sent, event.operation_cases))
        elif event.kind == "group" and event.operation is not None:
            self(GroupOpened(event.operation, event.signatures))
        elif event.kind == "operation" and event.operation is not None:
            self(OperationFinished(event.operation, event.operations_done, event.operations_total, event.cases_sent))
        elif event.kind == "done":
            self(FuzzFinished(event.operations_done, event.operations_total, event.cases_sent))


# ----------------------------------------------------------------------------------- check


def run_check(request: CheckRequest, *, on_event: EventHandler | None = None) -> CheckOutcome:
    """Load, validate, diff, fuzz, decide and write every requested report.

    Everything that can be wrong with the input (config, options, baseline file, targets) is
    checked before a single request is sent, so bad input raises ApiparityError without a half-run.
    Servers started for a side (--old-python, --old-cmd) are stopped on the way out, whatever happens.
    """
    from apiparity.sides import side_session

    events = _Events(on_event)
    with side_session() as sides:
        report, code = _run_check(request, events, sides)
    events(RunFinished(code, report.incomplete.cause if report.incomplete is not None else None))
    return CheckOutcome(report, code, tuple(events.notices))


def _run_check(request: CheckRequest, events: _Events, sides: SideSession) -> tuple[Report, int]:
    from apiparity import __version__, outbound, redact
    from apiparity.asyncio_check.hooks import loop_section, monitor_for_target
    from apiparity.target_info import document_problems, side_info
    from apiparity.config import load_config, settings_from_raw
    from apiparity.contract import contract_notes
    from apiparity.errors import ConfigError
    from apiparity.history.recorder import open_recorder
    from apiparity.model import Report
    from apiparity.model_sections import ContractSection
    from apiparity.report.json_format import read_report
    from apiparity.report.merge import parse_shard
    from apiparity.run_limits import RunDeadline
    from apiparity.targets.handlers import attach_handlers
    from apiparity.waivers import apply_waivers, load_waivers

    options = request.fuzz
    deadline = RunDeadline(options.max_run_time)  # --max-run-time counts from here: loading and starting the sides too
    raw = load_config(request.config_path)
    project = settings_from_raw(raw)
    old_ref = request.old or project.old
    new_ref = request.new or project.new
    if not old_ref or not new_ref:
        raise ConfigError("check: name OLD and NEW, as arguments or as `old` / `new` in the config (see `apiparity init`)")
    app_dir = request.app_dir or project.app_dir
    spec_path = request.spec_path or project.spec_path
    thresholds = thresholds_from(project.gates, request.gates)
    loop_settings = event_loop_settings_from(raw, options)
    thresholds.extra.update(loop_settings.gate_extra())
    if request.gates.load_max_p95_ratio is not None:
        thresholds.extra["load_max_p95_ratio"] = request.gates.load_max_p95_ratio
    fuzz_settings = fuzz_settings_from(project.fuzz, options, app_dir=app_dir)
    redact.activate(redact.from_settings(fuzz_settings, old_ref, new_ref, project.contract))
    outbound.activate(outbound.from_settings(fuzz_settings, old_ref, new_ref, project.contract))
    shard = parse_shard(request.shard) if request.shard else None
    waivers = load_waivers(raw, request.waivers_path)
    baseline = read_report(request.baseline_path) if request.baseline_path else None
    outputs = requested_outputs(request.reports, project.reports)
    recorder = open_recorder(raw, request.history)  # a history file that cannot be used is bad input: before any request

    # --contract / `contract =`: one document for both sides; OLD and NEW only say where requests go
    fuzz_settings.contract = fuzz_settings.contract or project.contract
    # one loading policy for both phases: --allow-remote-refs, or [diff] allow_remote_refs = true
    fuzz_settings.allow_remote_refs = fuzz_settings.allow_remote_refs or bool(project.diff.get("allow_remote_refs", False))
    old, new = load_targets(old_ref, new_ref, fuzz_settings, contract=fuzz_settings.contract, app_dir=app_dir,
                            spec_path=spec_path, load_timeout=request.load_timeout or 10.0, wait_for=options.wait_for or 0.0)
    for text in target_notes(old, new, spec=fuzz_settings.spec):
        events.notice(text)
    wait_for_servers(fuzz_settings, options.wait_for)
    load_plan = plan_load(old, new, fuzz_settings, request.gates)  # refuses --load-duration without two live servers
    report = Report(
        command="check",
        old=side_info(old, document_problems(old, allow_remote_refs=fuzz_settings.allow_remote_refs)),
        new=side_info(new, document_problems(new, allow_remote_refs=fuzz_settings.allow_remote_refs)),
        tool_version=__version__,
        generated_at=datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        shard=f"{shard[0]}/{shard[1]}" if shard else None,
        complete=shard is None,
    )
    report.gate_thresholds = copy.deepcopy(thresholds)
    if fuzz_settings.contract:
        report.contract = ContractSection(ref=fuzz_settings.contract, notes=contract_notes(old, new))
    if old.kind == "file" and old.source_path is not None:
        report.old_source_file = str(old.source_path)
    if new.kind == "file" and new.source_path is not None:
        report.new_source_file = str(new.source_path)
    attach_handlers(report, old, new)  # SARIF / GitHub annotations point at each operation's handler
    # NEW's event loop is watched while the fuzz engine sends it requests (in-process ASGI only)
    monitor = monitor_for_target(new, loop_settings, new_url=fuzz_settings.new_url)
    interrupted = False
    today = datetime.date.today()
    events(RunStarted("check", old.ref, new.ref, fuzz_settings.seed))
    phase: Phase = "diff"
    try:
        events(PhaseStarted("diff"))
        deadline.start()  # raises at once when the setup used the whole --max-run-time
        report.diff = run_diff(old, new, project.diff, allow_remote_refs=fuzz_settings.allow_remote_refs,
                               seed=options.seed, run_seed=fuzz_settings.seed)
        report.diff.waivers = apply_waivers(report.diff.changes, waivers, today)
        events(PhaseFinished("diff", True))
        phase = "fuzz"
        events(PhaseStarted("fuzz"))
        report.fuzz = run_fuzz_phase(old, new, fuzz_settings, shard, events, loop_monitor=monitor)
        events(PhaseFinished("fuzz", True))
        if load_plan is not None:
            phase = "load"
            events(PhaseStarted("load"))
            run_load_phase(report, load_plan)
            events(PhaseFinished("load", True))
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
        events(PhaseFinished(phase, False))
    except ApiparityError:
        raise  # bad input: one line, exit 2, no report
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - an internal error in a phase (or a hook's sys.exit()): what ran is still reported
        partial = getattr(exc, "partial", None)
        if partial is not None:
            report.fuzz = partial
        cause = getattr(exc, "error", exc)
        report.mark_incomplete("internal-error", f"{type(cause).__name__}: {cause}"[:300], phase=phase)
        events(PhaseFinished(phase, False))
    finally:
        deadline.cancel()
        if monitor is not None:
            report.event_loop = loop_section(monitor, new, loop_settings)
    if sides.processes:  # servers apiparity started: where they ran, their logs, whether one died mid-run
        report.sides = sides.summaries()
        for summary in report.sides.values():
            if summary.died:
                events.notice(f"warning: the server `{summary.started}` ended during the run ({summary.died}); "
                              f"log: {summary.log}")
                report.mark_incomplete("side-died", f"the server `{summary.started}` ended during the run ({summary.died})",
                                       phase=phase)
    if report.incomplete is None and report.fuzz is not None:
        for lost in lost_live_sides(fuzz_settings, old, new):  # a live server that went away mid-run
            report.mark_incomplete("side-died", lost, phase=phase)
    if report.fuzz is not None and report.diff is not None:
        apply_group_waivers(report, waivers, today)
    if interrupted:
        report.interrupted = True
    finish_report(report, thresholds, baseline, request.baseline_path)
    if recorder is not None:
        recorder.finish(report, thresholds)  # the trend, --fail-on-regress's gate, the run appended
    for warning in write_reports(report, outputs):
        events.notice(warning)
    return report, (130 if interrupted else exit_code_of(report))


# ----------------------------------------------------------------------------------- fuzz


@dataclass(frozen=True, slots=True)
class FuzzRequest:
    """Everything `apiparity fuzz` was asked (report format and output stay with the caller)."""

    old: str
    new: str
    config_path: str | None = None
    app_dir: str | None = None
    spec_path: str | None = None
    load_timeout: float = 10.0
    fuzz: FuzzOptions = field(default_factory=FuzzOptions)
    history: HistoryOptions = field(default_factory=HistoryOptions)


@dataclass(frozen=True, slots=True)
class FuzzOutcome:
    report: Report  # command "fuzz": the fuzz result, the event loop section, the history trend
    exit_code: int  # 0 no unexplained mismatch, 1 mismatches / transport errors / nothing sent, 2 incomplete, 130 interrupted
    notices: tuple[str, ...] = ()

    @property
    def result(self) -> FuzzResult:
        assert self.report.fuzz is not None
        return self.report.fuzz


def run_fuzz(request: FuzzRequest, *, on_event: EventHandler | None = None) -> FuzzOutcome:
    """Send the same generated requests to OLD and NEW and report every behavioural difference.

    Bad input raises ApiparityError before anything is sent; Ctrl-C before the first case raises
    KeyboardInterrupt (nothing to report). Servers started for a side are stopped on the way out.
    """
    from apiparity.sides import side_session

    events = _Events(on_event)
    with side_session() as sides:
        report = _run_fuzz(request, events, sides)
    code = fuzz_exit_code(report)
    events(RunFinished(code, report.incomplete.cause if report.incomplete is not None else None))
    return FuzzOutcome(report, code, tuple(events.notices))


def _run_fuzz(request: FuzzRequest, events: _Events, sides: SideSession) -> Report:
    from apiparity import __version__, outbound, redact
    from apiparity.asyncio_check.hooks import loop_section, monitor_for_target
    from apiparity.target_info import side_info
    from apiparity.config import load_config, settings_from_raw
    from apiparity.fuzz import runner
    from apiparity.history.recorder import open_recorder
    from apiparity.model import FuzzResult, Incomplete, Report
    from apiparity.run_limits import RunDeadline
    from apiparity.targets.handlers import attach_handlers

    options = request.fuzz
    deadline = RunDeadline(options.max_run_time)  # --max-run-time counts from here: loading and starting the sides too
    raw = load_config(request.config_path)
    project = settings_from_raw(raw)  # [fuzz] plus the top-level shortcuts (seed, reset, ...)
    settings = fuzz_settings_from(project.fuzz, options, app_dir=request.app_dir)
    redact.activate(redact.from_settings(settings, request.old, request.new, project.contract))
    outbound.activate(outbound.from_settings(settings, request.old, request.new, project.contract))
    loop_settings = event_loop_settings_from(raw, options)
    settings.contract = settings.contract or project.contract
    recorder = open_recorder(raw, request.history)  # before any request: a history file that cannot be used is bad input
    old, new = load_targets(request.old, request.new, settings, contract=settings.contract, app_dir=request.app_dir,
                            spec_path=request.spec_path, load_timeout=request.load_timeout, wait_for=options.wait_for or 0.0)
    wait_for_servers(settings, options.wait_for)
    for text in target_notes(old, new, spec=settings.spec):
        events.notice(text)
    monitor = monitor_for_target(new, loop_settings, new_url=settings.new_url)
    stopped: Incomplete | None = None  # why the run could not complete
    events(RunStarted("fuzz", old.ref, new.ref, settings.seed))
    events(PhaseStarted("fuzz"))
    try:
        deadline.start()  # raises at once when the setup used the whole --max-run-time
        result = fuzz_targets(old, new, settings, loop_monitor=monitor, on_event=events)
    except runner.Interrupted as stop:  # Ctrl-C, or --max-run-time
        deadline.cancel()
        result = stop.partial
        stopped = (Incomplete("run-deadline", deadline.detail, "fuzz") if deadline.reached
                   else Incomplete("interrupted", "interrupted by the user (Ctrl-C)", "fuzz"))
    except runner.Crashed as crash:  # an internal error: what ran is still reported
        result = crash.partial
        stopped = Incomplete("internal-error", f"{type(crash.error).__name__}: {crash.error}"[:300], "fuzz")
    except SystemExit as exc:  # a hook's sys.exit() before the first case: never the command's exit code
        result = FuzzResult(seed=settings.seed)
        stopped = Incomplete("internal-error", f"SystemExit: {exc}", "fuzz")
    except KeyboardInterrupt:
        if not deadline.reached:
            raise  # Ctrl-C before the first case: nothing to report (exit 130)
        result = FuzzResult(seed=settings.seed)  # the deadline passed before the first case
        stopped = Incomplete("run-deadline", deadline.detail, "fuzz")
    finally:
        deadline.cancel()
    events(PhaseFinished("fuzz", stopped is None))
    for summary in sides.summaries().values() if sides.processes else ():
        if summary.died and stopped is None:
            stopped = Incomplete("side-died", f"the server `{summary.started}` ended during the run ({summary.died})", "fuzz")
    if stopped is None:
        lost = lost_live_sides(settings, old, new)  # a live server that went away mid-run
        stopped = Incomplete("side-died", lost[0], "fuzz") if lost else None
    report = Report(
        command="fuzz",
        old=side_info(old),
        new=side_info(new),
        fuzz=result,
        complete=stopped is None,
        incomplete=stopped,
        tool_version=__version__,
        generated_at=datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
    )
    if monitor is not None:
        report.event_loop = loop_section(monitor, new, loop_settings)
    attach_handlers(report, old, new)  # SARIF / GitHub annotations point at each handler
    if recorder is not None:
        recorder.finish(report, None)  # the trend into the report, the run appended
    return report


def fuzz_exit_code(report: Report) -> int:
    """130 interrupted, 2 could not complete, 1 an unexplained mismatch group, a transport error or
    nothing compared (a request that got no answer tested nothing), else 0."""
    from apiparity.fuzz.tiers import failing_groups

    if report.incomplete is not None:
        return 130 if report.incomplete.cause == "interrupted" else 2
    result = report.fuzz
    assert result is not None
    unexplained = failing_groups(result.groups)  # regressions: legacy-bug-fixed/harmless groups are shown, not failing
    transport_errors = any(o.new_transport_errors or o.old_transport_errors for o in result.operations)
    return 1 if unexplained or transport_errors or nothing_compared(result) else 0


def nothing_compared(result: FuzzResult) -> bool:
    """No operation got a single case: nothing was compared, which is not "no mismatch"."""
    return result.cases == 0 and result.operations_total > 0


# ----------------------------------------------------------------------------------- replay


@dataclass(frozen=True, slots=True)
class ReplayRequest:
    """Everything `apiparity replay` was asked (report format and output stay with the caller)."""

    traffic: str
    old: str
    new: str
    config_path: str | None = None
    app_dir: str | None = None
    spec_path: str | None = None
    load_timeout: float = 10.0
    compare: FuzzOptions = field(default_factory=FuzzOptions)  # the comparison options replay offers (no generation)
    wait_for: float | None = None
    traffic_format: str | None = None
    only_host: str | None = None
    sample: float = 1.0
    sample_seed: int = 0
    rate: float | None = None
    workers: int = 1  # requests in flight (the replay engine's, not FuzzSettings.workers)
    checkpoint_path: str | None = None
    checkpoint_every: int = 5000
    resume: bool = False


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    report: Report  # command "replay": the comparison, the traffic section, the undocumented requests
    exit_code: int  # 0 no unexplained mismatch, 1 mismatches / transport errors, 2 incomplete, 130 interrupted
    requests_read: int  # recorded requests read (a resumed run's included)
    notices: tuple[str, ...] = ()

    @property
    def result(self) -> FuzzResult:
        assert self.report.fuzz is not None
        return self.report.fuzz


def run_replay(request: ReplayRequest, *, on_event: EventHandler | None = None) -> ReplayOutcome:
    """Replay recorded traffic against OLD and NEW, compared exactly as `run_fuzz` compares cases.

    Bad input (an unreadable or empty corpus, a target that cannot load) raises ApiparityError
    before any request is replayed. Servers started for a side are stopped on the way out.
    """
    from apiparity.sides import side_session

    events = _Events(on_event)
    with side_session() as sides:
        report, requests_read = _run_replay(request, events, sides)
    code = replay_exit_code(report)
    events(RunFinished(code, report.incomplete.cause if report.incomplete is not None else None))
    return ReplayOutcome(report, code, requests_read, tuple(events.notices))


def _run_replay(request: ReplayRequest, events: _Events, sides: SideSession) -> tuple[Report, int]:
    import itertools

    from apiparity import __version__, outbound, redact
    from apiparity.config import load_config
    from apiparity.model import Incomplete, Report
    from apiparity.model_sections import TrafficSection
    from apiparity.target_info import side_info
    from apiparity.traffic import read_traffic
    from apiparity.traffic.checkpoint import Checkpoint
    from apiparity.traffic.replay import ReplayOptions, run_replay as replay_engine

    traffic = request.traffic
    config = load_config(request.config_path)
    settings = fuzz_settings_from(config.section("fuzz"), request.compare, app_dir=request.app_dir)
    redact.activate(redact.from_settings(settings, request.old, request.new))
    outbound.activate(outbound.from_settings(settings, request.old, request.new))
    checkpoint = Checkpoint.open(request.checkpoint_path, traffic, resume=request.resume)
    recorded = read_traffic(traffic, fmt=request.traffic_format, host=request.only_host,
                            start=checkpoint.offset if checkpoint.seekable(traffic) else 0)
    for note in recorded.notes:
        events.notice(f"note: {traffic}: {note}")
    stream = iter(recorded.iter_requests())
    first = next(stream, None)
    if first is None and not checkpoint.done:
        # an empty corpus must not read as a pass
        raise ApiparityError(f"{traffic}: no replayable requests" + (f" for host {request.only_host}" if request.only_host else ""))
    old, new = load_targets(request.old, request.new, settings, contract=None, app_dir=request.app_dir, spec_path=request.spec_path,
                            load_timeout=request.load_timeout, wait_for=request.wait_for or 0.0)
    for text in target_notes(old, new):
        events.notice(text)
    seeking = checkpoint.seekable(traffic)
    replay_options = ReplayOptions(sample=request.sample, rate=request.rate, workers=request.workers, seed=request.sample_seed,
                                   skip=0 if seeking else checkpoint.done, first_position=checkpoint.done + 1 if seeking else 1,
                                   checkpoint=checkpoint.saver(recorded) if request.checkpoint_path else None,
                                   checkpoint_every=request.checkpoint_every)
    requests = itertools.chain([first], stream) if first is not None else iter(())
    events(RunStarted("replay", old.ref, new.ref, request.sample_seed))
    events(PhaseStarted("replay"))
    outcome = checkpoint.combined(replay_engine(old, new, requests, settings, options=replay_options))
    events(PhaseFinished("replay", not outcome.interrupted))
    result = outcome.result
    if recorded.stream_stats is not None and recorded.stream_stats.responses:
        events.notice(f"note: {traffic}: {recorded.stream_stats.responses} recorded response payload(s) skipped "
                      "(OLD's live answers are compared)")
    if recorded.stream_stats is not None and recorded.stream_stats.unparsed:
        events.notice(f"note: {traffic}: {recorded.stream_stats.unparsed} payload(s) not an HTTP request were skipped")
    for side, ref in sorted(result.settings.get("auto_reset", {}).items()):
        events.notice(f"note: calling {ref} before every call to {side.upper()} (pass --reset, or --no-auto-reset)")
    stopped = Incomplete("interrupted", "interrupted by the user (Ctrl-C)", "replay") if outcome.interrupted else None
    for summary in sides.summaries().values() if sides.processes else ():
        if summary.died and stopped is None:
            stopped = Incomplete("side-died", f"the server `{summary.started}` ended during the run ({summary.died})", "replay")
    lost = lost_live_sides(settings, old, new) if stopped is None else []
    stopped = Incomplete("side-died", lost[0], "replay") if lost else stopped
    report = Report(
        command="replay",
        old=side_info(old),
        new=side_info(new),
        fuzz=result,
        traffic=TrafficSection(path=traffic, format=recorded.format, requests=checkpoint.total_read, notes=list(recorded.notes),
                               sample=request.sample, resumed_from=checkpoint.resumed_from),
        undocumented_traffic=outcome.undocumented,
        complete=stopped is None,
        incomplete=stopped,
        tool_version=__version__,
        generated_at=datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
    )
    return report, checkpoint.total_read


def replay_exit_code(report: Report) -> int:
    """130 interrupted, 2 could not complete, 1 an unexplained mismatch group or a transport error, else 0."""
    from apiparity.fuzz.tiers import failing_groups

    if report.incomplete is not None:
        return 130 if report.incomplete.cause == "interrupted" else 2
    result = report.fuzz
    assert result is not None
    transport_errors = any(o.new_transport_errors or o.old_transport_errors for o in result.operations)
    return 1 if failing_groups(result.groups) or transport_errors else 0


# ----------------------------------------------------------------------------------- shadow


@dataclass(frozen=True, slots=True)
class ShadowOutcome:
    report: Report  # command "shadow": the comparison, the proxy's counters, the undocumented requests
    exit_code: int  # 0 stopped (Ctrl-C, SIGTERM, `stop`), 2 could not complete (a side died, an internal error)
    listen_url: str  # where clients connected
    notices: tuple[str, ...] = ()


def run_shadow(request: ShadowRequest, *, on_event: EventHandler | None = None,
               stop: threading.Event | None = None) -> ShadowOutcome:
    """Answer every client from the primary and compare mirrored requests with the candidate until
    SIGINT/SIGTERM (on the main thread), or `stop` is set, or a handler of the events raises
    KeyboardInterrupt: stopping is how a shadow run ends, so its report is complete, unless a side
    that accepted connections at the start no longer does (`side-died`) or the server failed
    (`internal-error`), exit 2. The final report is written on the way out either way.

    Events: `RunStarted`, `Notice`s (the listening line), `PhaseStarted("shadow")`, a `CaseCompared`
    per compared request and a `GroupOpened` per new cause (from the proxy's worker threads, one at a
    time), `PhaseFinished`, `RunFinished`. Bad input raises ApiparityError before `RunStarted`.
    """
    events = _Events(on_event)
    report, listen_url = _run_shadow(request, events, stop or threading.Event())
    code = shadow_exit_code(report)
    events(RunFinished(code, report.incomplete.cause if report.incomplete is not None else None))
    return ShadowOutcome(report, code, listen_url, tuple(events.notices))


def _run_shadow(request: ShadowRequest, events: _Events, stop: threading.Event) -> tuple[Report, str]:
    from apiparity import outbound, redact
    from apiparity.config import load_config
    from apiparity.errors import ConfigError
    from apiparity.extras import require_extra
    from apiparity.model import Incomplete, SideInfo
    from apiparity.fuzz.transports import connect_error

    require_extra("shadow", command="apiparity shadow")
    from apiparity.traffic.shadow import ComparedRequest, ShadowProxy, ShadowSettings, bind, serve

    host, port = parse_listen(request.listen)
    sides = (("--primary", request.primary), ("--candidate", request.candidate), ("--secondary", request.secondary))
    for name, url in sides:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ConfigError(f"{name} {url!r}: expected an http:// or https:// URL")
    mirrored = frozenset(m.strip().upper() for m in request.methods.split(",") if m.strip())
    unsafe = sorted(mirrored - {"GET", "HEAD", "OPTIONS"})
    if unsafe and not request.allow_unsafe:
        raise ConfigError(f"--methods {','.join(unsafe)}: mirroring unsafe methods changes the candidate's state; pass --allow-unsafe")
    fuzz = fuzz_settings_from(load_config(request.config_path).section("fuzz"), request.compare, app_dir=None)
    policy = redact.activate(redact.from_settings(fuzz, request.primary, request.candidate, request.secondary, request.spec_ref))
    outbound.activate(outbound.Destinations.of([request.primary, request.candidate, request.secondary, request.spec_ref]))
    document, old_info = shadow_document(request.spec_ref or request.primary, request.spec_path, explicit=request.spec_ref is not None)
    settings = ShadowSettings(
        primary_url=request.primary, candidate_url=request.candidate, secondary_url=request.secondary, methods=mirrored,
        queue_size=request.queue_size, workers=request.workers, candidate_timeout=request.candidate_timeout,
        primary_timeout=request.primary_timeout, max_body_bytes=fuzz.max_body_bytes, report_path=request.report_path,
        record_path=request.record_path, flush_interval=request.flush_interval, document=document,
        compare_headers=fuzz.compare_headers, ignore=fuzz.ignore, unordered=fuzz.unordered,
        equivalent_status=fuzz.equivalent_status, redact=fuzz.redact,
        old_info=old_info or SideInfo(ref=request.primary, framework="unknown", interface="http"),
        new_info=SideInfo(ref=request.candidate, framework="unknown", interface="http"),
    )
    sock = bind(host, port)
    # a side that accepts connections now and no longer does when the run stops died during it; one
    # that is down from the start is what the report's candidate failures say (a proxy still serves)
    labels = {"--primary": "OLD (primary)", "--candidate": "NEW (candidate)", "--secondary": "OLD (secondary)"}
    watched = [(labels[name], url) for name, url in sides if url is not None and connect_error(url) is None]

    def compared(case: ComparedRequest) -> None:
        try:
            events(CaseCompared(case.operation, case.operations_seen, case.operations_total, case.compared,
                                case.operation_compared))
        except KeyboardInterrupt:
            stop.set()  # Ctrl-C in a handler: stop, as the signal does

    def opened(operation: str, signatures: tuple[str, ...]) -> None:
        try:
            events(GroupOpened(operation, signatures))
        except KeyboardInterrupt:
            stop.set()

    try:
        proxy = ShadowProxy(settings, on_compared=compared, on_group_opened=opened)
    except BaseException:
        sock.close()
        raise
    listen_url = f"http://{host}:{sock.getsockname()[1]}"
    events(RunStarted("shadow", request.primary, request.candidate, 0, listen_url))
    events.notice(policy.text(
        f"shadow: listening on {listen_url}; primary {request.primary}, candidate {request.candidate}; "
        f"mirroring {','.join(sorted(mirrored))}; report {request.report_path}"
        + (f"; recording {request.record_path}" if request.record_path else "")))
    if document is None:
        events.notice("note: no OpenAPI document for the primary: mismatches are grouped by path shape (pass --spec)")
    events(PhaseStarted("shadow"))
    stopped: Incomplete | None = None
    try:
        serve(proxy, sock, log_level=request.log_level, stop=stop)
    except KeyboardInterrupt:
        pass  # Ctrl-C outside uvicorn's own handling: the same normal stop
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the server failed: what was compared is still reported
        stopped = Incomplete("internal-error", policy.text(f"{type(exc).__name__}: {exc}")[:300], "shadow")
    report = proxy.stop()  # drained already when the server stopped; the final report
    events(PhaseFinished("shadow", stopped is None))
    for label, url in watched if stopped is None else ():
        problem = connect_error(url)
        if problem:
            stopped = Incomplete("side-died", policy.text(f"{label} {url} stopped accepting connections during the run ({problem})"),
                                 "shadow")
            break
    if stopped is not None:
        report.mark_incomplete(stopped.cause, stopped.detail, phase=stopped.phase)
    proxy.write_final(report)
    return report, listen_url


def shadow_exit_code(report: Report) -> int:
    """2 could not complete (a side died, an internal error), else 0: a shadow run ends when it is
    stopped, and its findings are the report's, not the exit code's."""
    if report.incomplete is not None:
        return 130 if report.incomplete.cause == "interrupted" else 2
    return 0


def parse_listen(text: str) -> tuple[str, int]:
    """--listen HOST:PORT ([::1]:PORT for IPv6)."""
    from apiparity.errors import ConfigError

    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--listen {text!r}: expected HOST:PORT, e.g. 127.0.0.1:8080")
    return host, int(port)


def shadow_document(ref: str, spec_path: str | None, *, explicit: bool) -> tuple[dict[str, Any] | None, SideInfo | None]:
    """OLD's document and SideInfo for shadow; (None, None) when the primary serves none and no --spec was given."""
    from apiparity.target_info import side_info
    from apiparity.targets import load_target

    try:
        target = load_target(ref, app_dir=None, spec_path=spec_path, timeout=10.0)
    except ApiparityError:
        if explicit:
            raise
        return None, None
    return target.document, side_info(target)


# ----------------------------------------------------------------------------------- settings


def fuzz_settings_from(config: dict[str, Any] | None, options: FuzzOptions, *, app_dir: str | None) -> FuzzSettings:
    """FuzzSettings: the command-line fuzz options over the config's `[fuzz]` table (`options.fuzz_settings`)."""
    from apiparity.options import fuzz_settings

    return fuzz_settings(config, options=options, app_dir=app_dir)


def event_loop_settings_from(raw: RawConfig, options: FuzzOptions) -> EventLoopSettings:
    """EventLoopSettings from the config's `[event_loop]` table with --event-loop/--block-threshold-ms on top."""
    from apiparity.asyncio_check.settings import load_event_loop_settings

    settings = load_event_loop_settings(raw)
    if options.event_loop is not None:
        settings.gate = bool(options.event_loop)
    if options.block_threshold_ms is not None:
        settings.threshold_ms = float(options.block_threshold_ms)
    return settings


def thresholds_from(base: GateThresholds, options: GateOptions) -> GateThresholds:
    """The config's gate thresholds with the command-line options on top."""
    thresholds = dataclasses.replace(base)
    if options.min_operations_share is not None:
        thresholds.min_operations_share = options.min_operations_share
    if options.min_cases_per_operation is not None:
        thresholds.min_cases_per_operation = options.min_cases_per_operation
    if options.latency_factor is not None:
        thresholds.latency_factor = options.latency_factor or None
    return thresholds


def requested_outputs(paths: ReportPaths, defaults: dict[str, str]) -> dict[str, str]:
    """format -> file: command-line paths over the config's [reports] table."""
    return {**defaults, **paths.given()}


# ----------------------------------------------------------------------------------- targets


def load_targets(old_ref: str, new_ref: str, settings: FuzzSettings, *, contract: str | None, app_dir: str | Path | None = None,
                 spec_path: str | None = None, load_timeout: float = 10.0, wait_for: float = 0.0,
                 interpreters_from: Path | None = None) -> tuple[Target, Target]:
    """OLD and NEW of a run, the one way every run (`check`, `fuzz`, `replay`) and the pytest
    plugin's suites load them: in-process apps, documents and URLs (`targets.load_target`), sides
    apiparity starts itself from `settings` (`old_python`/`old_cmd`, ...: `sides.launch_side`,
    stopped with the caller's side session), and the `contract` given to both sides when one is
    named. `interpreters_from`: a folder that a relative `old_python`/`new_python` is looked up in
    first (the pytest plugin: the test file's folder). ApiparityError on bad input."""
    from apiparity.contract import load_sides
    from apiparity.sides import launches_from

    launches = launches_from(settings)
    if interpreters_from is not None:
        for side, launch in launches.items():
            if launch.python and not Path(launch.python).is_absolute() and (interpreters_from / launch.python).exists():
                launches[side] = dataclasses.replace(launch, python=str(interpreters_from / launch.python))
    return load_sides(old_ref, new_ref, contract=contract, app_dir=app_dir, spec_path=spec_path, load_timeout=load_timeout,
                      wait_for=wait_for, launches=launches)


def target_notes(*targets: Target, spec: str | None = None) -> list[str]:
    """The `note:` lines of loaded targets: a converted Swagger document, an inferred skeleton, the
    contract used, and (given the run's `spec` setting) which documents the cases come from when `auto` chose."""
    notes = [f"note: {note}" if "the contract" in note else f"note: {target.ref}: {note}"
             for target in targets for note in target.notes]
    if spec is not None and len(targets) == 2:
        from apiparity.fuzz.settings import resolve_spec_source

        _, why = resolve_spec_source(spec, *targets)
        if why:
            notes.append(f"note: {why}")
    return notes


def wait_for_servers(settings: FuzzSettings, seconds: float | None) -> None:
    """--wait-for: also wait for the live servers named by --old-url/--new-url (URL targets wait
    while their document is fetched, in the target loader)."""
    from apiparity.fuzz.transports import wait_until_listening

    # without --wait-for, one try: a side that cannot be reached is bad input before the run starts
    for label, url in (("--old-url", settings.old_url), ("--new-url", settings.new_url)):
        if url:
            wait_until_listening(url, seconds or 0.0, label=label)


def lost_live_sides(settings: FuzzSettings, old: Target, new: Target) -> list[str]:
    """After a run: each live side (--old-url/--new-url, a URL target) that no longer accepts a
    connection, named with its URL. Such a side died during the run: what it answered after is no
    finding about it, and the run could not complete."""
    from apiparity.fuzz.transports import connect_error

    lost = []
    for label, url, target in (("OLD", settings.old_url, old), ("NEW", settings.new_url, new)):
        url = url or (target.base_url if getattr(target, "interface", None) == "http" else None)
        problem = connect_error(url) if url else None
        if problem:
            lost.append(f"{label} {url} stopped accepting connections during the run ({problem})")
    return lost


# ----------------------------------------------------------------------------------- phases


def run_diff(old: Target, new: Target, table: dict[str, Any], *, allow_remote_refs: bool = False, seed: int | None = None,
             run_seed: int = 0) -> DiffResult:
    """The check's spec diff. Its witness search is seeded by `seed` (--seed), else [diff] `seed`,
    else the run's own seed (`run_seed`, [fuzz] `seed`): one seed reproduces the whole report."""
    from apiparity.diff.engine import DiffOptions, diff_documents
    from apiparity.errors import ConfigError

    known = {"profile", "disabled_noise_rules", "allow_remote_refs", "noise_examples", "witness", "seed", "witness_instances", "witness_seconds"}
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
        witness_instances=int(table.get("witness_instances", 1500)),
        witness_seconds=float(table.get("witness_seconds", 300.0)),
    )
    return diff_documents(old.document, new.document, options=options)


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """What `--load-duration` will run, checked before anything is sent."""

    old_url: str
    new_url: str
    requests: list[LoadRequest]
    settings: LoadSettings
    source: str
    seed: int
    allow_unsafe: bool


def plan_load(old: Target, new: Target, settings: FuzzSettings, options: GateOptions) -> LoadPlan | None:
    """What `--load-duration` will run (URLs, mix, settings); None when off."""
    from apiparity.errors import ConfigError

    duration = options.load_duration or 0.0
    if duration <= 0:
        return None
    old_url, new_url = _live_root(old, settings.old_url, settings.old_base_path), _live_root(new, settings.new_url, settings.new_base_path)
    if old_url is None or new_url is None:
        raise ConfigError("--load-duration: a load run needs both sides on live servers (URL targets, or --old-url and --new-url); "
                          "in-process apps compare framework call overhead, not deployments")
    from apiparity.extras import require_extra

    require_extra("load", command="check --load-duration")
    from apiparity.load import LoadSettings, from_document

    load_settings = LoadSettings(users=options.load_users or 10, duration=duration, timeout=settings.timeout,
                                 headers=dict(settings.headers))
    load_settings.validate()
    # the mix comes from the document the fuzz cases come from; GET/HEAD only unless --allow-unsafe
    requests = from_document(old.document, seed=settings.seed, per_operation=options.load_per_operation or 10,
                             allow_unsafe=settings.allow_unsafe, source=f"{old.ref} (load mix)")
    return LoadPlan(old_url=old_url, new_url=new_url, requests=requests, settings=load_settings,
                    source=f"{old.ref} document", seed=settings.seed, allow_unsafe=settings.allow_unsafe)


def _live_root(target: Target, url: str | None, base_path: str | None) -> str | None:
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


def run_load_phase(report: Report, plan: LoadPlan) -> None:
    """The load comparison into `report.load`; a run that fails is recorded (`load_error`), and fails its gate."""
    from apiparity.load import load_section

    try:
        report.load = load_section(plan.old_url, plan.new_url, plan.requests, plan.settings,
                                   source=plan.source, seed=plan.seed, allow_unsafe=plan.allow_unsafe)
    except ApiparityError as exc:
        report.load_error = f"load run failed: {exc}"


def fuzz_targets(old: Target, new: Target, settings: FuzzSettings, *, operations_filter: Callable[[str], bool] | None = None,
                 loop_monitor: LoopBlockMonitor | None = None, on_event: EventHandler | None = None) -> FuzzResult:
    """The fuzz engine on loaded targets, its progress as pipeline events: the fuzz phase of
    `run_check` and `run_fuzz`, and each operation's test of the pytest plugin. Ctrl-C raises the
    engine's `Interrupted`, an internal error its `Crashed` (both carry what ran)."""
    from apiparity.fuzz import runner

    events = on_event if isinstance(on_event, _Events) else _Events(on_event)
    on_progress = events.from_runner if on_event is not None else None
    return runner.run_fuzz(old, new, settings, on_progress=on_progress, operations_filter=operations_filter,
                           loop_monitor=loop_monitor)


def run_fuzz_phase(old: Target, new: Target, settings: FuzzSettings, shard: tuple[int, int] | None,
                   on_event: EventHandler | None, *, loop_monitor: LoopBlockMonitor | None = None) -> FuzzResult:
    """`check`'s fuzz phase (its shard of the operations); Ctrl-C becomes a KeyboardInterrupt carrying `partial`."""
    from apiparity.fuzz.runner import Interrupted

    operations_filter = shard_filter(old.document, shard) if shard else None
    try:
        return fuzz_targets(old, new, settings, operations_filter=operations_filter, loop_monitor=loop_monitor, on_event=on_event)
    except Interrupted as exc:
        interrupt = KeyboardInterrupt()
        interrupt.partial = exc.partial  # type: ignore[attr-defined]
        raise interrupt from None


def shard_filter(document: dict[str, Any], shard: tuple[int, int]) -> Callable[[str], bool]:
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


# ----------------------------------------------------------------------------------- verdict and reports


def apply_group_waivers(report: Report, waivers: list[Waiver], today: datetime.date) -> None:
    """Waive mismatch groups too: a waiver's rule matches the group's divergence ID, its kind
    (status/body/header/...), or "mismatch"; method and path come from the group's operation."""
    assert report.diff is not None and report.fuzz is not None
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


def finish_report(report: Report, thresholds: GateThresholds, baseline: Report | None, baseline_path: str | None) -> None:
    from apiparity.verdict import decide

    if baseline is not None:
        from apiparity.report.baseline import compare_with_baseline

        report.baseline = compare_with_baseline(report, baseline, baseline_path or "baseline")
    if report.fuzz is not None:
        from apiparity.fuzz.tiers import apply_acceptances

        apply_acceptances(report.fuzz.groups, thresholds.accept)  # tier `accepted`: [[gates.accept]] and waivers
        from apiparity.fuzz.explain import cross_link, served_after_all

        cross_link(report)  # a spec-diff finding and the mismatch group that shows it point at each other
        served_after_all(report)  # an operation "removed" from NEW's document that NEW still serves
    report.verdict = decide(report, thresholds)
    if not report.complete and not report.shard:
        report.verdict.ready = False  # an interrupted run is never READY


def exit_code_of(report: Report) -> int:
    from apiparity.verdict import exit_code

    return exit_code(report)


def write_reports(report: Report, outputs: dict[str, str]) -> list[str]:
    """Write each requested report atomically; append Markdown to $GITHUB_STEP_SUMMARY when set.
    Returns the warnings (a step summary that could not be appended); a report that cannot be
    written raises ReportWriteError."""
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
            return [f"warning: cannot append to $GITHUB_STEP_SUMMARY ({summary}): {exc.strerror or exc}"]
    return []
