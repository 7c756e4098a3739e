"""Legacy warehouse stock API: flask-openapi3, an in-memory store, the HTTP details clients rely on.

- `GET /items` filters and pages with query parameters: a boolean `in_stock` flag (absent = no
  filter, `false` = only what is out of stock), an integer enum `warehouse`, a float `min_price`
  defaulting to 0.0, `sort` with `-price` style descending keys, `limit`/`offset`;
- items carry a nested array of objects (`locations: [{bin, qty}]`), a derived `qty` and an
  optional `description`;
- `POST /items` answers 201 with a relative `Location: /items/<sku>` header (documented);
- `PATCH` changes only the fields sent, `PUT` replaces the item, `DELETE` answers 204;
- `GET /items/<sku>/price` reads the `currency` cookie;
- `GET /warehouses/<int:warehouse_id>/stock` uses Flask's int converter;
- every error is JSON `{"error": ..., "message": ...}` (one handler for all HTTP errors, unknown
  routes included) and validation errors are a flat list of `{field, message, type}` with 422.
"""

from __future__ import annotations

import copy
from enum import IntEnum
from typing import Literal

from flask import jsonify, make_response
from flask_openapi3 import Info, OpenAPI
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError
from werkzeug.exceptions import HTTPException, NotFound

SKU_PATTERN = r"^[A-Z]{3}-[0-9]{3}$"
BIN_PATTERN = r"^[A-Z][0-9]{2}$"
RATES = {"EUR": 1.0, "USD": 1.08, "GBP": 0.86}


class Warehouse(IntEnum):
    berlin = 1
    lyon = 2
    madrid = 3


SortKey = Literal["sku", "-sku", "price", "-price", "qty", "-qty"]
Currency = Literal["EUR", "USD", "GBP"]


class Location(BaseModel):
    bin: str = Field(..., pattern=BIN_PATTERN)
    qty: int = Field(..., ge=0, le=10000)


class Item(BaseModel):
    sku: str
    name: str
    price: float
    warehouse: Warehouse
    locations: list[Location]
    qty: int
    description: str | None = None


class ItemCreated(Item):
    model_config = ConfigDict(openapi_extra={  # type: ignore[typeddict-unknown-key]
        "description": "Created",
        "headers": {"Location": {"description": "URL of the new item", "schema": {"type": "string"}}},
    })


class ItemList(BaseModel):
    items: list[Item]
    total: int
    limit: int
    offset: int


class ItemCreate(BaseModel):
    sku: str = Field(..., pattern=SKU_PATTERN)
    name: str = Field(..., min_length=1, max_length=60)
    price: float = Field(..., ge=0, le=10000)
    warehouse: Warehouse
    locations: list[Location] = Field([], max_length=5)
    description: str | None = Field(None, max_length=200)


class ItemReplace(BaseModel):
    name: str = Field(..., min_length=1, max_length=60)
    price: float = Field(..., ge=0, le=10000)
    warehouse: Warehouse
    locations: list[Location] = Field([], max_length=5)
    description: str | None = Field(None, max_length=200)


class ItemPatch(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=60)
    price: float | None = Field(None, ge=0, le=10000)
    warehouse: Warehouse | None = None
    locations: list[Location] | None = Field(None, max_length=5)
    description: str | None = Field(None, max_length=200)


class ItemQuery(BaseModel):
    in_stock: bool | None = Field(None, description="true: only items with stock; false: only items without")
    warehouse: Warehouse | None = None
    min_price: float = Field(0.0, ge=0)
    sort: SortKey = "sku"
    limit: int = Field(10, ge=1, le=100)
    offset: int = Field(0, ge=0)


class ItemPath(BaseModel):
    sku: str = Field(..., pattern=SKU_PATTERN, json_schema_extra={"example": "DRL-003"})


class WarehousePath(BaseModel):
    warehouse_id: Warehouse


class PriceCookie(BaseModel):
    currency: Currency = "EUR"


class Price(BaseModel):
    sku: str
    price: float
    currency: Currency


class StockLine(BaseModel):
    sku: str
    qty: int


class Stock(BaseModel):
    warehouse: Warehouse
    lines: list[StockLine]
    total_qty: int


class Error(BaseModel):
    error: str
    message: str


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class Locations(RootModel[list[Location]]):
    pass


def _item(sku: str, name: str, price: float, warehouse: Warehouse, locations: list[tuple[str, int]],
          description: str | None = None) -> Item:
    locs = [Location(bin=b, qty=q) for b, q in locations]
    return Item(sku=sku, name=name, price=price, warehouse=warehouse, locations=locs,
                qty=sum(loc.qty for loc in locs), description=description)


