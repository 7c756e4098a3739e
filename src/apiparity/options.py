"""The option values of a run, typed, and the one loader that turns them into FuzzSettings.

The option groups (no click here: the commands build them from their click parameters; tests and
library callers build them directly) hold what the user gave, None / () / False when not given.

`fuzz_settings` is the one way FuzzSettings are made, for every entry point: the config file's
`[fuzz]` table, then `overrides` (FuzzSettings field names: the pytest plugin's ini keys and
`parity()` keyword arguments), then the command-line `FuzzOptions` on top. Each option's meaning
is one row of `_OPTION_FIELDS` (option name -> field, conversion) and one row of `_OFF_FLAGS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from apiparity.fuzz.settings import FuzzSettings

T = TypeVar("T")


def _from_mapping(cls: type[T], values: Mapping[str, Any]) -> T:
    """An options dataclass from click's parameters: known names only, lists as tuples."""
    known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    picked = {name: tuple(value) if isinstance(value, list) else value
              for name, value in values.items() if name in known and value is not None}
    return cls(**picked)


@dataclass(frozen=True, slots=True)
class FuzzOptions:
    """`fuzz_options` (shared by `fuzz` and `check`): names are the click parameter names."""

    spec_source: str | None = None
    phases: str | None = None
    mode: str | None = None
    max_examples: int | None = None
    seed: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    timeout: float | None = None
    workers: int | None = None
    header: tuple[str, ...] = ()
    old_header: tuple[str, ...] = ()
    new_header: tuple[str, ...] = ()
    old_url: str | None = None
    new_url: str | None = None
    old_base_path: str | None = None
    new_base_path: str | None = None
    old_python: str | None = None
    new_python: str | None = None
    old_cmd: str | None = None
    new_cmd: str | None = None
    reset: tuple[str, ...] = ()
    reset_old: tuple[str, ...] = ()
    reset_new: tuple[str, ...] = ()
    compare_header: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unordered: tuple[str, ...] = ()
    equivalent_status: tuple[str, ...] = ()
    allow_unsafe: bool | None = None
    allow_remote_refs: bool | None = None
    no_id_mapping: bool | None = None
    no_redact: bool | None = None
    redact_name: tuple[str, ...] = ()
    no_noise: bool | None = None
    no_conformance: bool | None = None
    no_auto_reset: bool | None = None
    contract: str | None = None
    old_auth: str | None = None
    new_auth: str | None = None
    max_body_bytes: int | None = None
    wait_for: float | None = None
    max_run_time: float | None = None
    record_path: str | None = None
    probes: str | None = None
    no_probe: tuple[str, ...] = ()
    no_value_pool: bool | None = None
    event_loop: bool | None = None  # --event-loop/--no-event-loop (EventLoopSettings, not FuzzSettings)
    block_threshold_ms: float | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> FuzzOptions:
        return _from_mapping(cls, values)

    def given(self) -> dict[str, Any]:
        """The options the user gave, by click parameter name (what `settings_from_options` reads)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) not in (None, ())}


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """--html/--markdown/--json/--junit/--sarif/... FILE: (format, file) pairs, one per report
    format named (the formats are `apiparity.report.file_formats()`)."""

    files: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, **files: str) -> ReportPaths:
        """`ReportPaths.of(json="r.json", html="r.html")`."""
        return cls(tuple(files.items()))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ReportPaths:
        """From click parameters `<format>_path`, in the registry's order of formats."""
        from apiparity.report import file_formats

        return cls(tuple((name, str(values[f"{name}_path"])) for name in file_formats() if values.get(f"{name}_path")))

    def given(self) -> dict[str, str]:
        """format -> file, for the formats named on the command line."""
        return dict(self.files)


@dataclass(frozen=True, slots=True)
class GateOptions:
    """`check`'s gate options (over the config's [gates])."""

    min_operations_share: float | None = None
    min_cases_per_operation: int | None = None
    latency_factor: float | None = None
    load_duration: float | None = None
    load_users: int | None = None
    load_per_operation: int | None = None
    load_max_p95_ratio: float | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> GateOptions:
        return _from_mapping(cls, values)


