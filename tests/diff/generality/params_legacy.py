from __future__ import annotations

from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field

from params_models import Headers, ListQuery, ModeHeaders, NewThing, Out, SearchQuery

app = OpenAPI(__name__, security_schemes={})


class ThingPath(BaseModel):
    id: int = Field(..., ge=1)


class OutList(BaseModel):
    items: list[Out]


@app.get("/things", responses={200: OutList})
def list_things(query: ListQuery, header: Headers):
    return {"items": []}


@app.get("/things/<int:id>", responses={200: Out})
def get_thing(path: ThingPath, header: Headers):
    return {}


@app.post("/things", responses={201: Out})
def create_thing(body: NewThing):
    return {}, 201


@app.delete("/things/<int:id>", responses={204: None})
def delete_thing(path: ThingPath):
    return "", 204


@app.get("/search/things", responses={200: OutList})
def search_things(query: SearchQuery, header: ModeHeaders):
    return {"items": []}