_SEED = [
    _item("BOL-001", "Hex bolt M8", 0.25, Warehouse.berlin, [("A01", 500), ("A02", 120)], "zinc plated"),
    _item("NUT-002", "Hex nut M8", 0.1, Warehouse.berlin, [("A03", 0)]),
    _item("DRL-003", "Cordless drill", 89.9, Warehouse.lyon, [("B10", 4)], "18V, two batteries"),
    _item("SAW-004", "Hand saw", 19.5, Warehouse.madrid, []),
    _item("GLV-005", "Work gloves", 4.75, Warehouse.lyon, [("B11", 30), ("C01", 12)]),
]

items: dict[str, Item] = {}


def reset() -> None:
    items.clear()
    items.update({i.sku: copy.deepcopy(i) for i in _SEED})


reset()


def validation_failed(e: ValidationError):
    body = [{"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"], "type": err["type"]}
            for err in e.errors()]
    return make_response(jsonify(body), 422)


app = OpenAPI(__name__, info=Info(title="Inventory", version="3.2"), security_schemes={},
              validation_error_model=FieldError, validation_error_callback=validation_failed)


@app.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return {"error": (exc.name or "error").lower().replace(" ", "_"), "message": exc.description}, exc.code


def _get(sku: str) -> Item:
    item = items.get(sku)
    if item is None:
        raise NotFound(f"item {sku} not found")
    return item


def _with_qty(data: dict) -> Item:
    data["qty"] = sum(loc["qty"] for loc in data.get("locations") or [])
    return Item.model_validate(data)


SORT_FIELDS = {"sku": "sku", "price": "price", "qty": "qty"}


@app.get("/items", responses={200: ItemList})
def list_items(query: ItemQuery):
    """List items, filtered, sorted and paged."""
    found = [items[sku] for sku in sorted(items)]
    if query.in_stock is not None:
        found = [i for i in found if (i.qty > 0) == query.in_stock]
    if query.warehouse is not None:
        found = [i for i in found if i.warehouse == query.warehouse]
    found = [i for i in found if i.price >= query.min_price]
    field = SORT_FIELDS[query.sort.lstrip("-")]
    found.sort(key=lambda i: getattr(i, field), reverse=query.sort.startswith("-"))
    page = found[query.offset:query.offset + query.limit]
    return ItemList(items=page, total=len(found), limit=query.limit, offset=query.offset).model_dump(mode="json")


@app.post("/items", responses={201: ItemCreated, 409: Error})
def create_item(body: ItemCreate):
    """Add an item to the catalogue."""
    if body.sku in items:
        return {"error": "conflict", "message": f"item {body.sku} exists"}, 409
    item = _with_qty(body.model_dump())
    items[item.sku] = item
    return item.model_dump(mode="json"), 201, {"Location": f"/items/{item.sku}"}


@app.get("/items/<string:sku>", responses={200: Item, 404: Error})
def get_item(path: ItemPath):
    """One item."""
    return _get(path.sku).model_dump(mode="json")


@app.put("/items/<string:sku>", responses={200: Item, 404: Error})
def replace_item(path: ItemPath, body: ItemReplace):
    """Replace an item (fields left out take their defaults)."""
    _get(path.sku)
    item = _with_qty({"sku": path.sku, **body.model_dump()})
    items[item.sku] = item
    return item.model_dump(mode="json")


@app.patch("/items/<string:sku>", responses={200: Item, 404: Error})
def update_item(path: ItemPath, body: ItemPatch):
    """Change the fields sent, keep the others (`description: null` clears it)."""
    item = _get(path.sku)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None or k == "description"}
    updated = _with_qty({**item.model_dump(), **changes})
    items[updated.sku] = updated
    return updated.model_dump(mode="json")


@app.delete("/items/<string:sku>", responses={204: None, 404: Error})
def delete_item(path: ItemPath):
    """Remove an item."""
    _get(path.sku)
    del items[path.sku]
    return "", 204


@app.get("/items/<string:sku>/locations", responses={200: Locations, 404: Error})
def item_locations(path: ItemPath):
    """Where the item is stored, fullest bin first."""
    item = _get(path.sku)
    ordered = sorted(item.locations, key=lambda loc: (-loc.qty, loc.bin))
    return [loc.model_dump(mode="json") for loc in ordered]


@app.get("/items/<string:sku>/price", responses={200: Price, 404: Error})
def item_price(path: ItemPath, cookie: PriceCookie):
    """The price in the currency of the `currency` cookie (EUR when absent)."""
    item = _get(path.sku)
    return Price(sku=item.sku, price=round(item.price * RATES[cookie.currency], 2),
                 currency=cookie.currency).model_dump(mode="json")


@app.get("/warehouses/<int:warehouse_id>/stock", responses={200: Stock})
def warehouse_stock(path: WarehousePath):
    """Stock per item in one warehouse (items without stock included)."""
    lines = [StockLine(sku=i.sku, qty=i.qty) for sku, i in sorted(items.items()) if i.warehouse == path.warehouse_id]
    return Stock(warehouse=path.warehouse_id, lines=lines, total_qty=sum(line.qty for line in lines)).model_dump(mode="json")
