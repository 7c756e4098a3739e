"""The rewrites pair: the same models written in pre-3.10 pydantic style (flask-openapi3 side)
and rewritten idiomatically in the FastAPI port (rewrites_modern.py). Same API, different Python."""

from __future__ import annotations

from typing import Dict, List, Literal, Optional, Union

from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field, conint, constr

app = OpenAPI(__name__, security_schemes={})


class Order(BaseModel):
    sku: constr(min_length=3, max_length=12, pattern=r"^[A-Z0-9-]+$")
    qty: conint(ge=1, le=99) = 1
    note: Optional[str] = None
    gift: Union[bool, None] = None
    lines: List[str] = Field(default_factory=list)
    totals: Dict[str, int] = {}
    channel: Literal[None, "web", "app"] = None


class Receipt(BaseModel):
    id: int
    order: Order
    channel: Literal[None, "web", "app"]


@app.post("/orders", responses={201: Receipt})
def create_order(body: Order):
    return {}, 201
