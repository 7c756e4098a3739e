"""The report model: plain dataclasses that cross every module border.

The engine (diff, fuzz, verdict) fills it; renderers (`apiparity.report`) only read it; the JSON
report is this model serialized (`to_dict`) and `from_dict` reads it back (for `merge` and
`--baseline`). Add fields with defaults; never rename one (the JSON schema is versioned).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import InitVar, dataclass, field
from typing import Any, Literal

from apiparity.model_sections import (
    EXTRAS_SECTIONS,
    SECTIONS_BY_KEY,
    CapacitySection,
    ContractSection,
    EventLoopSection,
    GateThresholds,
    HandlersSection,
    HistorySection,
    LoadSection,
    ShadowSection,
    SideServer,
    TrafficSection,
    UndocumentedRequest,
    dump,
)

REPORT_SCHEMA_VERSION = "1.0"

Severity = Literal["breaking", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "breaking": 2}


# ----------------------------------------------------------------------------------- spec diff


@dataclass(slots=True)
class Witness:
    """The meaning of a schema finding: an instance one side accepts and the other rejects, a
    proof that none exists, or why the bounded search found none (`apiparity.diff.witness`)."""

    verdict: Literal["witnessed", "proved-safe", "possibly-breaking", "not-checked"]
    text: str  # one line shown with the finding, e.g. "OLD accepted ["a"] at `tags`, NEW rejects it: ..."
    instance: Any = None  # the witness (JSON), where verdict is "witnessed"
    at: str = ""  # where the instance sits in the compared body/parameter (`items[].price`), "" for the root
    keyword: str = ""  # the rejecting keyword
    tries: int = 0  # instances generated


@dataclass(slots=True)
class Change:
    """One finding of the spec diff, judged by a rule."""

    rule_id: str  # stable kebab-case ID, never renamed once released
    severity: Severity
    message: str  # rendered from the rule's message template
    method: str  # upper-case HTTP method, or "" for document-level findings
    path: str  # path template as in OLD (NEW's when the operation was added)
    direction: Literal["request", "response", "operation", "document", "security"] = "operation"
    old_pointer: str | None = None  # JSON pointer into OLD's raw document
    new_pointer: str | None = None
    old_value: Any = None
    new_value: Any = None
    waived_by: str | None = None  # reason of the waiver that covers it
    baseline: Literal["new", "existing"] | None = None  # set by `check --baseline`: new since the baseline?
    mismatch_groups: list[str] = field(default_factory=list)  # keys of the mismatch groups that show it on the wire
    witness: Witness | None = None  # schema findings judged by meaning (`apiparity diff`)


@dataclass(slots=True)
class IgnoredNoise:
    """How many differences one named noise rule removed before judging."""

    rule_id: str
    description: str
    count: int
    examples: list[str] = field(default_factory=list)


@dataclass(slots=True)
class WaiverStatus:
    rule_id: str
    method: str
    path: str
    reason: str
    expires: str | None = None
    used: int = 0
    expired: bool = False


@dataclass(slots=True)
class PathMove:
    """Removed operations that NEW serves under another path prefix (`diff/moves.py`): one cause
    behind `operations` of the `removed` removal findings, which stay breaking for OLD's URLs."""

    old_prefix: str  # "/api/v1"; "/" when OLD's paths had no prefix
    new_prefix: str
    operations: int
    removed: int
    trailing_slash_added: int  # of those, how many NEW spells with a trailing slash OLD's path has not
    example_old: str
    example_new: str


@dataclass(slots=True)
class DiffResult:
    changes: list[Change] = field(default_factory=list)
    ignored_noise: list[IgnoredNoise] = field(default_factory=list)
    renamed_paths: list[tuple[str, str]] = field(default_factory=list)
    path_moves: list[PathMove] = field(default_factory=list)
    waivers: list[WaiverStatus] = field(default_factory=list)
    operations_old: int = 0
    operations_new: int = 0
    witness_incomplete: str | None = None  # why the witness search stopped early (its wall-clock safety cap); None when it did not

    def count(self, severity: Severity, *, include_waived: bool = False) -> int:
        return sum(1 for c in self.changes if c.severity == severity and (include_waived or not c.waived_by))


# ----------------------------------------------------------------------------------- fuzz


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str  # path with parameters filled in, no query string
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # parsed JSON, or text
    media_type: str | None = None


