"""Runtime detection: a watchdog thread that notices when an asyncio loop stops answering.

Every `interval` (a quarter of the threshold) the watchdog posts a heartbeat callback to the loop
with `call_soon_threadsafe` and waits for it. A loop that is free runs it within a millisecond; a
loop stuck in a blocking call cannot run it until the call returns. Once a heartbeat is later than
the threshold, the watchdog samples the loop thread's stack (`sys._current_frames()`) every few
milliseconds until the heartbeat arrives, and keeps the innermost frame in the user's code (not the
standard library, installed packages or apiparity), which is where the blocking call was made.

A loop that is *stopped* (between two `run_until_complete` calls) or idle in its selector is not
blocked: a late heartbeat is only counted when every sample showed the loop thread inside a
callback. The measured duration is the heartbeat's lateness, a lower bound of the block (the block
may have started up to one interval before the heartbeat was posted).

A stall is the app's block only for the time the loop thread spent in the app's own code, minus the
time it waited for a CPU (the rule that keeps the gate from depending on how busy the machine is):

- *app code*: each sample names the innermost frame of the user's code. A frame that is awaiting a
  coroutine with framework code (Starlette, FastAPI, uvicorn, httpx, apiparity) inward of it is a
  pass-through - a pure-async middleware's ``await self.app(...)``, an exception handler awaiting
  FastAPI's default one - and the loop is running the framework's code, not the app's: such a
  sample has no app frame. A frame that calls something synchronously (``time.sleep``, a database
  driver, a helper) or awaits a non-framework coroutine is the app's.
- *on a CPU or blocked in a call, not starved*: the kernel counts, per thread, the time it was
  runnable but waiting for a CPU (``/proc/self/task/<tid>/schedstat``); that time, read between
  samples, is taken off the stall: other processes took the CPU, the app did not hold the loop.
  ``time.sleep(0.05)`` in an ``async def`` handler sleeps (not runnable) and still counts whole.

A block counts when the app time of one request's part of the stall reaches the threshold, less a
margin of STARVED_MARGIN of the time the thread waited for a CPU (the sampler reading the counters
is kept waiting by the same busy machine, so its readings drift by about that much); the
duration reported is that app time. What remains of a stall is kept apart, as "unattributed"
(framework code, warm-up) or "starved" (the thread was waiting for a CPU).

Each block is attributed to an operation: the one whose endpoint (or dependency used by only that
operation) is on the blocked stack when an app is given, else the one the caller named with
`set_current()` before sending the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.model_sections import EventLoopSection, LoopBlock, StarvedStalls

from apiparity.asyncio_check._code import (
    default_roots,
    endpoint_routes,
    in_library,
    under_roots,
)
from apiparity.asyncio_check._sched import (
    SchedClock,
    SchedReading,
    on_cpu_ms,
    waited_ms,
)

__all__ = ["DEFAULT_THRESHOLD_MS", "NO_OPERATION", "BlockEvent", "BlockingFinding", "LoopBlockMonitor", "serve_monitored"]

DEFAULT_THRESHOLD_MS = 20.0
# share of a stall's CPU wait that its app time must exceed the threshold by: 3 s of starvation
# measured by a sampler that was starved too left ~30 ms that were neither CPU wait nor the app's
STARVED_MARGIN = 0.02
NO_OPERATION = "(no request)"
_MAX_EVENTS = 10_000  # beyond this only counts grow; a run that blocks this often has its answer
# The code a request passes through on its way to the next ASGI app: a user frame awaiting a
# coroutine with one of these inward of it is a pass-through, not the app's own work.
FRAMEWORK_MODULES = ("starlette", "fastapi", "uvicorn", "httpx", "apiparity")
_AWAITED = inspect.CO_COROUTINE | inspect.CO_ITERABLE_COROUTINE | inspect.CO_ASYNC_GENERATOR


@dataclass(slots=True)
class BlockEvent:
    """One time the loop was blocked longer than the threshold."""

    duration_ms: float
    operation: str | None  # "GET /items/{item_id}", or None when no request was running
    request: str | None  # the caller's label of the request (e.g. "case 17: GET /items/3")
    where: str | None  # "path/to/app.py:57": innermost user frame, None when only library code ran
    function: str | None
    stack: list[str] = field(default_factory=list)  # user frames, outermost first: "app.py:57 in sleepy"
    at: float = 0.0  # seconds since the monitor started
    stall_ms: float = 0.0  # wall time of this request's part of the stall (>= duration_ms)
    starved_ms: float = 0.0  # of which the loop thread waited for a CPU


@dataclass(slots=True)
class BlockingFinding:
    """Blocks of one operation (and one attribution: user code or library only), summarized."""

    operation: str
    count: int
    max_ms: float
    p95_ms: float
    total_ms: float
    where: str | None  # most frequent user file:line among the blocks
    function: str | None
    stack: list[str] = field(default_factory=list)  # of the longest block
    example_request: str | None = None  # label of the longest block's request
    locations: list[str] = field(default_factory=list)  # every distinct "file:line (n×)"
    attributed: bool = True  # False: no user frame on the stack (framework warm-up, GC, the harness)

    def to_block(self) -> LoopBlock:
        """The report's row of these blocks (`Report.event_loop.blocks`), durations to 0.1 ms."""
        return LoopBlock(
            operation=self.operation,
            count=self.count,
            max_ms=round(self.max_ms, 1),
            p95_ms=round(self.p95_ms, 1),
            total_ms=round(self.total_ms, 1),
            where=self.where,
            function=self.function,
            stack=list(self.stack),
            example_request=self.example_request,
            locations=list(self.locations),
            attributed=self.attributed,
        )

    def to_dict(self) -> dict[str, Any]:
        return self.to_block().to_dict()


