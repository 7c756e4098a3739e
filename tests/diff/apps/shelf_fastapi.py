"""The FastAPI port of shelf_flask.py: what FastAPI documents and the url_map cannot (typed query
parameters, request and response models, an API key security scheme, 201/204/401/422).

`create_app(regressed=True)` seeds the same two regressions as the Flask app, for when the
inferred side is OLD: DELETE /api/items/{item_id} is gone and `name` is an integer.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel

_ITEMS = {1: {"id": 1, "name": "lamp", "size": "small"}, 2: {"id": 2, "name": "desk", "size": "large"}}


class NewItem(BaseModel):
    name: str
    size: Literal["small", "large"] = "small"


class Item(NewItem):
    id: int


class ItemPage(BaseModel):
    page: int
    items: list[Item]


def create_app(*, regressed: bool = False) -> FastAPI:
    app = FastAPI(title="shelf", version="2.0.0")
    api_key = APIKeyHeader(name="X-Api-Key")

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/items")
    def list_items(page: int = 1, q: str = "") -> ItemPage:
        return ItemPage(page=page, items=[Item(**i) for i in _ITEMS.values() if q in i["name"]])

    @app.post("/api/items", status_code=201, responses={400: {"description": "name is required"}})
    def create_item(item: NewItem) -> Item:
        return Item(id=3, **item.model_dump())

    @app.get("/api/items/{item_id}", responses={404: {"description": "unknown item"}})
    def get_item(item_id: int) -> Item:
        if item_id not in _ITEMS:
            raise HTTPException(404)
        return Item(**_ITEMS[item_id])

    @app.put("/api/items/{item_id}")
    def replace_item(item_id: int, item: NewItem) -> Item:
        return Item(id=item_id, **item.model_dump())

    if not regressed:

        @app.delete("/api/items/{item_id}", status_code=204)
        def delete_item(item_id: int) -> Response:
            return Response(status_code=204)

    if regressed:

        @app.get("/api/owners/{name}")
        def get_owner_by_number(name: int) -> dict[str, str]:
            return {"name": str(name)}

    else:

        @app.get("/api/owners/{name}")
        def get_owner(name: str) -> dict[str, str]:
            return {"name": name}

    @app.get("/api/tokens/{token}")
    def get_token(token: UUID) -> dict[str, str]:
        return {"token": str(token)}

    @app.get("/api/files/{subpath:path}")
    def get_file(subpath: str) -> dict[str, str]:
        return {"path": subpath}

    @app.get("/api/sizes/{size}")
    def get_size(size: Literal["small", "large"]) -> dict[str, str]:
        return {"size": size}

    @app.get("/api/ratios/{ratio}")
    def get_ratio(ratio: float) -> dict[str, float]:
        return {"ratio": ratio}

    @app.get("/api/admin/stats", responses={401: {"description": "unauthorized"}})
    def admin_stats(key: str = Depends(api_key)) -> dict[str, int]:
        return {"items": len(_ITEMS)}

    return app


app = create_app()
regressed = create_app(regressed=True)
