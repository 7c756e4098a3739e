"""Command-line entry point.

Each command lives in its own ``apiparity.commands.<name>`` module and is imported only when it is
invoked, so ``apiparity --help`` never pays for schemathesis, fastapi or the validator.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import click

from apiparity import __version__

# name -> (module, short help shown by `apiparity --help` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "spec": ("apiparity.commands.spec", "Print, validate or drift-check the OpenAPI document of a target."),
    "diff": ("apiparity.commands.diff", "Compare the OLD and NEW documents; report changes by rule and severity."),
    "rules": ("apiparity.commands.rules", "List every diff rule and noise rule with its ID, severity and doc."),
    "probes": ("apiparity.commands.probes", "List the probes sent beyond the contract (HEAD, OPTIONS, trailing slash...)."),
    "fuzz": ("apiparity.commands.fuzz", "Send the same generated requests to OLD and NEW; report differences."),
    "check": ("apiparity.commands.check", "Run everything and decide READY / NOT READY for the cutover."),
    "merge": ("apiparity.commands.merge", "Combine shard reports of `check --shard` into one verdict."),
    "report": ("apiparity.commands.report", "Render a saved JSON report in another format (markdown, github, sarif, ...)."),
    "init": ("apiparity.commands.init", "Detect the apps in this project and write a starter config."),
    "replay": ("apiparity.commands.replay", "Replay recorded traffic (HAR, JSONL, access log) against both sides."),
    "shadow": ("apiparity.commands.shadow", "Proxy to OLD and compare NEW's answers in the background."),
    "load": ("apiparity.commands.load", "Compare OLD and NEW throughput and latency under the same load."),
    "lint-async": ("apiparity.commands.lint_async", "Find blocking calls inside async FastAPI handlers."),
    "history": ("apiparity.commands.history", "Per-operation status over the recorded runs, and the trend."),
    "plan": ("apiparity.commands.plan", "Routes ready for NEW, as NGINX / Envoy / Traefik routing config."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, (module, _) in COMMANDS.items() if _module_exists(module))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, _ = COMMANDS[cmd_name]
        if not _module_exists(module_name):
            return None
        module = importlib.import_module(module_name)
        return module.command  # type: ignore[no-any-return]

    def invoke(self, ctx: click.Context) -> Any:
        # Bad input and crashes end in one line and exit 2, never a traceback unless --debug:
        # a crash must never read as a pass.
        from apiparity.errors import ApiparityError

        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ApiparityError as exc:
            if debug:
                raise
            click.echo(_redacted(f"error: {exc}"), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001
            if debug:
                raise
            click.echo(
                _redacted(f"error: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)"),
                err=True,
            )
            ctx.exit(2)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _redacted(line: str) -> str:
    """An error line with secrets redacted and control characters (ESC, OSC, CR) shown as escapes."""
    from apiparity.redact import current
    from apiparity.report.sanitize import terminal_safe

    return terminal_safe(current().text(line))


def _module_exists(module_name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="apiparity")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """apiparity: is the FastAPI replacement safe to take the legacy Flask service's traffic?

    A TARGET is a spec file (.json/.yaml), an http(s) URL of a document, or an app object named the
    way uvicorn names it: pkg.module:app, path/to/file.py:app, or a factory pkg.module:create_app().

    Exit codes: 0 ready / nothing at or above --fail-on, 1 not ready / findings,
    2 bad input, 130 interrupted.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    _keep_hypothesis_out_of_the_working_folder()
    import time

    from apiparity import run_limits

    run_limits.command_started(time.monotonic())  # --max-run-time counts from here
    ctx.call_on_close(lambda: run_limits.command_started(None))
    # each invocation starts and ends with the default redaction policy (a command activates its
    # own), and everything it prints passes through the policy
    from apiparity import outbound
    from apiparity.redact import guarded_streams, reset

    reset()
    outbound.reset()  # and may send anywhere until it names its destinations (apiparity.outbound)
    ctx.call_on_close(reset)
    ctx.call_on_close(outbound.reset)
    ctx.with_resource(guarded_streams())


def _keep_hypothesis_out_of_the_working_folder() -> None:
    """Hypothesis caches its Unicode tables under `./.hypothesis` by default: a `diff` or `check`
    would leave that folder wherever it was run. apiparity uses no example database (the seed alone
    decides), so the tables go to the user's cache folder, shared by every run; an explicit
    HYPOTHESIS_STORAGE_DIRECTORY wins."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(cache / "apiparity" / "hypothesis")


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="apiparity")


if __name__ == "__main__":
    main()
