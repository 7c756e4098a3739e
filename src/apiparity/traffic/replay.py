"""Replaying recorded requests against OLD and NEW with exactly the comparison of `fuzz`: each
request goes to OLD twice and NEW once (Diffy noise cancellation), through the same transports,
reset hooks, headers, ignore rules, status equivalences, grouping, known-divergence labels,
redaction and report model. Only the source of cases differs: real requests instead of generated.

Requests OLD's document does not describe are replayed too (clients send them, so NEW must answer
them alike) and listed as undocumented traffic: `ReplayOutcome.undocumented`, which the command
puts in `Report.undocumented_traffic` and, one line per endpoint, in `FuzzResult.errors`
so every renderer shows them.
"""

from __future__ import annotations

import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from apiparity.fuzz.compare import CompareOptions
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.session import ComparisonSession, LatencyReservoir
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.sides import Side, open_side
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import FuzzResult, OperationStats
from apiparity.model_sections import UndocumentedRequest
from apiparity.traffic.operations import OperationIndex, selected
from apiparity.traffic.records import SAFE_METHODS, RecordedRequest

NOT_IN_TRAFFIC = "not in the recorded traffic"
LATENCY_SAMPLES = 10_000  # per operation and side: a reservoir, so a long replay stays in constant memory
PENDING_LIMIT = 10_000  # mismatching requests held back for noise learned later, before judging the oldest


@dataclass(slots=True)
class ReplayOptions:
    """How the stream of recorded requests is sent (all off by default: every request, in order, one at a time)."""

    sample: float = 1.0  # share of the recorded requests replayed (deterministic by position and seed)
    rate: float | None = None  # at most this many requests per second
    workers: int = 1  # requests in flight at once (each still goes OLD, OLD again, NEW)
    seed: int = 0
    skip: int = 0  # records already replayed (resume): not sent again, still counted for sampling
    first_position: int = 1  # position of the stream's first record (resume by seeking: records before it were read)
    checkpoint: Callable[[int, FuzzResult, list[UndocumentedRequest]], None] | None = None
    checkpoint_every: int = 5_000

    def keeps(self, position: int) -> bool:
        if self.sample >= 1.0:
            return True
        return zlib.crc32(f"{self.seed}:{position}".encode()) / 0xFFFFFFFF < self.sample


@dataclass(slots=True)
class ReplayOutcome:
    result: FuzzResult
    undocumented: list[UndocumentedRequest] = field(default_factory=list)  # per method, path and reason
    interrupted: bool = False
    read: int = 0  # records read from the stream (the last position), sampled-out and skipped ones included


def run_replay(
    old: Any,
    new: Any,
    requests: Iterable[RecordedRequest],
    settings: FuzzSettings,
    *,
    on_request: Callable[[int, int], None] | None = None,
    options: ReplayOptions | None = None,
) -> ReplayOutcome:
    """Send every recorded request to OLD (twice) and NEW (once) and compare like `fuzz` does.
    `requests` may be a stream (a GoReplay capture): it is consumed once, in constant memory.
    Ctrl-C ends the run early with `interrupted=True` and what was compared so far."""
    # the side set-up (transport, base path, reset hooks incl. the auto reset, headers, unsafe
    # guard, credentials) is fuzz's, so both commands treat a side identically
    settings.validate()
    old_side = open_side("old", old, settings)
    new_side = open_side("new", new, settings)
    options = options or ReplayOptions()
    if options.workers > 1 and any(side.transport.name != "http" for side in (old_side, new_side)):
        from apiparity.errors import ConfigError

        raise ConfigError(f"--workers {options.workers}: an in-process app answers one request at a time; serve both sides "
                          "(URL targets, or --old-url/--new-url) to replay in parallel")
    if options.workers > 1 and (old_side.hooks or new_side.hooks):
        from apiparity.errors import ConfigError

        raise ConfigError(f"--workers {options.workers}: reset hooks run before every call, so requests in flight at once "
                          "would share state; replay in parallel only without --reset (and with --no-auto-reset)")
    try:
        return _Replay(old, old_side, new_side, settings, options, new=new).run(requests, on_request)
    finally:
        old_side.transport.close()
        new_side.transport.close()


