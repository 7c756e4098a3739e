"""A tiny flask-openapi3 service and its reset hook, the OLD side of the plugin tests."""

from __future__ import annotations

import os
from pathlib import Path

from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field

app = OpenAPI(__name__, security_schemes={})


def reset() -> None:
    """Record each call, so tests can see the plugin wired the hook (PARITY_RESET_LOG names the file)."""
    log = os.environ.get("PARITY_RESET_LOG")
    if log:
        with Path(log).open("a", encoding="utf-8") as handle:
            handle.write("reset\n")


class ItemsQuery(BaseModel):
    limit: int = Field(2, ge=0, le=5)


class EchoBody(BaseModel):
    text: str = Field(..., max_length=20)


class Item(BaseModel):
    id: int
    name: str


class ItemList(BaseModel):
    items: list[Item]


class Echoed(BaseModel):
    text: str
    length: int


class Health(BaseModel):
    status: str


@app.get("/items", responses={200: ItemList})
def list_items(query: ItemsQuery):
    return {"items": [{"id": i, "name": f"item {i}"} for i in range(query.limit)]}


@app.post("/echo", responses={200: Echoed})
def echo(body: EchoBody):
    return {"text": body.text, "length": len(body.text)}


@app.get("/health", responses={200: Health})
def health():
    return {"status": "ok"}
