"""Fuzz-side hardening: cookie values in header details, body size caps, waiting for live servers."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apiparity.fuzz.compare import Change, CompareOptions, compare_responses
from apiparity.fuzz.redact import REDACTED, redact_shown
from apiparity.fuzz.wire import BodyReader, WireRequest, WireResponse


def with_cookie(value: str) -> WireResponse:
    return WireResponse(status=200, headers=[("Content-Type", "application/json"), ("Set-Cookie", value)], body=b"{}")


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("Set-Cookie", "sid=abc; Path=/; HttpOnly; SameSite=lax", f"sid={REDACTED}; Path=/; HttpOnly; SameSite=lax"),
        ("Set-Cookie", "sid=abc; Expires=Tue, 01 Jan 2030 00:00:00 GMT", f"sid={REDACTED}; Expires=Tue, 01 Jan 2030 00:00:00 GMT"),
        # two cookies folded into one value: the second never shows through an attribute
        ("Set-Cookie", "a=1; Path=/, b=secret; Path=/", f"a={REDACTED}; Path={REDACTED}; Path=/"),
        ("Set-Cookie", "bare-secret", REDACTED),
        ("Cookie", "a=1; b=2", f"a={REDACTED}; b={REDACTED}"),
        ("Authorization", "Bearer t0k", f"Bearer {REDACTED}"),
        ("ETag", '"v1"', '"v1"'),
    ],
)
def test_redact_shown(name: str, value: str, shown: str) -> None:
    assert redact_shown(name, value) == shown


def test_set_cookie_difference_detail_is_redacted_unless_asked() -> None:
    old, new = with_cookie("sid=OLD-SECRET; Path=/"), with_cookie("sid=NEW-SECRET; Path=/api")
    redacted = compare_responses(old, new, CompareOptions(compare_headers=("set-cookie",), redact=True))
    assert [d.field for d in redacted] == ["header:set-cookie"]
    assert "SECRET" not in redacted[0].detail and "Path=/api" in redacted[0].detail
    shown = compare_responses(old, new, CompareOptions(compare_headers=("set-cookie",), redact=False))
    assert "OLD-SECRET" in shown[0].detail and "NEW-SECRET" in shown[0].detail
    # the signature (what groups cases) never depended on the values
    assert redacted[0].signature == shown[0].signature
    json.dumps(redacted[0].detail)


# ------------------------------------------------------------------------------------ body read cap

CAP = 64 * 1024
CHUNK = b"x" * 8192


def endless_flask():  # noqa: ANN201
    from flask import Flask, Response

    app = Flask("endless")

    @app.get("/endless")
    def endless() -> Response:
        def chunks():  # noqa: ANN202
            while True:
                yield CHUNK

        return Response(chunks(), mimetype="application/json")

    @app.get("/small")
    def small() -> dict:
        return {"ok": True}

    return app


def endless_fastapi():  # noqa: ANN201
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse

    app = FastAPI()

    @app.get("/endless")
    async def endless() -> StreamingResponse:
        async def chunks():  # noqa: ANN202
            while True:
                yield CHUNK

        return StreamingResponse(chunks(), media_type="application/json")

    @app.get("/small")
    async def small() -> dict:
        return {"ok": True}

    return app


@contextlib.contextmanager
def endless_server() -> Iterator[str]:
    """A loopback server whose /endless answer never ends (chunked), and /small a short one."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/small":
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
            except OSError:
                pass  # the client stopped reading: what the cap is for
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_body_reader_keeps_exactly_the_cap() -> None:
    reader = BodyReader(10)
    assert reader.add(b"12345") and reader.add(b"12345")
    assert (reader.body, reader.truncated) == (b"1234512345", False)  # exactly the cap is not truncated
    assert not reader.add(b"6")
    assert (reader.body, reader.truncated) == (b"1234512345", True)