class _Beat:
    __slots__ = ("arrived_at", "arrived_sched", "done", "native_id", "sched", "thread_id")

    def __init__(self, sched: SchedClock | None) -> None:
        self.done = threading.Event()
        self.sched = sched  # the loop thread's counters, read by the loop thread itself on arrival
        self.arrived_at: float | None = None
        self.arrived_sched: SchedReading | None = None
        self.thread_id: int | None = None
        self.native_id: int | None = None

    def arrive(self) -> None:
        self.arrived_at = time.perf_counter()
        self.thread_id = threading.get_ident()
        self.native_id = threading.get_native_id()
        if self.sched is not None and self.sched.native_id == self.native_id:
            # read while running: every wait of this thread so far is in the counters (the kernel
            # adds a wait when the thread gets a CPU back; a later reading would add waits after)
            self.arrived_sched = self.sched.read(where=False)
        self.done.set()


@dataclass(slots=True)
class _Sample:
    in_callback: bool
    user_frames: list[tuple[str, int, str]]  # innermost first: (filename, line, function)
    operation: str | None  # from the stack (endpoint or single-operation dependency), else the caller's
    request: str | None
    at: float = 0.0  # perf_counter when taken
    app_frame: tuple[str, int, str] | None = None  # the innermost user frame, unless it is a pass-through
    sched: SchedReading | None = None  # the loop thread's scheduler counters when taken


