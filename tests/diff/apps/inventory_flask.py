"""A small flask-openapi3 inventory API: the legacy side of a port nobody tuned the diff for."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field, RootModel

app = OpenAPI(__name__, security_schemes={"token": {"type": "apiKey", "in": "header", "name": "X-Token"}})


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


class ItemList(RootModel[list[Item]]):
    pass


class Error(BaseModel):
    detail: str


class ItemPath(BaseModel):
    sku: str


class ListQuery(BaseModel):
    kind: Kind | None = None
    limit: int = Field(20, ge=1, le=100)
    min_price: float | None = Field(None, ge=0)


class TraceHeader(BaseModel):
    x_request_id: str | None = None


class TokenHeader(BaseModel):
    x_token: str = Field(..., alias="X-Token")


class Restock(BaseModel):
    amount: int = Field(..., gt=0, le=500)
    note: str | None = None


@app.get("/items", responses={200: ItemList})
def list_items(query: ListQuery, header: TraceHeader):
    """List items"""
    return []


@app.post("/items", responses={201: Item, 409: Error})
def create_item(body: Item):
    """Create an item"""
    return body.model_dump(mode="json"), 201


@app.get("/items/<string:sku>", responses={200: Item, 404: Error})
def get_item(path: ItemPath):
    """Get one item"""
    return {}


@app.put("/items/<string:sku>", responses={200: Item, 404: Error})
def replace_item(path: ItemPath, body: Item):
    return {}


@app.post("/items/<string:sku>/restock", responses={200: Item, 404: Error}, security=[{"token": []}])
def restock_item(path: ItemPath, body: Restock, header: TokenHeader):
    return {}


@app.delete("/items/<string:sku>", responses={204: None, 404: Error}, security=[{"token": []}])
def delete_item(path: ItemPath, header: TokenHeader):
    return "", 204
