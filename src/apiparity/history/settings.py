"""Where the history lives and how it is read: `--history FILE` / `--no-history`, `[history]` in the
config, `APIPARITY_HISTORY` (a file, or `off`), else `.apiparity/history.sqlite` next to the config
file (or in the current folder when there is none)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apiparity.errors import ConfigError
from apiparity.options import HistoryOptions

DEFAULT_FILE = Path(".apiparity") / "history.sqlite"
ENV_VARIABLE = "APIPARITY_HISTORY"
OFF_VALUES = frozenset({"", "0", "off", "false", "no", "none"})
HISTORY_KEYS = {"enabled", "file", "window"}


@dataclass(slots=True)
class HistorySettings:
    path: Path | None  # None: recording is off
    window: int = 1  # readiness over the last K runs
    explicit: bool = True  # named by the user (option, environment, config) rather than the default location


def history_settings(raw: Any, options: HistoryOptions) -> HistorySettings:
    """The history settings of a command: command line over environment over config over default."""
    table = _table(raw)
    window = options.readiness_window or table.get("window") or 1
    if options.no_history:
        return HistorySettings(None, window)
    if options.history_path:
        return HistorySettings(Path(options.history_path), window)
    env = os.environ.get(ENV_VARIABLE)
    if env is not None:
        return HistorySettings(None if env.strip().lower() in OFF_VALUES else Path(env), window)
    if table.get("enabled") is False:
        return HistorySettings(None, window)
    base = raw.path.parent if getattr(raw, "path", None) is not None else Path.cwd()
    file = Path(table["file"]) if "file" in table else DEFAULT_FILE
    return HistorySettings(file if file.is_absolute() else base / file, window, explicit="file" in table)


def _table(raw: Any) -> dict[str, Any]:
    data = raw.section("history") if raw is not None and hasattr(raw, "section") else {}
    where = f"{getattr(raw, 'path', None) or 'config'}: history"
    for key, value in data.items():
        if key not in HISTORY_KEYS:
            raise ConfigError(f"{where}.{key}: unknown key (known: {', '.join(sorted(HISTORY_KEYS))})")
        if key == "enabled" and not isinstance(value, bool):
            raise ConfigError(f"{where}.enabled: expected true or false")
        if key == "file" and (not isinstance(value, str) or not value):
            raise ConfigError(f"{where}.file: expected a non-empty string")
        if key == "window" and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ConfigError(f"{where}.window: expected an integer >= 1")
    return data
