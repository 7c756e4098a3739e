"""The shadow proxy for the cutover window: every client is answered by the primary (OLD), and
in the background safe requests are sent again to the candidate (NEW) and compared, Diffy style.

    client ──> proxy (uvicorn, ASGI) ──httpx──> primary ──> answer to the client, untouched
                  │ put_nowait (bounded; full = dropped and counted)
                  └──> worker threads ──HTTPTransport──> candidate (and --secondary, for noise)
                           └──> ComparisonSession (noise, comparison, grouping, stats) ──> JSON report

The primary path never waits for the candidate: mirroring happens after the primary's answer is
handed over, through a bounded queue, in worker threads with their own live transports
(`apiparity.fuzz.transports.HTTPTransport`, as fuzz uses); a candidate that hangs, refuses
connections or answers garbage is counted and reported, never propagated. The proxy is a case
source of the comparison session `fuzz` and `replay` use (`apiparity.fuzz.session`), so the
report is the same model as `fuzz`: `Report(command="shadow", fuzz=FuzzResult(...))`.

`apiparity.pipeline.run_shadow` is the run (options, document, listening socket, events, the
final report marked incomplete when a side died); this module is the proxy and its server.
"""

from __future__ import annotations

import gzip
import queue
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from apiparity.model_sections import ShadowSection, UndocumentedRequest
from urllib.parse import urlsplit

from apiparity.fuzz.compare import CompareOptions
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.session import ComparisonSession, LatencyRecent
from apiparity.fuzz.transports import HTTPTransport, stateless_cookie_jar
from apiparity.fuzz.wire import BodyReader, WireRequest, WireResponse
from apiparity.model import FuzzResult, OperationStats, Report, SideInfo
from apiparity.outbound import guard_httpx
from apiparity.traffic.operations import OperationIndex, _shape
from apiparity.traffic.records import DROPPED_HEADERS

# headers that describe one connection (the client's to the proxy, the proxy's to the primary), not the exchange
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"})
_NOT_FORWARDED = _HOP_BY_HOP | {"host"}  # httpx sets the primary's own Host


@dataclass(slots=True)
class ShadowSettings:
    primary_url: str
    candidate_url: str
    secondary_url: str | None = None  # a second OLD instance: fields that differ between the two are noise
    methods: frozenset[str] = frozenset({"GET", "HEAD"})  # what is mirrored to the candidate
    queue_size: int = 1000
    workers: int = 4  # candidate worker threads
    candidate_timeout: float = 5.0
    primary_timeout: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024  # of the primary's answer kept for comparison (it is streamed to the client whole)
    report_path: str | None = None
    record_path: str | None = None
    flush_interval: float = 2.0  # seconds between report rewrites while running
    document: dict[str, Any] | None = None  # OLD's OpenAPI document: groups by operation, undocumented traffic
    compare_headers: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unordered: tuple[str, ...] = ()
    equivalent_status: tuple[tuple[int, int], ...] = ()
    redact: bool = True
    old_info: SideInfo | None = None
    new_info: SideInfo | None = None


@dataclass(slots=True)
class ShadowCounters:
    requests: int = 0  # answered by the primary (or a 502 when the primary failed)
    primary_errors: int = 0
    mirrored: int = 0  # queued for the candidate
    not_mirrored: int = 0  # methods not mirrored (unsafe)
    dropped: int = 0  # queue full: the candidate side could not keep up
    compared: int = 0
    candidate_errors: int = 0
    candidate_timeouts: int = 0
    not_recorded: int = 0  # --record queue full
    not_compared: int = 0  # e.g. a compressed primary answer in an encoding the stdlib cannot decode
    by_reason: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class _Item:
    request: WireRequest
    primary: WireResponse


@dataclass(frozen=True, slots=True)
class ComparedRequest:
    """A mirrored request whose candidate answer came back, reported before it is grouped."""

    operation: str
    compared: int  # requests compared so far, this one included
    operation_compared: int  # of them, to this operation
    operations_seen: int  # operations compared at least once
    operations_total: int  # the document's operations (without a document: the ones seen)


