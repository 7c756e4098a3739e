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
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); TOML files are UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the config file: {exc.strerror or exc}") from None
    if file.name == "pyproject.toml":
        data = data.get("tool", {}).get("apiparity", {})
    return RawConfig(data=data, path=file)


# ----------------------------------------------------------------------------- typed project settings

# Keys a config may set at the top level as shortcuts for `[fuzz]` keys (the names users look for).
FUZZ_SHORTCUTS = {
    "reset": "reset",
    "reset_old": "reset_old",
    "reset_new": "reset_new",
    "headers": "headers",
    "old_headers": "old_headers",
    "new_headers": "new_headers",
    "ignore": "ignore",
    "unordered": "unordered",
    "status_equivalences": "equivalent_status",
    "equivalent_status": "equivalent_status",
    "max_examples": "max_examples",
    "seed": "seed",
    "phases": "phases",
    "mode": "mode",
    "include": "include",
    "exclude": "exclude",
    "old_python": "old_python",  # a side in its own interpreter / started by command (apiparity.sides)
    "new_python": "new_python",
    "old_cmd": "old_cmd",
    "new_cmd": "new_cmd",
}
# Tables read by their own feature (e.g. `event_loop` by apiparity.asyncio_check.settings).
FEATURE_TABLES = {"event_loop", "history"}  # history: apiparity.history.settings
TOP_LEVEL_KEYS = {"old", "new", "contract", "app_dir", "spec_path", "fuzz", "gates", "waivers", "diff", "reports",
                  *FEATURE_TABLES, *FUZZ_SHORTCUTS}


@dataclass(slots=True)
class ProjectSettings:
    """The config file, checked and typed. Every value is a default that the command line overrides."""

    path: Path | None = None
    old: str | None = None
    new: str | None = None
    contract: str | None = None  # a committed OpenAPI document NEW must match (optional)
    app_dir: str | None = None
    spec_path: str | None = None
    fuzz: dict[str, Any] = field(default_factory=dict)  # FuzzSettings field -> value, for settings_from_options
    gates: Any = None  # apiparity.verdict.GateThresholds
    waivers: list[dict[str, Any]] = field(default_factory=list)  # raw entries for apiparity.waivers
    diff: dict[str, Any] = field(default_factory=dict)  # DiffOptions field -> value
    reports: dict[str, str] = field(default_factory=dict)  # format -> default output file

    def where(self, key: str) -> str:
        return f"{self.path or 'config'}: {key}"


def load_settings(path: str | Path | None = None, *, search: bool = True) -> ProjectSettings:
    """Read and check the config (see `load_config`); ConfigError names the file and the key."""
    raw = load_config(path, search=search)
    return settings_from_raw(raw)


