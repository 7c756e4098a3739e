"""apiparity's own requests never print httpx's per-request log lines, even when the app under
test turned the root logger to INFO at import (`logging.basicConfig(level=logging.INFO)`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from apiparity.fuzz.transports import ASGITransport
from apiparity.fuzz.wire import WireRequest


@pytest.fixture
def fresh_client_loggers() -> Iterator[None]:
    saved = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    for name in saved:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        logging.getLogger("pinger").info("the app's own log line")
        return {"pong": "yes"}

    return app


def test_in_process_requests_log_no_httpx_lines(fresh_client_loggers: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # what the app's logging.basicConfig(level=INFO) does to the root logger
    transport = ASGITransport(_app())
    try:
        answer = transport.send(WireRequest(method="GET", path="/ping"))
    finally:
        transport.close()
    assert answer.status == 200
    assert [r.name for r in caplog.records if r.name.startswith(("httpx", "httpcore"))] == []
    assert "the app's own log line" in caplog.text  # the app's logging is left alone


def test_a_level_set_on_httpx_is_kept(fresh_client_loggers: None, caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("httpx").setLevel(logging.INFO)  # someone asked for httpx's lines: they get them
    caplog.set_level(logging.INFO)
    transport = ASGITransport(_app())
    try:
        transport.send(WireRequest(method="GET", path="/ping"))
    finally:
        transport.close()
    assert any(r.name == "httpx" and "HTTP Request" in r.getMessage() for r in caplog.records)
