"""The typed sections later features add to a `Report` (load, event loop, history, handlers, ...).

In the JSON report they live under the top-level ``"extras"`` object, one key each, with the keys
and shapes earlier versions wrote (reports, baselines and shard reports written before the sections
were typed still read). On the model they are attributes: ``report.load``, ``report.event_loop``,
``report.history``, ...: writers build these dataclasses, renderers and gates read their fields.

`EXTRAS_SECTIONS` is the registry: JSON key -> `Report` attribute and type, in the order the JSON
report lists them. Every section dataclass is a `Section`: ``to_dict()`` gives the JSON data (a
field whose metadata says `OMIT_NONE` is left out while None: those keys were only written when
set), ``from_dict(data)`` reads it back and raises TypeError/ValueError on a malformed section
(`Report.from_dict` then keeps the raw value, see `apiparity.model`). A section's keys a reader does
not know (written by a newer version) are not kept.

This module imports nothing of apiparity: the model imports it.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "EXTRAS_SECTIONS", "OMIT_NONE", "CapacityPlanSection", "CapacitySection", "CapacitySide", "CapacityStep",
    "ContractSection", "EventLoopSection", "ExtrasSection", "GateThresholds", "HandlerPlace", "HandlersSection",
    "HistoryOperation", "HistoryPoint", "HistorySection", "LatencyStats", "LoadComparison", "LoadGateResult",
    "LoadRatios", "LoadRunSettings", "LoadSection", "LoadSideRun", "LoopBlock", "Section", "ShadowSection",
    "SideServer", "StarvedStalls", "StaticBlockingCall", "TrafficSection", "UndocumentedRequest", "dump", "load",
]

OMIT_NONE: dict[str, Any] = {"omit": "none"}  # field metadata: the key is absent from the JSON while the value is None

S = TypeVar("S", bound="Section")


class Section:
    """A dataclass section of the JSON report (mixin: `to_dict` / `from_dict`)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        data = dump(self)
        assert isinstance(data, dict)
        return data

    @classmethod
    def from_dict(cls: type[S], data: Any) -> S:
        """Read a section; TypeError/ValueError when it is not one (a hand-edited or foreign report)."""
        value = load(cls, data)
        assert isinstance(value, cls)
        return value


def _optional(default: Any = None) -> Any:
    return field(default=default, metadata=OMIT_NONE)


# ------------------------------------------------------------------------------------- codec


def dump(value: Any) -> Any:
    """JSON data of a section (or of anything inside one)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is None and f.metadata.get("omit") == "none":
                continue
            data[f.name] = dump(item)
        return data
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    return value


def load(tp: Any, value: Any) -> Any:
    """`value` (JSON data) read as `tp`, a section type or one of its fields' types."""
    if tp is Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        return load(members[0], value)
    if value is None:
        raise TypeError("null where a value is expected")
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if isinstance(value, tp):  # already typed (a writer's own value)
            return value
        if not isinstance(value, dict):
            raise TypeError(f"expected an object for {tp.__name__}, got {type(value).__name__}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name not in value:
                continue
            item = value[f.name]
            if item is None and not _nullable(hints[f.name]):
                continue  # null for a list or a number: the default, as the readers always did
            kwargs[f.name] = load(hints[f.name], item)
        return tp(**kwargs)
    if origin is list:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {type(value).__name__}")
        (item_type,) = typing.get_args(tp) or (Any,)
        return [load(item_type, v) for v in value]
    if origin is dict:
        if not isinstance(value, dict):
            raise TypeError(f"expected an object, got {type(value).__name__}")
        args = typing.get_args(tp)
        item_type = args[1] if args else Any
        return {str(k): load(item_type, v) for k, v in value.items()}
    if tp is bool:
        if isinstance(value, (dict, list)):
            raise TypeError(f"expected a boolean, got {type(value).__name__}")
        return bool(value)
    if tp is int:
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise TypeError(f"expected an integer, got {type(value).__name__}")
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"expected an integer, got {value}")
        return int(value)
    if tp is float:
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise TypeError(f"expected a number, got {type(value).__name__}")
        return value if isinstance(value, (int, float)) else float(value)
    if tp is str:
        if isinstance(value, (dict, list)):
            raise TypeError(f"expected a string, got {type(value).__name__}")
        return value if isinstance(value, str) else str(value)
    return value


@functools.cache
def _hints(tp: type) -> dict[str, Any]:
    from apiparity.model import field_hints

    return field_hints(tp)


