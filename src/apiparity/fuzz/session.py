"""One comparison session: what happens to every exchange, whatever produced it.

A case source (generated cases in `fuzz`, recorded requests in `replay`, mirrored traffic in
`shadow`) sends a request to OLD, to OLD again (Diffy noise cancelling) and to NEW, and hands the
three answers to `ComparisonSession.observe`. The session does the rest once, the same way for
every source:

    observe ──> account (cases, latency, 5xx, transport errors per operation)
            ──> learn noise (OLD vs OLD again) ──> compare (OLD vs NEW)
            ──> held (noise learned later still cancels it) or judged now:
                noise filtered ──> grouped by cause (known-divergence labels) ──> mismatch counted
            ──> conformance: each answer judged by its side's document, NEW's by OLD's too

`settle()` judges held observations; `operations`, `groups()`, `noise_report()` and
`conformance_issues()` are what the source puts in its FuzzResult. A session is not thread-safe:
a source that observes from several threads holds its own lock around `observe`.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apiparity.fuzz.compare import CompareOptions, Difference, compare_responses
from apiparity.fuzz.conformance import CaseTranslator, check_response
from apiparity.fuzz.group import Grouper, http_request
from apiparity.fuzz.noise import NoiseTable, StepNoise
from apiparity.fuzz.settings import UNSAFE_METHODS
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import UNANSWERED_KEPT, ConformanceIssue, MismatchGroup, NoiseCancelled, OperationStats, UnansweredRequest

Steps = tuple[tuple[WireRequest, WireRequest], ...]  # (OLD, NEW) requests of a sequence sent before this one


# ---------------------------------------------------------------------------------- latency


class LatencySamples:
    """Keeps every answer's latency (a bounded run: fuzz)."""

    def add(self, stats: OperationStats, old_ms: float, new_ms: float) -> None:
        stats.old_latency_ms.append(round(old_ms, 3))
        stats.new_latency_ms.append(round(new_ms, 3))


class LatencyReservoir(LatencySamples):
    """At most `size` latencies per operation and side, a uniform sample of all of them (Vitter's
    algorithm R, seeded): percentiles of a whole replay in constant memory."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.random = random.Random(seed)
        self.seen: dict[str, int] = {}

    def add(self, stats: OperationStats, old_ms: float, new_ms: float) -> None:
        seen = self.seen[stats.operation] = self.seen.get(stats.operation, 0) + 1
        if len(stats.old_latency_ms) < self.size:
            super().add(stats, old_ms, new_ms)
            return
        slot = self.random.randrange(seen)
        if slot < self.size:
            stats.old_latency_ms[slot] = round(old_ms, 3)
            stats.new_latency_ms[slot] = round(new_ms, 3)


class LatencyRecent(LatencySamples):
    """The last `size` latencies per operation and side (a proxy that runs for days)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def add(self, stats: OperationStats, old_ms: float, new_ms: float) -> None:
        super().add(stats, old_ms, new_ms)
        del stats.old_latency_ms[: -self.size], stats.new_latency_ms[: -self.size]


# ---------------------------------------------------------------------------------- conformance


@dataclass(slots=True)
class ConformanceCase:
    """What conformance judging needs of one exchange: the schemathesis case OLD was sent (a
    `GeneratedCase`), NEW's own when it differs (a stateful step carries each side's ids), and -
    only to shape the example's reproducers - what each side received and the steps before."""

    case: Any
    new_case: Any = None
    sent: tuple[WireRequest, WireRequest] | None = None
    steps: Steps = ()


