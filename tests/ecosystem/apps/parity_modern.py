"""The faithful FastAPI port of parity_legacy.py."""

from __future__ import annotations

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

app = FastAPI()


def reset() -> None:
    """Nothing to reset: the port is stateless."""


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


@app.get("/items", response_model=ItemList)
def list_items(limit: int = Query(2, ge=0, le=5)) -> dict:
    return {"items": [{"id": i, "name": f"item {i}"} for i in range(limit)]}


@app.post("/echo", response_model=Echoed)
def echo(body: EchoBody) -> dict:
    return {"text": body.text, "length": len(body.text)}


@app.get("/health", response_model=Health)
def health() -> dict:
    return {"status": "ok"}
