"""Terminal report: coloured with rich when stdout is a terminal, plain text otherwise."""

from __future__ import annotations

import io
import os
import re
import shutil
import sys

from apiparity.model import Change, MismatchExample, MismatchGroup, Report
from apiparity.report.sections import BlockRow, event_loop_view, is_undocumented_error, load_view, undocumented_traffic
from apiparity.report.view import (
    DOCUMENT_LEVEL,
    active_groups,
    build_view,
    changes_by_operation,
    decided_by_line,
    format_body,
    format_value,
    gate_in_verdict,
    gate_result,
    is_good,
    operations_text,
    path_move_line,
    percent,
    request_line,
    status_text,
    title_for,
    truncate,
    waived_groups,
)

# Control characters from response bodies (ESC sequences, BEL, CR) would drive the terminal:
# shown as visible \xNN escapes instead. Newline and tab stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

SEVERITY_STYLE = {"breaking": "bold red", "warning": "yellow", "info": "cyan"}
SIDE_BY_SIDE_WIDTH = 48  # characters per side before a response line is cut
BODY_LINES = 12  # response lines shown per side


def render(report: Report) -> str:
    """The text report; colour when stdout is a terminal and NO_COLOR is not set."""
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return render_text(report, color=color)


def render_text(report: Report, *, color: bool = False, width: int | None = None) -> str:
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width or (shutil.get_terminal_size((120, 40)).columns if color else 120),
        highlight=False,
        emoji=False,
    )
    _Writer(console, report).write()
    return buffer.getvalue()


