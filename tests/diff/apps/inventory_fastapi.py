"""The FastAPI port of inventory_flask.py: same contract, FastAPI's own document."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from fastapi import Depends, FastAPI, Header, Query, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

app = FastAPI()
token = APIKeyHeader(name="X-Token", scheme_name="token")


class Kind(str, Enum):
    tool = "tool"
    part = "part"


class Dimensions(BaseModel):
    width: float = Field(1.0, gt=0)
    height: float = Field(1.0, gt=0)


class Item(BaseModel):
    sku: str = Field(..., pattern=r"^[A-Z]{3}-\d+$")
    name: str = Field(..., max_length=80)
    kind: Kind = Kind.part
    price: float = Field(..., ge=0)
    quantity: int = Field(0, ge=0, le=10_000)
    dimensions: Dimensions | None = None
    tags: list[str] = Field(default_factory=list, max_length=5)
    updated: datetime | None = None


class Error(BaseModel):
    detail: str


class Restock(BaseModel):
    amount: int = Field(..., gt=0, le=500)
    note: str | None = None


@app.get("/items", response_model=list[Item])
def list_items(
    kind: Kind | None = None,
    limit: int = Query(20, ge=1, le=100),
    min_price: float | None = Query(None, ge=0),
    x_request_id: str | None = Header(None),
):
    return []


@app.post("/items", response_model=Item, status_code=201, responses={409: {"model": Error}})
def create_item(item: Item):
    return item


@app.get("/items/{sku}", response_model=Item, responses={404: {"model": Error}})
def get_item(sku: str):
    return {}


@app.put("/items/{sku}", response_model=Item, responses={404: {"model": Error}})
def replace_item(sku: str, item: Item):
    return item


@app.post("/items/{sku}/restock", response_model=Item, responses={404: {"model": Error}})
def restock_item(sku: str, body: Restock, _: str = Depends(token)):
    return {}


@app.delete("/items/{sku}", status_code=204, responses={404: {"model": Error}})
def delete_item(sku: str, _: str = Depends(token)):
    return Response(status_code=204)