class LoopBlockMonitor:
    """Watch an asyncio loop for blocks longer than `threshold_ms` and say where they happened.

    ``with monitor.watch(loop): ...`` or ``monitor.start(loop)`` / ``monitor.stop()`` (repeatable:
    events accumulate across loops). Before each request, ``monitor.set_current("GET /x", label)``.
    `app` (a FastAPI/Starlette app) lets blocks be attributed from the stack itself and sets the
    user-code folders; `user_roots` sets them explicitly.
    """

    def __init__(
        self,
        threshold_ms: float = DEFAULT_THRESHOLD_MS,
        *,
        app: Any = None,
        user_roots: list[str | Path] | None = None,
        interval_ms: float | None = None,
        sample_interval_ms: float = 2.0,
    ) -> None:
        if threshold_ms <= 0:
            raise ValueError("threshold_ms must be positive")
        self.threshold_ms = float(threshold_ms)
        self._interval_s = (interval_ms if interval_ms is not None else max(1.0, threshold_ms / 4)) / 1000
        self._sample_interval_s = sample_interval_ms / 1000
        self._code_operations: dict[Any, str] = _code_to_operation(app) if app is not None else {}
        roots = user_roots if user_roots is not None else (default_roots(r for _, r in endpoint_routes(app)) if app is not None else None)
        self._roots = [str(Path(r).resolve()) for r in roots] if roots is not None else None
        self._current: tuple[str | None, str | None] = (None, None)
        self._events: list[BlockEvent] = []
        self._dropped = 0
        self._starved: list[float] = []  # stall lengths forgiven because the loop thread waited for a CPU
        self._sched: SchedClock | None = None  # the loop thread's scheduler counters
        self._cpu_accounting = False  # the loop thread's counters could be read
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._loop_thread_id: int | None = None
        self._started_at: float | None = None
        self._watched_s = 0.0
        self._run_started: float | None = None

    # ------------------------------------------------------------------ attribution

    def set_current(self, operation: str | None, request_label: str | None = None) -> None:
        """Name the operation (and request) the loop is about to serve; None when it serves none."""
        self._current = (operation, request_label)

    @contextlib.contextmanager
    def request(self, operation: str, request_label: str | None = None) -> Iterator[None]:
        """``with monitor.request("GET /x", "case 3"): await client.get(...)``"""
        self.set_current(operation, request_label)
        try:
            yield
        finally:
            self.set_current(None, None)

    # ------------------------------------------------------------------ lifecycle

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Start watching `loop` (default: the running loop) from a daemon thread."""
        if self._thread is not None:
            raise RuntimeError("LoopBlockMonitor is already watching a loop; stop() it first")
        if loop is None:
            loop = asyncio.get_running_loop()
        with contextlib.suppress(RuntimeError):
            if asyncio.get_running_loop() is loop:
                self._loop_thread_id = threading.get_ident()
                self._use_sched(threading.get_native_id())
        now = time.perf_counter()
        if self._started_at is None:
            self._started_at = now
        self._run_started = now
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(loop,), name="apiparity-loop-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching; a block still in progress is not counted."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout=5)
        if self._sched is not None:
            self._sched.close()
            self._sched = None
        if self._run_started is not None:
            self._watched_s += time.perf_counter() - self._run_started
            self._run_started = None

    @contextlib.contextmanager
    def watch(self, loop: asyncio.AbstractEventLoop | None = None) -> Iterator[LoopBlockMonitor]:
        self.start(loop)
        try:
            yield self
        finally:
            self.stop()

    # ------------------------------------------------------------------ results

    @property
    def events(self) -> list[BlockEvent]:
        with self._lock:
            return list(self._events)

    def summary(self, *, attributed_only: bool = False) -> list[BlockingFinding]:
        """Blocks grouped per operation (user-code blocks and library-only blocks apart), longest first."""
        groups: dict[tuple[str, bool], list[BlockEvent]] = {}
        for event in self.events:
            key = (event.operation or NO_OPERATION, event.where is not None)
            groups.setdefault(key, []).append(event)
        findings = []
        for (operation, attributed), events in groups.items():
            if attributed_only and not attributed:
                continue
            durations = sorted(e.duration_ms for e in events)
            longest = max(events, key=lambda e: e.duration_ms)
            places = Counter(e.where for e in events if e.where)
            where = places.most_common(1)[0][0] if places else None
            function = next((e.function for e in events if e.where == where), None) if where else None
            findings.append(
                BlockingFinding(
                    operation=operation,
                    count=len(events),
                    max_ms=durations[-1],
                    p95_ms=_percentile(durations, 95),
                    total_ms=sum(durations),
                    where=where,
                    function=function,
                    stack=list(longest.stack),
                    example_request=longest.request,
                    locations=[f"{place} ({n}x)" for place, n in places.most_common()],
                    attributed=attributed,
                )
            )
        findings.sort(key=lambda f: (not f.attributed, -f.max_ms, f.operation))
        return findings

    def to_section(self) -> EventLoopSection:
        """What the monitor saw, as the report's `Report.event_loop` section."""
        findings = self.summary()
        watched = self._watched_s + (time.perf_counter() - self._run_started if self._run_started else 0.0)
        return EventLoopSection(
            source="runtime",
            threshold_ms=self.threshold_ms,
            monitored_seconds=round(watched, 3),
            blocks=[f.to_block() for f in findings if f.attributed],
            unattributed=[f.to_block() for f in findings if not f.attributed],
            starved=self.starved_stalls(),
            events_dropped=self._dropped,
        )

    def to_extras(self) -> dict[str, Any]:
        """`to_section` as plain JSON data (the JSON report's extras.event_loop)."""
        return self.to_section().to_dict()

    def starved_stalls(self) -> StarvedStalls:
        """Stalls over the threshold that were the machine's, not the app's: the loop thread spent
        enough of them waiting for a CPU that what remains is under the threshold."""
        with self._lock:
            stalls = list(self._starved)
        return StarvedStalls(count=len(stalls), max_ms=round(max(stalls, default=0.0), 1), cpu_accounting=self._cpu_accounting)

    # ------------------------------------------------------------------ the watchdog thread

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        threshold_s = self.threshold_ms / 1000
        while not self._stop.is_set():
            if loop.is_closed():
                return
            beat = _Beat(self._sched)
            posted_sched = self._sched.read() if self._sched is not None else None
            posted = time.perf_counter()
            try:
                loop.call_soon_threadsafe(beat.arrive)
            except RuntimeError:  # the loop was closed under us
                return
            if not beat.done.wait(threshold_s):
                self._follow_late_beat(loop, beat, posted, posted_sched)
            if beat.thread_id is not None:
                self._loop_thread_id = beat.thread_id
            if beat.native_id is not None and (self._sched is None or self._sched.native_id != beat.native_id):
                self._use_sched(beat.native_id)
            self._stop.wait(self._interval_s)

    def _use_sched(self, native_id: int) -> None:
        previous, self._sched = self._sched, SchedClock(native_id)
        self._cpu_accounting = self._sched.available
        if previous is not None:
            previous.close()

    def _follow_late_beat(self, loop: asyncio.AbstractEventLoop, beat: _Beat, posted: float,
                          posted_sched: SchedReading | None) -> None:
        sched = self._sched
        samples: list[_Sample] = []
        ended: float | None = None  # when the loop was seen free (or the watch stopped) before the beat ran
        while not beat.done.is_set():
            now = time.perf_counter()
            if self._stop.is_set() or loop.is_closed() or not loop.is_running():
                # A stopped loop is not a blocked one: whatever blocked it before it stopped ended
                # by now (the fuzz transport stops its loop after every request).
                ended = now
                break
            if self._loop_thread_id is not None:
                sample = self._sample(self._loop_thread_id)
                if sample is None or not sample.in_callback:
                    ended = now  # idle in the selector: the block is over
                    break
                sample.sched = sched.read() if sched is not None else None
                samples.append(sample)
            beat.done.wait(self._sample_interval_s)
        if ended is None:
            end = beat.arrived_at if beat.arrived_at is not None else time.perf_counter()
            end_sched = beat.arrived_sched or (sched.read() if sched is not None else None)
        elif samples:
            end = samples[-1].at  # last moment it was seen blocked: a lower bound, like the rest
            end_sched = samples[-1].sched
        else:
            return  # never seen blocked: the heartbeat was late because the loop was stopped
        if (end - posted) * 1000 < self.threshold_ms:
            return
        for segment in _segments(samples, posted, posted_sched, end, end_sched):
            kind = classify_stall(segment, self.threshold_ms)
            if kind == "block":
                self._record(segment.app_ms, segment, attributed=True)
            elif kind == "unattributed":
                self._record(segment.wall_ms - segment.starved_ms, segment, attributed=False)
            elif kind == "starved":
                with self._lock:
                    self._starved.append(segment.wall_ms)

    def _sample(self, thread_id: int) -> _Sample | None:
        frame = sys._current_frames().get(thread_id)
        if frame is None:
            return None
        user_frames: list[tuple[str, int, str]] = []
        stack_operation = None
        operation, label = self._current
        taken = time.perf_counter()
        in_callback = False
        app_frame: tuple[str, int, str] | None = None
        framework_inward = False  # a framework frame is inward of the current one
        callee = None
        try:
            while frame is not None:
                code = frame.f_code
                if code.co_name == "_run" and code.co_filename.endswith(("asyncio/events.py", "asyncio\\events.py")):
                    in_callback = True  # frames below belong to whoever runs the loop, not to the request
                    break
                if self._is_user(code.co_filename):
                    user_frames.append((code.co_filename, frame.f_lineno, code.co_name))
                    if len(user_frames) == 1 and not (framework_inward and _awaits(callee)):
                        app_frame = user_frames[0]
                elif not framework_inward and _is_framework(frame.f_globals.get("__name__")):
                    framework_inward = True
                if code in self._code_operations:
                    stack_operation = self._code_operations[code]
                callee, frame = frame, frame.f_back
        finally:
            del frame, callee
        return _Sample(in_callback, user_frames, stack_operation or operation, label, taken, app_frame)

    def _is_user(self, filename: str) -> bool:
        if self._roots is not None:
            return under_roots(filename, self._roots)
        return not in_library(filename)

    def _record(self, duration_ms: float, segment: _Segment, *, attributed: bool) -> None:
        where = function = None
        stack: list[str] = []
        samples = segment.samples
        innermost = Counter(s.app_frame for s in samples if s.app_frame is not None)
        if attributed and innermost:
            (filename, line, func), _ = innermost.most_common(1)[0]
            where, function = f"{filename}:{line}", func
            chosen = next(s for s in samples if s.app_frame == (filename, line, func))
            stack = [f"{f}:{ln} in {fn}" for f, ln, fn in reversed(chosen.user_frames)]
        first = samples[0] if samples else None
        event = BlockEvent(
            duration_ms=duration_ms,
            operation=first.operation if first else self._current[0],
            request=first.request if first else self._current[1],
            where=where,
            function=function,
            stack=stack,
            at=segment.start - (self._started_at or segment.start),
            stall_ms=segment.wall_ms,
            starved_ms=segment.starved_ms,
        )
        with self._lock:
            if len(self._events) < _MAX_EVENTS:
                self._events.append(event)
            else:
                self._dropped += 1


