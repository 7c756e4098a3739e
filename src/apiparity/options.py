"""The command-line option values of a run, typed (no click here: the commands build these from
their click parameters; tests and the pytest plugin build them directly).

Every field is what the user gave, None / () / False when not given: the config file and the
built-in defaults fill the rest (`apiparity.pipeline` and the settings loader decide).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

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

    def as_mapping(self) -> dict[str, Any]:
        """The option names `apiparity.history` reads."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
