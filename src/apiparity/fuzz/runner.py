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
from typing import Any

from apiparity.errors import ConfigError
from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.conformance import CaseTranslator, check_response
from apiparity.fuzz.generate import (
    GeneratedCase,
    PlannedOperation,
    document_base_path,
    generate_cases,
    load_schema,
    plan_operations,
)
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.noise import NoiseTable
from apiparity.fuzz.reset import auto_reset_hook, call_hooks, resolve_hooks
from apiparity.fuzz.settings import UNSAFE_METHODS, FuzzSettings
from apiparity.fuzz.transports import ASGITransport, HTTPTransport, Transport, WSGITransport, is_loopback
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import ConformanceIssue, FuzzResult, OperationStats


@dataclass(slots=True)
class ProgressEvent:
    kind: str  # "start" | "operation" (one finished) | "case" (one sent) | "done"
    operation: str | None = None
    operations_done: int = 0
    operations_total: int = 0
    cases_sent: int = 0
    operation_cases: int = 0  # cases planned for the current operation


class Interrupted(Exception):  # noqa: N818 - the name says what happened
    """Ctrl-C during a run; `partial` is the FuzzResult of what ran."""

    def __init__(self, partial: FuzzResult) -> None:
        super().__init__("interrupted")
        self.partial = partial


@dataclass(slots=True)
class _Side:
    name: str
    transport: Transport
    base_path: str
    hooks: list[Callable[[], object]]
    headers: dict[str, str]
    unsafe_refused: bool  # a non-loopback live server without --allow-unsafe
    auto_reset: str | None = None  # "file.py:reset" found next to the app and used


def run_fuzz(
    old: Any,
    new: Any,
    settings: FuzzSettings,
    *,
    on_progress: Callable[[ProgressEvent], None] | None = None,
    operations_filter: Callable[[str], bool] | None = None,
) -> FuzzResult:
    """Fuzz OLD and NEW with the same cases and return every behavioural difference."""
    settings.validate()
    old_side = _side("old", old, settings)
    new_side = _side("new", new, settings)
    try:
        return _Run(old, new, old_side, new_side, settings, on_progress, operations_filter).execute()
    finally:
        old_side.transport.close()
        new_side.transport.close()


def _side(name: str, target: Any, settings: FuzzSettings) -> _Side:
    url = settings.old_url if name == "old" else settings.new_url
    explicit_base = settings.old_base_path if name == "old" else settings.new_base_path
    base_path = explicit_base if explicit_base is not None else document_base_path(target.document)
    transport: Transport
    if url:
        transport = HTTPTransport(url, base_path=base_path, timeout=settings.timeout, workers=settings.workers)
    elif target.interface == "wsgi":
        transport = WSGITransport(target.app, base_path=base_path, timeout=settings.timeout)
    elif target.interface == "asgi":
        transport = ASGITransport(target.app, base_path=base_path, timeout=settings.timeout)
    elif target.interface == "http":
        transport = HTTPTransport(target.base_url, base_path=base_path, timeout=settings.timeout, workers=settings.workers)
    else:
        raise ConfigError(
            f"{target.ref}: a spec file has no app to send requests to; name the app (module:app) "
            f"or pass --{name}-url http://host:port"
        )
    if isinstance(transport, HTTPTransport):
        base_path = transport.base_path
    refs = tuple(settings.reset) + tuple(settings.reset_old if name == "old" else settings.reset_new)
    hooks = resolve_hooks(refs, app_dir=settings.app_dir)
    auto_reset = None
    if not refs and settings.auto_reset and url is None:
        found = auto_reset_hook(target, app_dir=settings.app_dir)
        if found is not None:
            auto_reset, hook = found
            hooks = [hook]
    headers = {**settings.headers, **(settings.old_headers if name == "old" else settings.new_headers)}
    refused = isinstance(transport, HTTPTransport) and not settings.allow_unsafe and not is_loopback(transport.base_url())
    return _Side(name, transport, base_path, hooks, headers, refused, auto_reset)


