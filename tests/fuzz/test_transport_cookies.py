"""Every call is independent: the Cookie header a case carries reaches the app unchanged, and a
cookie an earlier answer set is never sent again (in-process WSGI and ASGI, and live HTTP)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request, Response  # module level: FastAPI resolves string annotations here
from flask import Flask, jsonify, request

from apiparity.fuzz.transports import ASGITransport, HTTPTransport, WSGITransport
from apiparity.fuzz.wire import WireRequest


def flask_app():  # noqa: ANN201
    app = Flask(__name__)

    @app.get("/login")
    def login():  # noqa: ANN202
        response = jsonify(ok=True)
        response.set_cookie("session", "from-login")
        return response

    @app.get("/whoami")
    def whoami():  # noqa: ANN202
        return jsonify(dict(request.cookies))

    return app


def fastapi_app():  # noqa: ANN201
    app = FastAPI()

    @app.get("/login")
    def login(response: Response) -> dict:
        response.set_cookie("session", "from-login")
        return {"ok": True}

    @app.get("/whoami")
    def whoami(incoming: Request) -> dict:
        return dict(incoming.cookies)

    return app


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fastapi_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture(params=["wsgi", "asgi", "http"])
def transport(request: pytest.FixtureRequest):  # noqa: ANN201
    if request.param == "wsgi":
        made = WSGITransport(flask_app())
    elif request.param == "asgi":
        made = ASGITransport(fastapi_app())
    else:
        made = HTTPTransport(request.getfixturevalue("live_url"))
    yield made
    made.close()


def test_the_case_cookie_reaches_the_app(transport) -> None:  # noqa: ANN001
    answer = transport.send(WireRequest("GET", "/whoami", headers=[("Cookie", "currency=USD")]))
    assert answer.status == 200
    assert answer.json() == (True, {"currency": "USD"})


def test_a_cookie_set_by_an_earlier_answer_is_not_sent_again(transport) -> None:  # noqa: ANN001
    login = transport.send(WireRequest("GET", "/login"))
    assert any(name.lower() == "set-cookie" for name, _ in login.headers)
    assert transport.send(WireRequest("GET", "/whoami")).json() == (True, {})
    assert transport.send(WireRequest("GET", "/whoami", headers=[("Cookie", "a=1")])).json() == (True, {"a": "1"})


def test_the_shadow_proxy_never_hands_one_clients_cookie_to_another(live_url: str) -> None:
    """Client A logs in through the proxy and is given a session cookie; client B, with no cookie,
    must reach the primary with no cookie (a proxy that kept a jar would make B user A)."""
    import asyncio

    import httpx

    from apiparity.traffic.shadow import ShadowProxy, ShadowSettings

    proxy = ShadowProxy(ShadowSettings(primary_url=live_url, candidate_url=live_url, methods=frozenset()))

    async def run() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=proxy)
        async with httpx.AsyncClient(transport=transport, base_url="http://proxy") as a, \
                httpx.AsyncClient(transport=transport, base_url="http://proxy") as b:
            login = await a.get("/login")
            return login, await b.get("/whoami")

    try:
        login, whoami = asyncio.run(run())
    finally:
        proxy.stop()
    assert "from-login" in login.headers.get("set-cookie", "")
    assert whoami.json() == {}
