from __future__ import annotations

from typing import Annotated, Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class Order(BaseModel):
    sku: Annotated[str, Field(min_length=3, max_length=12, pattern=r"^[A-Z0-9-]+$")]
    qty: Annotated[int, Field(ge=1, le=99)] = 1
    note: str | None = None
    gift: bool | None = None
    lines: list[str] = []
    totals: dict[str, int] = Field(default_factory=dict)
    channel: Literal["web", "app"] | None = None


class Receipt(BaseModel):
    id: int
    order: Order
    channel: Literal["web", "app"] | None


@app.post("/orders", response_model=Receipt, status_code=201)
def create_order(body: Order):
    return {}
