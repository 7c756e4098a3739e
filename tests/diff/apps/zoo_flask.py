"""A second flask-openapi3 app: unions with a discriminator, dict fields, list query params,
cookies, aliases, UUIDs, Decimal. Its FastAPI port is zoo_fastapi.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from flask_openapi3 import OpenAPI
from pydantic import BaseModel, Field, RootModel

app = OpenAPI(__name__, security_schemes={"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}})


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


class EnclosureList(RootModel[list[Enclosure]]):
    pass


class EnclosurePath(BaseModel):
    enclosure_id: UUID


class SearchQuery(BaseModel):
    tag: list[str] = []
    kind: Literal["cat", "dog"] | None = None
    open_only: bool = False


class SessionCookie(BaseModel):
    session: str | None = None


class Ticket(BaseModel):
    visitor: str = Field(..., min_length=1)
    adults: int = Field(1, ge=1)


class Message(BaseModel):
    detail: str


@app.get("/enclosures", responses={200: EnclosureList}, security=[{"bearer": []}])
def list_enclosures(query: SearchQuery, cookie: SessionCookie):
    return []


@app.get("/enclosures/<uuid:enclosure_id>", responses={200: Enclosure, 404: Message}, security=[{"bearer": []}])
def get_enclosure(path: EnclosurePath):
    return {}


@app.put("/enclosures/<uuid:enclosure_id>", responses={200: Enclosure, 404: Message}, security=[{"bearer": []}])
def put_enclosure(path: EnclosurePath, body: Enclosure):
    return {}


@app.post("/tickets", responses={201: Message})
def buy_ticket(body: Ticket):
    return {"detail": "ok"}, 201
