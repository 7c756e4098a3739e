"""`plain_flask_defaults.py` ported to FastAPI handler by handler, every framework default left as is."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Query

app = FastAPI()

ITEMS = [
    {"id": 1, "name": "anvil", "active": True},
    {"id": 2, "name": "bucket", "active": False},
    {"id": 3, "name": "crowbar", "active": True},
]


@app.get("/items")
def list_items(limit: int = Query(10, ge=0, le=50), active: bool = False):
    found = [item for item in ITEMS if item["active"]] if active else ITEMS
    return found[:limit]


@app.get("/items/{item_id}")
def get_item(item_id: int):
    for item in ITEMS:
        if item["id"] == item_id:
            return item
    raise HTTPException(status_code=404, detail="Not Found")


def reset() -> None:
    """Nothing to reset: the app never writes."""
