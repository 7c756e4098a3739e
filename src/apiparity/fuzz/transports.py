"""How a request reaches one side: in-process WSGI, in-process ASGI, or live HTTP.

All transports share one method, `send(request) -> WireResponse`, so the runner never knows which
kind it talks to. A transport never raises for the app's fault: a handler that raises, hangs or
closes the connection becomes a WireResponse with `error` set.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
import time
import traceback
from typing import Any
from urllib.parse import urlsplit

from apiparity.fuzz.wire import DEFAULT_MAX_BODY_BYTES, BodyReader, WireRequest, WireResponse

IN_PROCESS_HOST = "localhost"  # one Host for both sides (Flask's and Starlette's test clients differ)


def quiet_client_logs() -> None:
    """Keep httpx's per-request INFO lines out of the run's output. An app that calls
    `logging.basicConfig(level=logging.INFO)` at import would otherwise print a line for every
    request apiparity sends; a level the app or the user set on these loggers is kept."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


# loggers an in-process framework or server writes a handler's exception to (Flask's own is the
# app's `app.logger`, added per app); quieted while a transport is open, restored by its close()
FRAMEWORK_LOGGERS = ("werkzeug", "flask.app", "uvicorn", "uvicorn.error", "uvicorn.access", "starlette", "fastapi")
MAX_APP_EXCEPTION_CHARS = 4000


def clip_traceback(text: str, limit: int = MAX_APP_EXCEPTION_CHARS) -> str:
    """A traceback cut to `limit` characters keeping its end (the exception and the frames nearest it)."""
    text = text.rstrip()
    return text if len(text) <= limit else f"... ({len(text) - limit} characters cut)\n" + text[-limit:]


