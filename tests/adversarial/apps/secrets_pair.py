"""OLD and NEW that differ on one operation whose requests and responses carry credentials, and
whose NEW body and document carry HTML/script payloads: for redaction and escaping cases."""

from __future__ import annotations

from fastapi import FastAPI, Query, Response

SECRETS = {
    "Authorization": "Bearer s3cr3t-AUTH-4f9a",
    "Cookie": "sid=s3cr3t-COOKIE-8b1c",
    "X-API-Key": "s3cr3t-APIKEY-77d2",
    "X-Session-Token": "s3cr3t-TOKEN-e5a0",
    "X-Client-Secret": "s3cr3t-CLIENT-19fe",
}
QUERY_SECRETS = {"password": "s3cr3t-QUERY-PASS-2c44", "access_token": "s3cr3t-QUERY-TOKEN-a1b7"}
SET_COOKIE_SECRET = "s3cr3t-SETCOOKIE-90aa"
ALL_SECRETS = [*(v.split(" ")[-1].split("=")[-1] for v in SECRETS.values()), *QUERY_SECRETS.values(), SET_COOKIE_SECRET]

SCRIPT = "<script>alert('xss')</script>"
ONERROR = '<img src=x onerror="alert(1)">'


def _build(new: bool) -> FastAPI:
    app = FastAPI(title="secrets", version="1", description=f"Account API {SCRIPT}")

    @app.get("/account", description=f"Reads the account. {ONERROR}")
    def account(
        response: Response,
        password: str = Query(examples=[QUERY_SECRETS["password"]]),
        access_token: str = Query(examples=[QUERY_SECRETS["access_token"]]),
    ) -> dict[str, str]:
        response.set_cookie("session", f"{SET_COOKIE_SECRET}-{'new' if new else 'old'}")
        return {"plan": "gold", "note": f"{SCRIPT}{ONERROR}" if new else "plain"}

    return app


old_app = _build(new=False)
new_app = _build(new=True)


ANSI = "\x1b[2J\x1b]0;owned terminal\x07\x1b[31mred"


@new_app.get("/banner")
def new_banner() -> Response:
    return Response(f"welcome {ANSI}\n", media_type="text/plain")


@old_app.get("/banner")
def old_banner() -> Response:
    return Response("welcome\n", media_type="text/plain")