@dataclass(slots=True)
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # parsed JSON when the body is JSON, else text (truncated)
    body_is_json: bool = False
    elapsed_ms: float = 0.0
    error: str | None = None  # transport failure: timeout, connection refused, ...
    # the in-process app's exception while answering (traceback, truncated): kept on a group's first
    # example that has one per side, never printed per case (apiparity.fuzz.transports.AppLogCapture)
    app_exception: str | None = None


@dataclass(slots=True)
class MismatchExample:
    request: HttpRequest
    old: HttpResponse
    new: HttpResponse
    curl_old: str
    curl_new: str
    differences: list[str] = field(default_factory=list)  # human lines: "$.items[0].price: 10 != 11"


# What a mismatch group means for the cutover (apiparity.fuzz.tiers): a regression fails the gate;
# a legacy bug fixed (OLD answered 5xx, NEW a deliberate 2xx/4xx) and a harmless framework
# difference are shown and do not fail it by default; added is a route only NEW serves (OLD's router
# answered not-found on an operation or path only NEW's document declares: no client of OLD calls
# it), shown, not failing; accepted is the user's config (a label or a cause accepted with a reason,
# or a waiver).
Tier = Literal["regression", "legacy-bug-fixed", "added", "harmless", "accepted"]
# Where a difference between OLD's and NEW's answers is (apiparity.fuzz.compare.Difference.kind)
DifferenceKind = Literal["status", "header", "body", "order", "transport", "timeout"]
TIERS: tuple[str, ...] = ("regression", "legacy-bug-fixed", "added", "harmless", "accepted")


@dataclass(slots=True)
class GroupOperation:
    """One operation a group's cause was seen on, with how many of the group's cases it had."""

    operation: str
    count: int


@dataclass(slots=True)
class MismatchGroup:
    """Mismatches with one cause: one set of root differences, one known-divergence label (one case
    is in one group); a cause seen on several operations is one group listing them in `operations`."""

    operation: str  # "GET /books/{book_id}"
    signature: str  # "status 200 != 201", "body $.items[*].price value changed", several joined by " + "
    kind: DifferenceKind
    count: int
    examples: list[MismatchExample] = field(default_factory=list)  # at most 5, smallest first
    divergence: str | None = None  # ID of a known Flask/FastAPI divergence
    explanation: str | None = None
    fix_hint: str | None = None
    waived_by: str | None = None
    baseline: Literal["new", "existing"] | None = None  # set by `check --baseline`: new since the baseline?
    # differences of this group's cases that only follow from one in `signature` (a list that lost
    # an item also changes every field after it), most basic first
    related: list[str] = field(default_factory=list)
    tier: Tier = "regression"
    tier_reason: str | None = None  # why the tier: the label, the statuses, the acceptance; or why OLD's crash is not a legacy bug
    # every operation the cause was seen on, most cases first (`operation` is the first); one entry
    # when the cause is one operation's
    operations: list[GroupOperation] = field(default_factory=list)
    rank: int = 0  # severity of the cause, 0 worst (apiparity.fuzz.tiers.SEVERITY_RANKS): groups are listed in this order
    conformance: list[str] = field(default_factory=list)  # conformance issues this group explains ("side: check: message")
    spec_changes: list[str] = field(default_factory=list)  # spec-diff findings this group shows on the wire ("rule-id METHOD /path")

    @property
    def key(self) -> str:
        return f"{self.operation} | {self.signature}"


@dataclass(slots=True)
class NoiseCancelled:
    operation: str
    field_path: str
    count: int
    reason: str = "differs between two calls to OLD"


@dataclass(slots=True)
class ConformanceIssue:
    side: Literal["old", "new", "new-vs-old-spec"]
    operation: str
    check: str  # schemathesis check name, e.g. response_schema_conformance
    message: str
    count: int = 1
    example: MismatchExample | None = None
    explained_by: str | None = None  # key of the mismatch group whose cause this issue is (counted there, once)


@dataclass(slots=True)
class UnansweredRequest:
    """A request that tested nothing and that no mismatch group lists: a side gave no answer
    (transport error), or, `unsendable`, the HTTP client refused to put it on the wire. Kept so a
    report that counts them also shows which requests they were (both sides failing alike is no mismatch)."""

    request: HttpRequest  # as sent, redacted like an example's
    old_error: str | None = None
    new_error: str | None = None
    unsendable: bool = False


UNANSWERED_KEPT = 3  # requests kept per operation in OperationStats.unanswered


