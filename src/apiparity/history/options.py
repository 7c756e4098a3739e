"""The history options `check` and `fuzz` share (click is only imported by the commands)."""

from __future__ import annotations

from typing import Any

import click


def history_options(func: Any) -> Any:
    options = [
        click.option("--history", "history_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                     help="Record this run's per-operation results in this SQLite file. "
                          "[default: .apiparity/history.sqlite next to the config, or here]"),
        click.option("--no-history", is_flag=True, help="Do not record this run (or set APIPARITY_HISTORY=off)."),
        click.option("--history-label", default=None, metavar="TEXT", help="A label stored with this run (e.g. 'release-2.3')."),
        click.option("--readiness-window", type=click.IntRange(min=1), default=None, metavar="K",
                     help="An operation is ready when it was ready in each of the last K runs. [default: 1]"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def fail_on_regress_option(func: Any) -> Any:
    func = click.option(
        "--history-baseline", type=click.IntRange(min=1), default=None, metavar="RUN",
        help="The recorded run --fail-on-regress compares with (its id in `apiparity history`). [default: the previous run]",
    )(func)
    return click.option(
        "--fail-on-regress", is_flag=True,
        help="NOT READY (gate no-readiness-regression) when an operation ready in the baseline run is no longer ready.",
    )(func)
