"""The FastAPI rewrite of the items service, mounted under /api/v1, with its own token store and
its own id sequence (new items start at 1001, as a fresh Postgres sequence would in production).

Log in with POST /api/v1/auth/login {"username", "password"} -> {"access_token": "modern-...",
"token_type": "bearer"}; tokens of the legacy app are unknown here.

Seeded differences from the legacy app (each one a real migration bug, see DIFFERENCES.md):
  D1 POST /items answers 200, not 201 (FastAPI's default status, status_code=201 forgotten)
  D2 GET /items/search with min_price > max_price answers 422, not 400
  D3 an unknown item answers {"detail": ...}, not {"error": ...}
  D4 GET /items/{item_id} leaves out `owner` (a trimmed response_model)
  D5 /me is declared as /me/, so GET /api/v1/me is a 307 redirect
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

PASSWORD = os.environ.get("SPLIT_AUTH_ALICE_PASSWORD", "wonderland")
FIXTURES = [(1, "apple", 3, "alice"), (2, "pear", 5, "alice")]


class NewItem(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(pattern=r"^[a-z]{1,20}$")
    price: int = Field(ge=0, le=1000)


class Item(BaseModel):
    id: int
    name: str
    price: int
    owner: str


class ItemView(BaseModel):  # D4: the detail view was trimmed and lost `owner`
    id: int
    name: str
    price: int


class Login(BaseModel):
    username: str
    password: str


class Store:
    """Items, users and tokens in memory (the production rewrite keeps them in Postgres)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: dict[str, str] = {}
        self.users = {"alice": PASSWORD}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.items = {i: Item(id=i, name=n, price=p, owner=o) for i, n, p, o in FIXTURES}
            self.ids = itertools.count(1001)


store = Store()


def reset() -> None:
    store.reset()


class Unauthorized(Exception):
    pass


def current_user(authorization: str | None = Header(default=None)) -> str:
    token = (authorization or "").removeprefix("Bearer ")
    user = store.tokens.get(token)
    if user is None:
        raise Unauthorized()
    return user


app = FastAPI(title="Items service (rewrite)")


@app.exception_handler(Unauthorized)
async def _unauthorized(request, exc):  # noqa: ANN001, ARG001
    return JSONResponse({"error": "unauthorized"}, status_code=401)


api = APIRouter(prefix="/api/v1")


@api.post("/auth/login")
def login(body: Login) -> dict:
    if store.users.get(body.username) != body.password:
        raise HTTPException(401, "bad credentials")
    token = "modern-" + secrets.token_hex(16)
    store.tokens[token] = body.username
    return {"access_token": token, "token_type": "bearer"}


@api.post("/_test/reset", status_code=204)
def test_reset() -> Response:
    if os.environ.get("SPLIT_AUTH_ENABLE_RESET") != "1":
        raise HTTPException(404)
    reset()
    return Response(status_code=204)


@api.get("/me/")  # D5
def me(user: str = Depends(current_user)) -> dict:
    return {"username": user}


@api.get("/items", response_model=list[Item])
def list_items(limit: int = Query(default=50, ge=1, le=50), user: str = Depends(current_user)) -> list[Item]:
    return sorted(store.items.values(), key=lambda item: item.id)[:limit]


@api.post("/items", response_model=Item)  # D1: status_code=201 forgotten
def create_item(body: NewItem, user: str = Depends(current_user)) -> Item:
    with store.lock:
        item = Item(id=next(store.ids), name=body.name, price=body.price, owner=user)
        store.items[item.id] = item
    return item


@api.get("/items/search", response_model=list[Item])
def search_items(min_price: int = Query(ge=0, le=1000), max_price: int = Query(ge=0, le=1000),
                 user: str = Depends(current_user)) -> list[Item]:
    if min_price > max_price:
        raise HTTPException(422, "min_price must not exceed max_price")  # D2: 422, the legacy app says 400
    return [item for item in sorted(store.items.values(), key=lambda i: i.id) if min_price <= item.price <= max_price]


@api.get("/items/{item_id}", response_model=ItemView)
def get_item(item_id: int, user: str = Depends(current_user)) -> Item:
    item = store.items.get(item_id)
    if item is None:
        raise HTTPException(404, f"item {item_id} not found")  # D3: {"detail": ...}
    return item


app.include_router(api)
