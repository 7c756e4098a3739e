"""Replaying recorded requests against OLD and NEW with exactly the comparison of `fuzz`: each
request goes to OLD twice and NEW once (Diffy noise cancellation), through the same transports,
reset hooks, headers, ignore rules, status equivalences, grouping, known-divergence labels,
redaction and report model. Only the source of cases differs: real requests instead of generated.

Requests OLD's document does not describe are replayed too (clients send them, so NEW must answer
them alike) and listed as undocumented traffic: `ReplayOutcome.undocumented`, which the command
puts in `Report.extras["undocumented_traffic"]` and, one line per endpoint, in `FuzzResult.errors`
so every renderer shows them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.noise import NoiseTable
from apiparity.fuzz.reset import call_hooks
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import FuzzResult, OperationStats
from apiparity.traffic.operations import OperationIndex, selected
from apiparity.traffic.records import SAFE_METHODS, RecordedRequest

NOT_IN_TRAFFIC = "not in the recorded traffic"


@dataclass(slots=True)
class ReplayOutcome:
    result: FuzzResult
    undocumented: list[dict[str, Any]] = field(default_factory=list)  # {method, path, reason, count}
    interrupted: bool = False


def run_replay(
    old: Any,
    new: Any,
    requests: list[RecordedRequest],
    settings: FuzzSettings,
    *,
    on_request: Callable[[int, int], None] | None = None,
) -> ReplayOutcome:
    """Send every recorded request to OLD (twice) and NEW (once) and compare like `fuzz` does.
    Ctrl-C ends the run early with `interrupted=True` and what was compared so far."""
    # the side set-up (transport, base path, reset hooks incl. the auto reset, headers, unsafe
    # guard) is the fuzz runner's, so both commands treat a side identically
    from apiparity.fuzz.runner import _side

    settings.validate()
    old_side = _side("old", old, settings)
    new_side = _side("new", new, settings)
    try:
        return _Replay(old, old_side, new_side, settings).run(requests, on_request)
    finally:
        old_side.transport.close()
        new_side.transport.close()


class _Replay:
    def __init__(self, old: Any, old_side: Any, new_side: Any, settings: FuzzSettings) -> None:
        self.settings = settings
        self.old_side, self.new_side = old_side, new_side
        self.index = OperationIndex(old.document, old_side.base_path)
        self.options = CompareOptions.from_settings(settings)
        self.noise = NoiseTable()
        self.grouper = Grouper(
            old_side=SideView(old_side.transport.base_url(), old_side.base_path),
            new_side=SideView(new_side.transport.base_url(), new_side.base_path),
            redact=settings.redact,
            max_examples=settings.examples_per_group,
            max_body_chars=settings.max_body_chars,
            document=old.document,
        )
        data = settings.to_dict()
        data["source"] = "recorded traffic"
        data["transports"] = {"old": old_side.transport.name, "new": new_side.transport.name}
        data["base_paths"] = {"old": old_side.base_path, "new": new_side.base_path}
        data["auto_reset"] = {s.name: s.auto_reset for s in (old_side, new_side) if s.auto_reset}
        data["isolation"] = {s.name: s.isolation for s in (old_side, new_side)}
        self.result = FuzzResult(seed=None, settings=data, operations_total=len(self.index.labels))
        self.stats: dict[str, OperationStats] = {label: OperationStats(operation=label) for label in self.index.labels}
        self.undocumented: Counter[tuple[str, str, str]] = Counter()

    def run(self, requests: list[RecordedRequest], on_request: Callable[[int, int], None] | None) -> ReplayOutcome:
        pending: list[tuple[OperationStats, WireRequest, WireResponse, WireResponse, list[Any], WireRequest, WireRequest]] = []
        refused: Counter[str] = Counter()
        interrupted = False
        for side in (self.old_side, self.new_side):
            if side.auth is not None:
                side.auth.login()  # a wrong login fails before any request, as in fuzz
        try:
            for number, recorded in enumerate(requests, start=1):
                request, match = self._wire(recorded)
                if not selected(match, recorded.method, self.settings.include, self.settings.exclude):
                    self.result.settings["not_selected"] = self.result.settings.get("not_selected", 0) + 1
                    continue
                if match.undocumented:
                    path = match.operation.split(" ", 1)[1].removesuffix(" (undocumented)")
                    self.undocumented[(recorded.method, path, match.undocumented)] += 1
                stats = self.stats.setdefault(request.operation, OperationStats(operation=request.operation))
                if recorded.method not in SAFE_METHODS and self._unsafe_reason():
                    refused[request.operation] += 1
                    continue
                sent_old, old1 = self._call(self.old_side, request)
                old2 = self._call(self.old_side, request)[1] if self.settings.noise_calls else None
                sent_new, new = self._call(self.new_side, request)
                self.result.cases += 1
                self._account(stats, old1, new)
                if old2 is not None:
                    self.noise.learn(request.operation, old1, old2, self.options)
                differences = compare_responses(old1, new, self.options)
                if differences:
                    pending.append((stats, request, old1, new, differences, sent_old, sent_new))
                if on_request is not None:
                    on_request(number, len(requests))
        except KeyboardInterrupt:
            interrupted = True
        # noise learned from a later request also cancels an earlier one's difference, as in fuzz
        for stats, request, old1, new, differences, sent_old, sent_new in pending:
            kept = self.noise.filter(request.operation, differences)
            if kept:
                stats.mismatches += 1
                self.grouper.add(request, old1, new, kept, old_request=sent_old, new_request=sent_new)
        for operation, count in sorted(refused.items()):
            self.result.errors.append(f"{operation}: {count} recorded request(s) not sent: {self._unsafe_reason()}")
            if not self.stats[operation].cases:
                self.stats[operation].skipped_reason = self._unsafe_reason()
        for stats in self.stats.values():
            if not stats.cases and stats.skipped_reason is None:
                stats.skipped_reason = NOT_IN_TRAFFIC
        undocumented = [
            {"method": method, "path": path, "reason": reason, "count": count}
            for (method, path, reason), count in sorted(self.undocumented.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        for item in undocumented:
            self.result.errors.append(
                f"undocumented traffic: {item['method']} {item['path']} ({item['count']} request(s)): {item['reason']}"
            )
        self.result.groups = self.grouper.groups()
        self.result.noise = self.noise.report()
        self.result.operations = list(self.stats.values())
        return ReplayOutcome(self.result, undocumented, interrupted)

    def _wire(self, recorded: RecordedRequest) -> tuple[WireRequest, Any]:
        match = self.index.match(recorded.method, recorded.path, recorded.query)
        request = WireRequest(
            method=recorded.method,
            path=match.api_path if match.under_base_path else recorded.path,
            query=recorded.query,
            headers=list(recorded.headers),
            body=recorded.body,
            operation=match.operation,
            absolute=not match.under_base_path,
        )
        return request, match

    def _unsafe_reason(self) -> str:
        return self.old_side.unsafe_reason or self.new_side.unsafe_reason

    def _call(self, side: Any, request: WireRequest) -> tuple[WireRequest, WireResponse]:
        if side.hooks:
            problem = call_hooks(side.hooks, side.name)
            if problem and problem not in self.result.errors:
                self.result.errors.append(problem)
        if side.headers:
            names = {name.lower() for name in side.headers}
            request = replace(request, headers=[(k, v) for k, v in request.headers if k.lower() not in names] + list(side.headers.items()))
        if side.auth is not None:
            request = side.auth.apply(request)
        return request, side.transport.send(request)

    def _account(self, stats: OperationStats, old: WireResponse, new: WireResponse) -> None:
        stats.cases += 1
        stats.old_latency_ms.append(round(old.elapsed_ms, 3))
        stats.new_latency_ms.append(round(new.elapsed_ms, 3))
        old_5xx = old.status >= 500 or bool(old.error)
        new_5xx = new.status >= 500 or bool(new.error)
        stats.old_5xx += old_5xx
        stats.new_5xx += new_5xx
        stats.new_5xx_where_old_ok += new_5xx and not old_5xx and old.status < 400
