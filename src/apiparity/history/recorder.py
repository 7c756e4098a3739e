"""The history hook of `check` and `fuzz`: open the file before anything is sent (bad file: exit 2
without a half-run), put the trend into the report (`Report.history`) before the verdict,
append the finished run in one transaction.

`Report.history` (a `HistorySection`) is what renderers read (HTML trend chart and sparklines,
Markdown one-line trend) and the `no-readiness-regression` gate reads when `--fail-on-regress` is on.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from apiparity.history.extract import run_record
from apiparity.history.model import OpStatus, RunRecord
from apiparity.history.provenance import provenance
from apiparity.history.readiness import (
    Snapshot,
    operation_readiness,
    regressions,
    snapshots,
    trend,
)
from apiparity.history.settings import HistorySettings, history_settings
from apiparity.history.store import HistoryError, HistoryStore, open_store
from apiparity.model import Report
from apiparity.model_sections import HistoryOperation, HistoryPoint, HistorySection
from apiparity.options import HistoryOptions

TREND_POINTS = 20  # runs shown in a report's trend chart


class Recorder:
    def __init__(self, store: HistoryStore, settings: HistorySettings, *, label: str | None, fail_on_regress: bool,
                 baseline_run: int | None = None) -> None:
        self.store = store
        self.settings = settings
        self.label = label
        self.fail_on_regress = fail_on_regress
        self.baseline_run = baseline_run
        self.provenance = provenance(cwd=Path.cwd())

    def record(self, report: Report) -> RunRecord:
        return run_record(report, provenance=self.provenance, label=self.label)

    def annotate(self, report: Report) -> None:
        """The trend up to and including this run, into `report.history` (before the verdict)."""
        reach = max(TREND_POINTS, self.settings.window) * 10  # shards of one run, fuzz runs in between
        previous = self.store.recent(reach, include=self.baseline_run)
        current = self.record(report)
        report.history = history_section(previous, current, window=self.settings.window,
                                                    file=str(self.store.path), fail_on_regress=self.fail_on_regress,
                                                    baseline_run=self.baseline_run)

    def commit(self, report: Report) -> int | None:
        """Append the finished run (verdict and gates included); an interrupted run is not recorded."""
        if report.incomplete is not None or (not report.complete and not report.shard):
            why = report.incomplete.cause if report.incomplete is not None else "interrupted, or a shard missing"
            if report.history is not None:
                report.history.note = f"incomplete ({why}): this run was not recorded"
            return None
        run_id = self.store.append(self.record(report))
        section = report.history
        if section is not None:
            section.run_id = run_id
            if section.points and section.points[-1].run == "this run":
                section.points[-1].run = f"#{run_id}"  # a shard joining its batch keeps the batch's label
        return run_id

    def close(self) -> None:
        self.store.close()

    def finish(self, report: Report, thresholds: Any) -> int | None:
        """After the verdict (tiers and acceptances final): the trend into the report, the verdict
        decided again when `--fail-on-regress`'s gate has something to read, the run appended."""
        try:
            self.annotate(report)
            if self.fail_on_regress and report.verdict is not None:
                from apiparity.verdict import decide

                report.verdict = decide(report, thresholds)
                if not report.complete and not report.shard:
                    report.verdict.ready = False  # an interrupted run is never READY
            return self.commit(report)
        finally:
            self.close()


def open_recorder(raw: Any, options: HistoryOptions, *, default_on: bool = True) -> Recorder | None:
    """None when recording is off (or, with `default_on=False`, when no history is named);
    HistoryError (exit 2) when the file cannot be used."""
    settings = history_settings(raw, options)
    if not default_on and not settings.explicit:
        settings.path = None
    baseline_run = options.history_baseline
    if settings.path is None:
        if baseline_run is not None or options.fail_on_regress:
            raise HistoryError("--fail-on-regress / --history-baseline need a history (recording is off)")
        return None
    if not settings.explicit and not settings.path.exists():
        # the default location: a folder where it cannot be created is no reason to refuse the run
        try:
            settings.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if baseline_run is not None or options.fail_on_regress:
                raise HistoryError(f"{settings.path}: cannot create the history: {exc.strerror or exc}") from None
            print(f"warning: {settings.path}: cannot create the run history ({exc.strerror or exc}); "
                  "this run is not recorded (pass --history FILE or --no-history)", file=sys.stderr)
            return None
    store = open_store(settings.path)
    if baseline_run is not None and store.run(baseline_run) is None:
        store.close()
        raise HistoryError(f"{settings.path}: --history-baseline: no run #{baseline_run}")
    return Recorder(store, settings, label=options.history_label,
                    fail_on_regress=options.fail_on_regress, baseline_run=baseline_run)


def history_section(previous: list[RunRecord], current: RunRecord, *, window: int, file: str,
                    fail_on_regress: bool = False, baseline_run: int | None = None) -> HistorySection:
    snaps = snapshots([*previous, current])
    shown = snaps[-TREND_POINTS:]
    points = trend(snaps)[-TREND_POINTS:]
    readiness = operation_readiness(snaps, window=window)
    judging = [s for s in snaps if s.judges_readiness]
    if baseline_run is not None:
        baseline = next((s for s in snaps if any(r.id == baseline_run for r in s.runs)), None)
    else:
        baseline = judging[-2] if len(judging) >= 2 else None
    regressed = regressions(snaps, baseline, window=window) if baseline is not None else []
    operations = sorted({name for snap in shown for name in snap.in_scope()}, key=lambda n: (n.partition(" ")[2], n))
    return HistorySection(
        file=file,
        run_id=None,
        window=window,
        points=[
            HistoryPoint(run=p.snapshot.label, recorded_at=p.snapshot.first.recorded_at, commit=p.snapshot.first.commit,
                         command=p.snapshot.first.command, ready=p.ready, total=p.total,
                         new=[c.title for c in p.new_causes], fixed=[c.title for c in p.fixed_causes],
                         options_changed=list(p.changed_options))
            for p in points
        ],
        operations=[
            HistoryOperation(operation=name, statuses=[_status(snap, name) for snap in shown],
                             ready=bool(readiness.get(name) and readiness[name].ready))
            for name in operations
        ],
        ready_operations=sorted(name for name, op in readiness.items() if op.ready),
        baseline=baseline.label if baseline is not None else None,
        regressed=[op.operation for op in regressed],
        fail_on_regress=fail_on_regress,
    )


def _status(snap: Snapshot, name: str) -> str:
    result = snap.operations.get(name)
    return result.status.value if result is not None else OpStatus.OUT_OF_SCOPE.value


def trend_line(section: HistorySection) -> str | None:
    """One line: "operations ready: 12/23 -> 18/23 -> 23/23 (+5 since #2; 0 new causes, 5 fixed)"."""
    points = section.points
    if not points:
        return None
    shown = points[-5:]
    parts = " → ".join(f"{p.ready}/{p.total}" for p in shown)
    last = points[-1]
    line = f"operations ready: {parts}"
    if len(points) >= 2:
        before = points[-2]
        delta = last.ready - before.ready
        if last.options_changed:
            line += f" ({delta:+d} since {before.run}; not comparable: options changed ({'; '.join(last.options_changed)}))"
        else:
            line += f" ({delta:+d} since {before.run}; {len(last.new)} new cause(s), {len(last.fixed)} fixed)"
    return line


def report_trend_line(report: Report) -> str | None:
    """The one-line trend of a report's `history`, or None (no history, or one that could not be read)."""
    return trend_line(report.history) if report.history is not None else None
