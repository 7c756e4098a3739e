"""OLD for the drip-feed cases (issue 14, item 2): an in-process app whose three routes NEW, a raw
socket server on 127.0.0.1 (tests/fuzz/test_deadline.py), answers well, drip-feeds its headers,
or drip-feeds its body."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(title="drip pair", version="1")


@app.get("/ok")
def ok() -> dict[str, str]:
    return {"status": "fine"}


@app.get("/drip-headers")
def drip_headers() -> dict[str, str]:
    return {"status": "fine"}


@app.get("/drip-body")
def drip_body() -> dict[str, str]:
    return {"status": "fine"}