class ConformanceJudge:
    """Each answer judged by its side's document, and NEW's by OLD's; one issue per (side,
    operation, check, where), counted."""

    def __init__(self, old_schema: Any, new_schema: Any, *, same_contract: bool) -> None:
        self.old_cases = CaseTranslator(old_schema)
        self.new_cases = CaseTranslator(new_schema)
        self.same_contract = same_contract  # one contract for both sides: NEW judged by it once, not twice
        self.issues: dict[tuple[str, str, str, str], ConformanceIssue] = {}

    def judge(self, label: str, given: ConformanceCase, old: WireResponse, new: WireResponse, grouper: Grouper) -> None:
        case = given.case
        new_given = given.new_case or case
        old_case = self.old_cases.translate(case.case)
        new_case_own = self.new_cases.translate(new_given.case)
        new_case_old = self.old_cases.translate(new_given.case)
        judgements = [("old", old_case, case.request, old), ("new", new_case_own, new_given.request, new),
                      ("new-vs-old-spec", new_case_old, new_given.request, new)]
        if self.same_contract:
            judgements = [judgements[0], judgements[2]]
        old_keys: set[tuple[str, str]] = set()
        for side, judged_by, request, response in judgements:
            if response.truncated:
                continue  # the first bytes of an answer cannot be judged against a schema
            for finding in check_response(judged_by, request, response):
                if side == "old":
                    old_keys.add((finding.check, finding.key))
                elif side == "new-vs-old-spec" and (finding.check, finding.key) in old_keys:
                    # OLD's own answer to this case breaks OLD's document the same way: NEW is
                    # as (non-)conforming as the app it replaces, so it is no migration issue
                    continue
                key = (side, label, finding.check, finding.key)
                issue = self.issues.get(key)
                if issue is None:
                    sent = given.sent
                    self.issues[key] = ConformanceIssue(
                        side=side,  # type: ignore[arg-type]
                        operation=label,
                        check=finding.check,
                        message=finding.message,
                        example=grouper.example(case.request, old, new, [], old_request=sent[0] if sent else None,
                                                new_request=sent[1] if sent else None, steps=given.steps),
                    )
                else:
                    issue.count += 1

    def sorted_issues(self) -> list[ConformanceIssue]:
        return sorted(self.issues.values(), key=lambda c: (c.operation, c.side, c.check, c.message))


# ---------------------------------------------------------------------------------- session


@dataclass(slots=True)
class _Held:
    stats: OperationStats
    request: WireRequest
    old: WireResponse
    new: WireResponse
    differences: list[Difference]
    sent_old: WireRequest | None
    sent_new: WireRequest | None
    old_state_changed: bool = False


Judge = Callable[[list[Difference]], list[Difference]]


def answered_success(response: WireResponse) -> bool:
    """The side answered with success: a 2xx, or a 3xx (a documented redirect is the operation's
    answer), never a refusal (4xx), a crash or no answer."""
    return 200 <= response.status < 400 and not response.error


def changed_state(request: WireRequest, first: WireResponse, second: WireResponse) -> bool:
    """OLD answered the same unsafe request with another status the second time: the first call
    changed the state the second one saw (a create that conflicts when repeated, a delete then
    404), which is not noise. Learning it would cancel every status difference of the operation,
    NEW's regressions included; NEW is compared with OLD's first answer, made from the same state."""
    return request.method.upper() in UNSAFE_METHODS and first.status != second.status


