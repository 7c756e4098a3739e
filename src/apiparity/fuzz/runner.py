"""The paired runner: generate cases from the contract, send each to OLD, OLD again and NEW,
compare, cancel noise, check conformance, group, and fill the report model.

Never raises for an app's fault (a handler raising, hanging, answering broken JSON): those become
findings. Bad input (no way to reach a side, a broken reset hook) raises ApiparityError before
anything is sent. Ctrl-C raises `Interrupted` carrying what was found so far.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from apiparity.errors import ApiparityError, ConfigError, SpecError
from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.generate import (
    NOT_IN_SHARD,
    Credentials,
    GeneratedCase,
    PlannedOperation,
    declared_response_headers,
    generate_cases,
    load_schema,
    operation_parameters,
    plan_operations,
    required_credentials,
    schema_contract,
    to_wire,
)
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.probes import ProbeAnswers, ProbeOperation, ProbePool, select_probes
from apiparity.fuzz.session import ComparisonSession, ConformanceCase, ConformanceJudge
from apiparity.fuzz.sides import Side, auth_label, open_side
from apiparity.fuzz.settings import UNSAFE_METHODS, FuzzSettings, resolve_spec_source
from apiparity.fuzz.stateful import IdentityMap, Link, bind, collect_links, evaluate, infer_links, parameter_location, record_identities
from apiparity.fuzz.values import ValuePool, pooled_cases
from apiparity.fuzz.transports import HTTPTransport
from apiparity.fuzz.links import LinkTracker, link_value
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import ONLY_IN_NEW, FuzzResult
from apiparity.spec.contract import Contract



@dataclass(slots=True)
class ProgressEvent:
    kind: str  # "start" | "operation" (one finished) | "case" (one sent) | "group" (a new mismatch cause) | "done"
    operation: str | None = None
    operations_done: int = 0
    operations_total: int = 0
    cases_sent: int = 0
    operation_cases: int = 0  # cases planned for the current operation
    signatures: tuple[str, ...] = ()  # "group": the signatures of the cause's root differences


class Interrupted(Exception):  # noqa: N818 - the name says what happened
    """Ctrl-C during a run; `partial` is the FuzzResult of what ran."""

    def __init__(self, partial: FuzzResult) -> None:
        super().__init__("interrupted")
        self.partial = partial


class Crashed(Exception):  # noqa: N818 - the name says what happened
    """An internal error stopped the run; `partial` is the FuzzResult of what ran, `error` the cause."""

    def __init__(self, partial: FuzzResult, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.partial = partial
        self.error = error


def run_fuzz(
    old: Any,
    new: Any,
    settings: FuzzSettings,
    *,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    operations_filter: Callable[[str], bool] | None = None,
    loop_monitor: Any = None,
) -> FuzzResult:
    """Fuzz OLD and NEW with the same cases and return every behavioural difference.

    `loop_monitor` (an `apiparity.asyncio_check` LoopBlockMonitor) watches NEW's event loop while
    its in-process ASGI transport answers; the caller reads its findings after the run.
    """
    settings.validate()
    spec, _ = resolve_spec_source(settings.spec, old, new)
    settings = replace(settings, spec=spec)
    old_side = open_side("old", old, settings)
    new_side = open_side("new", new, settings)
    if loop_monitor is not None:
        from apiparity.asyncio_check.hooks import monitor_transport

        new_side.transport = monitor_transport(new_side.transport, loop_monitor)
    run = None
    try:
        run = _Run(old, new, old_side, new_side, settings, on_progress, operations_filter)
        return run.execute()
    finally:
        if run is not None and run.recorder is not None:
            run.recorder.close()
        old_side.transport.close()
        new_side.transport.close()


class _Run:
    def __init__(
        self,
        old: Any,
        new: Any,
        old_side: Side,
        new_side: Side,
        settings: FuzzSettings,
        on_progress: Callable[[ProgressEvent], None] | None,
        operations_filter: Callable[[str], bool] | None,
    ) -> None:
        self.settings = settings
        self.old_side, self.new_side = old_side, new_side
        for side in (old_side, new_side):
            side.on_problem = self._problem  # a failed reset or login during the run: listed once, the run goes on
        self.on_progress = on_progress
        self.operations_filter = operations_filter
        self.options = CompareOptions.from_settings(settings)
        # the contract model of each side's document, built once for the run (labels, links, credentials)
        self.old_contract = Contract(old.document)
        self.new_contract = None if old.document is new.document else Contract(new.document)
        grouper = Grouper(
            old_side=SideView.of(old, old_side),
            new_side=SideView.of(new, new_side),
            redact=settings.redact,
            max_examples=settings.examples_per_group,
            max_body_chars=settings.max_body_chars,
            document=old.document,
            new_document=None if old.document is new.document else new.document,
            on_open=lambda operation, signatures: self._emit("group", operation=operation, signatures=signatures),
            contract=self.old_contract,
            new_contract=self.new_contract,
        )
        try:
            self.old_schema = load_schema(old.document, target=old, allow_remote_refs=settings.allow_remote_refs)
            self.new_schema = load_schema(new.document, target=new, allow_remote_refs=settings.allow_remote_refs)
        except SpecError:
            raise  # a $ref the loading policy refuses: the same one-line error as spec/diff/check
        except Exception as exc:  # noqa: BLE001 - schemathesis refuses the document
            raise ConfigError(f"fuzz: schemathesis cannot read a document: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
        conformance = ConformanceJudge(self.old_schema, self.new_schema, same_contract=old.document is new.document)
        # noise, comparison, grouping, labels, conformance and per-operation stats of every case
        self.session = ComparisonSession(options=self.options, grouper=grouper, options_for=self.options_for,
                                         conformance=conformance if settings.conformance else None,
                                         old_resets=bool(old_side.hooks), redact=settings.redact)
        self.links = (collect_links(self.old_contract) or infer_links(self.old_contract)) if "stateful" in settings.phases or settings.map_ids else []
        self.identities = IdentityMap() if settings.map_ids else None
        self.options.identities = self.identities
        self.link_sources: dict[str, list[Link]] = {}
        for link in self.links:
            self.link_sources.setdefault(link.source, []).append(link)
        self.link_tracker = LinkTracker(self.links)  # what became of each link: the report's notes
        self.old_document = old.document
        self._operation_options: dict[str, CompareOptions] = {}
        self.probes = select_probes(settings.probes, settings.no_probe)
        self.values = ValuePool() if settings.value_pool else None
        self._first_on_path: dict[str, str] = {}
        self.result = FuzzResult(seed=settings.seed, settings=self._settings_dict())
        self.recorder: Any = None
        if settings.record_path:
            from apiparity.traffic.jsonl import JsonlRecorder

            try:
                self.recorder = JsonlRecorder(settings.record_path, redact=settings.redact)
            except OSError as exc:
                raise ConfigError(f"--record {settings.record_path}: cannot write: {exc.strerror}") from None

    def _settings_dict(self) -> dict[str, Any]:
        data = self.settings.to_dict()
        data["transports"] = {"old": self.old_side.transport.name, "new": self.new_side.transport.name}
        data["base_paths"] = {"old": self.old_side.base_path, "new": self.new_side.base_path}
        data["auto_reset"] = {side.name: side.auto_reset for side in (self.old_side, self.new_side) if side.auto_reset}
        data["isolation"] = {side.name: side.isolation for side in (self.old_side, self.new_side)}
        if self.old_side.auth or self.new_side.auth:
            data["auth"] = {side.name: auth_label(side) for side in (self.old_side, self.new_side)}
        return data

    # ------------------------------------------------------------------ plan

    def plan(self) -> list[tuple[PlannedOperation, list[PlannedOperation]]]:
        """Operations in document order; each with the sources its cases come from (--spec)."""
        old_plan = plan_operations(self.old_schema, self.settings, self.operations_filter)
        new_plan = plan_operations(self.new_schema, self.settings, self.operations_filter)
        new_by_label = {p.label: p for p in new_plan}
        old_labels = {p.label for p in old_plan}
        planned: list[tuple[PlannedOperation, list[PlannedOperation]]] = []
        if self.settings.spec in ("old", "both"):
            for item in old_plan:
                sources = [item]
                if self.settings.spec == "both" and item.label in new_by_label:
                    sources.append(new_by_label[item.label])
                planned.append((item, sources))
        if self.settings.spec in ("new", "both"):
            for item in new_plan:
                if self.settings.spec == "both" and item.label in old_labels:
                    continue
                planned.append((item, [item]))
        if self.settings.spec == "old":
            for item in new_plan:
                if item.label not in old_labels and item.skipped_reason is None:
                    item.skipped_reason = ONLY_IN_NEW
                    planned.append((item, []))
        return planned

    # ------------------------------------------------------------------ run

    def execute(self) -> FuzzResult:
        planned = self.plan()
        self.result.operations_total = len(planned)
        for item, _ in planned:  # path-level probes run from the first operation of each path fuzzed by some shard
            if item.operation is not None and item.skipped_reason in (None, NOT_IN_SHARD):
                self._first_on_path.setdefault(item.path, item.label)
        self._emit("start", operations_total=len(planned))
        for side in (self.old_side, self.new_side):
            if side.auth is not None:
                side.auth.login()  # fail before any case with a one-line error when a login is wrong
        done = 0
        try:
            self._read_collections(planned)
            for item, sources in planned:
                self._run_operation(item, sources, done, len(planned))
                done += 1
                self._emit("operation", operation=item.label, operations_done=done, operations_total=len(planned))
            if "stateful" in self.settings.phases and self.links:
                self._run_stateful({item.label: item for item, _ in planned})
            if "stateful" in self.settings.phases and self.settings.stateful_sequences:
                self._run_sequences({item.label: item for item, _ in planned})
        except KeyboardInterrupt:
            self._finish()
            raise Interrupted(self.result) from None
        except ApiparityError:
            raise  # bad input found mid-run: one line, exit 2
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - an internal error (or a hook's sys.exit()): what ran is still reported
            self._finish()
            raise Crashed(self.result, exc) from exc
        self._finish()
        self._emit("done", operations_done=done, operations_total=len(planned))
        return self.result

    def _finish(self) -> None:
        self.result.operations = list(self.session.operations.values())
        self.result.groups = self.session.groups()
        self.result.noise = self.session.noise_report()
        self.result.conformance = self.session.conformance_issues()
        from apiparity.fuzz.explain import fold_conformance

        fold_conformance(self.result)  # each conformance issue counted once, in the mismatch group it explains
        self.result.links = self.link_tracker.notes() if "stateful" in self.settings.phases else []

    def _emit(self, kind: str, **fields: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(ProgressEvent(kind=kind, cases_sent=self.result.cases, **fields))

    def _run_operation(self, item: PlannedOperation, sources: list[PlannedOperation], done: int, total: int) -> None:
        stats = self.session.stats(item.label, skipped_reason=item.skipped_reason)
        if item.skipped_reason is not None or not sources:
            return
        cases: list[GeneratedCase] = []
        seen: set[tuple[Any, ...]] = set()
        for source in sources:
            generated, problems = generate_cases(source.operation, self.settings, label=item.label)
            self.result.errors.extend(f"{item.label}: {problem}" for problem in problems)
            for case in generated:
                key = (case.request.method, case.request.target, case.request.body, tuple(case.request.headers))
                if key not in seen:
                    seen.add(key)
                    cases.append(case)
        if self.values is not None and sources[0].operation is not None:
            for case in pooled_cases(sources[0].operation, cases, self.values, seed=self.settings.seed, label=item.label):
                key = (case.request.method, case.request.target, case.request.body, tuple(case.request.headers))
                if key not in seen:
                    seen.add(key)
                    cases.append(case)
        refused = [c for c in cases if c.request.method in UNSAFE_METHODS and self._unsafe_reason()]
        if refused:
            cases = [c for c in cases if c not in refused]
            self.result.errors.append(f"{item.label}: {len(refused)} case(s) not sent: {self._unsafe_reason()}")
        if not cases:
            stats.skipped_reason = self._unsafe_reason() if refused else "no cases could be generated"
            return
        answered: list[tuple[GeneratedCase, WireResponse]] = []
        for case, (old1, old2, new, sent_old, sent_new) in zip(cases, self._send_all(cases, item.label, done, total)):
            answered.append((case, old1))
            if case.phase == "pool":
                stats.pooled_cases += 1
                stats.pooled_found += 200 <= old1.status < 300
            if self.identities is not None and item.label in self.link_sources:
                record_identities(self.link_sources[item.label], case.case, sent_old, old1, sent_new, new, self.identities)
            # held until every case of the operation taught its noise
            self.session.observe(case.request, old1, old2, new, sent_old=sent_old, sent_new=sent_new, hold=True,
                                 conformance=ConformanceCase(case))
        self.session.settle()
        self._run_probes(item, sources, answered)

    # ------------------------------------------------------------------ value pool

    def _learn(self, path: str, answer: WireResponse) -> None:
        """What OLD answered with success goes into the value pool (ids, keys, slugs, values). Only
        the collections read before the first case fill it: every shard reads all of them, so the
        shards together send exactly the pooled cases of one run (with a reset before every call, a
        record created by a case is gone by the next one anyway)."""
        if self.values is None or not 200 <= answer.status < 300:
            return
        ok, body = answer.json()
        if ok or answer.header("location"):
            self.values.learn(path, body if ok else None, answer.header("location"))

    def _read_collections(self, planned: list[tuple[PlannedOperation, list[PlannedOperation]]]) -> None:
        """Before the first case: each collection OLD lists (a GET without path parameters, fuzzed by
        this run or another shard) read once from OLD with its first example, so the records the
        app is seeded with are in the value pool before any `{id}` is filled."""
        if self.values is None:
            return
        for item, sources in planned:
            if item.method != "GET" or "{" in item.path or not sources or item.skipped_reason not in (None, NOT_IN_SHARD):
                continue
            cases, _ = generate_cases(sources[0].operation, replace(self.settings, phases=("examples",), mode="positive"),
                                      label=item.label)
            if cases:
                self._learn(item.path, self._call(self.old_side, cases[0].request)[1])

    # ------------------------------------------------------------------ probes

    def _probe_operation(self, item: PlannedOperation, sources: list[PlannedOperation]) -> ProbeOperation:
        """What the probes read of one operation: its parameters in every document its cases come
        from (OLD's first), the methods its path declares, the credentials OLD's document requires."""
        parameters: dict[tuple[str, str], dict[str, Any]] = {}
        path_methods: set[str] = set()
        for source in sources:
            contract = schema_contract(source.operation.schema)
            for parameter in operation_parameters(contract, item.method, item.path):
                parameters.setdefault((str(parameter["name"]), str(parameter.get("in"))), parameter)
            path_methods |= contract.path_methods(item.path)
        first = schema_contract(sources[0].operation.schema)
        return ProbeOperation(
            label=item.label,
            method=item.method,
            path=item.path,
            document=sources[0].operation.schema.raw_schema,
            contract=first,
            parameters=tuple(parameters.values()),
            path_methods=frozenset(path_methods),
            first_on_path=self._first_on_path.get(item.path, item.label) == item.label,
            credentials=required_credentials(self.old_contract, item.method, item.path),
            unsafe_allowed=not self._unsafe_reason(),
        )

    def _run_probes(self, item: PlannedOperation, sources: list[PlannedOperation],
                    answered: list[tuple[GeneratedCase, WireResponse]]) -> None:
        """Each selected probe that applies to the operation: its requests sent like a case (OLD
        twice, NEW once), judged by the probe, noise cancelled and grouped like every case."""
        if not self.probes:
            return
        operation = self._probe_operation(item, sources)
        pool = ProbePool(answered=answered, fetch=lambda side, request: self._call(self.old_side if side == "old" else self.new_side, request)[1],
                         values=self.values)
        for probe in self.probes:
            if not probe.applies(operation):
                continue
            for planned in probe.requests(operation, pool):
                if planned.request.method in UNSAFE_METHODS and self._unsafe_reason():
                    continue
                if any(step.method in UNSAFE_METHODS for step in planned.steps) and self._unsafe_reason():
                    continue
                steps: tuple[tuple[WireRequest, WireRequest], ...] = ()
                step_answers: tuple[tuple[WireResponse, WireResponse], ...] = ()
                shown: frozenset[str] = frozenset()
                if planned.steps or planned.baseline is not None:
                    sent = self._send_after(planned.steps, planned.request, baseline=planned.baseline)
                    old1, old2, new, sent_old, sent_new, steps, step_answers, baselines = sent
                    if baselines is not None:
                        shown = frozenset(d.signature for d in compare_responses(*baselines, self.options_for(item.label)))
                else:
                    old1, old2, new, sent_old, sent_new = self._send_case(planned.request, without=planned.without,
                                                                          new_request=planned.new_request)
                self.result.cases += 1
                answers = ProbeAnswers(old1, old2, new, steps=step_answers, shown=shown)
                self.session.observe(planned.request, old1, old2, new, sent_old=sent_old, sent_new=sent_new, steps=steps,
                                     judge=partial(probe.judge, answers), learn_noise=probe.learns_noise)

    def _send_after(self, steps: tuple[WireRequest, ...], request: WireRequest, *, baseline: WireRequest | None = None,
                    ) -> tuple[WireResponse, WireResponse | None, WireResponse, WireRequest, WireRequest,
                               tuple[tuple[WireRequest, WireRequest], ...], tuple[tuple[WireResponse, WireResponse], ...],
                               tuple[WireResponse, WireResponse] | None]:
        """`baseline`, `steps` then `request` on each side from its reset state (OLD twice for
        noise): what each side answers to `request` once the steps happened, the (OLD, NEW) steps
        as sent, their (OLD, NEW) answers and the (OLD, NEW) answers to `baseline`."""

        def run(side: Side) -> tuple[list[tuple[WireRequest, WireResponse]], WireRequest, WireResponse, WireResponse | None]:
            self._reset(side)
            before = self._call(side, baseline, reset=False)[1] if baseline is not None else None
            sent_steps = [self._call(side, step, reset=False) for step in steps]
            sent, answer = self._call(side, request, reset=False)
            return sent_steps, sent, answer, before

        old_steps, sent_old, old1, old_before = run(self.old_side)
        old2 = run(self.old_side)[2] if self.settings.noise_calls else None
        new_steps, sent_new, new, new_before = run(self.new_side)
        baselines = (old_before, new_before) if old_before is not None and new_before is not None else None
        return (old1, old2, new, sent_old, sent_new, tuple((o[0], n[0]) for o, n in zip(old_steps, new_steps)),
                tuple((o[1], n[1]) for o, n in zip(old_steps, new_steps)), baselines)

    def _unsafe_reason(self) -> str:
        return self.old_side.unsafe_reason or self.new_side.unsafe_reason

    def options_for(self, label: str) -> CompareOptions:
        """The run's comparison options plus the response headers OLD's document declares for
        this operation (its contract with clients: X-Total-Count, X-RateLimit-*...)."""
        found = self._operation_options.get(label)
        if found is None:
            method, _, path = label.partition(" ")
            declared = {status: kept for status, names in declared_response_headers(self.old_contract, method, path).items()
                        if (kept := tuple(h for h in names if not self.options.ignores_header(h)))}
            found = replace(self.options, declared_headers=declared) if declared else self.options
            self._operation_options[label] = found
        return found

    def _send_all(self, cases: list[GeneratedCase], label: str, done: int, total: int):  # noqa: ANN202
        def send(case: GeneratedCase) -> tuple[WireResponse, WireResponse | None, WireResponse, WireRequest, WireRequest]:
            return self._send_case(case.request)

        parallel = (
            self.settings.workers > 1
            and isinstance(self.old_side.transport, HTTPTransport)
            and isinstance(self.new_side.transport, HTTPTransport)
            and not self.old_side.hooks
            and not self.new_side.hooks
        )
        if parallel:
            with ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="apiparity-fuzz") as pool:
                for outcome in pool.map(send, cases):
                    self.result.cases += 1
                    self._emit("case", operation=label, operations_done=done, operations_total=total, operation_cases=len(cases))
                    yield outcome
            return
        for case in cases:
            outcome = send(case)
            self.result.cases += 1
            self._emit("case", operation=label, operations_done=done, operations_total=total, operation_cases=len(cases))
            yield outcome

    def _send_case(self, request: WireRequest, *, without: Credentials | None = None, new_request: WireRequest | None = None,
                   ) -> tuple[WireResponse, WireResponse | None, WireResponse, WireRequest, WireRequest]:
        """`request` to OLD twice (once with --no-noise) and to NEW (`new_request` when NEW gets its own)."""
        if self.recorder is not None and request.method == request.operation.partition(" ")[0]:
            # as OLD receives it; a probe with another method (HEAD, OPTIONS, an undeclared one) is no
            # request of its operation, and `replay` would list it as undocumented traffic
            self.recorder.write_wire(request, base_path=self.old_side.base_path)
        sent_old, old1 = self._call(self.old_side, request, without=without)
        old2 = self._call(self.old_side, request, without=without)[1] if self.settings.noise_calls else None
        sent_new, new = self._call(self.new_side, new_request or request, without=without)
        return old1, old2, new, sent_old, sent_new

    def _call(self, side: Side, request: WireRequest, *, reset: bool = True,
              without: Credentials | None = None) -> tuple[WireRequest, WireResponse]:
        """Send `request` to one side (see `Side.call`): (what was sent, the answer)."""
        return side.call(request, reset=reset, without=without)

    def _problem(self, problem: str) -> None:
        if problem not in self.result.errors:
            self.result.errors.append(problem)

    def _reset(self, side: Side) -> None:
        side.reset()

    # ------------------------------------------------------------------ stateful

    def _run_stateful(self, planned: dict[str, PlannedOperation]) -> None:
        """Follow each link: create on both sides, then call the linked operation on each side with
        that side's own values (ids, slugs, tokens), comparing with the identities mapped.

        A sequence belongs to its source operation: with --shard, every sequence whose source is in
        the shard runs whole, its target included even when the target operation itself is fuzzed
        by another shard, so the shards together run exactly the sequences of a single run."""
        for source_label, links in self.link_sources.items():
            source = planned.get(source_label)
            if source is None or source.operation is None or source.skipped_reason is not None:
                for link in links:
                    self.link_tracker.stopped(link, "not-run", f"{source_label} is not run here: "
                                              f"{source.skipped_reason if source and source.skipped_reason else 'filtered out'}")
                continue
            if source.method in UNSAFE_METHODS and self._unsafe_reason():
                self.result.errors.append(f"stateful {source_label}: sequences not run: {self._unsafe_reason()}")
                for link in links:
                    self.link_tracker.stopped(link, "unsafe-refused", self._unsafe_reason())
                continue
            cases, problems = generate_cases(source.operation, replace(self.settings, phases=("examples", "fuzzing"), mode="positive"),
                                             label=source_label)
            self.result.errors.extend(f"stateful {source_label}: {p}" for p in problems)
            if self.values is not None and "{" in source.path:  # a source under a parent: name parents that exist
                cases = pooled_cases(source.operation, cases, self.values, seed=self.settings.seed, label=source_label) + cases
            for link in links:
                target = planned.get(link.target)
                if target is None or target.operation is None or target.skipped_reason not in (None, NOT_IN_SHARD):
                    self.link_tracker.stopped(link, "not-run", f"{link.target} is not run: "
                                              f"{target.skipped_reason if target and target.skipped_reason else 'filtered out'}")
                    continue
                if target.method in UNSAFE_METHODS and self._unsafe_reason():
                    self.link_tracker.stopped(link, "unsafe-refused", self._unsafe_reason())
                    continue
                if not cases:
                    self.link_tracker.stopped(link, "no-cases", f"no valid case of {source_label} could be generated")
                for case in cases[: self.settings.stateful_sequences]:
                    self._run_sequence(source, case, link, target)

    def _run_sequence(self, source: PlannedOperation, case: GeneratedCase, link: Link, target: PlannedOperation) -> None:
        """One sequence (source step, then the linked step) on OLD, on NEW and - for noise - once
        more on OLD: what differs between OLD's two runs of a step (a `created_at` the create set)
        is that step's noise. Every step is compared, grouped and judged against the documents."""
        self._reset(self.old_side)  # one reset per sequence: its steps build on each other
        self._reset(self.new_side)
        sent_old, old = self._call(self.old_side, case.request, reset=False)
        sent_new, new = self._call(self.new_side, case.request, reset=False)
        self.result.cases += 1
        if self.identities is not None:
            record_identities([link], case.case, sent_old, old, sent_new, new, self.identities)
        follow_up = self._target_case(target) if link.applies_to(old.status) and 200 <= new.status < 300 else None
        old_step = new_step = None
        if follow_up is not None:
            old_step = self._bind_step(link, target, follow_up, case, sent_old, old, self.old_side.base_path)
            new_step = self._bind_step(link, target, follow_up, case, sent_new, new, self.new_side.base_path) if self.settings.map_ids else old_step
            if old_step is None or new_step is None:
                self.link_tracker.stopped(link, "unresolved", _unresolved(link, old_step is None))
                old_step = new_step = None
            else:
                self.link_tracker.fired(link)
        elif not link.applies_to(old.status):
            self.link_tracker.stopped(link, "source-failed", f"OLD answered {source.label} with {old.status}, the link hangs on {link.status}")
        elif not 200 <= new.status < 300:
            self.link_tracker.stopped(link, "new-failed", f"NEW answered {source.label} with {new.status} where OLD answered {old.status}")
        else:
            self.link_tracker.stopped(link, "no-cases", f"no valid case of {target.label} could be generated")
        if old_step is not None and new_step is not None:
            sent_old2, old2 = self._call(self.old_side, old_step[1], reset=False)
            sent_new2, new2 = self._call(self.new_side, new_step[1], reset=False)
        # OLD once more, from the same state: the steps' own noise
        source_noise = target_noise = None
        if self.settings.noise_calls:
            self._reset(self.old_side)
            again_sent, again = self._call(self.old_side, case.request, reset=False)
            source_noise = self.session.noise.learn_step(source.label, old, again, self.options_for(source.label))
            if old_step is not None and follow_up is not None and again.status == old.status:
                again_step = self._bind_step(link, target, follow_up, case, again_sent, again, self.old_side.base_path)
                if again_step is not None:
                    again2 = self._call(self.old_side, again_step[1], reset=False)[1]
                    target_noise = self.session.noise.learn_step(target.label, old2, again2, self.options_for(target.label))
        self.session.observe(case.request, old, None, new, sent_old=sent_old, sent_new=sent_new, step_noise=source_noise,
                             conformance=ConformanceCase(case))
        if old_step is None or new_step is None:
            return
        self.result.cases += 1
        steps = ((sent_old, sent_new),)
        conformance = ConformanceCase(GeneratedCase(old_step[1], "stateful", "positive", old_step[0]),
                                      new_case=GeneratedCase(new_step[1], "stateful", "positive", new_step[0]),
                                      sent=(sent_old2, sent_new2), steps=steps)
        self.session.observe(old_step[1], old2, None, new2, sent_old=sent_old2, sent_new=sent_new2, steps=steps, step_noise=target_noise,
                             conformance=conformance)

    def _run_sequences(self, planned: dict[str, PlannedOperation]) -> None:
        """Multi-step sequences from the path hierarchy (apiparity.fuzz.sequences); with --shard,
        each shard compares the steps of its own operations (SequenceRunner.run_one)."""
        from apiparity.fuzz.sequences import CASES_PER_OPERATION, SequenceRunner, schedule, templates

        def available(label: str) -> bool:
            item = planned.get(label)
            return item is not None and item.operation is not None and item.skipped_reason in (None, NOT_IN_SHARD)

        found = templates(schema_contract(self.old_schema), available)
        if not found:
            return
        if self._unsafe_reason():
            self.result.errors.append(f"stateful: {len(found)} sequence template(s) not run: {self._unsafe_reason()}")
            return
        cached: dict[str, list[GeneratedCase]] = {}

        def cases_for(label: str) -> list[GeneratedCase]:
            if label not in cached:
                few = replace(self.settings, phases=("examples", "fuzzing"), mode="positive", max_examples=min(self.settings.max_examples, CASES_PER_OPERATION))
                cached[label] = generate_cases(planned[label].operation, few, label=label)[0]
            return cached[label]

        pool = self.values

        def known(name: str) -> list[Any]:
            return pool.by_name.get(name, []) if pool is not None else []

        def owns(label: str) -> bool:
            return planned[label].skipped_reason is None

        runner = SequenceRunner(self.old_schema.raw_schema, self.settings.seed, cases_for, _SequenceSink(self), known=known, owns=owns)
        self.result.sequences = runner.run(schedule(found, self.settings.seed))

    def _bind_step(self, link: Link, target: PlannedOperation, follow_up: GeneratedCase, case: GeneratedCase,
                   sent: WireRequest, answer: WireResponse, base_path: str = "") -> tuple[Any, WireRequest] | None:
        """The linked step for one side: `follow_up` with the link's parameters read from this side's
        source step (its own ids). None when a parameter does not resolve or cannot be sent."""
        values: dict[str, tuple[str, Any]] = {}
        for name, (location, expression) in link.parameters.items():
            where = location or parameter_location(schema_contract(self.old_schema), target.label, name)
            value = link_value(link, name, expression, answer, evaluate(expression, case.case, sent, answer), base_path=base_path)
            if where is None or value is None:
                return None
            values[name] = (where, value)
        try:
            bound = bind(follow_up.case, values)
            return bound, to_wire(bound, target.label)
        except Exception as exc:  # noqa: BLE001 - a bound case schemathesis cannot serialize
            error = f"stateful {link.name}: {type(exc).__name__}: {exc}"[:300]
            if error not in self.result.errors:
                self.result.errors.append(error)
            return None

    def _target_case(self, target: PlannedOperation) -> GeneratedCase | None:
        """One valid case of the linked operation (its example, else a seeded draw) to bind values into."""
        cases, _ = generate_cases(target.operation, replace(self.settings, phases=("examples",), mode="positive"), label=target.label)
        return cases[0] if cases else None


class _SequenceSink:
    """The paired run as apiparity.fuzz.sequences sees it: each step observed by the session, its
    noise learned from OLD's second run of the sequence, judged against the documents."""

    def __init__(self, run: _Run) -> None:
        self.run = run

    def _side(self, side: str) -> Side:
        return self.run.old_side if side == "old" else self.run.new_side

    def reset(self, side: str) -> None:
        self.run._reset(self._side(side))

    def call(self, side: str, request: WireRequest) -> tuple[WireRequest, WireResponse]:
        return self.run._call(self._side(side), request, reset=False)

    def base_path(self, side: str) -> str:
        return self._side(side).base_path

    def record_identity(self, old_value: Any, new_value: Any) -> None:
        if self.run.identities is not None and old_value is not None and new_value is not None:
            self.run.identities.record(old_value, new_value)

    def observe(self, step: Any, old: Any, new: Any, again: Any, before: tuple[tuple[WireRequest, WireRequest], ...]) -> None:
        run, label = self.run, step.label
        noise = None
        if again is not None and again.response.status == old.response.status:
            noise = run.session.noise.learn_step(label, old.response, again.response, run.options_for(label))
        run.result.cases += 1
        conformance = ConformanceCase(old.case, new_case=new.case, sent=(old.sent, new.sent), steps=before)
        run.session.observe(old.case.request, old.response, None, new.response, sent_old=old.sent, sent_new=new.sent,
                            steps=before, step_noise=noise, conformance=conformance)


def _unresolved(link: Link, on_old: bool) -> str:
    expressions = ", ".join(f"{name} = {expression}" for name, (_, expression) in link.parameters.items())
    return f"{expressions}: nothing in {'OLD' if on_old else 'NEW'}'s answer"
