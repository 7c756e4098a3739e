from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Header, Path, Query
from pydantic import BaseModel

from params_models import ListQuery, ModeHeaders, NewThing, Out, SearchQuery

app = FastAPI()


class OutList(BaseModel):
    items: list[Out]


@app.get("/things", response_model=OutList)
def list_things(
    query: Annotated[ListQuery, Query()],
    x_request_id: Annotated[str, Header(min_length=8)],
    x_trace: Annotated[str | None, Header()] = None,
):
    return {"items": []}


@app.get("/things/{thing_id}", response_model=Out)
def get_thing(
    thing_id: Annotated[int, Path(ge=1)],
    x_request_id: Annotated[str, Header(min_length=8)],
    x_trace: Annotated[str | None, Header()] = None,
):
    return {}


@app.post("/things", response_model=Out, status_code=201)
def create_thing(body: NewThing):
    return {}


@app.delete("/things/{thing_id}", status_code=204)
def delete_thing(thing_id: Annotated[int, Path(ge=1)]):
    return None


@app.get("/search/things", response_model=OutList)
def search_things(query: Annotated[SearchQuery, Query()], header: Annotated[ModeHeaders, Header()]):
    return {"items": []}
