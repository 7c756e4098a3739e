"""OLD and NEW that differ on every operation and carry a planted secret on every vector a report
can show: a header the user passes (-H 'X-Auth-Key: ...', Authorization) echoed back in the body and
as text, query parameters named key / sig / api_token, request and response body fields password /
client_secret, a Set-Cookie, and the password of the URLs the sides are reached at."""

from __future__ import annotations

from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.responses import PlainTextResponse

HEADER_KEY = "PLANTED-hdr-SECRET123"  # -H 'X-Auth-Key: ...'
BEARER = "PLANTED-bearer-7f3e"  # -H 'Authorization: Bearer ...'
QUERY = {"key": "PLANTED-qkey-5a1", "sig": "PLANTED-qsig-9b2", "api_token": "PLANTED-qtok-3c4"}
BODY = {"password": "PLANTED-bpass-11d", "client_secret": "PLANTED-bcs-22e"}
URL_PASSWORD = "PLANTED-urlpass-44f"  # http://user:...@127.0.0.1:PORT (--old-url / --new-url)
RESET_PASSWORD = "PLANTED-resetpass-55a"  # 'POST http://reset:...@127.0.0.1:PORT/reset'
SERVER_TOKEN = "PLANTED-srvtok-66b"  # a token the app hands out in a body field named access_token
PLANTED = [HEADER_KEY, BEARER, *QUERY.values(), *BODY.values(), URL_PASSWORD, RESET_PASSWORD, SERVER_TOKEN]


def _build(new: bool) -> FastAPI:
    app = FastAPI(title="secrets echo", version="1")

    @app.get("/echo")
    def echo(request: Request,
             key: str = Query(examples=[QUERY["key"]]),
             sig: str = Query(examples=[QUERY["sig"]]),
             api_token: str = Query(examples=[QUERY["api_token"]])) -> dict[str, object]:
        # an app that echoes what it was sent under innocent names: only the values give it away
        return {"seen": dict(request.headers), "query": str(request.url), "args": [key, sig, api_token], "v": 2 if new else 1}

    @app.get("/echo-text")
    def echo_text(request: Request) -> PlainTextResponse:
        lines = [f"{name}: {value}" for name, value in request.headers.items()]
        return PlainTextResponse("\n".join([f"v{2 if new else 1}", *lines]))

    @app.post("/login")
    def login(response: Response, credentials: dict[str, str] = Body(examples=[{"username": "ann", **BODY}])) -> dict[str, object]:
        response.set_cookie("session", f"{SERVER_TOKEN}-{'new' if new else 'old'}")
        return {"access_token": SERVER_TOKEN, "echo": credentials, "v": 2 if new else 1}

    @app.post("/reset")
    def reset() -> dict[str, bool]:
        return {"ok": True}

    return app


old_app = _build(new=False)
new_app = _build(new=True)
