"""Two tiny ports of one API for load tests: flask-openapi3 (OLD, served by waitress) and FastAPI
(NEW, served by uvicorn). NEW adds 2 ms to GET /items/{item_id}, so the comparison has a
difference to find."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Query
from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field

ITEMS = {i: {"id": i, "name": f"item {i}"} for i in range(1, 21)}


class Item(BaseModel):
    id: int
    name: str


class ItemPath(BaseModel):
    item_id: int = Field(ge=1, le=40)


class ListQuery(BaseModel):
    limit: int = Field(default=5, ge=1, le=20)


class NewItem(BaseModel):
    name: str


legacy_app = OpenAPI(__name__, security_schemes={})


@legacy_app.get("/items/<int:item_id>", responses={200: Item})
def get_item(path: ItemPath):
    item = ITEMS.get(path.item_id)
    if item is None:
        return {"detail": "not found"}, 404
    return item


@legacy_app.get("/items")
def list_items(query: ListQuery):
    return list(ITEMS.values())[: query.limit]


@legacy_app.post("/items")
def create_item(body: NewItem):
    return {"id": 99, "name": body.name}, 201


modern_app = FastAPI()


@modern_app.get("/items/{item_id}", response_model=Item)
async def modern_get_item(item_id: int):
    await asyncio.sleep(0.002)
    item = ITEMS.get(item_id)
    if item is None:
        from fastapi import HTTPException

        raise HTTPException(404, "not found")
    return item


@modern_app.get("/items")
def modern_list_items(limit: int = Query(5, ge=1, le=20)):
    return list(ITEMS.values())[:limit]


@modern_app.post("/items", status_code=201)
def modern_create_item(item: NewItem):
    return {"id": 99, "name": item.name}