@pytest.mark.parametrize("kind", ["wsgi", "asgi", "http"])
def test_an_endless_body_is_read_up_to_the_cap(kind: str) -> None:
    from apiparity.fuzz.transports import ASGITransport, HTTPTransport, WSGITransport

    with contextlib.ExitStack() as stack:
        if kind == "wsgi":
            transport = WSGITransport(endless_flask(), timeout=10, max_body_bytes=CAP)
        elif kind == "asgi":
            transport = ASGITransport(endless_fastapi(), timeout=10, max_body_bytes=CAP)
        else:
            transport = HTTPTransport(stack.enter_context(endless_server()), timeout=10, max_body_bytes=CAP)
        stack.callback(transport.close)
        started = time.perf_counter()
        big = transport.send(WireRequest("GET", "/endless"))
        small = transport.send(WireRequest("GET", "/small"))
    assert big.error is None and not big.timed_out, big.error
    assert (big.status, len(big.body), big.truncated) == (200, CAP, True)
    assert time.perf_counter() - started < 8, "the read did not stop at the cap"
    assert big.json() == (False, None)
    assert small.truncated is False and small.json() == (True, {"ok": True})


def test_truncated_answers_compare_as_their_first_bytes_and_say_so() -> None:
    big = WireResponse(status=200, headers=[("Content-Type", "application/json")], body=b"x" * 100, truncated=True)
    other_big = WireResponse(status=200, headers=[("Content-Type", "application/json")], body=b"y" * 100, truncated=True)
    small = WireResponse(status=200, headers=[("Content-Type", "application/json")], body=b'{"a": 1}')
    (difference,) = compare_responses(small, big, CompareOptions())
    assert (difference.change, difference.side, difference.change_text) == (Change.READ_CAP, "NEW", "larger than the read cap in NEW")
    assert "100-byte read cap" in difference.detail and "--max-body-bytes" in difference.detail
    assert compare_responses(big, big, CompareOptions()) == []
    assert [d.change_text for d in compare_responses(big, other_big, CompareOptions())] == ["text changed (both truncated at the read cap)"]
    assert compare_responses(small, big, CompareOptions(ignore=("$",))) == []


def test_the_example_body_says_it_was_truncated() -> None:
    from apiparity.fuzz.group import http_response

    big = WireResponse(status=200, headers=[("Content-Type", "application/json")], body=b"x" * 5000, truncated=True)
    shown = http_response(big, redact=True, max_chars=100)
    assert shown.body.startswith("x" * 100) and "truncated: larger than the 5000-byte read cap" in shown.body
    assert len(shown.body) < 200


# ------------------------------------------------------------------------------------ --wait-for

APP = "tests.apps.small_apps:fastapi_app"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def late_items_server(port: int, delay: float) -> Iterator[None]:
    """Starts answering GET /items/N like small_apps.fastapi_app `delay` seconds from now."""
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            if path.endswith("/"):  # Starlette's slash redirect, as the in-process app answers it
                self.send_response(307)
                self.send_header("Location", path.rstrip("/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            tail = path.rsplit("/", 1)[-1]
            body = json.dumps({"id": int(tail), "name": "x"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    def serve() -> None:
        if stop.wait(delay):
            return
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        stop.wait(60)
        server.shutdown()
        server.server_close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def test_wait_for_waits_for_a_new_url_server_that_starts_late(tmp_path) -> None:
    from tests.conftest import run_cli

    import apiparity.fuzz.runner  # noqa: F401 - imported before the clock starts: the wait is what the server outlasts

    port = free_port()
    out = tmp_path / "r.json"
    with late_items_server(port, delay=1.5):
        result = run_cli("fuzz", APP, APP, "--new-url", f"http://127.0.0.1:{port}", "--wait-for", "10",
                         "--phases", "examples", "--probes", "none", "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    fuzz = json.loads(out.read_text())["fuzz"]
    assert fuzz["cases"] >= 1 and fuzz["groups"] == []


def test_wait_for_gives_up_with_one_line_naming_the_url() -> None:
    from tests.conftest import run_cli

    port = free_port()
    started = time.perf_counter()
    result = run_cli("check", APP, APP, "--new-url", f"http://127.0.0.1:{port}", "--wait-for", "0.5")
    assert result.exit_code == 2
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert result.stderr.startswith(f"error: --new-url http://127.0.0.1:{port}: cannot connect after waiting 0.5 s")
    assert time.perf_counter() - started < 5