class ShadowProxy:
    """The ASGI application (give it to uvicorn) plus its background comparison machinery."""

    def __init__(self, settings: ShadowSettings, *, on_compared: Callable[[ComparedRequest], None] | None = None,
                 on_group_opened: Callable[[str, tuple[str, ...]], None] | None = None) -> None:
        """`on_compared` / `on_group_opened` (operation, root signatures): called from the worker
        threads, one call at a time, for each compared request and each new mismatch cause."""
        import httpx

        self.settings = settings
        self._on_compared = on_compared
        self.counters = ShadowCounters()
        self._queue: queue.Queue[_Item | None] = queue.Queue(maxsize=settings.queue_size)
        self._lock = threading.Lock()  # guards the session and the counters written by workers
        self._index = None
        if settings.document:
            from apiparity.fuzz.generate import document_base_path

            self._index = OperationIndex(settings.document, document_base_path(settings.document))
        # a URL with a path (http://old/legacy) puts that prefix before every client path
        # (the candidate's and the secondary's transports do the same with their URL's path)
        self._primary_prefix = urlsplit(settings.primary_url).path.rstrip("/").encode("latin-1")
        grouper = Grouper(old_side=SideView(settings.primary_url.rstrip("/")), new_side=SideView(settings.candidate_url.rstrip("/")),
                          redact=settings.redact, document=settings.document or None, on_open=on_group_opened)
        # the secondary is OLD again (its differences from the primary are noise); a long shadow
        # run keeps each operation's recent latencies
        self._session = ComparisonSession(options=CompareOptions.from_settings(settings), grouper=grouper, latency=LatencyRecent(1000))
        self._undocumented: Counter[tuple[str, str, str]] = Counter()
        self._compared_by_operation: Counter[str] = Counter()
        self._errors: list[str] = []
        self._primary: httpx.AsyncClient | None = None
        # mirrored requests go out in worker threads through their own pool: a slow candidate
        # holds those connections, never the primary's. The transports keep no cookies (a
        # Set-Cookie answered to one client must never ride along on another client's request)
        # and add no header of their own (a proxy is transparent)
        self._candidate = HTTPTransport(settings.candidate_url, timeout=settings.candidate_timeout, workers=settings.workers,
                                        max_body_bytes=settings.max_body_bytes, default_headers=False)
        self._secondary = (HTTPTransport(settings.secondary_url, timeout=settings.candidate_timeout, workers=settings.workers,
                                         max_body_bytes=settings.max_body_bytes, default_headers=False)
                           if settings.secondary_url else None)
        self._recorder: Any = None
        if settings.record_path:
            from apiparity.traffic.jsonl import JsonlRecorder

            self._recorder = JsonlRecorder(settings.record_path, redact=settings.redact)
        self._records: queue.Queue[WireRequest | None] = queue.Queue(maxsize=settings.queue_size)
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._changed = threading.Event()
        self._write_lock = threading.Lock()  # the final report is written once, never overwritten by a late flush
        self._final_written = False
        self._started = False
        self._stopped = False

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start the worker and report threads (idempotent; the lifespan startup calls it)."""
        if self._started:
            return
        self._started = True
        for number in range(self.settings.workers):
            thread = threading.Thread(target=self._work, name=f"apiparity-shadow-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self._recorder is not None:
            # one thread writes the recording, so the file keeps the order requests arrived in
            recorder = threading.Thread(target=self._record_loop, name="apiparity-shadow-record", daemon=True)
            recorder.start()
            self._threads.append(recorder)
        if self.settings.report_path:
            flusher = threading.Thread(target=self._flush_loop, name="apiparity-shadow-report", daemon=True)
            flusher.start()
            self._threads.append(flusher)

    def stop(self, *, drain_seconds: float = 2.0) -> Report:
        """Let the workers finish what is queued within `drain_seconds`, release everything and
        return the final report (`write_final` writes it). Requests still queued or in flight then
        are given up (the threads are daemons) and show as `unfinished` in the report: shutting down
        never waits on a hung candidate."""
        if self._stopped:
            return self.report(final=True)
        self._stopped = True
        deadline = time.monotonic() + drain_seconds
        for pending in (self._queue, self._records):
            for _ in range(self.settings.workers if pending is self._queue else 1):
                while time.monotonic() < deadline:
                    try:
                        pending.put(None, timeout=0.05)  # after everything queued before it
                        break
                    except queue.Full:
                        continue
        self._stopping.set()
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        report = self.report(final=True)
        self._candidate.close()
        if self._secondary is not None:
            self._secondary.close()
        if self._recorder is not None:
            self._recorder.close()
        return report

    # ------------------------------------------------------------------ ASGI

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._proxy(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._primary is not None:
                    await self._primary.aclose()
                import asyncio

                await asyncio.get_running_loop().run_in_executor(None, self.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _proxy(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        import httpx

        if self._primary is None:
            self._primary = httpx.AsyncClient(base_url=self.settings.primary_url, timeout=self.settings.primary_timeout,
                                              follow_redirects=False, cookies=stateless_cookie_jar(),
                                              limits=httpx.Limits(max_connections=200, max_keepalive_connections=100))
            _no_default_headers(self._primary)
            guard_httpx(self._primary, who="shadow primary")
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        method = scope["method"]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        headers = []
        for name, value in scope["headers"]:
            text = name.decode("latin-1")
            if text.lower() not in _NOT_FORWARDED:
                headers.append((text, value.decode("latin-1")))
        if not raw_path.startswith(b"/") or raw_path.startswith(b"//"):
            # absolute-form (`GET http://host/x`), authority-form or `@host` targets: a proxy for one
            # primary takes origin-form paths only, and never lets a client pick where it connects
            self.counters.requests += 1
            self.counters.by_reason["target not origin-form"] += 1
            await _answer(send, 400, b'{"detail": "bad request: the request target must be a path (origin-form)"}')
            return
        started = time.perf_counter()
        import asyncio

        try:
            url = httpx.URL(self.settings.primary_url).copy_with(raw_path=self._primary_prefix + raw_path + (b"?" + query if query else b""))
            request = self._primary.build_request(method, url, headers=headers, content=body or None)
            # --primary-timeout bounds the whole wait for the answer's head, not each read
            response = await asyncio.wait_for(self._primary.send(request, stream=True), self.settings.primary_timeout)
        except (httpx.HTTPError, httpx.InvalidURL, asyncio.TimeoutError) as exc:
            self.counters.requests += 1
            self.counters.primary_errors += 1
            reason = "timeout" if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__
            await _answer(send, 502, f'{{"detail": "bad gateway: primary: {reason}"}}'.encode())
            return
        # the answer is streamed to the client as it comes; only its first max_body_bytes are kept to compare
        kept = BodyReader(self.settings.max_body_bytes)
        out_headers = [(k, v) for k, v in response.headers.raw if k.decode("latin-1").lower() not in _HOP_BY_HOP]
        try:
            await send({"type": "http.response.start", "status": response.status_code, "headers": out_headers})
            async for chunk in response.aiter_raw():
                if not kept.truncated:
                    kept.add(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        except (httpx.HTTPError, OSError) as exc:  # the primary broke off mid-answer: the client sees it end
            self.counters.requests += 1
            self.counters.primary_errors += 1
            self.counters.by_reason[f"primary broke off: {type(exc).__name__}"] += 1
            return
        finally:
            await response.aclose()
        elapsed_ms = (time.perf_counter() - started) * 1000
        content = kept.body
        # the client has its answer; everything below is bookkeeping off the primary path
        self.counters.requests += 1
        mirror = method in self.settings.methods
        if not mirror:
            self.counters.not_mirrored += 1
            if self._recorder is None:
                return
        wire = WireRequest(method=method, path=raw_path.decode("latin-1"), query=query.decode("latin-1"),
                           headers=headers, body=body or None, absolute=True)
        if self._recorder is not None:
            try:
                self._records.put_nowait(wire)
            except queue.Full:
                self.counters.not_recorded += 1
        if not mirror:
            return
        primary = WireResponse(status=response.status_code, headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw],
                               body=content, elapsed_ms=elapsed_ms, truncated=kept.truncated)
        try:
            self._queue.put_nowait(_Item(wire, primary))
            self.counters.mirrored += 1
        except queue.Full:
            self.counters.dropped += 1

    # ------------------------------------------------------------------ background

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self._compare(item.request, item.primary)
            except Exception as exc:  # noqa: BLE001 - a comparison bug must not kill the worker
                with self._lock:
                    self._record_error(f"shadow worker: {type(exc).__name__}: {exc}"[:300])

    def _record_loop(self) -> None:
        while True:
            request = self._records.get()
            if request is None:
                return
            try:
                self._recorder.write(request.method, request.path, request.query, request.headers, request.body)
            except (OSError, ValueError) as exc:
                with self._lock:
                    self._record_error(f"recording to {self.settings.record_path}: {exc}"[:300])

    def _compare(self, request: WireRequest, primary_answer: WireResponse) -> None:
        primary = _decoded(primary_answer)
        if primary is None:
            with self._lock:
                self.counters.not_compared += 1
            return
        label, undocumented = self._label(request)
        request.operation = label
        candidate = self._send(self._candidate, request)
        secondary = self._send(self._secondary, request) if self._secondary is not None else None
        with self._lock:
            self.counters.compared += 1
            if candidate.error:
                if candidate.timed_out:
                    self.counters.candidate_timeouts += 1
                else:
                    self.counters.candidate_errors += 1
                self.counters.by_reason["timeout" if candidate.timed_out else "transport"] += 1
            if undocumented:
                path = label.split(" ", 1)[1].removesuffix(" (undocumented)")
                self._undocumented[(request.method, path, undocumented)] += 1
            self._compared_by_operation[label] += 1
            if self._on_compared is not None:
                seen = len(self._compared_by_operation)
                self._on_compared(ComparedRequest(label, self.counters.compared, self._compared_by_operation[label], seen,
                                                  len(self._index.labels) if self._index else seen))
            self._session.observe(request, primary, secondary, candidate)
            self._changed.set()

    @staticmethod
    def _send(transport: HTTPTransport, request: WireRequest) -> WireResponse:
        """`request` as the client sent it (its path under the transport's URL prefix), without the
        headers of the client's own connection."""
        headers = [(k, v) for k, v in request.headers if k.lower() not in DROPPED_HEADERS]
        return transport.send(replace(request, path=_ascii(request.path), query=_ascii(request.query), headers=headers, absolute=False))

    def _label(self, request: WireRequest) -> tuple[str, str | None]:
        if self._index is None:
            return f"{request.method} {_shape(request.path)}", None
        match = self._index.match(request.method, request.path, request.query)
        return match.operation, match.undocumented

    def _record_error(self, message: str) -> None:
        if message not in self._errors and len(self._errors) < 50:
            self._errors.append(message)

    def _flush_loop(self) -> None:
        while not self._stopping.wait(self.settings.flush_interval):
            if self._changed.is_set():
                self._changed.clear()
                self._write(self.report(final=False))

    # ------------------------------------------------------------------ report

    def report(self, *, final: bool) -> Report:
        """The report so far (`final=False` marks it incomplete: the proxy is still running)."""
        import datetime as dt

        from apiparity import __version__

        with self._lock:
            counters = self.counters
            errors = list(self._errors)
            if counters.dropped:
                errors.append(f"{counters.dropped} request(s) not compared: the candidate queue ({self.settings.queue_size}) was full")
            if counters.candidate_timeouts or counters.candidate_errors:
                errors.append(f"candidate failed {counters.candidate_errors + counters.candidate_timeouts} time(s): "
                              f"{counters.candidate_timeouts} timeout(s), {counters.candidate_errors} error(s) (never shown to clients)")
            undocumented = [UndocumentedRequest(method=m, path=p, reason=r, count=c)
                            for (m, p, r), c in sorted(self._undocumented.items(), key=lambda kv: (-kv[1], kv[0]))]
            errors += [f"undocumented traffic: {u.method} {u.path} ({u.count} request(s)): {u.reason}" for u in undocumented]
            result = FuzzResult(
                seed=None,
                cases=counters.compared,
                operations_total=len(self._index.labels) if self._index else len(self._session.operations),
                groups=self._session.groups(),
                noise=self._session.noise_report(),
                operations=[self._copy_stats(s) for _, s in sorted(self._session.operations.items())],
                settings=self._settings_dict(),
                errors=errors,
            )
            shadow = ShadowSection(
                requests=counters.requests, primary_errors=counters.primary_errors, mirrored=counters.mirrored,
                not_mirrored=counters.not_mirrored, dropped=counters.dropped, compared=counters.compared,
                candidate_errors=counters.candidate_errors, candidate_timeouts=counters.candidate_timeouts,
                not_compared=counters.not_compared, not_recorded=counters.not_recorded, candidate_failures_by_reason=dict(counters.by_reason),
                # mirrored but not compared yet (waiting or in flight; given up when the proxy stopped)
                unfinished=counters.mirrored - counters.compared - counters.not_compared,
            )
        return Report(
            command="shadow",
            old=self.settings.old_info or SideInfo(ref=self.settings.primary_url, framework="unknown", interface="http"),
            new=self.settings.new_info or SideInfo(ref=self.settings.candidate_url, framework="unknown", interface="http"),
            fuzz=result,
            shadow=shadow,
            undocumented_traffic=undocumented,
            complete=final,
            tool_version=__version__,
            generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        )

    @staticmethod
    def _copy_stats(stats: OperationStats) -> OperationStats:
        import copy

        return copy.deepcopy(stats)

    def _settings_dict(self) -> dict[str, Any]:
        s = self.settings
        return {
            "source": "shadow proxy", "primary": s.primary_url, "candidate": s.candidate_url, "secondary": s.secondary_url,
            "methods": sorted(s.methods), "queue_size": s.queue_size, "workers": s.workers,
            "candidate_timeout": s.candidate_timeout, "compare_headers": list(s.compare_headers), "ignore": list(s.ignore),
            "unordered": list(s.unordered), "equivalent_status": [f"{a}={b}" for a, b in s.equivalent_status], "redact": s.redact,
        }

    def write_final(self, report: Report) -> None:
        """Write the final report (after `stop`); the running rewrites end here."""
        self._write(report, final=True)

    def _write(self, report: Report, *, final: bool = False) -> None:
        if not self.settings.report_path:
            return
        from apiparity.report import render, write_atomic

        with self._write_lock:
            if self._final_written:
                return
            self._final_written = final
            write_atomic(self.settings.report_path, render(report, "json"))


def _no_default_headers(client: Any) -> None:
    """A proxy is transparent: no python-httpx User-Agent or Accept the client did not send."""
    for name in list(client.headers.keys()):
        del client.headers[name]


def _ascii(text: str) -> str:
    """A client's raw target bytes past ASCII (read as latin-1) percent-encoded: the same path to a server."""
    return "".join(c if ord(c) < 128 else f"%{ord(c):02X}" for c in text)


def _decoded(response: WireResponse) -> WireResponse | None:
    """The primary's answer as the candidate's is compared (httpx decodes the candidate's body):
    gzip/deflate undone here; None for an encoding the standard library cannot undo."""
    encoding = (response.header("content-encoding") or "").strip().lower()
    if encoding in ("", "identity"):
        return response
    try:
        if encoding in ("gzip", "x-gzip"):
            body = gzip.decompress(response.body)
        elif encoding == "deflate":
            try:
                body = zlib.decompress(response.body)
            except zlib.error:
                body = zlib.decompress(response.body, -zlib.MAX_WBITS)
        else:
            return None
    except (OSError, zlib.error, EOFError):
        return None
    headers = [(k, v) for k, v in response.headers if k.lower() not in ("content-encoding", "content-length")]
    return WireResponse(status=response.status, headers=headers, body=body, elapsed_ms=response.elapsed_ms)


def bind(host: str, port: int) -> Any:
    """The listening socket, bound here so that a port in use is a one-line error (exit 2), not uvicorn's exit."""
    import socket

    from apiparity.errors import ApiparityError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ApiparityError(f"--listen {host}:{port}: cannot listen: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def serve(proxy: ShadowProxy, sock: Any, *, log_level: str = "warning", stop: threading.Event | None = None) -> None:
    """Run the proxy under uvicorn on `sock` until SIGINT/SIGTERM (on the main thread) or `stop` is
    set; the proxy is stopped (drained) on the way out, and `sock` closed."""
    import uvicorn

    config = uvicorn.Config(proxy, log_level=log_level, lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM and then re-raises the signal to the handler
    # that was installed before it; for a proxy that signal is the normal way to stop, so that
    # handler only notes it (no KeyboardInterrupt, no death by SIGTERM before the summary)
    import signal

    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            previous[number] = signal.signal(number, lambda *_: None)
    finished = threading.Event()

    def watch() -> None:
        while stop is not None and not finished.is_set():
            if stop.wait(0.05):
                server.should_exit = True
                return

    watcher = threading.Thread(target=watch, name="apiparity-shadow-stop", daemon=True)
    watcher.start()
    try:
        server.run(sockets=[sock])
    finally:
        finished.set()
        for number, handler in previous.items():
            signal.signal(number, handler)
        proxy.stop()
        sock.close()


async def _answer(send: Any, status: int, body: bytes) -> None:
    """A JSON answer of the proxy itself (400 for a bad target, 502 when the primary failed)."""
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