@dataclass(slots=True)
class OperationStats:
    operation: str
    cases: int = 0
    mismatches: int = 0
    old_5xx: int = 0
    new_5xx: int = 0
    new_5xx_where_old_ok: int = 0
    # requests a side gave no answer to (connection refused or reset, timeout): counted apart, never as a 5xx
    old_transport_errors: int = 0
    new_transport_errors: int = 0
    # cases never sent: the HTTP client refused the request (not counted in `cases` nor as a transport error)
    unsendable: int = 0
    unanswered: list[UnansweredRequest] = field(default_factory=list)  # the first of those requests (UNANSWERED_KEPT)
    pooled_cases: int = 0  # cases whose parameters came from the value pool (what OLD answered before)
    pooled_found: int = 0  # of those, the ones OLD answered with success: they named an existing record
    # cases OLD answered with its route (not 404/405) and NEW with the same status: NEW serves the operation
    new_served: int = 0
    # the operation's own cases (probes left out) each side answered with success (2xx/3xx): the
    # `operations-exercised` gate's evidence (None: a report written before they were counted)
    old_success: int | None = None
    new_success: int | None = None
    old_latency_ms: list[float] = field(default_factory=list)
    new_latency_ms: list[float] = field(default_factory=list)
    skipped_reason: str | None = None  # for people; the reasons later stages decide on are the constants below

    def add_counts(self, part: OperationStats) -> None:
        """Add the counts of another part of the same operation's run (a shard, a resumed segment):
        every int field, so a counter added here is merged everywhere. Latencies are the caller's."""
        for item in dataclasses.fields(self):
            if item.type in ("int", int):
                setattr(self, item.name, getattr(self, item.name) + getattr(part, item.name))
            elif item.type == "int | None":  # a counter older reports lack: None only when both parts lack it
                mine, theirs = getattr(self, item.name), getattr(part, item.name)
                setattr(self, item.name, None if mine is None and theirs is None else (mine or 0) + (theirs or 0))


# `OperationStats.skipped_reason` of an operation this run was not asked to exercise (matched
# exactly, never by prefix): the coverage gate, `merge` and the history leave them out.
NOT_IN_SHARD = "not in this shard"  # another shard (--shard i/n) fuzzes it
ONLY_IN_NEW = "only in NEW's document (cases come from OLD's; use --spec both)"
OUT_OF_SCOPE_REASONS = frozenset({NOT_IN_SHARD, ONLY_IN_NEW})


def is_out_of_scope(reason: str | None) -> bool:
    """An operation skipped because it is not this run's to exercise (another shard's, or NEW's only)."""
    return reason in OUT_OF_SCOPE_REASONS


# Why a link never fired (apiparity.fuzz.links): its source or target was not run (filtered,
# another shard, unsafe methods refused, no case generated), OLD never answered the source with
# success, NEW did not when OLD did, or a link parameter resolved to nothing in OLD's answer.
LinkNoteReason = Literal["not-run", "source-failed", "new-failed", "unresolved", "unsafe-refused", "no-cases"]


@dataclass(slots=True)
class LinkNote:
    """What became of one OpenAPI link (declared, or inferred by apiparity) during the run."""

    name: str
    source: str  # "POST /articles"
    target: str  # "GET /articles/{slug}"
    status: str  # the response key the link hangs on ("201"); it fires on any 2XX
    declared: bool  # in the document (False: inferred)
    fired: int = 0  # sequences whose linked step was sent to both sides
    reason: LinkNoteReason | None = None  # why it never fired (None when it did)
    detail: str = ""  # e.g. "OLD answered 200 where the link hangs on 201 ..."


@dataclass(slots=True)
class SequenceStats:
    """Multi-step sequences built from the path hierarchy (apiparity.fuzz.sequences)."""

    sequences: int = 0  # sequences run (each on OLD, NEW and OLD again)
    steps: int = 0  # steps compared, over all sequences
    longest: int = 0  # steps of the longest sequence compared
    by_length: dict[str, int] = field(default_factory=dict)  # "4" -> sequences of 4 steps
    by_resource: dict[str, int] = field(default_factory=dict)  # "/articles" -> sequences started by its create
    stopped: list[str] = field(default_factory=list)  # why sequences ended early ("POST /articles/{slug}/comments: NEW 404")


