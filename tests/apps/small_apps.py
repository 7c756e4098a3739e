"""Tiny real apps of every framework kind, for target-loading tests."""

from __future__ import annotations

import json

from fastapi import FastAPI
from flask import Flask
from flask_openapi3 import OpenAPI
from pydantic import BaseModel


class Item(BaseModel):
    id: int
    name: str


openapi3_app = OpenAPI(__name__)  # no security_schemes: flask-openapi3 emits `securitySchemes: null`


class ItemPath(BaseModel):
    item_id: int


@openapi3_app.get("/items/<int:item_id>", responses={200: Item})
def get_item(path: ItemPath):
    return {"id": path.item_id, "name": "x"}

fastapi_app = FastAPI()


@fastapi_app.get("/items/{item_id}", response_model=Item)
def fastapi_get_item(item_id: int) -> Item:
    return Item(id=item_id, name="x")


plain_flask_app = Flask(__name__)


@plain_flask_app.route("/users/<int:user_id>", methods=["GET", "PUT"])
def user(user_id: int):
    return {"id": user_id}


def create_app() -> FastAPI:
    return fastapi_app


def failing_factory() -> FastAPI:
    raise RuntimeError("database not configured")


not_an_app = 42

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "raw", "version": "1"},
    "paths": {"/ping": {"get": {"responses": {"200": {"description": "pong"}}}}},
}


async def raw_asgi_app(scope, receive, send):
    """A bare ASGI app that serves its document at /spec.json."""
    if scope["type"] != "http":
        return
    ok = scope["path"] == "/spec.json"
    body = json.dumps(SPEC).encode() if ok else b"{}"
    await send({"type": "http.response.start", "status": 200 if ok else 404, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def raw_wsgi_app(environ, start_response):
    """A bare WSGI app that serves its document at /spec.json."""
    ok = environ["PATH_INFO"] == "/spec.json"
    start_response("200 OK" if ok else "404 Not Found", [("Content-Type", "application/json")])
    return [json.dumps(SPEC).encode() if ok else b"{}"]
