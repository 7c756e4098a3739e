"""Markdown report (GitHub-flavoured): also what `check` appends to $GITHUB_STEP_SUMMARY.

Everything that comes from the apps or the documents is hostile: table cells are escaped
(`|`, `<`, `>`, `&`, newlines, backticks) and code blocks use a fence longer than any backtick run
in their content.
"""

from __future__ import annotations

import html
import re

from apiparity.model import MismatchExample, Report
from apiparity.report.sections import BlockRow, event_loop_view, is_undocumented_error, load_view, undocumented_traffic
from apiparity.report.view import (
    DOCUMENT_LEVEL,
    active_groups,
    build_view,
    decided_by_line,
    format_body,
    format_value,
    gate_in_verdict,
    gate_result,
    is_good,
    path_move_line,
    percent,
    request_line,
    sorted_changes,
    status_text,
    title_for,
    waived_groups,
)

MAX_CHANGES = 200  # a step summary is limited to 1 MiB; long lists are cut with a count


def render(report: Report) -> str:
    out: list[str] = []
    view = build_view(report)
    icon = "✅" if is_good(report) else "❌"
    out.append(f"# {icon} {title_for(report)}: **{cell(status_text(report))}**")
    out.append("")
    for label, side in (("OLD", report.old), ("NEW", report.new)):
        if side is not None:
            out.append(f"- **{label}**: `{inline_code(side.ref)}` ({cell(side.framework)}, {cell(side.interface)}, {side.operations} operations)")
            for problem in side.validation_errors[:5]:
                out.append(f"  - invalid document: {cell(problem)}")
    if report.shard:
        out.append(f"- shard {cell(report.shard)}")
    from apiparity.report.view import incomplete_text

    stopped = incomplete_text(report)
    if stopped:
        out.append(f"- **incomplete**: {cell(stopped)}")
    from apiparity.history.recorder import report_trend_line

    history_line = report_trend_line(report)
    if history_line:
        out.append(f"- cutover progress: {cell(history_line)}")
    out.append("")
    if view.summary.top_causes:
        out += [f"**Top causes** (mismatch groups: {cell(view.summary.tier_line)}):", ""]
        out += [f"{n}. {cell(line)}" for n, line in enumerate(view.summary.top_causes, 1)] + [""]

    if report.verdict is not None:
        out += ["## Gates", "", "| gate | threshold | measured | result |", "|---|---|---|---|"]
        for gate in report.verdict.gates:
            result = "✅ pass" if gate.passed else f"⚪ {gate_result(gate)}" if not gate.failing else f"❌ **{gate_result(gate)}**"
            out.append(f"| {cell(gate.description or gate.name)} | {cell(gate.threshold)} | {cell(gate.measured)} | {result} |")
        out += ["", cell(decided_by_line(report.verdict)), ""]
        for gate in report.verdict.gates:
            if not gate.passed and gate.details:
                out.append(f"<details><summary>{cell(gate.name)}{'' if gate.failing else ' (not run)'}: {len(gate.details)} item(s)</summary>")
                out.append("")
                out += [f"- {cell(detail)}" for detail in gate.details[:50]]
                out += ["", "</details>", ""]

    if view.rows:
        out += ["## Operations", "", "| operation | breaking | warnings | cases | mismatch groups | conformance | status |", "|---|---:|---:|---:|---:|---:|---|"]
        for row in view.rows:
            cases = str(row.cases) if row.fuzzed else "-"
            status = {"fail": "❌", "warn": "⚠️", "untested": "⚪ not exercised", "ok": "✅"}[row.status]
            out.append(
                f"| `{inline_code(row.operation)}` | {row.breaking} | {row.warnings} | {cases} | {row.groups} | {row.conformance} | {status} |"
            )
        out.append("")

    if report.diff is not None:
        diff = report.diff
        out += ["## Spec diff", "", f"{view.summary.severity_line}."]
        if view.summary.noise_line:
            out.append(f"_{cell(view.summary.noise_line)}_")
        out.append("")
        changes = sorted_changes(diff.changes)
        if changes:
            out += ["| severity | operation | rule | message |", "|---|---|---|---|"]
            for change in changes[:MAX_CHANGES]:
                severity = f"waived ({cell(change.waived_by or '')})" if change.waived_by else change.severity
                if change.severity == "breaking" and not change.waived_by:
                    severity = "**breaking**"
                new = " 🆕" if change.baseline == "new" else ""
                operation = change.method + " " + change.path if change.method else DOCUMENT_LEVEL
                wire = "".join(f"<br>on the wire: `{inline_code(key)}`" for key in change.mismatch_groups)
                witness = f" ({change.witness.text})" if change.witness else ""
                out.append(f"| {severity}{new} | `{inline_code(operation)}` | `{inline_code(change.rule_id)}` | {cell(change.message + witness)}{wire} |")
            if len(changes) > MAX_CHANGES:
                out.append(f"\n… and {len(changes) - MAX_CHANGES} more changes (see the JSON or HTML report)")
            out.append("")
        if diff.renamed_paths:
            out += ["Renamed paths:", ""] + [f"- `{inline_code(a)}` → `{inline_code(b)}`" for a, b in diff.renamed_paths] + [""]
        if diff.path_moves:
            out += ["Moved paths:", ""] + [f"- {cell(path_move_line(move))}" for move in diff.path_moves] + [""]
        if diff.waivers:
            out += ["| waiver | reason | expires | used |", "|---|---|---|---|"]
            for waiver in diff.waivers:
                state = " (**expired**)" if waiver.expired else (" (unused)" if not waiver.used else "")
                out.append(
                    f"| `{inline_code(waiver.rule_id)} {inline_code(waiver.method)} {inline_code(waiver.path)}` | {cell(waiver.reason)} | "
                    f"{cell(waiver.expires or '-')}{state} | {waiver.used} |"
                )
            out.append("")

    if report.fuzz is not None:
        fuzz = report.fuzz
        summary = view.summary
        seed = f", seed `{fuzz.seed}`" if fuzz.seed is not None else ""
        out += [
            "## Differential fuzz",
            "",
            f"{fuzz.cases} cases; {summary.operations_reached}/{summary.operations_total} operations reached "
            f"({percent(summary.operations_reached, summary.operations_total)}){seed}.",
            "",
        ]
        groups = active_groups(report)
        for group in groups:
            new = " 🆕 new since baseline" if group.baseline == "new" else ""
            out.append(f"### `{inline_code(group.operation)}`: {cell(group.signature)} ({group.count}×) [{group.tier}]{new}")
            out.append("")
            if group.tier_reason:
                out += [f"Tier: {cell(group.tier_reason)}", ""]
            if len(group.operations) > 1:
                out += ["Seen on: " + ", ".join(f"`{inline_code(o.operation)}` ({o.count}×)" for o in group.operations), ""]
            if group.related:
                out += ["Also differs: " + "; ".join(f"`{inline_code(r)}`" for r in group.related), ""]
            if group.spec_changes:
                out += ["Spec diff: " + ", ".join(f"`{inline_code(c)}`" for c in group.spec_changes), ""]
            if group.conformance:
                out += ["Conformance issues it explains: " + "; ".join(f"`{inline_code(c)}`" for c in group.conformance), ""]
            if group.divergence:
                out.append(f"Known divergence **{cell(group.divergence)}**: {cell(group.explanation or '')}")
                out.append("")
            elif group.explanation:
                out += [cell(group.explanation), ""]
            if group.fix_hint:
                out += [f"Fix: {cell(group.fix_hint)}", ""]
            if group.examples:
                out += example_markdown(group.examples[0])
            if len(group.examples) > 1:
                out += ["Other examples:", ""]
                for example in group.examples[1:]:
                    request = example.request
                    shown = "; ".join(example.differences[:3])
                    out.append(f"- `{inline_code(request_line(request.method, request.path, request.query))}` → OLD {example.old.status}, "
                               f"NEW {example.new.status}: {cell(shown)}")
                out.append("")
        waived = waived_groups(report)
        if waived:
            out += ["Waived mismatch groups:", ""] + [f"- `{inline_code(g.key)}` ({g.count}×): {cell(g.waived_by or '')}" for g in waived] + [""]
        if fuzz.conformance:
            out += ["### Conformance", "", "| side | operation | check | count | message |", "|---|---|---|---:|---|"]
            for issue in fuzz.conformance:
                where = f" (in mismatch group `{inline_code(issue.explained_by)}`)" if issue.explained_by else ""
                out.append(f"| {cell(issue.side)} | `{inline_code(issue.operation)}` | {cell(issue.check)} | {issue.count} | {cell(issue.message)}{where} |")
            out.append("")
        if fuzz.noise:
            out += ["Noise cancelled (differs between two calls to OLD): " + ", ".join(
                f"`{inline_code(n.operation)} {inline_code(n.field_path)}` ({n.count}×)" for n in fuzz.noise
            ), ""]
        undocumented_listed = bool(undocumented_traffic(report))
        errors = [e for e in fuzz.errors if not (undocumented_listed and is_undocumented_error(e))]
        if errors:
            out += ["Operations not exercised:", ""] + [f"- {cell(e)}" for e in errors] + [""]

    out += undocumented_markdown(report)
    out += event_loop_markdown(report)
    out += load_markdown(report)

    if report.baseline is not None:
        baseline = report.baseline
        out += [f"## Since baseline `{inline_code(baseline.path)}`", ""]
        out.append(f"Newly broken: {len(baseline.newly_broken)}; newly fixed: {len(baseline.newly_fixed)}.")
        out.append("")
        out += [f"- 🆕 {cell(key)}" for key in baseline.newly_broken[:50]]
        out += [f"- ✔️ fixed: {cell(key)}" for key in baseline.newly_fixed[:50]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def undocumented_markdown(report: Report) -> list[str]:
    rows = undocumented_traffic(report)
    if not rows:
        return []
    total = sum(row.count for row in rows)
    out = [
        "## Undocumented traffic",
        "",
        f"{total} recorded request(s) to {len(rows)} endpoint(s) OLD's document does not describe (replayed and compared all the same).",
        "",
        "| requests | endpoint | why |",
        "|---:|---|---|",
    ]
    out += [f"| {row.count} | `{inline_code(row.method)} {inline_code(row.path)}` | {cell(row.reason)} |" for row in rows[:MAX_CHANGES]]
    if len(rows) > MAX_CHANGES:
        out.append(f"\n… and {len(rows) - MAX_CHANGES} more endpoints (see the JSON report)")
    return out + [""]


def event_loop_markdown(report: Report) -> list[str]:
    view = event_loop_view(report)
    if view is None:
        return []
    icon = "❌" if view.blocked else "✅"
    out = ["## Event loop (NEW)", "", f"{icon} {cell(view.summary)}.", ""]
    if view.blocks:
        out += ["| operation | blocks | max ms | p95 ms | where |", "|---|---:|---:|---:|---|"]
        for block in view.blocks:
            function = f" in `{inline_code(block.function)}`" if block.function else ""
            out.append(
                f"| `{inline_code(block.operation)}` | {block.count} | {block.max_ms:.1f} | {block.p95_ms:.1f} | "
                f"`{inline_code(block.where)}`{function} |"
            )
        out.append("")
        for block in view.blocks:
            out += _block_markdown(block)
    if view.unattributed:
        total = sum(b.count for b in view.unattributed)
        longest = max(b.max_ms for b in view.unattributed)
        out += [f"_Not counted: {total} block(s) with no app frame on the stack (framework, warm-up), longest {longest:.1f} ms._", ""]
    if view.static:
        out += ["Static scan: blocking calls reachable from async handlers (hints, not measurements):", ""]
        for finding in view.static:
            chain = f" via {cell(' → '.join(finding.chain))}" if finding.chain else ""
            out.append(f"- `{inline_code(finding.operation)}`: `{inline_code(finding.call)}` at `{inline_code(finding.where)}`{chain}")
            if finding.fix_hint:
                out.append(f"  - Fix: {cell(finding.fix_hint)}")
        out.append("")
    if view.static_error:
        out += [f"Static scan failed: {cell(view.static_error)}", ""]
    return out


def _block_markdown(block: BlockRow) -> list[str]:
    # raw HTML: Markdown escapes (`\\_`) would show literally inside it
    operation, where = html.escape(one_line(block.operation)), html.escape(one_line(block.where))
    out = [f"<details><summary><code>{operation}</code>: blocked {block.count}×, max {block.max_ms:.1f} ms at <code>{where}</code></summary>", ""]
    if block.blocking_call:
        out += [f"Blocking call: `{inline_code(block.blocking_call)}`", ""]
    if block.example_request:
        out += [f"Example request: `{inline_code(block.example_request)}`", ""]
    if block.stack:
        out += ["Stack (outermost first):", "", *fenced("\n".join(block.stack[-12:]))]
    out += [f"Fix: {cell(block.fix_hint)}", "", "</details>", ""]
    return out


def load_markdown(report: Report) -> list[str]:
    view = load_view(report)
    if view is None:
        return []
    out = ["## Load: OLD vs NEW", ""]
    if view.problem:
        return out + [cell(view.problem), ""]
    if view.headline:
        out += [f"{cell(view.headline)}.", ""]
    out += [f"OLD `{inline_code(view.old_url)}`, NEW `{inline_code(view.new_url)}`; latencies in ms, NEW/OLD req/s above 1 and p95 below 1 mean NEW is faster.", ""]
    out += [
        "| operation | req/s OLD | req/s NEW | NEW/OLD | p50 OLD | p50 NEW | p95 OLD | p95 NEW | NEW/OLD | p99 OLD | p99 NEW | errors OLD | errors NEW |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in view.rows:
        name = "**overall**" if row.overall else f"`{inline_code(row.operation)}`"
        p95_ratio = f"**{row.p95_ratio}** ⚠️" if row.slower else row.p95_ratio
        new_errors = f"**{row.new.error_rate}** ⚠️" if row.more_errors else row.new.error_rate
        out.append(
            f"| {name} | {row.old.rps} | {row.new.rps} | {row.rps_ratio} | {row.old.p50} | {row.new.p50} | {row.old.p95} | "
            f"{row.new.p95} | {p95_ratio} | {row.old.p99} | {row.new.p99} | {row.old.error_rate} | {new_errors} |"
        )
    out.append("")
    gate = view.gate
    if gate is not None and not gate_in_verdict(report, gate.name):
        result = "✅ pass" if gate.passed else "❌ **FAIL**"
        out += [f"Latency gate: {result}: {cell(gate.measured)} (threshold {cell(gate.threshold)}).", ""]
        out += [f"- {cell(detail)}" for detail in gate.details[:50]]
        out.append("")
    if view.error_samples:
        out += ["Error samples:", ""] + [f"- {side}: {cell(sample)}" for side, sample in view.error_samples[:20]] + [""]
    return out


def example_markdown(example: MismatchExample) -> list[str]:
    request = example.request
    out = [f"Request: `{inline_code(request_line(request.method, request.path, request.query))}`", ""]
    if request.body is not None:
        out += fenced(format_value(request.body, 1000), "json")
    if example.differences:
        out += [f"- {cell(d)}" for d in example.differences[:10]] + [""]
    out += [
        "<table><tr><th>OLD</th><th>NEW</th></tr><tr><td>",
        "",
        *fenced(f"{example.old.status}{' ' + example.old.error if example.old.error else ''}\n{format_body(example.old.body, 1500)}"),
        "</td><td>",
        "",
        *fenced(f"{example.new.status}{' ' + example.new.error if example.new.error else ''}\n{format_body(example.new.body, 1500)}"),
        "</td></tr></table>",
        "",
        "Reproduce:",
        "",
        *fenced(f"{example.curl_old}\n{example.curl_new}", "sh"),
    ]
    return out


def fenced(text: str, language: str = "") -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", text, fence, ""]


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell or paragraph: no markup, no HTML, one line."""
    value = str(text)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    value = re.sub(r"([\\`*_\[\]#])", r"\\\1", value.replace("\\|", "\x00")).replace("\x00", "\\|")
    return value


def inline_code(text: object) -> str:
    """Text for inside single backticks: backticks and pipes cannot be escaped there, so replace
    them; a line break (CR too: a `\r` would start a new Markdown line, and with it a heading, raw
    HTML or a remote image) becomes a space, other control characters visible escapes."""
    from apiparity.report.sanitize import terminal_safe

    return terminal_safe(one_line(text).replace("`", "'").replace("|", "¦"))


def one_line(text: object) -> str:
    return str(text).replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\u2028", " ").replace("\u2029", " ")
