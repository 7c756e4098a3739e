from __future__ import annotations

from flask_openapi3 import OpenAPI
from pydantic import RootModel

from shapes_models import Drawing, Item, Node, Page

app = OpenAPI(__name__, security_schemes={})


class ItemList(RootModel[list[Item]]):
    pass


class ItemPage(Page[Item]):
    pass


@app.get("/items", responses={200: ItemList})
def list_items():
    return []


@app.get("/items/page", responses={200: Page[Item]})
def page_items():
    return {}


@app.post("/items", responses={201: Item})
def create_item(body: Item):
    return {}, 201


@app.post("/drawings", responses={200: Drawing})
def create_drawing(body: Drawing):
    return {}


@app.put("/tree", responses={200: Node})
def put_tree(body: Node):
    return {}