class _Replay:
    """The case source of `replay`: recorded requests, each sent to OLD twice and NEW once and
    handed to the comparison session (the one `fuzz` and `shadow` use)."""

    def __init__(self, old: Any, old_side: Side, new_side: Side, settings: FuzzSettings, options: ReplayOptions, *, new: Any = None) -> None:
        self.settings = settings
        self.replay = options
        self.old_side, self.new_side = old_side, new_side
        self.index = OperationIndex(old.document, old_side.base_path)
        grouper = Grouper(
            old_side=SideView.of(old, old_side),
            new_side=SideView.of(new, new_side),
            redact=settings.redact,
            max_examples=settings.examples_per_group,
            max_body_chars=settings.max_body_chars,
            document=old.document,
        )
        # mismatches are held for noise learned later (as in fuzz); latencies a seeded reservoir
        self.session = ComparisonSession(options=CompareOptions.from_settings(settings), grouper=grouper,
                                         latency=LatencyReservoir(LATENCY_SAMPLES, options.seed), old_resets=bool(old_side.hooks))
        data = settings.to_dict()
        data["source"] = "recorded traffic"
        data["transports"] = {"old": old_side.transport.name, "new": new_side.transport.name}
        data["base_paths"] = {"old": old_side.base_path, "new": new_side.base_path}
        data["auto_reset"] = {s.name: s.auto_reset for s in (old_side, new_side) if s.auto_reset}
        data["isolation"] = {s.name: s.isolation for s in (old_side, new_side)}
        self.result = FuzzResult(seed=None, settings=data, operations_total=len(self.index.labels))
        for label in self.index.labels:
            self.session.stats(label)
        for side in (old_side, new_side):
            side.on_problem = self._problem
        self.undocumented: Counter[tuple[str, str, str]] = Counter()

    def run(self, requests: Iterable[RecordedRequest], on_request: Callable[[int, int], None] | None) -> ReplayOutcome:
        self.refused: Counter[str] = Counter()
        interrupted = False
        options = self.replay
        for side in (self.old_side, self.new_side):
            if side.auth is not None:
                side.auth.login()  # a wrong login fails before any request, as in fuzz
        total = len(requests) if isinstance(requests, list) else 0
        started = time.monotonic()
        sent = 0
        position = options.first_position - 1
        in_flight: deque[Any] = deque()
        pool = None
        if options.workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="apiparity-replay")
        try:
            for position, recorded in enumerate(requests, start=options.first_position):
                if position <= options.skip or not options.keeps(position):
                    continue
                request, match = self._wire(recorded)
                if not selected(match, recorded.method, self.settings.include, self.settings.exclude):
                    self.result.settings["not_selected"] = self.result.settings.get("not_selected", 0) + 1
                    continue
                if match.undocumented:
                    path = match.operation.split(" ", 1)[1].removesuffix(" (undocumented)")
                    self.undocumented[(recorded.method, path, match.undocumented)] += 1
                self.session.stats(request.operation)  # listed (as skipped) even when none of its requests can be sent
                if recorded.method not in SAFE_METHODS and self._unsafe_reason():
                    self.refused[request.operation] += 1
                    continue
                if options.rate:
                    delay = started + sent / options.rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                sent += 1
                if pool is None:
                    self._judge(request, self._exchange(request))
                else:
                    in_flight.append((request, pool.submit(self._exchange, request)))
                    while len(in_flight) >= options.workers * 2:
                        done_request, future = in_flight.popleft()
                        self._judge(done_request, future.result())
                if on_request is not None:
                    on_request(position, total)
                if options.checkpoint is not None and sent % options.checkpoint_every == 0 and not in_flight:
                    options.checkpoint(position, *self._snapshot())
            while in_flight:
                done_request, future = in_flight.popleft()
                self._judge(done_request, future.result())
        except KeyboardInterrupt:
            interrupted = True
            for _request, future in in_flight:
                future.cancel()
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        result, undocumented = self._snapshot()
        if options.checkpoint is not None:
            # interrupted: the request in flight was not judged, so the checkpoint keeps the last
            # regular save (every checkpoint_every requests, all of them judged)
            if not interrupted:
                options.checkpoint(position, result, undocumented)
        return ReplayOutcome(result, undocumented, interrupted, read=position)

    def _exchange(self, request: WireRequest) -> tuple[WireRequest, WireResponse, WireResponse | None, WireRequest, WireResponse]:
        sent_old, old1 = self._call(self.old_side, request)
        old2 = self._call(self.old_side, request)[1] if self.settings.noise_calls else None
        sent_new, new = self._call(self.new_side, request)
        return sent_old, old1, old2, sent_new, new

    def _judge(self, request: WireRequest, exchange: tuple[Any, ...]) -> None:
        sent_old, old1, old2, sent_new, new = exchange
        self.result.cases += 1
        self.session.observe(request, old1, old2, new, sent_old=sent_old, sent_new=sent_new, hold=True)
        if len(self.session.held) > PENDING_LIMIT:
            self.session.settle(1)  # the oldest judged now: a long replay holds a bounded number

    def _snapshot(self) -> tuple[FuzzResult, list[UndocumentedRequest]]:
        """The result of what was compared so far (held-back mismatches judged now)."""
        import copy

        # noise learned from a later request also cancels an earlier one's difference, as in fuzz
        self.session.settle()
        result = copy.deepcopy(self.result)
        for operation, count in sorted(self.refused.items()):
            result.errors.append(f"{operation}: {count} recorded request(s) not sent: {self._unsafe_reason()}")
        stats_list = copy.deepcopy(list(self.session.operations.values()))
        for stats in stats_list:
            if not stats.cases and self.refused.get(stats.operation):
                stats.skipped_reason = self._unsafe_reason()
            if not stats.cases and stats.skipped_reason is None:
                stats.skipped_reason = NOT_IN_TRAFFIC
        undocumented = [
            UndocumentedRequest(method=method, path=path, reason=reason, count=count)
            for (method, path, reason), count in sorted(self.undocumented.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        for item in undocumented:
            result.errors.append(f"undocumented traffic: {item.method} {item.path} ({item.count} request(s)): {item.reason}")
        result.groups = self.session.groups()
        result.noise = self.session.noise_report()
        result.operations = stats_list
        return result, undocumented

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

    def _call(self, side: Side, request: WireRequest) -> tuple[WireRequest, WireResponse]:
        return side.call(request)

    def _problem(self, problem: str) -> None:
        if problem not in self.result.errors:
            self.result.errors.append(problem)


def combine_results(first: FuzzResult, second: FuzzResult, undocumented: list[UndocumentedRequest]) -> FuzzResult:
    """One result for a replay done in two segments (a checkpoint, then `--resume`): counts add up,
    groups with the same key become one, latencies stay a bounded sample. `undocumented` is the
    merged undocumented traffic of both segments."""
    import copy

    from apiparity.model import NoiseCancelled
    from apiparity.report.merge import combine_groups

    stats: dict[str, OperationStats] = {s.operation: copy.deepcopy(s) for s in first.operations}
    for part in second.operations:
        mine = stats.setdefault(part.operation, OperationStats(operation=part.operation))
        mine.add_counts(part)
        mine.old_latency_ms = (mine.old_latency_ms + part.old_latency_ms)[:LATENCY_SAMPLES]
        mine.new_latency_ms = (mine.new_latency_ms + part.new_latency_ms)[:LATENCY_SAMPLES]
        if mine.cases:
            mine.skipped_reason = None
        elif part.skipped_reason and part.skipped_reason != NOT_IN_TRAFFIC:
            mine.skipped_reason = part.skipped_reason
    noise: dict[tuple[str, str], NoiseCancelled] = {}
    for entry in first.noise + second.noise:
        key = (entry.operation, entry.field_path)
        if key in noise:
            noise[key].count += entry.count
        else:
            noise[key] = copy.deepcopy(entry)
    errors = [e for e in dict.fromkeys(first.errors + second.errors) if not e.startswith("undocumented traffic: ")]
    errors += [f"undocumented traffic: {i.method} {i.path} ({i.count} request(s)): {i.reason}" for i in undocumented]
    settings = dict(second.settings)
    settings["resumed"] = True
    return FuzzResult(seed=second.seed, cases=first.cases + second.cases, operations_total=max(first.operations_total, second.operations_total),
                      groups=combine_groups(first.groups + second.groups), noise=list(noise.values()),
                      conformance=first.conformance + second.conformance, operations=list(stats.values()),
                      settings=settings, errors=errors)