class _Writer:
    def __init__(self, console: object, report: Report) -> None:
        from rich.markup import escape

        self.console = console
        self.report = report
        self.escape = lambda text: escape(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text)))
        self.view = build_view(report)

    def line(self, markup: str = "") -> None:
        self.console.print(markup, soft_wrap=True)  # type: ignore[attr-defined]

    def write(self) -> None:
        report = self.report
        style = "bold green" if is_good(report) else "bold red"
        self.line(f"[bold]{self.escape(title_for(report))}[/]: [{style}]{self.escape(status_text(report))}[/]")
        for label, side in (("OLD", report.old), ("NEW", report.new)):
            if side is not None:
                extra = f", {side.operations} operations" if side.operations else ""
                self.line(f"  {label}: {self.escape(side.ref)} ({self.escape(side.framework)}, {self.escape(side.interface)}{extra})")
                for problem in side.validation_errors[:5]:
                    self.line(f"    [yellow]invalid document:[/] {self.escape(problem)}")
        if report.shard:
            self.line(f"  shard {self.escape(report.shard)}")
        from apiparity.history.recorder import report_trend_line

        progress = report_trend_line(report)
        if progress:
            self.line(f"  cutover progress: {self.escape(progress)}")
        if report.fuzz is not None:
            self.write_top_causes()
        if report.verdict is not None:
            self.write_verdict()
        if report.diff is not None:
            self.write_diff()
        if report.fuzz is not None:
            self.write_fuzz()
        self.write_undocumented()
        self.write_event_loop()
        self.write_load()
        self.write_baseline()
        from apiparity.report.view import incomplete_text

        stopped = incomplete_text(report)
        if stopped:
            self.line(f"[bold yellow]{self.escape(stopped)}[/]")

    # ------------------------------------------------------------------ verdict
    def write_verdict(self) -> None:
        from rich import box
        from rich.table import Table

        verdict = self.report.verdict
        assert verdict is not None
        self.line()
        table = Table(title="Gates", box=box.SIMPLE_HEAD, title_justify="left", show_lines=False)
        for column in ("gate", "threshold", "measured", "result"):
            table.add_column(column, overflow="fold")
        for gate in verdict.gates:
            style = "green" if gate.passed else "yellow" if not gate.failing else "bold red"
            result = f"[{style}]{gate_result(gate)}[/]"
            table.add_row(self.escape(gate.description or gate.name), self.escape(gate.threshold), self.escape(gate.measured), result)
        self.console.print(table)  # type: ignore[attr-defined]
        self.line(f"  {self.escape(decided_by_line(verdict))}")
        for gate in verdict.gates:
            if not gate.passed and gate.details:
                self.line(f"  [{'red' if gate.failing else 'yellow'}]{self.escape(gate.name)}[/]" + (" (not run)" if not gate.failing else "") + ":")
                for detail in gate.details[:20]:
                    self.line(f"    - {self.escape(detail)}")
                if len(gate.details) > 20:
                    self.line(f"    ... and {len(gate.details) - 20} more")

    def write_top_causes(self) -> None:
        """The worst causes, one line each, before any detail (what a reader acts on first)."""
        summary = self.view.summary
        if not summary.top_causes:
            return
        self.line()
        self.line(f"[bold]Top causes[/] (mismatch groups: {self.escape(summary.tier_line)})")
        for line in summary.top_causes:
            style = "red" if line.startswith(("[regression]", "[breaking]")) else "yellow"
            self.line(f"  [{style}]{self.escape(line)}[/]")

    # ------------------------------------------------------------------ diff
    def write_diff(self) -> None:
        diff = self.report.diff
        assert diff is not None
        self.line()
        self.line(f"[bold]Spec diff[/] ({diff.operations_old} operations in OLD, {diff.operations_new} in NEW)")
        for operation, changes in changes_by_operation(diff.changes).items():
            self.line(f"  [bold]{self.escape(operation if operation != DOCUMENT_LEVEL else 'document')}[/]")
            for change in changes:
                self.write_change(change)
        if not diff.changes:
            self.line("  no changes")
        for old_path, new_path in diff.renamed_paths:
            self.line(f"  renamed path: {self.escape(old_path)} -> {self.escape(new_path)}")
        for move in diff.path_moves:
            self.line(f"  [yellow]moved paths[/]: {self.escape(path_move_line(move))}")
        self.line(f"  summary: {self.escape(self.view.summary.severity_line)}")
        if self.view.summary.noise_line:
            self.line(f"  [dim]{self.escape(self.view.summary.noise_line)}[/]")
        for waiver in diff.waivers:
            state = "expired" if waiver.expired else ("used" if waiver.used else "unused")
            color = "red" if waiver.expired else ("green" if waiver.used else "yellow")
            expires = f", expires {waiver.expires}" if waiver.expires else ""
            self.line(
                f"  waiver [{color}]{state}[/] ({waiver.used}x): {self.escape(waiver.rule_id)} "
                f"{self.escape(waiver.method)} {self.escape(waiver.path)}: {self.escape(waiver.reason)}{self.escape(expires)}"
            )

    def write_change(self, change: Change) -> None:
        style = "dim" if change.waived_by else SEVERITY_STYLE.get(change.severity, "")
        label = "waived" if change.waived_by else change.severity
        text = f"    [{style}]{label:<8}[/] {self.escape(change.rule_id)}: {self.escape(change.message)}"
        if change.waived_by:
            text += f" [dim](waived: {self.escape(change.waived_by)})[/]"
        if change.baseline == "new":
            text += " [bold magenta](new since baseline)[/]"
        self.line(text)
        for key in change.mismatch_groups:
            self.line(f"             [dim]on the wire: mismatch group {self.escape(key)}[/]")
        if change.witness is not None:
            style = "yellow" if change.witness.verdict == "possibly-breaking" else "dim"
            self.line(f"             [{style}]{self.escape(change.witness.text)}[/]")

    # ------------------------------------------------------------------ fuzz
    def write_fuzz(self) -> None:
        fuzz = self.report.fuzz
        assert fuzz is not None
        summary = self.view.summary
        self.line()
        seed = f", seed {fuzz.seed}" if fuzz.seed is not None else ""
        self.line(
            f"[bold]Differential fuzz[/]: {fuzz.cases} cases, {summary.operations_reached}/{summary.operations_total} "
            f"operations reached ({percent(summary.operations_reached, summary.operations_total)}){seed}"
        )
        groups = active_groups(self.report)
        self.line(f"  {len(groups)} mismatch group{'s' if len(groups) != 1 else ''} ({summary.mismatches} mismatching cases; "
                  f"{self.escape(summary.tier_line)})")
        new_failed = sum(s.new_transport_errors for s in fuzz.operations)
        old_failed = sum(s.old_transport_errors for s in fuzz.operations)
        if new_failed or old_failed:
            self.line(f"  [red]transport errors on NEW: {new_failed}, on OLD: {old_failed}[/] (no answer: connection refused or reset, timeout)")
        from apiparity.report.unanswered import unanswered_lines

        for described in unanswered_lines(fuzz.operations, unsendable=False):
            self.line(f"    {self.escape(described)}")
        unsendable = sum(s.unsendable for s in fuzz.operations)
        if unsendable:
            self.line(f"  [yellow]{unsendable} case(s) not sent[/]: the HTTP client refuses the request (not compared, not a transport error)")
            for described in unanswered_lines(fuzz.operations, unsendable=True):
                self.line(f"    {self.escape(described)}")
        for group in groups:
            self.write_group(group)
        for group in waived_groups(self.report):
            self.line(f"  [dim]waived: {self.escape(group.key)} ({group.count}x): {self.escape(group.waived_by or '')}[/]")
        if fuzz.noise:
            self.line("  noise cancelled (differs between two calls to OLD):")
            for noise in fuzz.noise:
                self.line(f"    {self.escape(noise.operation)} {self.escape(noise.field_path)} ({noise.count}x)")
        if fuzz.conformance:
            self.line("  conformance issues:")
            for issue in fuzz.conformance:
                self.line(
                    f"    [yellow]{self.escape(issue.side)}[/] {self.escape(issue.operation)} {self.escape(issue.check)} "
                    f"({issue.count}x): {self.escape(issue.message)}"
                    + (f" [dim](in mismatch group {self.escape(issue.explained_by)})[/]" if issue.explained_by else "")
                )
        from apiparity.report.sequences import link_line, sequence_line, silent_link_text, silent_links

        for line in (sequence_line(fuzz), link_line(fuzz)):
            if line:
                self.line(f"  {self.escape(line)}")
        for note in silent_links(fuzz):
            self.line(f"  [yellow]link never fired[/] {self.escape(silent_link_text(note))}")
        skipped = [s for s in fuzz.operations if s.cases == 0]
        for stats in skipped:
            reason = f": {stats.skipped_reason}" if stats.skipped_reason else ""
            self.line(f"  [yellow]not exercised[/] {self.escape(stats.operation)}{self.escape(reason)}")
        undocumented_listed = bool(undocumented_traffic(self.report))
        for error in fuzz.errors:
            if undocumented_listed and is_undocumented_error(error):
                continue  # shown in its own section
            self.line(f"  [yellow]error[/] {self.escape(error)}")

    def write_group(self, group: MismatchGroup) -> None:
        self.line()
        new = " [bold magenta](new since baseline)[/]" if group.baseline == "new" else ""
        style = "bold red" if group.tier == "regression" else "bold yellow"
        self.line(f"  [{style}]{self.escape(group.operation)}[/] {self.escape(group.signature)} ({group.count}x) "
                  f"[{style}]\\[{self.escape(group.tier)}][/]{new}")
        if group.tier_reason:
            self.line(f"    tier: {self.escape(group.tier_reason)}")
        if len(group.operations) > 1:
            self.line(f"    seen on {len(group.operations)} operations: {self.escape(operations_text(group, limit=8))}")
        if group.related:
            self.line(f"    also differs: {self.escape('; '.join(group.related[:12]))}" + (f" (+{len(group.related) - 12} more)" if len(group.related) > 12 else ""))
        if group.spec_changes:
            self.line(f"    spec diff: {self.escape(', '.join(group.spec_changes))}")
        if group.conformance:
            self.line(f"    conformance explained: {self.escape('; '.join(group.conformance[:5]))}")
        if group.divergence:
            self.line(f"    known divergence [bold]{self.escape(group.divergence)}[/]: {self.escape(group.explanation or '')}")
        elif group.explanation:
            self.line(f"    {self.escape(group.explanation)}")
        if group.fix_hint:
            self.line(f"    fix: {self.escape(group.fix_hint)}")
        if group.examples:
            self.write_example(group.examples[0])
        for side, raised in app_exceptions(group):
            self.line(f"    {side} raised: {self.escape(raised)} (traceback in the JSON report)")
        for example in group.examples[1:]:
            request = example.request
            shown = "; ".join(example.differences[:3])
            self.line(f"    also: {self.escape(request_line(request.method, request.path, request.query))} -> OLD {example.old.status}, "
                      f"NEW {example.new.status}: {self.escape(truncate(shown, 200))}")

    def write_example(self, example: MismatchExample) -> None:
        request = example.request
        self.line(f"    request: {self.escape(request_line(request.method, request.path, request.query))}")
        if request.body is not None:
            self.line(f"    body: {self.escape(truncate(format_value(request.body, 400), 400))}")
        for difference in example.differences[:8]:
            self.line(f"    [red]~[/] {self.escape(difference)}")
        old_lines = _response_lines(example.old.status, example.old.error, example.old.body)
        new_lines = _response_lines(example.new.status, example.new.error, example.new.body)
        self.line(f"    {'OLD':<{SIDE_BY_SIDE_WIDTH}} | NEW")
        for index in range(max(len(old_lines), len(new_lines))):
            left = old_lines[index] if index < len(old_lines) else ""
            right = new_lines[index] if index < len(new_lines) else ""
            self.line(f"    {self.escape(f'{left:<{SIDE_BY_SIDE_WIDTH}}')} | {self.escape(right)}")
        for side, command in (("OLD", example.curl_old), ("NEW", example.curl_new)):
            # a live side's curl, or an in-process app's test-client snippet (it says so itself)
            self.line(f"    {'curl' if command.startswith('curl') else 'run'} {side}: {self.escape(command)}")

    # ------------------------------------------------------------------ later features (Report.load, .event_loop, ...)
    def write_undocumented(self) -> None:
        rows = undocumented_traffic(self.report)
        if not rows:
            return
        self.line()
        total = sum(row.count for row in rows)
        self.line(f"[bold]Undocumented traffic[/]: {total} request(s) to {len(rows)} endpoint(s) OLD's document does not describe")
        for row in rows:
            reason = f": {row.reason}" if row.reason else ""
            self.line(f"  [yellow]{row.count:>6}x[/] {self.escape(row.method)} {self.escape(row.path)}{self.escape(reason)}")

    def write_event_loop(self) -> None:
        view = event_loop_view(self.report)
        if view is None:
            return
        self.line()
        style = "bold red" if view.blocked else "green"
        self.line(f"[bold]Event loop[/] (NEW, blocks over {view.threshold_ms:g} ms): [{style}]{self.escape(view.summary)}[/]")
        for block in view.blocks:
            self.write_block(block)
        if view.unattributed:
            total = sum(b.count for b in view.unattributed)
            longest = max(b.max_ms for b in view.unattributed)
            self.line(
                f"  [dim]not counted: {total} block(s) with no app frame on the stack (framework, warm-up), longest {longest:.1f} ms[/]"
            )
        if view.static:
            self.line("  static scan (blocking calls reachable from async handlers):")
            for finding in view.static:
                self.line(f"    [yellow]{self.escape(finding.operation)}[/]: {self.escape(finding.call)} at {self.escape(finding.where)}")
                if finding.chain:
                    self.line(f"      via {self.escape(' -> '.join(finding.chain))}")
                if finding.fix_hint:
                    self.line(f"      fix: {self.escape(finding.fix_hint)}")
        if view.static_error:
            self.line(f"  [yellow]static scan failed[/]: {self.escape(view.static_error)}")
        if view.events_dropped:
            self.line(f"  [dim]{view.events_dropped} further block(s) only counted (event limit reached)[/]")

    def write_block(self, block: BlockRow) -> None:
        function = f" in {block.function}" if block.function else ""
        self.line(
            f"  [bold red]{self.escape(block.operation)}[/]: blocked {block.count}x, max {block.max_ms:.1f} ms, "
            f"p95 {block.p95_ms:.1f} ms at {self.escape(block.where)}{self.escape(function)}"
        )
        if block.blocking_call:
            self.line(f"    blocking call: {self.escape(block.blocking_call)}")
        if block.example_request:
            self.line(f"    e.g. {self.escape(block.example_request)}")
        if block.stack:
            self.line("    stack (outermost first):")
            for frame in block.stack[-8:]:
                self.line(f"      {self.escape(frame)}")
        if len(block.locations) > 1:
            self.line(f"    also at: {self.escape(', '.join(block.locations[1:6]))}")
        self.line(f"    fix: {self.escape(block.fix_hint)}")

    def write_load(self) -> None:
        view = load_view(self.report)
        if view is None:
            return
        self.line()
        self.line(f"[bold]Load comparison[/]: {self.escape(view.summary)}")
        if view.problem is None:
            from apiparity.load import render_text as load_table

            try:
                table = load_table(self.report.load) if self.report.load is not None else ""
            except (KeyError, TypeError, ValueError, AttributeError):
                table = ""  # the rows below were read leniently; the load module's table wants every key
            for line in table.splitlines():
                self.line(f"  {self.escape(line)}" if line else "")
        gate = view.gate
        if gate is not None and not gate_in_verdict(self.report, gate.name):
            result = "[green]pass[/]" if gate.passed else "[bold red]FAIL[/]"
            self.line(f"  latency gate: {result} ({self.escape(gate.measured)}; threshold {self.escape(gate.threshold)})")
            for detail in gate.details[:20]:
                self.line(f"    - {self.escape(detail)}")

    # ------------------------------------------------------------------ baseline
    def write_baseline(self) -> None:
        baseline = self.report.baseline
        if baseline is None:
            return
        self.line()
        self.line(f"[bold]Since baseline[/] {self.escape(baseline.path)}:")
        self.line(f"  newly broken: {len(baseline.newly_broken)}")
        for key in baseline.newly_broken[:20]:
            self.line(f"    [red]+[/] {self.escape(key)}")
        self.line(f"  newly fixed: {len(baseline.newly_fixed)}")
        for key in baseline.newly_fixed[:20]:
            self.line(f"    [green]-[/] {self.escape(key)}")


def app_exceptions(group: MismatchGroup) -> list[tuple[str, str]]:
    """("OLD"/"NEW", the exception's last line and the frame nearest it) of the in-process app's
    traceback a group's examples keep (apiparity.fuzz.group.first_app_exceptions)."""
    found = []
    for side in ("old", "new"):
        text = next((getattr(e, side).app_exception for e in group.examples if getattr(e, side).app_exception), None)
        if not text:
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        frame = next((line for line in reversed(lines) if line.startswith("File ")), None)
        found.append((side.upper(), truncate(lines[-1], 160) + (f" at {truncate(frame[5:], 120)}" if frame else "")))
    return found


def _response_lines(status: int, error: str | None, body: object) -> list[str]:
    head = f"{status}" + (f" ({error})" if error else "")
    lines = [head] + format_body(body, 1500).splitlines()
    shown = [truncate(line, SIDE_BY_SIDE_WIDTH) for line in lines[:BODY_LINES]]
    if len(lines) > BODY_LINES:
        shown.append(f"... {len(lines) - BODY_LINES} more lines")
    return shown
