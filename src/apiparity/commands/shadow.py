"""`apiparity shadow --listen HOST:PORT --primary OLD_URL --candidate NEW_URL`: the cutover-window proxy."""

from __future__ import annotations

from typing import Any

import click

from apiparity.commands._fuzz_options import REDACT_OPTION


@click.command("shadow")
@click.option("--listen", required=True, metavar="HOST:PORT", help="Where clients connect, e.g. 127.0.0.1:8080.")
@click.option("--primary", required=True, metavar="URL", help="OLD's base URL: every client is answered from here.")
@click.option("--candidate", required=True, metavar="URL", help="NEW's base URL: mirrored requests are compared against it.")
@click.option("--secondary", default=None, metavar="URL",
              help="A second instance of OLD: fields that differ between primary and secondary are noise, not mismatches.")
@click.option("--spec", "spec_ref", default=None, metavar="FILE_OR_URL",
              help="OLD's OpenAPI document, to group by operation and report undocumented traffic. "
                   "[default: fetched from the primary when it serves one]")
@click.option("--spec-path", default=None, metavar="PATH", help="Where the primary serves its document, e.g. /openapi.json.")
@click.option("--methods", default="GET,HEAD", show_default=True, metavar="LIST",
              help="Methods mirrored to the candidate. Others need --allow-unsafe (the candidate would change state).")
@click.option("--allow-unsafe", is_flag=True, help="Allow POST/PUT/PATCH/DELETE in --methods.")
@click.option("-o", "--report", "report_path", type=click.Path(dir_okay=False), default="shadow-report.json", show_default=True,
              help="JSON report, rewritten while running and on exit (readable by check --baseline, merge, and the renderers).")
@click.option("--record", "record_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also write every request (all methods) as JSONL, for `apiparity replay`.")
@click.option("--queue-size", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Mirrored requests waiting for the candidate; beyond it they are dropped and counted.")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=4, show_default=True, help="Threads sending to the candidate.")
@click.option("--candidate-timeout", type=click.FloatRange(min=0, min_open=True), default=5.0, show_default=True,
              help="Seconds the candidate gets per request (a timeout is counted, never seen by clients).")
@click.option("--primary-timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="Seconds the primary gets; past it the client gets 502.")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Of each primary answer, compare at most this much (the client always gets it whole, streamed). [default: 10485760]")
@click.option("--flush-interval", type=click.FloatRange(min=0.05), default=2.0, show_default=True,
              help="Seconds between report rewrites while running.")
@click.option("--compare-header", multiple=True, metavar="NAME", help="Also compare this response header.")
@click.option("--ignore", multiple=True, metavar="PATTERN", help="Ignore a body field ('$.items[*].updated_at') or 'header:NAME'.")
@click.option("--unordered", multiple=True, metavar="PATTERN", help="Compare this list field ignoring order.")
@click.option("--equivalent-status", multiple=True, metavar="OLD=NEW", help="Treat these statuses as equal, e.g. 400=422.")
@click.option("--no-redact", is_flag=True, default=None, help="Keep secrets (Authorization, cookies, tokens) in the report and recording.")
@REDACT_OPTION
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="apiparity.toml or pyproject.toml to read [fuzz] comparison settings from. [default: searched upward]")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="warning", show_default=True,
              help="uvicorn's log level.")
def command(listen: str, primary: str, candidate: str, secondary: str | None, spec_ref: str | None, spec_path: str | None,
            methods: str, allow_unsafe: bool, report_path: str, record_path: str | None, queue_size: int, workers: int,
            candidate_timeout: float, primary_timeout: float, flush_interval: float, config_path: str | None, log_level: str,
            **compare: Any) -> None:
    """Answer every client from the primary (OLD) and, in the background, send safe requests to the
    candidate (NEW) too, compare the answers like `fuzz`, and keep the mismatches in a JSON report.

    The primary path never waits for the candidate: a slow, failing or unreachable candidate is
    counted in the report, never shown to a client. Stop with Ctrl-C or SIGTERM; the final report is
    written on the way out (exit 0), marked incomplete when a side that answered at the start stopped
    accepting connections during the run (exit 2).
    """
    from apiparity.commands._progress import event_printer
    from apiparity.options import FuzzOptions, ShadowRequest
    from apiparity.pipeline import run_shadow

    request = ShadowRequest(listen=listen, primary=primary, candidate=candidate, secondary=secondary, spec_ref=spec_ref,
                            spec_path=spec_path, methods=methods, allow_unsafe=allow_unsafe, report_path=report_path,
                            record_path=record_path, queue_size=queue_size, workers=workers, candidate_timeout=candidate_timeout,
                            primary_timeout=primary_timeout, flush_interval=flush_interval, compare=FuzzOptions.from_mapping(compare),
                            config_path=config_path, log_level=log_level)
    outcome = run_shadow(request, on_event=event_printer(None))
    report, shadow = outcome.report, outcome.report.shadow
    assert shadow is not None  # the proxy's report always has its counters
    groups = len(report.fuzz.groups) if report.fuzz else 0
    click.echo(
        f"shadow: {shadow.requests} request(s) answered by the primary, {shadow.compared} compared with the candidate, "
        f"{groups} mismatch group(s), {shadow.dropped} dropped, {shadow.candidate_timeouts} candidate timeout(s), "
        f"{shadow.candidate_errors} candidate error(s); report {report_path}",
        err=True,
    )
    if report.incomplete is not None:
        click.echo(f"error: the run could not complete ({report.incomplete.cause}): {report.incomplete.detail}; "
                   f"the report holds what was compared before (marked incomplete)", err=True)
    raise click.exceptions.Exit(outcome.exit_code)