def _nullable(tp: Any) -> bool:
    return tp is Any or (typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in typing.get_args(tp))


# ------------------------------------------------------------------------------------- gates, contract


@dataclass(slots=True)
class GateThresholds(Section):
    """Gate settings: `[tool.apiparity.gates]` in the config, overridden by command-line options.
    In the report (``extras.gate_thresholds``) so that `merge` decides with the shards' settings."""

    min_operations_share: float = 1.0  # share of OLD operations that must be exercised (0..1)
    min_cases_per_operation: int = 1  # an operation counts as exercised with at least this many cases
    max_conformance_issues: int = 0  # NEW's answers that break OLD's document
    max_new_5xx: int = 0  # cases where NEW answered 5xx and OLD below 500
    max_transport_errors: int = 0  # requests either side gave no answer to (connection refused/reset, timeout)
    latency_factor: float | None = 1.5  # NEW p95 <= OLD p95 * factor (HTTP targets only); None: off
    require_valid_new_document: bool = True
    # thresholds of gates registered later (open-ended: each feature gate reads its own keys)
    extra: dict[str, Any] = field(default_factory=dict)
    # mismatch-group tiers that fail the gate (apiparity.fuzz.tiers): legacy-bug-fixed and harmless
    # groups are shown without failing unless listed here; accepted ones never fail
    fail_on_tiers: list[str] = field(default_factory=lambda: ["regression"])
    # [[gates.accept]]: {label | cause, operation?, reason}: groups accepted with a reason
    accept: list[dict[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class ContractSection(Section):
    """`--contract`: the one document both sides were judged against, and the notes that said so."""

    ref: str = ""
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------- handlers, sides


@dataclass(slots=True)
class HandlerPlace(Section):
    file: str
    line: int | None = None
    function: str | None = None


@dataclass(slots=True)
class HandlersSection(Section):
    """Where each operation's handler lives (apps only), for SARIF results and GitHub annotations:
    ``old``/``new`` map an operation key ("GET /books/{}") to its handler; ``*_app`` is the file most
    of a side's handlers live in (where a finding about the whole app is shown)."""

    root: str = ""
    old: dict[str, HandlerPlace] | None = _optional()
    old_app: HandlerPlace | None = _optional()
    new: dict[str, HandlerPlace] | None = _optional()
    new_app: HandlerPlace | None = _optional()

    def side(self, side: str) -> dict[str, HandlerPlace]:
        return (self.old if side == "old" else self.new) or {}

    def app(self, side: str) -> HandlerPlace | None:
        return self.old_app if side == "old" else self.new_app


@dataclass(slots=True)
class SideServer(Section):
    """A server apiparity started for a side (--old-cmd, --old-python): what, where, and whether it died."""

    started: str = ""
    pid: int | None = None
    url: str | None = None
    python: str | None = _optional()
    executable: str | None = _optional()
    server: str | None = _optional()
    framework: str | None = _optional()
    died: str | None = _optional()  # why it ended mid-run; its log is kept then
    log: str | None = _optional()


# ------------------------------------------------------------------------------------- event loop


@dataclass(slots=True)
class LoopBlock(Section):
    """Blocks of NEW's event loop during one operation (`apiparity.asyncio_check`)."""

    operation: str = ""
    count: int = 0
    max_ms: float = 0.0
    p95_ms: float = 0.0
    total_ms: float = 0.0
    where: str | None = None  # "/abs/app.py:57": the app frame most blocks were in
    function: str | None = None
    stack: list[str] = field(default_factory=list)  # the longest block's user frames, outermost first
    example_request: str | None = None
    locations: list[str] = field(default_factory=list)  # every distinct "file:line (n×)"
    attributed: bool = True  # False: no app frame on the stack (framework warm-up, GC): not counted


@dataclass(slots=True)
class StarvedStalls(Section):
    """Stalls that were the machine's (the loop thread waiting for a CPU), not counted."""

    count: int = 0
    max_ms: float = 0.0
    cpu_accounting: bool = False


@dataclass(slots=True)
class StaticBlockingCall(Section):
    """A blocking call the static scan found reachable from an async handler (a hint, not a measurement)."""

    operation: str = ""
    chain: list[str] = field(default_factory=list)
    file: str | None = None
    line: int | None = None
    call: str = ""
    resolved: str | None = None
    family: str | None = None
    fix_hint: str = ""
    also: list[str] = field(default_factory=list)  # further blocking calls in the same function: "37: conn.execute(...)"


@dataclass(slots=True)
class EventLoopSection(Section):
    """NEW's event loop watched during `fuzz`/`check` (in-process ASGI), plus the static scan's findings."""

    source: str = "runtime"
    threshold_ms: float = 20.0
    monitored_seconds: float = 0.0
    blocks: list[LoopBlock] = field(default_factory=list)  # attributed to the app's code: what the gate counts
    unattributed: list[LoopBlock] = field(default_factory=list)
    starved: StarvedStalls | None = _optional()
    events_dropped: int = 0
    error: str | None = _optional()  # the monitor failed: the gate could not run
    static: list[StaticBlockingCall] | None = _optional()  # None: no static scan ran
    static_error: str | None = _optional()


# ------------------------------------------------------------------------------------- load


@dataclass(slots=True)
class LoadRunSettings(Section):
    users: int = 10
    spawn_rate: float | None = None
    duration: float = 10.0
    max_requests: int | None = None
    timeout: float = 30.0
    workers: int = 0
    header_names: list[str] = field(default_factory=list)  # values may be secrets: names only
    source: str = ""
    seed: int | None = None
    mix_size: int = 0
    allow_unsafe: bool = False


@dataclass(slots=True)
class LoadSideRun(Section):
    url: str = ""
    elapsed_s: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    worker_requests: list[int] | None = _optional()  # requests each Locust worker sent (distributed mode)


@dataclass(slots=True)
class LatencyStats(Section):
    requests: int = 0
    errors: int = 0
    error_rate: float = 0.0  # errors / requests: 5xx answers and transport failures
    rps: float = 0.0  # requests completed per second of the side's measurement window
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    mean_ms: float = 0.0
    max_ms: float = 0.0
    percentiles_ms: dict[str, float] = field(default_factory=dict)  # "50", "75", ..., "99.9"
    statuses: dict[str, int] = field(default_factory=dict)  # "200": 12, "0": transport failures


@dataclass(slots=True)
class LoadRatios(Section):
    """NEW / OLD: > 1 is better for rps, < 1 for latencies; None when a side has no data."""

    rps: float | None = None
    p50: float | None = None
    p95: float | None = None
    p99: float | None = None


@dataclass(slots=True)
class LoadComparison(Section):
    operation: str = ""
    old: LatencyStats | None = None
    new: LatencyStats | None = None
    ratio: LoadRatios = field(default_factory=LoadRatios)


@dataclass(slots=True)
class LoadGateResult(Section):
    """The load-latency gate as `apiparity load` decided it (its own report's verdict)."""

    name: str = "load-latency"
    threshold: str = ""
    measured: str = ""
    passed: bool = False
    details: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LoadSection(Section):
    """OLD vs NEW under the same request mix (`apiparity load`, `check --load-duration`)."""

    settings: LoadRunSettings = field(default_factory=LoadRunSettings)
    old: LoadSideRun | None = None
    new: LoadSideRun | None = None
    operations: list[LoadComparison] = field(default_factory=list)  # sorted, "overall" last
    overall: LoadComparison | None = _optional()
    gate: LoadGateResult | None = _optional()


@dataclass(slots=True)
class CapacityPlanSection(Section):
    p95_target_ms: float = 0.0
    start_users: int = 2
    step_users: int = 2
    max_users: int = 64
    step_duration: float = 5.0
    max_error_rate: float = 0.01


@dataclass(slots=True)
class CapacityStep(Section):
    users: int = 0
    rps: float = 0.0
    p95_ms: float = 0.0
    error_rate: float = 0.0
    requests: int = 0
    held: bool = False
    reason: str = ""  # why it did not hold


@dataclass(slots=True)
class CapacitySide(Section):
    url: str = ""
    max_sustained_rps: float = 0.0
    at_users: int | None = None
    p95_at_max_ms: float | None = None
    limit: str = ""
    steps: list[CapacityStep] = field(default_factory=list)


@dataclass(slots=True)
class CapacitySection(Section):
    """`apiparity load --capacity`: both sides' stepped runs, their maxima and the NEW/OLD ratio."""

    plan: CapacityPlanSection = field(default_factory=CapacityPlanSection)
    old: CapacitySide = field(default_factory=CapacitySide)
    new: CapacitySide = field(default_factory=CapacitySide)
    ratio: float | None = None
    new_takes_old_peak: bool = False
    source: str | None = _optional()


# ------------------------------------------------------------------------------------- history


@dataclass(slots=True)
class HistoryPoint(Section):
    run: str = ""  # "#3", or "this run" until it is recorded
    recorded_at: str | None = None
    commit: str | None = None
    command: str | None = None
    ready: int = 0
    total: int = 0
    new: list[str] = field(default_factory=list)  # causes that appeared
    fixed: list[str] = field(default_factory=list)
    # options that changed what is exercised since the run before ("credentials: none -> -H X-Token"):
    # new/fixed are then not told, the runs are not comparable
    options_changed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class HistoryOperation(Section):
    operation: str = ""
    statuses: list[str] = field(default_factory=list)  # one `OpStatus` value per shown run, oldest first
    ready: bool = False


@dataclass(slots=True)
class HistorySection(Section):
    """The readiness trend up to this run (`--history`), see `apiparity.history`."""

    file: str = ""
    run_id: int | None = None
    window: int = 1
    points: list[HistoryPoint] = field(default_factory=list)
    operations: list[HistoryOperation] = field(default_factory=list)
    ready_operations: list[str] = field(default_factory=list)
    baseline: str | None = None
    regressed: list[str] = field(default_factory=list)
    fail_on_regress: bool = False
    note: str | None = _optional()  # "incomplete (...): this run was not recorded"


# ------------------------------------------------------------------------------------- traffic


@dataclass(slots=True)
class UndocumentedRequest(Section):
    """Requests of `replay`/`shadow` OLD's document does not describe, per method and path."""

    method: str = ""
    path: str = ""
    reason: str = ""
    count: int = 0


@dataclass(slots=True)
class TrafficSection(Section):
    """What `replay` read: the file, its format, how many requests, from where it resumed."""

    path: str = ""
    format: str = ""
    requests: int = 0
    notes: list[str] = field(default_factory=list)
    sample: float | None = None
    resumed_from: int | None = None


@dataclass(slots=True)
class ShadowSection(Section):
    """`shadow`'s counters: requests proxied to OLD, mirrored to NEW, compared, dropped."""

    requests: int = 0
    primary_errors: int = 0
    mirrored: int = 0
    not_mirrored: int = 0
    dropped: int = 0
    compared: int = 0
    candidate_errors: int = 0
    candidate_timeouts: int = 0
    not_compared: int = 0
    not_recorded: int = 0
    candidate_failures_by_reason: dict[str, int] = field(default_factory=dict)
    unfinished: int = 0


# ------------------------------------------------------------------------------------- registry


@dataclass(frozen=True, slots=True)
class ExtrasSection:
    """One key of the JSON report's ``extras`` object and the `Report` attribute it is read into."""

    key: str
    attribute: str
    type: Any  # what `load` reads the JSON value as
    present: typing.Callable[[Any], bool] = lambda value: value is not None  # written when true

    def read(self, value: Any) -> Any:
        return load(self.type, value)


def _list_of(item: Any) -> Any:
    return list[item]  # type: ignore[valid-type]


# In the order of the JSON report (the order `check` writes them, then the other commands' own).
EXTRAS_SECTIONS: tuple[ExtrasSection, ...] = (
    ExtrasSection("gate_thresholds", "gate_thresholds", GateThresholds),
    ExtrasSection("contract", "contract", ContractSection),
    ExtrasSection("old_source_file", "old_source_file", str),
    ExtrasSection("new_source_file", "new_source_file", str),
    ExtrasSection("handlers", "handlers", HandlersSection),
    ExtrasSection("load", "load", LoadSection),
    ExtrasSection("load_error", "load_error", str),
    ExtrasSection("load_capacity", "load_capacity", CapacitySection),
    ExtrasSection("event_loop", "event_loop", EventLoopSection),
    ExtrasSection("sides", "sides", dict[str, SideServer]),
    ExtrasSection("interrupted", "interrupted", bool, present=bool),
    ExtrasSection("history", "history", HistorySection),
    ExtrasSection("traffic", "traffic", TrafficSection),
    ExtrasSection("shadow", "shadow", ShadowSection),
    ExtrasSection("undocumented_traffic", "undocumented_traffic", _list_of(UndocumentedRequest)),
    ExtrasSection("merged_from", "merged_from", _list_of(str)),
    ExtrasSection("missing_shards", "missing_shards", _list_of(str)),
    ExtrasSection("interrupted_shards", "interrupted_shards", _list_of(str)),
)
SECTIONS_BY_KEY: dict[str, ExtrasSection] = {section.key: section for section in EXTRAS_SECTIONS}
