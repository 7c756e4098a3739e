"""FastAPI port of zoo_flask.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Cookie, Depends, FastAPI, Query
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

app = FastAPI()
bearer = HTTPBearer(scheme_name="bearer", bearerFormat="JWT")


class Cat(BaseModel):
    kind: Literal["cat"]
    lives: int = Field(9, ge=0, le=9)


class Dog(BaseModel):
    kind: Literal["dog"]
    good: bool = True


Animal = Annotated[Cat | Dog, Field(discriminator="kind")]


class Enclosure(BaseModel):
    id: UUID
    name: str = Field(..., alias="displayName")
    animals: list[Animal] = []
    feeding: dict[str, int] = {}
    opened: date | None = None
    area: float = Field(12.5, gt=0)
    fee: Decimal = Decimal("1.50")


class Ticket(BaseModel):
    visitor: str = Field(..., min_length=1)
    adults: int = Field(1, ge=1)


class Message(BaseModel):
    detail: str


@app.get("/enclosures", response_model=list[Enclosure], dependencies=[Depends(bearer)])
def list_enclosures(
    tag: list[str] = Query([]),
    kind: Literal["cat", "dog"] | None = None,
    open_only: bool = False,
    session: str | None = Cookie(None),
):
    return []


@app.get("/enclosures/{enclosure_id}", response_model=Enclosure, responses={404: {"model": Message}}, dependencies=[Depends(bearer)])
def get_enclosure(enclosure_id: UUID):
    return {}


@app.put("/enclosures/{enclosure_id}", response_model=Enclosure, responses={404: {"model": Message}}, dependencies=[Depends(bearer)])
def put_enclosure(enclosure_id: UUID, body: Enclosure):
    return {}


@app.post("/tickets", response_model=Message, status_code=201)
def buy_ticket(ticket: Ticket):
    return {"detail": "ok"}