def settings_from_raw(raw: RawConfig) -> ProjectSettings:
    from apiparity.verdict import GateThresholds

    data = raw.data
    settings = ProjectSettings(path=raw.path, gates=GateThresholds())
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(f"{settings.where(unknown[0])}: unknown key{did_you_mean(unknown[0], TOP_LEVEL_KEYS)} (known: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    launch: dict[str, Any] = {}
    for key in ("old", "new", "contract", "app_dir", "spec_path"):
        if key in ("old", "new") and isinstance(data.get(key), dict):
            launch.update(_side_table(settings, key, data[key]))
            continue
        if key in data:
            setattr(settings, key, _string(settings, key, data[key]))
    anchor: Path | None = None
    if raw.path is not None:
        # paths in a config file are relative to that file, wherever the command runs from: its
        # app_dir (which file targets and hooks are then relative to), else the targets themselves
        folder = raw.path.resolve().parent
        if settings.app_dir:
            settings.app_dir = str(folder / settings.app_dir)
        else:
            anchor = folder
            for key in ("old", "new"):
                if getattr(settings, key):
                    setattr(settings, key, anchored(getattr(settings, key), folder))
        if settings.contract:
            settings.contract = anchored(settings.contract, folder)
    fuzz_table = {**launch, **raw.section("fuzz")}
    for shortcut, field_name in FUZZ_SHORTCUTS.items():
        if shortcut in data:
            fuzz_table[field_name] = data[shortcut]
    settings.fuzz = fuzz_overrides(settings, fuzz_table)
    for key in ("old_python", "new_python"):  # a side's interpreter path: relative to the config, like its target
        value = settings.fuzz.get(key)
        if raw.path is not None and isinstance(value, str) and "/" in value and not Path(value).is_absolute():
            settings.fuzz[key] = str(raw.path.resolve().parent / value)
    if anchor is not None:
        for key in ("reset", "reset_old", "reset_new"):
            if key in settings.fuzz:
                settings.fuzz[key] = tuple(anchored(ref, anchor) for ref in settings.fuzz[key])
    settings.gates = gate_thresholds(settings, raw.section("gates"))
    waivers = data.get("waivers", [])
    if not isinstance(waivers, list) or not all(isinstance(w, dict) for w in waivers):
        raise ConfigError(f"{settings.where('waivers')}: expected [[waivers]] tables")
    # each entry (rule, reason, expiry) is checked by apiparity.waivers.parse_waivers
    settings.waivers = waivers
    settings.diff = dict(raw.section("diff"))
    reports = raw.section("reports")
    from apiparity.report import file_formats

    report_keys = set(file_formats())  # every report format check writes to a file
    for key, value in reports.items():
        if key not in report_keys:
            raise ConfigError(f"{settings.where('reports.' + key)}: unknown report format{did_you_mean(key, report_keys)} (known: {', '.join(sorted(report_keys))})")
        settings.reports[key] = _string(settings, f"reports.{key}", value)
    return settings


def fuzz_overrides(settings: ProjectSettings, table: dict[str, Any]) -> dict[str, Any]:
    """`[fuzz]` keys checked against FuzzSettings' fields and converted to their types."""
    import dataclasses

    from apiparity.fuzz.settings import FuzzSettings, parse_header, parse_status_pair

    fields = {f.name: f for f in dataclasses.fields(FuzzSettings)}
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in fields:
            raise ConfigError(f"{settings.where('fuzz.' + key)}: unknown fuzz setting{did_you_mean(name, fields)} (known: {', '.join(sorted(fields))})")
        where = settings.where(f"fuzz.{key}")
        if name in ("headers", "old_headers", "new_headers"):
            if isinstance(value, dict):
                out[name] = {str(k): str(v) for k, v in value.items()}
            elif isinstance(value, list):
                out[name] = dict(parse_header(str(item)) for item in value)
            else:
                raise ConfigError(f"{where}: expected a table of header = value")
        elif name == "equivalent_status":
            # kept as "OLD=NEW" strings: the form settings_from_options reads, checked here early
            pairs = []
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, list) and len(item) == 2:
                    item = f"{item[0]}={item[1]}"
                old_status, new_status = parse_status_pair(str(item))
                pairs.append(f"{old_status}={new_status}")
            out[name] = tuple(pairs)
        elif isinstance(fields[name].default, tuple) or name in ("phases",):
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list):
                raise ConfigError(f"{where}: expected a string or a list of strings")
            out[name] = tuple(str(item) for item in items)
        elif isinstance(fields[name].default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: expected true or false")
            out[name] = value
        elif isinstance(fields[name].default, int) and not isinstance(fields[name].default, bool):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigError(f"{where}: expected an integer")
            out[name] = value
        elif isinstance(fields[name].default, float):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ConfigError(f"{where}: expected a number")
            out[name] = float(value)
        else:
            out[name] = value
    return out


def gate_thresholds(settings: ProjectSettings, table: dict[str, Any]) -> Any:
    """`[gates]` as GateThresholds; unknown keys go to `extra` only under `[gates.extra]`."""
    import dataclasses

    from apiparity.verdict import GateThresholds

    thresholds = GateThresholds()
    known = {f.name for f in dataclasses.fields(GateThresholds)}
    for key, value in table.items():
        name = key.replace("-", "_")
        where = settings.where(f"gates.{key}")
        if name not in known:
            raise ConfigError(f"{where}: unknown gate setting{did_you_mean(name, known)} (known: {', '.join(sorted(known))})")
        if name == "extra":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: expected a table")
            thresholds.extra = dict(value)
        elif name == "latency_factor":
            if value is False or value == 0:
                thresholds.latency_factor = None
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                thresholds.latency_factor = float(value)
            else:
                raise ConfigError(f"{where}: expected a positive number, or false to turn the gate off")
        elif name == "min_operations_share":
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
                raise ConfigError(f"{where}: expected a share between 0 and 1")
            thresholds.min_operations_share = float(value)
        elif name == "require_valid_new_document":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: expected true or false")
            thresholds.require_valid_new_document = value
        elif name == "fail_on_tiers":
            from apiparity.model import TIERS

            if not isinstance(value, list) or not all(isinstance(v, str) and v in TIERS for v in value):
                raise ConfigError(f"{where}: expected a list of tiers ({', '.join(TIERS)})")
            thresholds.fail_on_tiers = list(value)
        elif name == "accept":
            from apiparity.fuzz.tiers import parse_acceptances

            try:
                thresholds.accept = parse_acceptances(value, where)
            except ValueError as exc:
                raise ConfigError(str(exc)) from None
        else:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{where}: expected an integer >= 0")
            setattr(thresholds, name, value)
    return thresholds


def did_you_mean(key: str, known: Any) -> str:
    """' (did you mean 'max_examples'?)' for a near miss of a known key, else ''."""
    import difflib

    normal = key.replace("-", "_")
    close = difflib.get_close_matches(normal, [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close and close[0] != normal else ""


def anchored(ref: str, folder: Path) -> str:
    """A target or hook reference from a config file, with a relative file path made absolute from
    the config's folder (``legacy/app.py:app``, ``openapi.yaml``); URLs and module references
    (``pkg.mod:app``) are left as they are."""
    if "://" in ref:
        return ref
    module, sep, attribute = ref.partition(":")
    if sep and module.endswith(".py") and not Path(module).is_absolute():
        return f"{folder / module}:{attribute}"
    if not sep and Path(ref).suffix.lower() in (".json", ".yaml", ".yml") and not Path(ref).is_absolute():
        return str(folder / ref)
    return ref


SIDE_KEYS = ("target", "python", "cmd")


def _side_table(settings: ProjectSettings, side: str, table: dict[str, Any]) -> dict[str, str]:
    """`[old]` / `[new]` as a table: `target` (as `old = "..."`), `python` (the interpreter the app is
    imported and served in) and `cmd` (the command that serves it, with {port}); the latter two go
    to the fuzz settings as old_python / old_cmd."""
    unknown = sorted(set(table) - set(SIDE_KEYS))
    if unknown:
        raise ConfigError(f"{settings.where(f'{side}.{unknown[0]}')}: unknown key (known: {', '.join(SIDE_KEYS)})")
    if "target" in table:
        setattr(settings, side, _string(settings, f"{side}.target", table["target"]))
    return {f"{side}_{key}": _string(settings, f"{side}.{key}", table[key]) for key in ("python", "cmd") if key in table}


def _string(settings: ProjectSettings, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{settings.where(key)}: expected a non-empty string")
    return value