class _Run:
    def __init__(
        self,
        old: Any,
        new: Any,
        old_side: _Side,
        new_side: _Side,
        settings: FuzzSettings,
        on_progress: Callable[[ProgressEvent], None] | None,
        operations_filter: Callable[[str], bool] | None,
    ) -> None:
        self.settings = settings
        self.old_side, self.new_side = old_side, new_side
        self.on_progress = on_progress
        self.operations_filter = operations_filter
        self.options = CompareOptions(
            compare_headers=settings.compare_headers,
            ignore=settings.ignore,
            unordered=settings.unordered,
            equivalent_status=settings.equivalent_status,
        )
        self.noise = NoiseTable()
        self.grouper = Grouper(
            old_side=SideView(old_side.transport.base_url(), old_side.base_path),
            new_side=SideView(new_side.transport.base_url(), new_side.base_path),
            redact=settings.redact,
            max_examples=settings.examples_per_group,
            max_body_chars=settings.max_body_chars,
        )
        try:
            self.old_schema = load_schema(old.document)
            self.new_schema = load_schema(new.document)
        except Exception as exc:  # noqa: BLE001 - schemathesis refuses the document
            raise ConfigError(f"fuzz: schemathesis cannot read a document: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
        self.old_cases = CaseTranslator(self.old_schema)
        self.new_cases = CaseTranslator(self.new_schema)
        self.conformance: dict[tuple[str, str, str, str], ConformanceIssue] = {}
        self.result = FuzzResult(seed=settings.seed, settings=self._settings_dict())

    def _settings_dict(self) -> dict[str, Any]:
        data = self.settings.to_dict()
        data["transports"] = {"old": self.old_side.transport.name, "new": self.new_side.transport.name}
        data["base_paths"] = {"old": self.old_side.base_path, "new": self.new_side.base_path}
        data["auto_reset"] = {side.name: side.auto_reset for side in (self.old_side, self.new_side) if side.auto_reset}
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
                    item.skipped_reason = "only in NEW's document (cases come from OLD's; use --spec both)"
                    planned.append((item, []))
        return planned

    # ------------------------------------------------------------------ run

    def execute(self) -> FuzzResult:
        planned = self.plan()
        self.result.operations_total = len(planned)
        self._emit("start", operations_total=len(planned))
        if "stateful" in self.settings.phases and _has_links(self.old_schema.raw_schema):
            self.result.errors.append("stateful phase: OpenAPI links are not followed yet; operations were fuzzed one by one")
        done = 0
        try:
            for item, sources in planned:
                self._run_operation(item, sources, done, len(planned))
                done += 1
                self._emit("operation", operation=item.label, operations_done=done, operations_total=len(planned))
        except KeyboardInterrupt:
            self._finish()
            raise Interrupted(self.result) from None
        self._finish()
        self._emit("done", operations_done=done, operations_total=len(planned))
        return self.result

    def _finish(self) -> None:
        self.result.groups = self.grouper.groups()
        self.result.noise = self.noise.report()
        self.result.conformance = sorted(self.conformance.values(), key=lambda c: (c.operation, c.side, c.check, c.message))

    def _emit(self, kind: str, **fields: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(ProgressEvent(kind=kind, cases_sent=self.result.cases, **fields))

    def _run_operation(self, item: PlannedOperation, sources: list[PlannedOperation], done: int, total: int) -> None:
        stats = OperationStats(operation=item.label, skipped_reason=item.skipped_reason)
        self.result.operations.append(stats)
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
        refused = [c for c in cases if c.request.method in UNSAFE_METHODS and (self.old_side.unsafe_refused or self.new_side.unsafe_refused)]
        if refused:
            cases = [c for c in cases if c not in refused]
            self.result.errors.append(
                f"{item.label}: {len(refused)} case(s) with unsafe methods not sent to a non-loopback host (pass --allow-unsafe)"
            )
        if not cases:
            stats.skipped_reason = "unsafe method to a non-loopback host; pass --allow-unsafe" if refused else "no cases could be generated"
            return
        pending: list[tuple[WireRequest, WireResponse, WireResponse, list[Any]]] = []
        for case, (old1, old2, new) in zip(cases, self._send_all(cases, item.label, done, total)):
            self._account(stats, old1, new)
            if old2 is not None:
                self.noise.learn(item.label, old1, old2, self.options)
            differences = compare_responses(old1, new, self.options)
            if differences:
                pending.append((case.request, old1, new, differences))
            if self.settings.conformance:
                self._check_conformance(item.label, case, old1, new)
        for request, old1, new, differences in pending:
            kept = self.noise.filter(item.label, differences)
            if kept:
                stats.mismatches += 1
                self.grouper.add(request, old1, new, kept)

    def _send_all(self, cases: list[GeneratedCase], label: str, done: int, total: int):  # noqa: ANN202
        def send(case: GeneratedCase) -> tuple[WireResponse, WireResponse | None, WireResponse]:
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

    def _send_case(self, request: WireRequest) -> tuple[WireResponse, WireResponse | None, WireResponse]:
        old1 = self._call(self.old_side, request)
        old2 = self._call(self.old_side, request) if self.settings.noise_calls else None
        new = self._call(self.new_side, request)
        return old1, old2, new

    def _call(self, side: _Side, request: WireRequest) -> WireResponse:
        if side.hooks:
            problem = call_hooks(side.hooks, side.name)
            if problem and problem not in self.result.errors:
                self.result.errors.append(problem)
        if side.headers:
            request = _with_headers(request, side.headers)
        return side.transport.send(request)

    def _account(self, stats: OperationStats, old: WireResponse, new: WireResponse) -> None:
        stats.cases += 1
        stats.old_latency_ms.append(round(old.elapsed_ms, 3))
        stats.new_latency_ms.append(round(new.elapsed_ms, 3))
        old_5xx = old.status >= 500 or bool(old.error)
        new_5xx = new.status >= 500 or bool(new.error)
        stats.old_5xx += old_5xx
        stats.new_5xx += new_5xx
        stats.new_5xx_where_old_ok += new_5xx and not old_5xx and old.status < 400

    def _check_conformance(self, label: str, case: GeneratedCase, old: WireResponse, new: WireResponse) -> None:
        origin = case.case
        old_case = self.old_cases.translate(origin)
        new_case = self.new_cases.translate(origin)
        for side, judged_by, response in (("old", old_case, old), ("new", new_case, new), ("new-vs-old-spec", old_case, new)):
            for finding in check_response(judged_by, case.request, response):
                key = (side, label, finding.check, finding.message)
                issue = self.conformance.get(key)
                if issue is None:
                    self.conformance[key] = ConformanceIssue(
                        side=side,  # type: ignore[arg-type]
                        operation=label,
                        check=finding.check,
                        message=finding.message,
                        example=self.grouper.example(case.request, old, new, []),
                    )
                else:
                    issue.count += 1


def _with_headers(request: WireRequest, extra: dict[str, str]) -> WireRequest:
    names = {name.lower() for name in extra}
    headers = [(k, v) for k, v in request.headers if k.lower() not in names] + list(extra.items())
    return replace(request, headers=headers)


def _has_links(document: dict[str, Any]) -> bool:
    for item in (document.get("paths") or {}).values():
        for operation in (item or {}).values() if isinstance(item, dict) else ():
            if isinstance(operation, dict):
                for response in (operation.get("responses") or {}).values():
                    if isinstance(response, dict) and response.get("links"):
                        return True
    return False