@dataclass(slots=True)
class FuzzResult:
    seed: int | None = None
    cases: int = 0
    operations_total: int = 0
    groups: list[MismatchGroup] = field(default_factory=list)
    noise: list[NoiseCancelled] = field(default_factory=list)
    conformance: list[ConformanceIssue] = field(default_factory=list)
    operations: list[OperationStats] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)  # phases, mode, max_examples, transports...
    errors: list[str] = field(default_factory=list)  # operations that could not be exercised, and why
    links: list[LinkNote] = field(default_factory=list)  # every link followed in the stateful phase, and what it did
    sequences: SequenceStats | None = None  # the stateful phase's multi-step sequences


# ----------------------------------------------------------------------------------- verdict


# passed / failed: the gate ran. not-run: the user chose to skip it (its `reason` names the choice,
# e.g. --contract): shown, never counted as a pass, and it does not by itself block READY.
# could-not-run: it should have run and could not (an error, a crashed or skipped phase): it fails.
GateStatus = Literal["passed", "failed", "not-run", "could-not-run"]


@dataclass(slots=True)
class Gate:
    name: str
    description: str
    threshold: str
    measured: str
    passed: bool  # True only when the gate ran and passed (status "passed")
    details: list[str] = field(default_factory=list)
    status: str = ""  # GateStatus; left empty, it follows `passed`
    reason: str | None = None  # why the gate did not run (status not-run / could-not-run)

    def __post_init__(self) -> None:
        if not self.status:
            self.status = "passed" if self.passed else "failed"
        self.passed = self.status == "passed"

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name != "passed":
            return
        try:
            current = self.status
        except AttributeError:  # still in __init__: __post_init__ settles it
            return
        if current:  # `passed` set later: the status follows
            status = "passed" if value else current if current in ("not-run", "could-not-run") else "failed"
            object.__setattr__(self, "status", status)

    @property
    def failing(self) -> bool:
        """Blocks READY: it failed, or it should have run and could not."""
        return self.status in ("failed", "could-not-run")


@dataclass(slots=True)
class Verdict:
    ready: bool
    gates: list[Gate] = field(default_factory=list)
    tiers: dict[str, int] = field(default_factory=dict)  # mismatch groups per tier (every tier named, 0 included)
    failing_tiers: list[str] = field(default_factory=list)  # the tiers that fail the gate in this run
    # the gates that decided it: the failing ones for NOT READY, the passed ones for READY (see `summary`)
    decided_by: list[str] = field(default_factory=list)
    summary: str = ""  # the verdict line, e.g. "READY (no-breaking-changes not run: --contract)"

    @property
    def label(self) -> str:
        return "READY" if self.ready else "NOT READY"

    @property
    def line(self) -> str:
        """The verdict line: the label and, when gates did not run or failed, which (set by `decide`)."""
        return self.summary if self.summary.startswith(self.label + " (") or self.summary == self.label else self.label


@dataclass(slots=True)
class SideInfo:
    ref: str
    framework: str
    interface: str
    inferred: bool = False
    title: str | None = None
    version: str | None = None
    operations: int = 0
    validation_errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BaselineComparison:
    """What changed since the last accepted report (`check --baseline previous.json`)."""

    path: str
    newly_broken: list[str] = field(default_factory=list)  # keys of changes/groups absent from the baseline
    newly_fixed: list[str] = field(default_factory=list)  # keys in the baseline no longer found
    verdict_before: str | None = None  # READY / NOT READY of the baseline


# Why a run could not complete (`Report.incomplete`): the user's Ctrl-C (exit 130); a side apiparity
# started that ended mid-run, the run's own deadline (--max-run-time), or an internal error in a phase
# (exit 2). The report holds what ran before; its verdict is never READY.
IncompleteCause = Literal["interrupted", "side-died", "run-deadline", "internal-error"]
INCOMPLETE_CAUSES: tuple[str, ...] = ("interrupted", "side-died", "run-deadline", "internal-error")


@dataclass(slots=True)
class Incomplete:
    """Why the run stopped before its end, in one line (`detail`), and in which phase."""

    cause: IncompleteCause
    detail: str
    phase: str | None = None  # "diff", "fuzz", "load", ... where it stopped


