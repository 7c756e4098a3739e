"""`apiparity history`: per-operation status over the last runs, the trend, new and fixed causes."""

from __future__ import annotations

import click


READ_FACTOR = 10  # runs read per run shown (shards of one run, fuzz runs between check runs)


@click.command("history")
@click.option("--history", "history_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="The history file. [default: .apiparity/history.sqlite next to the config, or here]")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help="Config file ([history] table).")
@click.option("--last", "last", type=click.IntRange(min=1), default=10, show_default=True, metavar="N", help="Runs shown.")
@click.option("--since", "since", default=None, metavar="DATE",
              help="Compare the latest run with the last run before DATE (YYYY-MM-DD or ISO date-time, UTC).")
@click.option("--baseline", "baseline", type=click.IntRange(min=1), default=None, metavar="RUN",
              help="Compare the latest run with run RUN (its id, as listed).")
@click.option("--readiness-window", type=click.IntRange(min=1), default=None, metavar="K",
              help="An operation is ready when it was ready in each of the last K runs. [default: 1]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on-regress", is_flag=True, help="Exit 1 when an operation ready in the compared run is no longer ready.")
def command(history_path: str | None, config_path: str | None, last: int, since: str | None, baseline: int | None,
            readiness_window: int | None, fmt: str, fail_on_regress: bool) -> None:
    """Print each operation's status over the last N runs and the trend (operations ready / total,
    causes new and fixed since the previous run, since a date, or since a baseline run).

    Exit 0, 1 with --fail-on-regress when an operation regressed, 2 bad input (no history, unusable file).
    """
    import json

    from apiparity.config import load_config
    from apiparity.history.readiness import (
        operation_readiness,
        regressions,
        snapshots,
        trend,
    )
    from apiparity.history.render import HistoryView, render_json, render_text
    from apiparity.history.settings import history_settings
    from apiparity.options import HistoryOptions
    from apiparity.history.store import HistoryError, open_store

    raw = load_config(config_path)
    settings = history_settings(raw, HistoryOptions(history_path=history_path, readiness_window=readiness_window))
    if settings.path is None:
        raise HistoryError("history: recording is off (APIPARITY_HISTORY / [history] enabled = false); name a file with --history")
    since_iso = _iso(since) if since else None
    with open_store(settings.path, create=False) as store:
        include = baseline
        if since_iso is not None and baseline is None:
            include = store.last_before(since_iso)
        if baseline is not None and store.run(baseline) is None:
            raise HistoryError(f"{settings.path}: no run #{baseline}")
        # enough runs for the runs shown and the readiness window, even split into shards
        everything = store.recent(max(last + 1, settings.window) * READ_FACTOR, include=include)
    snaps = snapshots(everything)
    points = trend(snaps)
    shown = points[-last:]
    reference, reason = None, "the previous run"
    if baseline is not None:
        reference = next((s for s in snaps if any(r.id == baseline for r in s.runs)), None)
        if reference is None:
            raise HistoryError(f"{settings.path}: no run #{baseline}")
        reason = f"baseline {reference.label}"
    elif since_iso is not None:
        before = [s for s in snaps if s.first.recorded_at < since_iso]
        reference = before[-1] if before else (snaps[0] if snaps else None)
        reason = f"{since}" if before else f"{since} (no run before it: the first run)"
    elif len(snaps) >= 2:
        reference = snaps[-2]
    readiness = operation_readiness(snaps, window=settings.window)
    regressed = []
    if reference is not None and reference is not snaps[-1]:
        regressed = regressions(snaps, reference, window=settings.window)
    view = HistoryView(file=str(settings.path), window=settings.window, points=shown, readiness=readiness,
                       reference=reference, reference_reason=reason, regressed=regressed)
    if fmt == "json":
        click.echo(json.dumps(render_json(view), indent=2))
    else:
        click.echo(render_text(view), nl=False)
    raise click.exceptions.Exit(1 if fail_on_regress and regressed else 0)


def _iso(value: str) -> str:
    import datetime as dt

    from apiparity.errors import ConfigError

    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--since: {value!r} is not a date (YYYY-MM-DD or ISO 8601)") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