class AppLogCapture(logging.Handler):
    """Takes the place of the handlers of an in-process app's loggers (Flask's `app.logger`, Werkzeug,
    Starlette, uvicorn) while a transport is open: what the app logs never reaches the console (a
    Flask handler that raises would print its traceback to stderr for every case), and the
    traceback of an exception it logs is kept for the request being answered, by thread (each
    in-process call runs in one thread: `take(thread_id)`). One handler for the process
    (`APP_LOGS`): `quiet(names)` / `give_back(names)` count the transports holding each logger, and
    the last `give_back` gives it back its handlers and propagation."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(message)s"))
        self._state = threading.Lock()
        self._by_thread: dict[int, str] = {}
        self._held: dict[str, tuple[list[logging.Handler], bool, int]] = {}  # name -> (handlers, propagate, holders)

    def quiet(self, names: tuple[str, ...]) -> None:
        with self._state:
            for name in dict.fromkeys(names):
                held = self._held.get(name)
                if held is not None:
                    self._held[name] = (held[0], held[1], held[2] + 1)
                    continue
                logger = logging.getLogger(name)
                self._held[name] = (list(logger.handlers), logger.propagate, 1)
                logger.handlers, logger.propagate = [self], False

    def give_back(self, names: tuple[str, ...]) -> None:
        with self._state:
            for name in dict.fromkeys(names):
                held = self._held.get(name)
                if held is None:
                    continue
                handlers, propagate, holders = held
                if holders > 1:
                    self._held[name] = (handlers, propagate, holders - 1)
                    continue
                del self._held[name]
                logger = logging.getLogger(name)
                if logger.handlers == [self]:  # unless the app or the user replaced them meanwhile
                    logger.handlers, logger.propagate = handlers, propagate

    def emit(self, record: logging.LogRecord) -> None:
        if not record.exc_info:
            return
        text = clip_traceback(self.format(record))
        with self._state:
            self._by_thread.setdefault(record.thread or 0, text)  # the first exception of the call

    def take(self, thread_id: int | None) -> str | None:
        """The traceback logged in thread `thread_id` since the last take, None when there was none."""
        with self._state:
            return self._by_thread.pop(thread_id or 0, None)


APP_LOGS = AppLogCapture()


def _app_logger_names(app: Any) -> tuple[str, ...]:
    """FRAMEWORK_LOGGERS and the app's own logger (Flask's `app.logger`), when it has one."""
    own = getattr(app, "logger", None)
    return (*FRAMEWORK_LOGGERS, *([own.name] if isinstance(own, logging.Logger) else []))


class Transport:
    """Sends one request to one side."""

    name = "base"

    def send(self, request: WireRequest) -> WireResponse:  # pragma: no cover - interface
        raise NotImplementedError

    def base_url(self) -> str:
        """The URL a curl reproducer should target."""
        return f"http://{IN_PROCESS_HOST}"

    def close(self) -> None:
        """Release sockets, loops and threads."""


def _join(base_path: str, request: WireRequest) -> str:
    if request.absolute:
        return request.path
    return (base_path.rstrip("/") + request.path) if base_path not in ("", "/") else request.path


def stateless_cookie_jar() -> Any:
    """A cookie jar that keeps nothing: every case carries exactly the cookies it was generated
    with, never one that an earlier answer set (each call must be independent of the ones before)."""
    from http.cookiejar import CookieJar, DefaultCookiePolicy

    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class WSGITransport(Transport):
    """Calls a WSGI app in-process through werkzeug's test client, in a worker thread so that a
    handler that hangs turns into a timeout instead of a hung run."""

    name = "wsgi"

    def __init__(self, app: Any, *, base_path: str = "", timeout: float = 10.0, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        from werkzeug.test import Client

        # no cookie jar: its cookies would replace the Cookie header a case carries, and a cookie
        # one answer set would leak into every later case
        self._client = Client(app, use_cookies=False)
        self._base_path = base_path
        self._timeout = timeout
        self._max_body_bytes = max_body_bytes
        self._loggers = _app_logger_names(app)
        APP_LOGS.quiet(self._loggers)

    def close(self) -> None:
        APP_LOGS.give_back(self._loggers)

    def send(self, request: WireRequest) -> WireResponse:
        outcome: dict[str, Any] = {}

        def call() -> None:
            try:
                outcome["response"] = self._client.open(
                    _join(self._base_path, request),
                    method=request.method,
                    query_string=request.query,
                    headers=[(k, v) for k, v in request.headers if k.lower() != "host"] + [("Host", IN_PROCESS_HOST)],
                    data=request.body or b"",
                    follow_redirects=False,
                    buffered=False,  # read the app's iterator ourselves, up to the cap
                )
                reader = BodyReader(self._max_body_bytes)
                try:
                    for chunk in outcome["response"].iter_encoded():
                        if not reader.add(chunk):
                            break
                finally:
                    outcome["response"].close()
                outcome["body"], outcome["truncated"] = reader.body, reader.truncated
            except BaseException as exc:  # noqa: BLE001 - the app's fault becomes a finding
                outcome["error"] = exc
                outcome["traceback"] = clip_traceback("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))

        started = time.perf_counter()
        worker = threading.Thread(target=call, daemon=True, name="apiparity-wsgi")
        worker.start()
        worker.join(self._timeout)
        elapsed = (time.perf_counter() - started) * 1000
        if worker.is_alive():
            return WireResponse(status=0, error=f"timeout: no answer within {self._timeout:g} s", elapsed_ms=elapsed, timed_out=True)
        logged = APP_LOGS.take(worker.ident)
        if "error" in outcome:
            exc = outcome["error"]
            return WireResponse(status=0, error=f"app raised {type(exc).__name__}: {exc}"[:300], elapsed_ms=elapsed,
                                app_exception=outcome.get("traceback") or logged)
        response = outcome["response"]
        return WireResponse(
            status=response.status_code,
            headers=list(response.headers.items()),
            body=outcome["body"],
            elapsed_ms=elapsed,
            truncated=outcome["truncated"],
            app_exception=logged,
        )


class ASGITransport(Transport):
    """Calls an ASGI app in-process through httpx.ASGITransport, on an event loop that runs in a
    daemon thread this transport owns (the single place where NEW's loop runs).

    `timeout` is a deadline for the whole exchange, whatever the app does: the caller waits for the
    answer at most that long. A handler that blocks the loop for good (``time.sleep(1e6)`` in an
    ``async def``) cannot stop the run: its loop and thread are abandoned (a daemon thread never
    keeps the process alive) and the next request gets a fresh loop. A handler that raises
    SystemExit or KeyboardInterrupt (or calls ``sys.exit()``) is a finding on that side, never the
    end of the run nor the user's Ctrl-C.
    """

    name = "asgi"

    def __init__(self, app: Any, *, base_path: str = "", timeout: float = 10.0, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self._app = _guarded_app(_capped_app(app, max_body_bytes))
        self._base_path = base_path
        self._timeout = timeout
        self._max_body_bytes = max_body_bytes
        self.abandoned_loops = 0
        quiet_client_logs()
        self._loggers = _app_logger_names(app)
        APP_LOGS.quiet(self._loggers)
        self._start_loop()

    def _start_loop(self) -> None:
        import httpx

        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_run_loop, args=(loop,), name="apiparity-asgi-loop", daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread
        # raise_app_exceptions=False: an exception becomes the 500 a server would answer (and an
        # answer cut at the read cap keeps the part already sent: see _capped_app).
        transport = httpx.ASGITransport(app=self._app, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url=f"http://{IN_PROCESS_HOST}", cookies=stateless_cookie_jar())

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def send(self, request: WireRequest) -> WireResponse:
        import concurrent.futures

        started = time.perf_counter()
        exit_slot: dict[str, BaseException] = {}
        future = asyncio.run_coroutine_threadsafe(self._send(request, exit_slot), self._loop)
        try:
            response = future.result(self._timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            if not self._responsive(min(1.0, self._timeout)):
                self._abandon_loop()  # stuck in a blocking call: leave it to its daemon thread
            return WireResponse(status=0, error=f"timeout: no answer within {self._timeout:g} s",
                                elapsed_ms=(time.perf_counter() - started) * 1000, timed_out=True)
        except Exception as exc:  # noqa: BLE001 - the app's fault becomes a finding
            return WireResponse(status=0, error=f"app raised {type(exc).__name__}: {exc}"[:300],
                                elapsed_ms=(time.perf_counter() - started) * 1000)
        elapsed = (time.perf_counter() - started) * 1000
        raised = exit_slot.get("raised")
        logged = APP_LOGS.take(self._thread.ident)
        app_exception = clip_traceback("".join(traceback.format_exception(type(raised), raised, raised.__traceback__))) \
            if raised is not None else logged
        if "exit" in exit_slot:
            exited = exit_slot["exit"]
            return WireResponse(status=0, error=f"app raised {type(exited).__name__}: {exited}"[:300], elapsed_ms=elapsed,
                                app_exception=app_exception)
        status, headers, body, truncated = response
        return WireResponse(status=status, headers=headers, body=body, elapsed_ms=elapsed, truncated=truncated,
                            app_exception=app_exception)

    async def _send(self, request: WireRequest, exit_slot: dict[str, BaseException]) -> tuple[int, list[tuple[str, str]], bytes, bool]:
        import httpx

        _EXIT_SLOT.set(exit_slot)  # the guard reports a SystemExit/KeyboardInterrupt of this request here
        url = httpx.URL(_join(self._base_path, request), query=request.query.encode("ascii", "replace"))
        headers = [(k, v) for k, v in request.headers if k.lower() != "host"]
        reader = BodyReader(self._max_body_bytes)
        async with self._client.stream(request.method, url, headers=headers, content=request.body) as response:
            async for chunk in response.aiter_bytes():
                if not reader.add(chunk):
                    break
        return response.status_code, list(response.headers.multi_items()), reader.body, reader.truncated

    def _responsive(self, seconds: float) -> bool:
        """The loop runs a callback within `seconds` (it is not stuck in a blocking call)."""
        ran = threading.Event()
        try:
            self._loop.call_soon_threadsafe(ran.set)
        except RuntimeError:
            return False
        return ran.wait(seconds)

    def _abandon_loop(self) -> None:
        self.abandoned_loops += 1
        self._start_loop()

    def close(self) -> None:
        APP_LOGS.give_back(self._loggers)
        if not self._responsive(min(1.0, self._timeout)):
            return  # stuck: its daemon thread ends with the process
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result(min(5.0, self._timeout))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5.0)
        if not self._thread.is_alive():
            self._loop.close()


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    with contextlib.suppress(BaseException):  # nothing the app does may print a traceback from here
        loop.run_forever()


_EXIT_SLOT: contextvars.ContextVar[dict[str, BaseException] | None] = contextvars.ContextVar("apiparity_exit_slot", default=None)


class _AppExited(Exception):
    """A SystemExit or KeyboardInterrupt raised by the app, carried as an ordinary exception so that
    the loop, the task and the framework's error handling go on; the transport reports it."""


def _guarded_app(app: Any) -> Any:
    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except (SystemExit, KeyboardInterrupt) as exc:
            slot = _EXIT_SLOT.get()
            if slot is not None:
                slot["exit"] = exc
            raise _AppExited(f"{type(exc).__name__}: {exc}") from None
        except _BodyCapReached:
            raise
        except Exception as exc:
            # the app's own exception (Starlette answered 500 and raises it on): kept for the example
            slot = _EXIT_SLOT.get()
            if slot is not None and "raised" not in slot:
                slot["raised"] = exc
            raise

    return guarded


class _BodyCapReached(Exception):
    """Raised into an in-process ASGI app once its answer passed the read cap: stops a body that
    would never end (httpx's ASGI transport otherwise collects every chunk until the app returns)."""


def _capped_app(app: Any, limit: int) -> Any:
    async def capped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        passed = 0

        async def capped_send(message: dict[str, Any]) -> None:
            nonlocal passed
            if passed > limit:
                raise _BodyCapReached()
            if message.get("type") == "http.response.body":
                body = message.get("body", b"")
                if passed + len(body) > limit:
                    # one byte past the cap tells the reader there was more
                    body = body[: limit + 1 - passed]
                    passed = limit + 1
                    await send({"type": "http.response.body", "body": body, "more_body": True})
                    raise _BodyCapReached()
                passed += len(body)
            await send(message)

        await app(scope, receive, capped_send)

    return capped


class HTTPTransport(Transport):
    """Sends requests to a live server with httpx (a connection pool shared by the workers)."""

    name = "http"

    def __init__(self, base_url: str, *, base_path: str = "", timeout: float = 10.0, workers: int = 1,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, default_headers: bool = True, shown_url: str | None = None) -> None:
        """`default_headers=False`: only the request's own headers are sent (no User-Agent, Accept or
        Accept-Encoding of httpx's): a proxy that mirrors client requests is transparent.
        `shown_url`: what a reproducer targets instead of `base_url` (a server that listens only
        during the run: apiparity.fuzz.curl.placeholder_url)."""
        import httpx

        self._shown_url = shown_url
        self._max_body_bytes = max_body_bytes
        quiet_client_logs()
        self._base_url = base_url.rstrip("/")
        # a URL that names its own prefix wins over the document's servers[0] path
        self.base_path = urlsplit(self._base_url).path or base_path
        from apiparity.fuzz.deadline import DeadlineTransport

        limits = httpx.Limits(max_connections=max(workers, 1) * 2, max_keepalive_connections=max(workers, 1) * 2)
        # `timeout` bounds the whole exchange (apiparity.fuzz.deadline), not each read: a server that
        # drip-feeds its headers or body cannot hold a request past it
        self._client = httpx.Client(timeout=timeout, transport=DeadlineTransport(limits=limits), follow_redirects=False,
                                    cookies=stateless_cookie_jar())
        if not default_headers:
            for name in list(self._client.headers.keys()):
                del self._client.headers[name]
        from apiparity.outbound import guard_httpx

        guard_httpx(self._client, who=f"live transport to {self._base_url}")  # only where the user pointed
        self._timeout = timeout

    def base_url(self) -> str:
        return self._shown_url or self.origin()

    def origin(self) -> str:
        """Where requests really go: scheme://host:port."""
        parts = urlsplit(self._base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def send(self, request: WireRequest) -> WireResponse:
        import httpx

        url = httpx.URL(self._base_url).copy_with(
            raw_path=(_join(self.base_path, request) + (f"?{request.query}" if request.query else "")).encode("ascii", "replace")
        )
        headers = [(k, v) for k, v in request.headers if k.lower() != "host"]
        started = time.perf_counter()
        reader = BodyReader(self._max_body_bytes)
        from apiparity.fuzz.deadline import within

        try:
            # streamed: a body past the cap is not read further (the connection is dropped, not drained)
            with within(self._timeout), self._client.stream(request.method, url, headers=headers, content=request.body) as response:
                for chunk in response.iter_bytes():
                    if not reader.add(chunk):
                        break
        except httpx.TimeoutException:
            return WireResponse(status=0, error=f"timeout: no answer within {self._timeout:g} s",
                                elapsed_ms=(time.perf_counter() - started) * 1000, timed_out=True)
        except httpx.LocalProtocolError as exc:
            # h11 refused to write the request (a header value with a control character): nothing
            # reached the server, whose answer is unknown; the case is skipped and counted apart
            return WireResponse(status=0, error=f"unsendable: {_refusal(exc)}", elapsed_ms=(time.perf_counter() - started) * 1000,
                                unsendable=True)
        except httpx.HTTPError as exc:
            return WireResponse(status=0, error=f"transport: {type(exc).__name__}: {exc}"[:300],
                                elapsed_ms=(time.perf_counter() - started) * 1000, connection_failed=True)
        return WireResponse(status=response.status_code, headers=list(response.headers.multi_items()),
                            body=reader.body, elapsed_ms=(time.perf_counter() - started) * 1000, truncated=reader.truncated)

    def close(self) -> None:
        self._client.close()


def _refusal(exc: Exception) -> str:
    """Why the client refused a request, without the refused value (h11 quotes it: it may be a
    credential, and the report shows the request's headers redacted)."""
    text = str(exc).split("\n", 1)[0]
    for value_follows in ("Illegal header value", "Illegal header name", "Illegal target"):
        if text.startswith(value_follows):
            return f"{value_follows.lower()} (the HTTP client refuses to send it)"
    return f"{type(exc).__name__} (the HTTP client refuses to send it)"


def wait_until_listening(url: str, seconds: float, *, label: str) -> None:
    """Retry a TCP connection to `url`'s host and port for up to `seconds` (a server still
    starting); ConfigError naming `label` and the URL when it never accepts one."""
    import socket

    from apiparity.errors import ConfigError

    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ConfigError(f"{label} {url}: invalid port") from None
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=max(0.1, min(1.0, deadline - time.monotonic()))):
                return
        except OSError as exc:
            if time.monotonic() >= deadline:
                if not seconds:
                    raise ConfigError(f"{label} {url}: cannot connect ({exc.strerror or exc}); nothing was sent "
                                      "(is the server running? --wait-for SECONDS waits for one that is starting)") from None
                raise ConfigError(f"{label} {url}: cannot connect after waiting {seconds:g} s ({exc.strerror or exc})") from None
            time.sleep(0.1)


def connect_error(url: str, timeout: float = 2.0) -> str | None:
    """None when `url`'s host and port accept a TCP connection now; else why not, in a few words."""
    import socket

    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return None
    except ValueError:
        return "invalid port"
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__


def is_loopback(base_url: str) -> bool:
    import ipaddress

    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