@dataclass(slots=True)
class Report:
    """Everything a command found. Sections a command did not run stay None.

    The sections later features add (load, event loop, history, handlers, ...) are typed attributes
    (`apiparity.model_sections`); the JSON report lists them under one ``"extras"`` object, with the
    keys and shapes it always had. `Report.extras` is that object as plain data (a view: reading
    gives copies, assigning a key reads the value into its attribute); the code reads and writes the
    attributes. `extras=` of the constructor takes the same plain data.
    """

    command: str
    old: SideInfo | None = None
    new: SideInfo | None = None
    diff: DiffResult | None = None
    fuzz: FuzzResult | None = None
    verdict: Verdict | None = None
    extras: InitVar[Mapping[str, Any] | None] = None  # JSON-shaped sections, read into the attributes below
    complete: bool = True  # False when interrupted or a shard
    incomplete: Incomplete | None = None  # why a run (not a shard) could not complete; set by `mark_incomplete`
    shard: str | None = None
    tool_version: str = ""
    generated_at: str = ""
    schema_version: str = REPORT_SCHEMA_VERSION
    baseline: BaselineComparison | None = None
    # ---- sections of later features (JSON: "extras"; registry: model_sections.EXTRAS_SECTIONS)
    gate_thresholds: GateThresholds | None = None  # the gates' settings, for `merge` to decide alike
    contract: ContractSection | None = None  # --contract: both sides judged against one document
    old_source_file: str | None = None  # a spec file side: where its document came from (SARIF lines)
    new_source_file: str | None = None
    handlers: HandlersSection | None = None  # where each operation's handler is (apps)
    load: LoadSection | None = None  # OLD vs NEW under load (`load`, `check --load-duration`)
    load_error: str | None = None  # a requested load run that could not finish: its gate fails
    load_capacity: CapacitySection | None = None  # `load --capacity`
    event_loop: EventLoopSection | None = None  # NEW's event loop watched during the fuzz
    sides: dict[str, SideServer] | None = None  # servers apiparity started, per side ("old"/"new")
    interrupted: bool = False  # Ctrl-C (the user's), as opposed to a deadline or a side that died
    history: HistorySection | None = None  # the readiness trend (--history)
    traffic: TrafficSection | None = None  # what `replay` read
    shadow: ShadowSection | None = None  # `shadow`'s counters
    undocumented_traffic: list[UndocumentedRequest] | None = None  # replay/shadow requests OLD does not document
    merged_from: list[str] | None = None  # `merge`: the shards, as "I/N"
    missing_shards: list[str] | None = None
    interrupted_shards: list[str] | None = None  # files of shards that did not complete
    # "extras" keys with no section here (a newer apiparity's), and sections that could not be read
    # (a hand-edited report; see `section_problem`), kept as written so that they survive a round trip
    unread_extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self, extras: Mapping[str, Any] | None) -> None:
        # `dataclasses.replace` passes the copied report's own view (`getattr(report, "extras")`)
        # beside its attributes: the attributes are what the copy holds (the sanitizing and
        # redacting walks replace them), so a view is never read back here
        if extras and not isinstance(extras, ExtrasView):
            view = ExtrasView(self)
            for key, value in extras.items():
                view[key] = value

    def mark_incomplete(self, cause: IncompleteCause, detail: str, *, phase: str | None = None) -> None:
        """The run could not complete: the first cause is kept (a Ctrl-C after a side died stays side-died)."""
        self.complete = False
        if self.incomplete is None:
            self.incomplete = Incomplete(cause=cause, detail=detail, phase=phase)

    def extras_dict(self) -> dict[str, Any]:
        """The JSON report's "extras" object: every section present, in the registry's order."""
        data: dict[str, Any] = {}
        for section in EXTRAS_SECTIONS:
            value = getattr(self, section.attribute)
            if section.present(value):
                data[section.key] = dump(value)
            elif section.key in self.unread_extras:
                data[section.key] = to_dict(self.unread_extras[section.key])
        for key, value in self.unread_extras.items():
            data.setdefault(key, to_dict(value))
        return data

    def section_problem(self, key: str) -> str | None:
        """Why the section `key` ("load", "event_loop", ...) of a report read from JSON could not be
        read (shown by renderers instead of the section), or None."""
        section = SECTIONS_BY_KEY.get(key)
        if section is None or key not in self.unread_extras:
            return None
        try:
            section.read(self.unread_extras[key])
        except _UNREADABLE as exc:
            return f"extras.{key} is malformed ({type(exc).__name__}: {exc})"
        return None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in _EXTRAS_ATTRIBUTES:
                continue
            data[f.name] = to_dict(getattr(self, f.name))
            if f.name == "verdict":
                data["extras"] = self.extras_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        body = {key: value for key, value in data.items() if key != "extras" and key not in _EXTRAS_ATTRIBUTES}
        report: Report = from_dict(cls, body)
        extras = data.get("extras")
        if extras is not None and not isinstance(extras, dict):
            raise TypeError(f"extras: expected an object, got {type(extras).__name__}")
        ExtrasView(report).update(extras or {})
        return report


