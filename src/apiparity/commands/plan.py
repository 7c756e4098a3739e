"""`apiparity plan`: the routes ready for NEW and the proxy config that sends exactly those to NEW."""

from __future__ import annotations

import click

FORMATS = ("text", "nginx", "envoy", "traefik")
READ_FACTOR = 50  # runs read per run of the readiness window (shards, fuzz runs in between)


@click.command("plan")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: ready routes and blockers; nginx/envoy/traefik: routing config.")
@click.option("--old-url", default=None, metavar="URL", help="Where OLD is served (service root), for the config formats.")
@click.option("--new-url", default=None, metavar="URL", help="Where NEW is served (service root), for the config formats.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the config here (the ready routes and blockers go to stderr).")
@click.option("--listen", type=click.IntRange(1, 65535), default=8080, show_default=True, help="Port the proxy listens on (nginx, envoy).")
@click.option("--prefixes", is_flag=True,
              help="One prefix rule per ready path prefix (/authors and /authors/...) instead of one rule per route: "
                   "paths OLD's document does not list under a ready prefix go to NEW too.")
@click.option("--entrypoint", default=None, help="Traefik entry point the routers attach to. [default: all]")
@click.option("--history", "history_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="The history file. [default: .apiparity/history.sqlite next to the config, or here]")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Config file ([history] table).")
@click.option("--readiness-window", type=click.IntRange(min=1), default=None, metavar="K",
              help="Route an operation only when it was ready in each of the last K runs. [default: 1]")
def command(fmt: str, old_url: str | None, new_url: str | None, output: str | None, listen: int, prefixes: bool, entrypoint: str | None,
            history_path: str | None, config_path: str | None, readiness_window: int | None) -> None:
    """Print the routes ready for NEW and write routing config that sends exactly those to NEW and
    everything else to OLD. A route (path template) is ready when each of its methods was exercised
    and ready in each of the last K runs of the history; the rest are listed with what blocks them.

    Exit 0, 2 bad input (no history, unusable file, a URL missing for a config format).
    """
    import importlib

    from apiparity.config import load_config
    from apiparity.errors import ConfigError
    from apiparity.history.readiness import operation_readiness, snapshots
    from apiparity.history.settings import history_settings
    from apiparity.options import HistoryOptions
    from apiparity.history.store import HistoryError, open_store
    from apiparity.plan import WRITERS
    from apiparity.plan.build import build_plan
    from apiparity.plan.model import parse_upstream
    from apiparity.plan.text import render as render_text
    from apiparity.report import write_atomic

    if fmt != "text" and (not old_url or not new_url):
        raise ConfigError(f"plan --format {fmt}: name both services with --old-url and --new-url")
    old = parse_upstream(old_url or "http://127.0.0.1:1", "--old-url")
    new = parse_upstream(new_url or "http://127.0.0.1:2", "--new-url")
    raw = load_config(config_path)
    settings = history_settings(raw, HistoryOptions(history_path=history_path, readiness_window=readiness_window))
    if settings.path is None:
        raise HistoryError("plan: recording is off (APIPARITY_HISTORY / [history] enabled = false); name a file with --history")
    with open_store(settings.path, create=False) as store:
        runs = store.recent(settings.window * READ_FACTOR)
    snaps = snapshots(runs)
    judging = [s for s in snaps if s.judges_readiness]
    if not judging:
        raise HistoryError(f"{settings.path}: no `check` run recorded yet (a `fuzz` run alone cannot make an operation ready)")
    readiness = operation_readiness(snaps, window=settings.window)
    window = judging[-settings.window:]
    source = (f"history {settings.path}, run(s) {', '.join(s.label for s in window)}, "
              f"ready in each of the last {settings.window} run(s)")
    plan = build_plan(readiness, old=old, new=new, source=source, use_prefixes=prefixes)
    summary = render_text(plan)
    if fmt == "text":
        text = summary
    else:
        writer = importlib.import_module(WRITERS[fmt])
        extra = {"entrypoint": entrypoint} if fmt == "traefik" else {"listen": listen}
        text = writer.render(plan, **extra)
    if output:
        write_atomic(output, text)
        click.echo(summary, nl=False)
    else:
        click.echo(text, nl=False)
        if fmt != "text":
            click.echo(summary, err=True, nl=False)
