"""The FastAPI port of the warehouse stock API with seeded regressions (see expected.json).

I1 `GET /items?in_stock=false` is ignored (truthiness: `if in_stock:`), so it lists everything;
I2 `sort=-price` sorts ascending (a typo in the sort table);
I3 `PATCH` resets the fields that were not sent (`model_dump()` without `exclude_unset`);
I4 `POST /items` answers 201 without the documented `Location` header;
I5 `limit` tops out at 50 instead of 100 (a documented narrowing of a request parameter);
I6 the `currency` of `GET /items/{sku}/price` became a query parameter (the `Cookie()` was forgotten),
   so the cookie clients send is ignored.
"""

from __future__ import annotations

import copy
from enum import IntEnum
from typing import Annotated, Literal

from fastapi import FastAPI, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

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


class ItemNotFound(Exception):
    def __init__(self, sku: str) -> None:
        self.sku = sku


VALIDATION = {422: {"description": "Unprocessable Content", "model": list[FieldError]}}
NOT_FOUND = {404: {"model": Error}}
app = FastAPI(title="Inventory", version="3.2", redirect_slashes=False, responses=VALIDATION)

SkuPath = Annotated[str, Path(pattern=SKU_PATTERN, json_schema_extra={"example": "DRL-003"})]


def _get(sku: str) -> Item:
    item = items.get(sku)
    if item is None:
        raise ItemNotFound(sku)
    return item


def _with_qty(data: dict) -> Item:
    data["qty"] = sum(loc["qty"] for loc in data.get("locations") or [])
    return Item.model_validate(data)


SORTS = {"sku": ("sku", False), "-sku": ("sku", True), "price": ("price", False),
         "-price": ("price", False),  # I2
         "qty": ("qty", False), "-qty": ("qty", True)}


