from __future__ import annotations

from fastapi import FastAPI

from shapes_models import Drawing, Item, Node, Page

app = FastAPI()


@app.get("/items", response_model=list[Item])
def list_items():
    return []


@app.get("/items/page", response_model=Page[Item])
def page_items():
    return {}


@app.post("/items", response_model=Item, status_code=201)
def create_item(body: Item):
    return {}


@app.post("/drawings", response_model=Drawing)
def create_drawing(body: Drawing):
    return {}


@app.put("/tree", response_model=Node)
def put_tree(body: Node):
    return {}
