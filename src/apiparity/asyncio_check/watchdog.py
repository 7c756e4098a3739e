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

Each block is attributed to an operation: the one whose endpoint (or dependency used by only that
operation) is on the blocked stack when an app is given, else the one the caller named with
`set_current()` before sending the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.asyncio_check._code import default_roots, endpoint_routes, in_library, under_roots

__all__ = ["LoopBlockMonitor", "BlockEvent", "BlockingFinding", "DEFAULT_THRESHOLD_MS", "NO_OPERATION", "serve_monitored"]

DEFAULT_THRESHOLD_MS = 20.0
NO_OPERATION = "(no request)"
_MAX_EVENTS = 10_000  # beyond this only counts grow; a run that blocks this often has its answer


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "count": self.count,
            "max_ms": round(self.max_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "total_ms": round(self.total_ms, 1),
            "where": self.where,
            "function": self.function,
            "stack": list(self.stack),
            "example_request": self.example_request,
            "locations": list(self.locations),
            "attributed": self.attributed,
        }


class _Beat:
    __slots__ = ("done", "arrived_at", "thread_id")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.arrived_at: float | None = None
        self.thread_id: int | None = None

    def arrive(self) -> None:
        self.arrived_at = time.perf_counter()
        self.thread_id = threading.get_ident()
        self.done.set()


@dataclass(slots=True)
class _Sample:
    in_callback: bool
    user_frames: list[tuple[str, int, str]]  # innermost first: (filename, line, function)
    operation: str | None  # from the stack (endpoint or single-operation dependency), else the caller's
    request: str | None
    at: float = 0.0  # perf_counter when taken


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

    def to_extras(self) -> dict[str, Any]:
        """The `Report.extras["event_loop"]` section: plain JSON data (see the module docs)."""
        findings = self.summary()
        watched = self._watched_s + (time.perf_counter() - self._run_started if self._run_started else 0.0)
        return {
            "source": "runtime",
            "threshold_ms": self.threshold_ms,
            "monitored_seconds": round(watched, 3),
            "blocks": [f.to_dict() for f in findings if f.attributed],
            "unattributed": [f.to_dict() for f in findings if not f.attributed],
            "events_dropped": self._dropped,
        }

    # ------------------------------------------------------------------ the watchdog thread

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        threshold_s = self.threshold_ms / 1000
        while not self._stop.is_set():
            if loop.is_closed():
                return
            beat = _Beat()
            posted = time.perf_counter()
            try:
                loop.call_soon_threadsafe(beat.arrive)
            except RuntimeError:  # the loop was closed under us
                return
            if not beat.done.wait(threshold_s):
                self._follow_late_beat(loop, beat, posted)
            if beat.thread_id is not None:
                self._loop_thread_id = beat.thread_id
            self._stop.wait(self._interval_s)

    def _follow_late_beat(self, loop: asyncio.AbstractEventLoop, beat: _Beat, posted: float) -> None:
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
                samples.append(sample)
            beat.done.wait(self._sample_interval_s)
        if ended is None:
            end = beat.arrived_at if beat.arrived_at is not None else time.perf_counter()
        elif samples:
            end = samples[-1].at  # last moment it was seen blocked: a lower bound, like the rest
        else:
            return  # never seen blocked: the heartbeat was late because the loop was stopped
        if (end - posted) * 1000 < self.threshold_ms:
            return
        for start, stop, segment in _segments(samples, posted, end):
            duration_ms = (stop - start) * 1000
            if duration_ms >= self.threshold_ms:
                self._record(duration_ms, segment, at=start)

    def _sample(self, thread_id: int) -> _Sample | None:
        frame = sys._current_frames().get(thread_id)
        if frame is None:
            return None
        user_frames: list[tuple[str, int, str]] = []
        stack_operation = None
        operation, label = self._current
        taken = time.perf_counter()
        in_callback = False
        try:
            while frame is not None:
                code = frame.f_code
                if code.co_name == "_run" and code.co_filename.endswith(("asyncio/events.py", "asyncio\\events.py")):
                    in_callback = True  # frames below belong to whoever runs the loop, not to the request
                    break
                if self._is_user(code.co_filename):
                    user_frames.append((code.co_filename, frame.f_lineno, code.co_name))
                if code in self._code_operations:
                    stack_operation = self._code_operations[code]
                frame = frame.f_back
        finally:
            del frame
        return _Sample(in_callback, user_frames, stack_operation or operation, label, taken)

    def _is_user(self, filename: str) -> bool:
        if self._roots is not None:
            return under_roots(filename, self._roots)
        return not in_library(filename)

    def _record(self, duration_ms: float, samples: list[_Sample], *, at: float) -> None:
        where = function = None
        stack: list[str] = []
        innermost = Counter(s.user_frames[0] for s in samples if s.user_frames)
        if innermost:
            (filename, line, func), _ = innermost.most_common(1)[0]
            where, function = f"{filename}:{line}", func
            chosen = next(s for s in samples if s.user_frames and s.user_frames[0] == (filename, line, func))
            stack = [f"{f}:{ln} in {fn}" for f, ln, fn in reversed(chosen.user_frames)]
        first = samples[0] if samples else None
        event = BlockEvent(
            duration_ms=duration_ms,
            operation=first.operation if first else self._current[0],
            request=first.request if first else self._current[1],
            where=where,
            function=function,
            stack=stack,
            at=at - (self._started_at or at),
        )
        with self._lock:
            if len(self._events) < _MAX_EVENTS:
                self._events.append(event)
            else:
                self._dropped += 1


def _segments(samples: list[_Sample], posted: float, arrived: float) -> list[tuple[float, float, list[_Sample]]]:
    """Split one late heartbeat into the requests that kept the loop busy in turn.

    In-process ASGI runs sequential requests in one task that need not yield between them, so one
    late heartbeat can span several requests; each gets the time between its first sample and the
    next request's first sample (the first from the heartbeat's posting, the last to its arrival).
    """
    if not samples:
        return [(posted, arrived, [])]
    runs: list[list[_Sample]] = [[samples[0]]]
    for sample in samples[1:]:
        previous = runs[-1][-1]
        if (sample.operation, sample.request) == (previous.operation, previous.request):
            runs[-1].append(sample)
        else:
            runs.append([sample])
    segments = []
    for index, run in enumerate(runs):
        start = posted if index == 0 else run[0].at
        end = arrived if index == len(runs) - 1 else runs[index + 1][0].at
        segments.append((start, end, run))
    return segments


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
