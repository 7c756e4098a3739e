"""The fuzz options, shared by `apiparity fuzz` and `apiparity check` (click only at import)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from apiparity.fuzz.settings import FuzzSettings

F = TypeVar("F", bound=Callable[..., Any])

# click parameter names this decorator adds (settings_from_options reads the FuzzSettings ones;
# event_loop/block_threshold_ms go to pipeline.event_loop_settings_from, wait_for to pipeline.wait_for_servers)
FUZZ_PARAMS = (
    "spec_source", "phases", "mode", "max_examples", "seed", "include", "exclude", "timeout", "workers",
    "header", "old_header", "new_header", "old_url", "new_url", "old_base_path", "new_base_path",
    "reset", "reset_old", "reset_new", "compare_header", "ignore", "unordered", "equivalent_status",
    "allow_unsafe", "no_redact", "redact_name", "no_noise", "no_conformance", "no_auto_reset",
    "contract", "old_auth", "new_auth", "no_id_mapping", "max_body_bytes", "wait_for", "event_loop", "block_threshold_ms",
    "record_path", "probes", "no_probe", "no_value_pool", "old_python", "new_python", "old_cmd", "new_cmd",
    "allow_remote_refs",
    "max_run_time",
)


REDACT_OPTION = click.option(
    "--redact", "redact_name", multiple=True, metavar="NAME",
    help="Also hide this header, query parameter or JSON field in every report and recording "
         "(beyond the built-in names: see docs/robustness.md). Repeatable.")


# Where each side is and how to reach it: fuzz, check and replay take the same options.
SIDE_OPTIONS = (
    click.option("-H", "--header", multiple=True, metavar="'NAME: VALUE'", help="Header sent to both sides. Repeatable."),
    click.option("--old-header", multiple=True, metavar="'NAME: VALUE'", help="Header sent to OLD only (its own auth)."),
    click.option("--new-header", multiple=True, metavar="'NAME: VALUE'", help="Header sent to NEW only."),
    click.option("--old-url", default=None, metavar="URL", help="Send OLD's requests to this live server."),
    click.option("--new-url", default=None, metavar="URL", help="Send NEW's requests to this live server."),
    click.option("--old-python", default=None, metavar="PATH",
                 help="Import and serve OLD (module:app) in this Python interpreter, e.g. the legacy app's own "
                      "virtualenv: nothing of apiparity is needed there. Config: [old] python."),
    click.option("--new-python", default=None, metavar="PATH", help="Import and serve NEW in this interpreter."),
    click.option("--old-cmd", default=None, metavar="COMMAND",
                 help="Start OLD's server with this command, {port} replaced by a free loopback port "
                      "(e.g. 'gunicorn -b 127.0.0.1:{port} legacy:app'); stopped at the end. Config: [old] cmd."),
    click.option("--new-cmd", default=None, metavar="COMMAND", help="Start NEW's server with this command (see --old-cmd)."),
    click.option("--old-base-path", default=None, metavar="PATH", help="Path prefix of OLD's operations. [default: servers[0] path]"),
    click.option("--new-base-path", default=None, metavar="PATH", help="Path prefix of NEW's operations."),
)

# How answers are compared: the same for generated cases (fuzz, check) and recorded ones (replay).
COMPARE_OPTIONS = (
    click.option("--reset", multiple=True, metavar="MOD:FUNC",
                 help="Called before every call to either side so each case starts from the same state "
                      "(pkg.mod:func or path/app.py:func, the same module object as the app; for live servers "
                      "'POST /reset/path' on that side's server, 'POST http://host/reset' or 'cmd: COMMAND'). Repeatable."),
    click.option("--no-auto-reset", is_flag=True, default=None,
                 help="Do not use a module-level reset() found next to an app when no --reset is given."),
    click.option("--reset-old", multiple=True, metavar="MOD:FUNC", help="Reset hook for OLD only."),
    click.option("--reset-new", multiple=True, metavar="MOD:FUNC", help="Reset hook for NEW only."),
    click.option("--compare-header", multiple=True, metavar="NAME",
                 help="Also compare this response header (content-type, location, allow always are)."),
    click.option("--ignore", multiple=True, metavar="PATTERN",
                 help="Ignore a body field ('$.items[*].updated_at') or a header ('header:etag'). Repeatable."),
    click.option("--unordered", multiple=True, metavar="PATTERN", help="Compare this list field ignoring order ('$.items')."),
    click.option("--equivalent-status", multiple=True, metavar="OLD=NEW", help="Treat these statuses as equal, e.g. 400=422."),
)


def fuzz_options(func: F) -> F:
    """Add every fuzz option to a click command."""
    options = [
        click.option("--contract", default=None, metavar="FILE_OR_URL",
                     help="The OpenAPI document cases come from and both sides are judged against; OLD and NEW are then "
                          "only where requests go (apps or bare URLs, no document needed)."),
        click.option("--record", "record_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                     help="Write every generated request (as OLD receives it) to FILE in the JSONL traffic format, "
                          "so a later run can `apiparity replay` the same corpus (secrets redacted unless --no-redact)."),
        click.option("--spec", "spec_source", type=click.Choice(["auto", "old", "new", "both"]), default=None,
                     help="Which document the cases come from. [default: auto: OLD's, what today's clients send; "
                          "both when OLD's is a skeleton inferred from a plain Flask url_map]"),
        click.option("--phases", default=None, metavar="LIST",
                     help="Comma-separated: examples,coverage,fuzzing,stateful. [default: all]"),
        click.option("--mode", type=click.Choice(["positive", "negative", "all"]), default=None,
                     help="Valid requests only, invalid only, or both. [default: positive]"),
        click.option("--max-examples", type=click.IntRange(min=0), default=None,
                     help="Fuzzing-phase cases per operation. [default: 20]"),
        click.option("--seed", type=int, default=None, help="Same seed, same requests, same report. [default: 0]"),
        click.option("--include", multiple=True, metavar="SEL",
                     help="Only these operations: METHOD, /path/glob, 'METHOD /path', tag:NAME, id:OPERATION_ID. Repeatable."),
        click.option("--exclude", multiple=True, metavar="SEL", help="Skip these operations (same selectors). Repeatable."),
        click.option("--timeout", type=float, default=None, help="Seconds per request. [default: 10]"),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="Parallel cases against live servers (ignored in-process and with reset hooks). [default: 1]"),
        *SIDE_OPTIONS,
        click.option("--old-auth", default=None, metavar="MOD:OBJ",
                     help="OLD's auth provider: an object with get(case, context) and set(case, data, context) "
                          "(a declarative login flow goes in the config: [fuzz.old_auth])."),
        click.option("--new-auth", default=None, metavar="MOD:OBJ", help="NEW's auth provider (see --old-auth)."),
        *COMPARE_OPTIONS,
        click.option("--allow-unsafe", is_flag=True, default=None,
                     help="Send POST/PUT/PATCH/DELETE to hosts that are not loopback, or to live servers with no reset."),
        click.option("--allow-remote-refs", is_flag=True, default=None,
                     help="Fetch $refs that point at http(s) URLs (never fetched otherwise; like `diff`)."),
        click.option("--no-id-mapping", is_flag=True, default=None,
                     help="Compare ids created on each side literally (by default OLD's id 7 and NEW's id 12 for the "
                          "same link-carried value compare equal, and follow-up steps use each side's own)."),
        click.option("--no-redact", is_flag=True, default=None, help="Show secrets (Authorization, cookies, tokens) in reports."),
        REDACT_OPTION,
        click.option("--no-noise", is_flag=True, default=None, help="Call OLD once per case (no noise cancellation)."),
        click.option("--no-conformance", is_flag=True, default=None, help="Skip the schemathesis conformance checks."),
        click.option("--max-body-bytes", type=click.IntRange(min=1), default=None, metavar="BYTES",
                     help="Stop reading a response body past this size; the report says it was truncated. [default: 10485760]"),
        click.option("--wait-for", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
                     help="URL targets and --old-url/--new-url servers: keep retrying to connect for up to SECONDS "
                          "while a server starts; sides started by --old-python/--old-cmd get this long to answer "
                          "(60 when 0). [default: 0]"),
        click.option("--max-run-time", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
                     help="Deadline of the whole run: past it the run stops, the report holds what ran, is marked "
                          "incomplete and never READY; exit 2. [default: none]"),
        click.option("--probes", "probes", default=None, metavar="LIST",
                     help="Comma-separated probes sent beyond the contract (`apiparity probes` lists them; 'none' for "
                          "none). [default: all]"),
        click.option("--no-probe", "no_probe", multiple=True, metavar="NAME", help="Leave this probe out. Repeatable."),
        click.option("--no-value-pool", is_flag=True, default=None,
                     help="Draw every parameter blind: do not fill path and query parameters with ids and values OLD answered."),
        click.option("--event-loop/--no-event-loop", "event_loop", default=None,
                     help="Watch NEW's event loop for blocking calls while it answers (FastAPI/ASGI app run in-process; "
                          "config [event_loop] gate). [default: on]"),
        click.option("--block-threshold-ms", type=click.FloatRange(min=0, min_open=True), default=None, metavar="MS",
                     help="A loop block longer than this is reported (config [event_loop] threshold_ms). [default: 20]"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def settings_from_options(config: dict[str, Any] | None = None, app_dir: str | None = None, **kwargs: Any) -> FuzzSettings:
    """FuzzSettings from click parameters (`**kwargs` may hold other parameters; only the fuzz ones
    are read) over a `[fuzz]` table: `apiparity.options.fuzz_settings`, the one loader."""
    from apiparity.options import FuzzOptions, fuzz_settings

    return fuzz_settings(config, options=FuzzOptions.from_mapping(kwargs), app_dir=app_dir)