@dataclass(slots=True)
class _Segment:
    """One request's part of a stall."""

    start: float
    samples: list[_Sample]
    wall_ms: float = 0.0
    starved_ms: float = 0.0  # the loop thread was runnable and waiting for a CPU, or asleep on the GIL
    app_ms: float = 0.0  # in the app's own code (a sample with an app frame) and not starved


def classify_stall(segment: _Segment, threshold_ms: float) -> str | None:
    """"block" (the app's code held the loop), "unattributed" (the loop thread was busy, not in
    app code), "starved" (the machine kept the thread waiting for a CPU), or None (under the threshold)."""
    margin = STARVED_MARGIN * segment.starved_ms
    if segment.app_ms - margin >= threshold_ms:
        return "block"
    if segment.wall_ms - segment.starved_ms - margin >= threshold_ms:
        return "unattributed"
    if segment.wall_ms >= threshold_ms:
        return "starved"
    return None


def _segments(samples: list[_Sample], posted: float, posted_sched: SchedReading | None,
              arrived: float, arrived_sched: SchedReading | None) -> list[_Segment]:
    """Split one late heartbeat into the requests that kept the loop busy in turn, and account
    each request's time.

    In-process ASGI runs sequential requests in one task that need not yield between them, so one
    late heartbeat can span several requests; each gets the time between its first sample and the
    next request's first sample (the first from the heartbeat's posting, the last to its arrival).
    The time between two samples (a span) is the later sample's: app time when it shows an app
    frame, minus what the scheduler counters say the thread spent waiting for a CPU meanwhile, and
    minus its sleep when the sample found it asleep on a lock (the GIL).
    """
    # the time after the last sample, up to the heartbeat, is the last sample's
    spans: list[tuple[_Sample | None, float, SchedReading | None]] = [(s, s.at, s.sched) for s in samples]
    spans.append((samples[-1] if samples else None, arrived, arrived_sched))
    walls: list[float] = []
    cpu_credit: list[float | None] = []
    wait_credit: list[float] = []
    previous_at, previous_sched = posted, posted_sched
    for _, at, sched in spans:
        walls.append(max(0.0, (at - previous_at) * 1000))
        cpu_credit.append(on_cpu_ms(previous_sched, sched))
        wait_credit.append(waited_ms(previous_sched, sched))
        previous_at, previous_sched = at, sched if sched is not None else previous_sched
    cpu, waiting = _spread_late_credit(walls, cpu_credit, wait_credit)
    segments: list[_Segment] = []
    previous_at = posted
    for index, (sample, at, sched) in enumerate(spans):
        if sample is None:
            segments.append(_Segment(posted, []))
        elif not segments or (sample.operation, sample.request) != (segments[-1].samples[-1].operation, segments[-1].samples[-1].request):
            segments.append(_Segment(posted if not segments else previous_at, [sample]))
        elif sample is not segments[-1].samples[-1]:
            segments[-1].samples.append(sample)
        segment = segments[-1]
        starved = waiting[index]
        if cpu_credit[index] is not None and sched is not None and sched.on_lock:
            # asleep on a lock (the GIL, held by a thread the machine kept waiting): not the app's call
            starved += max(0.0, walls[index] - waiting[index] - cpu[index])
        segment.wall_ms += walls[index]
        segment.starved_ms += starved
        if sample is not None and sample.app_frame is not None:
            segment.app_ms += walls[index] - starved
        previous_at = at
    return segments