class ComparisonSession:
    """Noise, comparison, grouping (with labels), conformance and per-operation stats for every
    exchange a case source observes."""

    def __init__(self, *, options: CompareOptions, grouper: Grouper, options_for: Callable[[str], CompareOptions] | None = None,
                 conformance: ConformanceJudge | None = None, latency: LatencySamples | None = None,
                 old_resets: bool = False, redact: bool = True) -> None:
        """`old_resets`: OLD starts every case from the same state (reset hooks). Without it, once
        OLD accepted a write, a crash of OLD may come from the state the run made, so it is not
        taken for a legacy bug that NEW fixed (apiparity.fuzz.tiers.STATE_DEPENDENT_CRASH)."""
        self.options = options
        self.redact = redact  # how a request that got no answer is shown (OperationStats.unanswered)
        self.old_resets = old_resets
        self.old_written = False
        self._options_for = options_for
        self.grouper = grouper
        self.noise = NoiseTable()
        self.conformance = conformance
        self.latency = latency or LatencySamples()
        self.operations: dict[str, OperationStats] = {}  # in the order operations were first seen
        self.held: deque[_Held] = deque()

    def options_for(self, operation: str) -> CompareOptions:
        return self._options_for(operation) if self._options_for is not None else self.options

    def stats(self, operation: str, *, skipped_reason: str | None = None) -> OperationStats:
        """The stats of `operation` (created on first use, with `skipped_reason` then)."""
        found = self.operations.get(operation)
        if found is None:
            found = self.operations[operation] = OperationStats(operation=operation, skipped_reason=skipped_reason)
        return found

    def observe(self, request: WireRequest, old: WireResponse, old_again: WireResponse | None, new: WireResponse, *,
                sent_old: WireRequest | None = None, sent_new: WireRequest | None = None, hold: bool = False,
                judge: Judge | None = None, learn_noise: bool = True, step_noise: StepNoise | None = None,
                steps: Steps = (), conformance: ConformanceCase | None = None) -> list[Difference]:
        """One exchange: `request` (as generated or recorded) answered by OLD, by OLD again (None:
        no noise call) and by NEW; `sent_old`/`sent_new` what each side really received.

        `hold`: the differences wait for `settle()`, so noise learned from later exchanges of the
        operation cancels them too. `judge`: a probe's own reading of the differences (it may drop
        or add some). `learn_noise=False`: OLD's second answer is not ordinary noise (a probe that
        asks twice on purpose). `step_noise`/`steps`: a step of a stateful sequence, with the noise
        of that step and the steps before it. Returns the differences judged now ([] when held)."""
        operation = request.operation
        options = self.options_for(operation)
        stats = self.stats(operation)
        if old.unsendable or new.unsendable:
            stats.unsendable += 1  # nothing to compare: one side never received it
            self._keep_unanswered(stats, sent_old or request, old, new)
            return []
        # a probe asks what the contract does not describe (another method, the other slash spelling, no
        # credentials): its answer is no evidence that the operation's handler answered with success
        self.account(stats, old, new, reached=not request.probe and request.method.upper() == operation.partition(" ")[0].upper())
        if old.transport_error or new.transport_error:
            self._keep_unanswered(stats, sent_new or sent_old or request, old, new)
        if old_again is not None and learn_noise and not changed_state(request, old, old_again):
            self.noise.learn(operation, old, old_again, options)
        differences = compare_responses(old, new, options)
        if judge is not None:
            differences = judge(differences)
        kept: list[Difference] = []
        if differences:
            held = _Held(self.stats(operation), request, old, new, differences, sent_old, sent_new,
                         old_state_changed=self.old_written and not self.old_resets)
            if hold:
                self.held.append(held)
            else:
                kept = self._judge(held, step_noise=step_noise, steps=steps)
        if conformance is not None and self.conformance is not None:
            self.conformance.judge(operation, conformance, old, new, self.grouper)
        if request.method.upper() in UNSAFE_METHODS and 200 <= old.status < 400:
            self.old_written = True
        return kept

    def _keep_unanswered(self, stats: OperationStats, request: WireRequest, old: WireResponse, new: WireResponse) -> None:
        if len(stats.unanswered) >= UNANSWERED_KEPT:
            return
        def failure(side: WireResponse) -> str | None:
            return side.error if side.transport_error or side.unsendable else None

        stats.unanswered.append(UnansweredRequest(request=http_request(request, redact=self.redact), old_error=failure(old),
                                                  new_error=failure(new), unsendable=old.unsendable or new.unsendable))

    def settle(self, count: int | None = None) -> None:
        """Judge held exchanges against the noise learned so far: all of them, or the oldest `count`."""
        for _ in range(len(self.held) if count is None else min(count, len(self.held))):
            self._judge(self.held.popleft())

    def _judge(self, held: _Held, *, step_noise: StepNoise | None = None, steps: Steps = ()) -> list[Difference]:
        kept = self.noise.filter(held.request.operation, held.differences, step=step_noise)
        if kept:
            held.stats.mismatches += 1
            self.grouper.add(held.request, held.old, held.new, kept, old_request=held.sent_old, new_request=held.sent_new, steps=steps,
                             old_state_changed=held.old_state_changed)
        return kept

    def account(self, stats: OperationStats, old: WireResponse, new: WireResponse, *, reached: bool = True) -> None:
        """One exchange in its operation's stats: a case, each side's latency, its 5xx answers (an
        in-process handler that raised counts as the 500 a server would answer), its transport
        errors (no answer at all: connection refused or reset, timeout), which are never a 5xx, and
        each side's successful answers (2xx/3xx: not a refusal) when the request was the
        operation's own method (`reached`)."""
        stats.cases += 1
        self.latency.add(stats, old.elapsed_ms, new.elapsed_ms)
        stats.old_transport_errors += old.transport_error
        stats.new_transport_errors += new.transport_error
        old_5xx = old.status >= 500 or (bool(old.error) and not old.transport_error)
        new_5xx = new.status >= 500 or (bool(new.error) and not new.transport_error)
        stats.old_5xx += old_5xx
        stats.new_5xx += new_5xx
        # OLD must have answered below 500 (a 404 too: NEW crashing where OLD said "not found" is new)
        stats.new_5xx_where_old_ok += new_5xx and not old_5xx and not old.transport_error
        # evidence that NEW routes the operation, whatever its document says (apiparity.fuzz.explain)
        stats.new_served += (not old.transport_error and old.status not in (0, 404, 405) and new.status == old.status)
        # evidence each side's handler was reached (the operations-exercised gate)
        stats.old_success = (stats.old_success or 0) + (reached and answered_success(old))
        stats.new_success = (stats.new_success or 0) + (reached and answered_success(new))

    # ------------------------------------------------------------------ results

    def groups(self) -> list[MismatchGroup]:
        return self.grouper.groups()

    def noise_report(self) -> list[NoiseCancelled]:
        return self.noise.report()

    def conformance_issues(self) -> list[ConformanceIssue]:
        return self.conformance.sorted_issues() if self.conformance is not None else []