@dataclass(frozen=True, slots=True)
class HistoryOptions:
    """--history/--no-history/--history-label/--readiness-window (and check's --fail-on-regress)."""

    history_path: str | None = None
    no_history: bool = False
    history_label: str | None = None
    readiness_window: int | None = None
    history_baseline: int | None = None
    fail_on_regress: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> HistoryOptions:
        return _from_mapping(cls, values)


@dataclass(frozen=True, slots=True)
class ShadowRequest:
    """Everything `apiparity shadow` was asked (`pipeline.run_shadow`): where to listen, the
    primary (OLD, answers every client), the candidate (NEW, mirrored requests compared against
    it), and the comparison options `fuzz` shares (`compare`: --compare-header, --ignore,
    --unordered, --equivalent-status, --no-redact, --redact-name, --max-body-bytes)."""

    listen: str  # HOST:PORT
    primary: str
    candidate: str
    secondary: str | None = None  # a second OLD instance: what differs between the two is noise
    spec_ref: str | None = None  # OLD's document (default: fetched from the primary when it serves one)
    spec_path: str | None = None
    methods: str = "GET,HEAD"  # mirrored methods; unsafe ones need allow_unsafe
    allow_unsafe: bool = False
    report_path: str = "shadow-report.json"
    record_path: str | None = None
    queue_size: int = 1000
    workers: int = 4
    candidate_timeout: float = 5.0
    primary_timeout: float = 30.0
    flush_interval: float = 2.0
    compare: FuzzOptions = field(default_factory=FuzzOptions)
    config_path: str | None = None
    log_level: str = "warning"  # uvicorn's


# ----------------------------------------------------------------------------------- the settings loader