_UNREADABLE = (TypeError, ValueError, AttributeError, KeyError, IndexError)
_EXTRAS_ATTRIBUTES = frozenset({section.attribute for section in EXTRAS_SECTIONS} | {"unread_extras"})


class ExtrasView(MutableMapping[str, Any]):
    """`Report.extras`: the report's sections as the JSON report's "extras" object (plain data).

    Reading a key gives a copy of the section's JSON data; assigning one reads the value into its
    typed attribute (a value that is not such a section is kept as written in `unread_extras`, and
    `Report.section_problem` says why); keys no section knows are kept in `unread_extras`.
    For code written against the JSON; apiparity's own code uses the attributes.
    """

    __slots__ = ("_report",)

    def __init__(self, report: Report) -> None:
        self._report = report

    def __getitem__(self, key: str) -> Any:
        section = SECTIONS_BY_KEY.get(key)
        if section is not None:
            value = getattr(self._report, section.attribute)
            if section.present(value):
                return dump(value)
        return self._report.unread_extras[key]

    def __setitem__(self, key: str, value: Any) -> None:
        section = SECTIONS_BY_KEY.get(key)
        if section is None:
            self._report.unread_extras[key] = value
            return
        try:
            typed = section.read(value)
        except _UNREADABLE:
            setattr(self._report, section.attribute, _absent(section.attribute))
            self._report.unread_extras[key] = value
            return
        setattr(self._report, section.attribute, typed)
        self._report.unread_extras.pop(key, None)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        section = SECTIONS_BY_KEY.get(key)
        if section is not None:
            setattr(self._report, section.attribute, _absent(section.attribute))
        self._report.unread_extras.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._report.extras_dict()))

    def __len__(self) -> int:
        return len(self._report.extras_dict())

    def __contains__(self, key: object) -> bool:
        section = SECTIONS_BY_KEY.get(key) if isinstance(key, str) else None
        if section is not None and section.present(getattr(self._report, section.attribute)):
            return True
        return key in self._report.unread_extras

    def __repr__(self) -> str:
        return f"ExtrasView({self._report.extras_dict()!r})"


def _absent(attribute: str) -> Any:
    return False if attribute == "interrupted" else None


def _get_extras(report: Report) -> ExtrasView:
    return ExtrasView(report)


def _set_extras(report: Report, value: Mapping[str, Any]) -> None:
    view = ExtrasView(report)
    view.clear()
    view.update(value)


# `extras` is an init-only argument of the dataclass; on an instance it is this view
setattr(Report, "extras", property(_get_extras, _set_extras, doc=ExtrasView.__doc__))  # noqa: B010


def to_dict(obj: Any) -> Any:
    """Serialize a model object to JSON-compatible data (tuples become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    return obj


def field_hints(cls: Any) -> dict[str, Any]:
    """The type hints of a dataclass's fields. Python 3.10's `get_type_hints` refuses an `InitVar[...]`
    annotation (not a type to it), so there each annotation is evaluated on its own, InitVars left out."""
    try:
        return typing.get_type_hints(cls)
    except TypeError:
        import sys

        hints: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            namespace = vars(sys.modules[klass.__module__])
            for name, annotation in vars(klass).get("__annotations__", {}).items():
                if isinstance(annotation, str) and annotation.startswith("InitVar["):
                    continue
                hints[name] = eval(annotation, namespace) if isinstance(annotation, str) else annotation  # noqa: S307 - the module's own annotations
        return hints


def from_dict(cls: Any, data: Any) -> Any:
    """Rebuild a model object from `to_dict` output, guided by the dataclass type hints."""
    hints = field_hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is type(None):
                continue
            return _convert(arg, value)
    if dataclasses.is_dataclass(tp):
        return from_dict(tp, value)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return [_convert(item, v) for v in value]
    if origin is tuple:
        return tuple(value)
    if origin is dict:
        args = typing.get_args(tp)
        return {k: _convert(args[1], v) for k, v in value.items()} if args else dict(value)
    return value
