"""Project configuration: `apiparity.toml` (top level) or `[tool.apiparity]` in pyproject.toml.

Command-line options override it. Only the raw table is read here; each feature validates its own
keys (waivers, gates, fuzz settings) and raises ConfigError naming the file and key.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(slots=True)
class RawConfig:
    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{self.path}: [{name}] must be a table")
        return value

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest apiparity.toml, or pyproject.toml with a [tool.apiparity] table, from `start` up."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "apiparity.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.apiparity" in pyproject.read_text(encoding="utf-8", errors="replace"):
            return pyproject
    return None


def load_config(path: str | Path | None = None, *, search: bool = True) -> RawConfig:
    """Load the config table; with no `path`, look for one from the current folder up."""
    file = Path(path) if path else (find_config_file() if search else None)
    if file is None:
        return RawConfig()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such config file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    if file.name == "pyproject.toml":
        data = data.get("tool", {}).get("apiparity", {})
    return RawConfig(data=data, path=file)