def _as_tuple(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


def _headers(value: Any) -> dict[str, str]:
    from apiparity.fuzz.settings import parse_header

    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return dict(parse_header(v) for v in _as_tuple(value))


def _phases(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(p.strip() for p in items if p.strip())


def _probe_names(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    names = tuple(str(p).strip() for p in items if str(p).strip())
    return () if names == ("none",) else names


def _same(value: Any) -> Any:
    return value


# FuzzSettings field -> (the command-line option that sets it, how a given value converts);
# the config's [fuzz] key is the field name (dashed spelling too)
_OPTION_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "spec": ("spec_source", _same),
    "phases": ("phases", _phases),
    "mode": ("mode", _same),
    "max_examples": ("max_examples", int),
    "seed": ("seed", int),
    "include": ("include", _as_tuple),
    "exclude": ("exclude", _as_tuple),
    "timeout": ("timeout", float),
    "workers": ("workers", int),
    "headers": ("header", _headers),
    "old_headers": ("old_header", _headers),
    "new_headers": ("new_header", _headers),
    "old_url": ("old_url", _same),
    "new_url": ("new_url", _same),
    "old_base_path": ("old_base_path", _same),
    "new_base_path": ("new_base_path", _same),
    "reset": ("reset", _as_tuple),
    "reset_old": ("reset_old", _as_tuple),
    "reset_new": ("reset_new", _as_tuple),
    "compare_headers": ("compare_header", _as_tuple),
    "ignore": ("ignore", _as_tuple),
    "unordered": ("unordered", _as_tuple),
    "equivalent_status": ("equivalent_status", _as_tuple),  # parsed into pairs once every layer is in
    "allow_unsafe": ("allow_unsafe", bool),
    "allow_remote_refs": ("allow_remote_refs", bool),
    "contract": ("contract", _same),
    "old_auth": ("old_auth", _same),
    "new_auth": ("new_auth", _same),
    "stateful_sequences": ("", int),  # config only
    "max_body_bytes": ("max_body_bytes", int),
    "max_body_chars": ("", int),
    "examples_per_group": ("", int),
    "record_path": ("record_path", _same),
    "redact_names": ("redact_name", _as_tuple),
    "old_python": ("old_python", _same),
    "new_python": ("new_python", _same),
    "old_cmd": ("old_cmd", _same),
    "new_cmd": ("new_cmd", _same),
    "probes": ("probes", _probe_names),
    "no_probe": ("no_probe", _probe_names),
}

# FuzzSettings boolean field -> the `--no-...` option that turns it off (the config says true/false)
_OFF_FLAGS = {
    "map_ids": "no_id_mapping",
    "redact": "no_redact",
    "noise_calls": "no_noise",
    "auto_reset": "no_auto_reset",
    "conformance": "no_conformance",
    "value_pool": "no_value_pool",
}

# parity() keyword arguments that take one reference or several: reset="app.py:reset" is ("app.py:reset",)
_ONE_OR_MANY = ("reset", "reset_old", "reset_new", "include", "exclude", "ignore", "unordered")


def fuzz_settings(config: Mapping[str, Any] | None = None, *, options: FuzzOptions | None = None,
                  overrides: Mapping[str, Any] | None = None, app_dir: str | Path | None = None,
                  source: str = "fuzz options") -> FuzzSettings:
    """FuzzSettings: the config's `[fuzz]` table (raw, or checked by `config.fuzz_overrides`), then
    `overrides` (FuzzSettings fields: the pytest plugin's ini keys under `parity()` keyword
    arguments), then the command-line `options`. Bad values raise ConfigError; `source` names the
    caller in errors FuzzSettings itself raises ("fuzz options", "parity()")."""
    from apiparity.errors import ConfigError
    from apiparity.fuzz.settings import FuzzSettings, parse_status_pair

    table = dict(config or {})
    given = options.given() if options is not None else {}
    values: dict[str, Any] = {}
    for name, (option, convert) in _OPTION_FIELDS.items():
        if option and option in given:
            values[name] = convert(given[option])
        elif name.replace("_", "-") in table or name in table:
            values[name] = convert(table.get(name.replace("_", "-"), table.get(name)))
    if values.get("max_examples") == 0 and overrides is None:
        where = "--max-examples 0" if "max_examples" in given else "[fuzz] max_examples = 0"
        raise ConfigError(f"{where}: give at least 1 (cases per operation in the fuzzing phase; "
                          "to leave that phase out: --phases examples,coverage)")
    for name, off_option in _OFF_FLAGS.items():
        if given.get(off_option):
            values[name] = False
            continue
        for spelling in (name, name.replace("_", "-")):
            if spelling in table:
                if not isinstance(table[spelling], bool):
                    raise ConfigError(f"[fuzz] {spelling}: expected true or false, not {table[spelling]!r}")
                values[name] = table[spelling]
                break
    fields = {f.name for f in dataclasses.fields(FuzzSettings)}
    unknown = sorted(set(table) - fields - {k.replace("_", "-") for k in fields} - {"spec"})
    if unknown:
        raise ConfigError(f"[fuzz] unknown key {unknown[0]!r}")
    if overrides:
        wrong = sorted(set(overrides) - (fields - {"app_dir"}))
        if wrong:
            from apiparity.config import did_you_mean

            known = fields - {"app_dir"}
            raise ConfigError(f"{source}: unknown fuzz setting {wrong[0]!r}{did_you_mean(wrong[0], known)}; "
                              f"known: {', '.join(sorted(known))}")
        for name, value in overrides.items():
            if name in _ONE_OR_MANY and isinstance(value, str):
                value = (value,)
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        for name, (option, convert) in _OPTION_FIELDS.items():  # the command line over parity() and the ini keys
            if option and option in given:
                values[name] = convert(given[option])
        values.update({name: False for name, off_option in _OFF_FLAGS.items() if given.get(off_option)})
    values["equivalent_status"] = tuple(
        parse_status_pair(pair) if isinstance(pair, str) else tuple(pair) for pair in values.get("equivalent_status", ())
    )
    try:
        return FuzzSettings(app_dir=str(app_dir) if app_dir is not None else None, **values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{source}: {exc}") from None
