"""A list with a sort key and a bounded page size, in Flask (`legacy`) and in a FastAPI port
(`modern`) that lost two meanings: `-name` sorts ascending, and `limit=100` (the documented maximum)
is refused. The sort-order and numeric-bounds probes' pair (tests/fuzz/test_semantic_probes.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import FastAPI, Query
from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field

THINGS = [{"id": i, "name": name} for i, name in enumerate(["pear", "apple", "fig", "quince", "date"], start=1)]
Sort = Literal["name", "-name", "id", "-id"]


class ThingQuery(BaseModel):
    sort: Sort = "id"
    limit: int = Field(10, ge=1, le=100)


def _sorted(sort: str, limit: int) -> dict:
    rows = sorted(THINGS, key=lambda t: t[sort.lstrip("-")], reverse=sort.startswith("-"))
    return {"things": rows[:limit], "total": len(THINGS)}


legacy = OpenAPI(__name__, security_schemes={})


@legacy.get("/things")
def list_things(query: ThingQuery):
    return _sorted(query.sort, query.limit)


modern = FastAPI()


@modern.get("/things")
def list_things_new(sort: Sort = "id", limit: Annotated[int, Query(ge=1, lt=100)] = 10):  # noqa: ANN201
    rows = _sorted(sort, limit)
    if sort == "-name":  # the descending name sort lost its direction
        rows["things"] = sorted(rows["things"], key=lambda t: t["name"])
    return rows
