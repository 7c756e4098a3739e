"""Attributes that are not what a target reference promises: wrong types, failing factories,
apps that cannot produce a document."""

from __future__ import annotations

import json

from fastapi import FastAPI

not_an_app = "postgresql://user:pass@localhost/db"
settings = {"DEBUG": True}
app_class = FastAPI  # the class, not an instance


def failing_factory() -> FastAPI:
    raise RuntimeError("DATABASE_URL is not set")


def factory_returning_none() -> None:
    return None


def factory_needing_arguments(config: dict) -> FastAPI:
    return FastAPI()


broken_openapi = FastAPI()


def _openapi_that_raises() -> dict:
    raise ValueError("cannot generate schema for type <class 'object'>")


broken_openapi.openapi = _openapi_that_raises  # type: ignore[method-assign]


async def asgi_500(scope, receive, send):
    """A raw ASGI app whose document endpoint fails."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Internal Server Error"})


def wsgi_html(environ, start_response):
    """A raw WSGI app that answers its document path with an HTML page (a login redirect target)."""
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<!doctype html><html><body><h1>Please log in</h1></body></html>"]


def wsgi_raising(environ, start_response):
    """A raw WSGI app that raises while serving its document."""
    raise OSError("disk full")


def wsgi_swagger(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}).encode()]
