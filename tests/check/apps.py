"""A tiny legacy/modern/regressed app trio for `check` tests (real flask-openapi3 and FastAPI)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from flask_openapi3 import Info, OpenAPI
from pydantic import BaseModel

ITEMS = {1: {"id": 1, "name": "hammer", "price": 10}, 2: {"id": 2, "name": "saw", "price": 25}}


class Item(BaseModel):
    id: int
    name: str
    price: int


class ItemList(BaseModel):
    items: list[Item]
    total: int


class NotFound(BaseModel):
    detail: str


class ItemPath(BaseModel):
    item_id: int


legacy = OpenAPI(__name__, info=Info(title="Shop", version="1.0"), security_schemes={})


@legacy.get("/items", responses={200: ItemList})
def list_items():
    return {"items": list(ITEMS.values()), "total": len(ITEMS)}


@legacy.get("/items/<int:item_id>", responses={200: Item, 404: NotFound})
def get_item(path: ItemPath):
    item = ITEMS.get(path.item_id)
    if item is None:
        return {"detail": "not found"}, 404
    return item


modern = FastAPI(title="Shop", version="1.0")


@modern.get("/items", response_model=ItemList)
def modern_list_items():
    return {"items": list(ITEMS.values()), "total": len(ITEMS)}


@modern.get("/items/{item_id}", response_model=Item, responses={404: {"model": NotFound}})
def modern_get_item(item_id: int):
    item = ITEMS.get(item_id)
    if item is None:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return item


class ItemWithoutPrice(BaseModel):
    id: int
    name: str


regressed = FastAPI(title="Shop", version="1.0")


@regressed.get("/items", response_model=ItemList)
def regressed_list_items():
    return {"items": list(ITEMS.values()), "total": len(ITEMS)}


@regressed.get("/items/{item_id}", response_model=ItemWithoutPrice, responses={404: {"model": NotFound}})
def regressed_get_item(item_id: int):  # the regression: `price` dropped from the response
    item = ITEMS.get(item_id)
    if item is None:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return item


# what a careful port adds (tests/pairs/flask_parity.py): Flask's own HEAD/OPTIONS, first query
# value, Werkzeug's HTML 405/404 pages; the regressed port keeps them too, its regression is `price`
from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402

modern.add_middleware(FlaskDefaults, document=modern.openapi(), werkzeug_errors=True)
regressed.add_middleware(FlaskDefaults, document=regressed.openapi(), werkzeug_errors=True)
