"""A FastAPI port of parity_legacy.py with two regressions: item names and the health status."""

from __future__ import annotations

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

app = FastAPI()


def reset() -> None:
    """Nothing to reset: the port is stateless."""


class EchoBody(BaseModel):
    text: str = Field(..., max_length=20)


@app.get("/items")
def list_items(limit: int = Query(2, ge=0, le=5)) -> dict:
    return {"items": [{"id": i, "name": f"Item {i}"} for i in range(limit)]}


@app.post("/echo")
def echo(body: EchoBody) -> dict:
    return {"text": body.text, "length": len(body.text)}


@app.get("/health")
def health() -> dict:
    return {"status": "OK"}