def _spread_late_credit(walls: list[float], cpu: list[float | None], waiting: list[float]) -> tuple[list[float], list[float]]:
    """The kernel adds a thread's CPU time and run-queue wait to its counters late (at the next
    tick or context switch): a wait that spanned three samples shows up whole in the third. Give
    each span what fits in it and hand the rest back to the spans before it, latest first."""
    used = [0.0] * len(walls)
    out_cpu = [0.0] * len(walls)
    out_wait = [0.0] * len(walls)
    for index in range(len(walls)):
        for credit, out in ((cpu[index] or 0.0, out_cpu), (waiting[index], out_wait)):
            back = index
            while credit > 0 and back >= 0:
                take = min(credit, walls[back] - used[back])
                if take > 0:
                    used[back] += take
                    out[back] += take
                    credit -= take
                back -= 1
    return out_cpu, out_wait


def _awaits(callee: Any) -> bool:
    """The frame `callee` runs because its caller awaits it (a coroutine or async generator)."""
    return callee is not None and bool(callee.f_code.co_flags & _AWAITED)


def _is_framework(module: Any) -> bool:
    return isinstance(module, str) and module.split(".", 1)[0] in FRAMEWORK_MODULES


async def serve_monitored(server: Any, monitor: LoopBlockMonitor) -> None:
    """Run a live server (a `uvicorn.Server`, or anything with ``async serve()``) with `monitor`
    watching the loop it serves on: ``asyncio.run(serve_monitored(server, monitor))`` in the
    thread that owns the server. Use uvicorn's pure-asyncio loop (``loop="asyncio"``): uvloop runs
    callbacks in C, where the watchdog cannot tell a blocked loop from an idle one."""
    with monitor.watch(asyncio.get_running_loop()):
        await server.serve()


def _code_to_operation(app: Any) -> dict[Any, str]:
    """Code object of each endpoint (and of each dependency used by one operation only) -> operation."""
    owners: dict[Any, set[str]] = {}

    def add(call: Any, operation: str) -> None:
        import functools
        import inspect

        while isinstance(call, functools.partial):
            call = call.func
        try:
            call = inspect.unwrap(call)
        except ValueError:
            return
        code = getattr(call, "__code__", None) or getattr(getattr(call, "__call__", None), "__code__", None)  # noqa: B004 - the method itself, not callability
        if code is not None:
            owners.setdefault(code, set()).add(operation)

    def walk(dependant: Any, operation: str) -> None:
        if dependant.call is not None:
            add(dependant.call, operation)
        for sub in dependant.dependencies:
            walk(sub, operation)

    for path, route in endpoint_routes(app):
        methods = sorted(getattr(route, "methods", None) or []) or ["WEBSOCKET"]
        for method in methods:
            operation = f"{method} {path}"
            dependant = getattr(route, "dependant", None)
            if dependant is not None:
                walk(dependant, operation)
            else:
                add(route.endpoint, operation)
    return {code: next(iter(ops)) for code, ops in owners.items() if len(ops) == 1}


def _percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]