@app.get("/items", response_model=ItemList)
def list_items(
    in_stock: Annotated[bool | None, Query(description="true: only items with stock; false: only items without")] = None,
    warehouse: Warehouse | None = None,
    min_price: Annotated[float, Query(ge=0)] = 0.0,
    sort: SortKey = "sku",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,  # I5
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ItemList:
    """List items, filtered, sorted and paged."""
    found = [items[sku] for sku in sorted(items)]
    if in_stock:  # I1: in_stock=false filters nothing
        found = [i for i in found if (i.qty > 0) == in_stock]
    if warehouse is not None:
        found = [i for i in found if i.warehouse == warehouse]
    found = [i for i in found if i.price >= min_price]
    field, descending = SORTS[sort]
    found.sort(key=lambda i: getattr(i, field), reverse=descending)
    return ItemList(items=found[offset:offset + limit], total=len(found), limit=limit, offset=offset)


CREATED = {201: {"description": "Created",
                 "headers": {"Location": {"description": "URL of the new item", "schema": {"type": "string"}}}},
           409: {"model": Error}}


@app.post("/items", response_model=Item, status_code=201, responses=CREATED)
def create_item(body: ItemCreate):
    """Add an item to the catalogue."""
    if body.sku in items:
        return JSONResponse({"error": "conflict", "message": f"item {body.sku} exists"}, status_code=409)
    item = _with_qty(body.model_dump())
    items[item.sku] = item
    # I4: the Location header was lost in the port
    return item


@app.get("/items/{sku}", response_model=Item, responses=NOT_FOUND)
def get_item(sku: SkuPath) -> Item:
    """One item."""
    return _get(sku)


@app.put("/items/{sku}", response_model=Item, responses=NOT_FOUND)
def replace_item(sku: SkuPath, body: ItemReplace) -> Item:
    """Replace an item (fields left out take their defaults)."""
    _get(sku)
    item = _with_qty({"sku": sku, **body.model_dump()})
    items[item.sku] = item
    return item


@app.patch("/items/{sku}", response_model=Item, responses=NOT_FOUND)
def update_item(sku: SkuPath, body: ItemPatch) -> Item:
    """Change the fields sent, keep the others (`description: null` clears it)."""
    item = _get(sku)
    changes = {k: v for k, v in body.model_dump().items() if v is not None or k == "description"}  # I3
    updated = _with_qty({**item.model_dump(), **changes})
    items[updated.sku] = updated
    return updated


@app.delete("/items/{sku}", status_code=204, responses=NOT_FOUND)
def delete_item(sku: SkuPath) -> Response:
    """Remove an item."""
    _get(sku)
    del items[sku]
    return Response(status_code=204)


@app.get("/items/{sku}/locations", response_model=list[Location], responses=NOT_FOUND)
def item_locations(sku: SkuPath) -> list[Location]:
    """Where the item is stored, fullest bin first."""
    item = _get(sku)
    return sorted(item.locations, key=lambda loc: (-loc.qty, loc.bin))


@app.get("/items/{sku}/price", response_model=Price, responses=NOT_FOUND)
def item_price(sku: SkuPath, currency: Currency = "EUR") -> Price:  # I6: Cookie() forgotten
    """The price in the currency of the `currency` cookie (EUR when absent)."""
    item = _get(sku)
    return Price(sku=item.sku, price=round(item.price * RATES[currency], 2), currency=currency)


@app.get("/warehouses/{warehouse_id}/stock", response_model=Stock)
def warehouse_stock(warehouse_id: Warehouse) -> Stock:
    """Stock per item in one warehouse (items without stock included)."""
    lines = [StockLine(sku=i.sku, qty=i.qty) for sku, i in sorted(items.items()) if i.warehouse == warehouse_id]
    return Stock(warehouse=warehouse_id, lines=lines, total_qty=sum(line.qty for line in lines))


# werkzeug's texts, which the Flask app sends for errors its own routing raises
WERKZEUG = {
    404: ("not_found", "The requested URL was not found on the server. If you entered the URL manually please "
                       "check your spelling and try again."),
    405: ("method_not_allowed", "The method is not allowed for the requested URL."),
}


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


@app.exception_handler(ItemNotFound)
async def item_not_found(_request: Request, exc: ItemNotFound) -> JSONResponse:
    return _error(404, "not_found", f"item {exc.sku} not found")


@app.exception_handler(StarletteHTTPException)
async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    error, message = WERKZEUG.get(exc.status_code, (str(exc.detail).lower().replace(" ", "_"), str(exc.detail)))
    return _error(exc.status_code, error, message)


BODY_MODELS = {("POST", "/items"): "ItemCreate", ("PUT", "/items/{sku}"): "ItemReplace",
               ("PATCH", "/items/{sku}"): "ItemPatch"}
FLASK_ORDER = ("header", "cookie", "path", "query", "body")


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    raw_id = request.path_params.get("warehouse_id")
    if raw_id is not None and not str(raw_id).isdigit():
        return _error(404, *WERKZEUG[404])  # Flask's <int:> converter never routed it
    errors = exc.errors()
    first = next((part for part in FLASK_ORDER if any(e["loc"][0] == part for e in errors)), None)
    body_model = BODY_MODELS.get((request.method, getattr(request.scope.get("route"), "path", "")))
    if first == "body" and body_model and any(
        tuple(e["loc"]) == ("body",) or e["type"] == "json_invalid" for e in errors
    ):
        # flask-openapi3 hands pydantic whatever get_json(silent=True) gave (None when the body is
        # missing or not JSON), and pydantic refuses what is not a dict with `model_type`
        message = f"Input should be a valid dictionary or instance of {body_model}"
        return JSONResponse([{"field": "", "message": message, "type": "model_type"}], status_code=422)
    body = [{"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"], "type": e["type"]}
            for e in errors if e["loc"][0] == first]
    return JSONResponse(jsonable_encoder(body), status_code=422)


from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402 - Flask's own HEAD/OPTIONS and first query value

app.add_middleware(FlaskDefaults, document=app.openapi())
