"""Shared models for the shapes pair: nested models used in requests and responses (defaults,
computed fields, aliases), a discriminated union, a generic page, a recursive tree, dict fields."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field

T = TypeVar("T")


class Tag(BaseModel):
    name: str
    weight: int = 1


class Item(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    display_name: str = Field(..., alias="displayName")
    tags: list[Tag] = Field(default_factory=list)
    counts: dict[str, int] = Field(default_factory=dict)
    note: Optional[str] = None
    parent_id: int | None = None

    @computed_field
    @property
    def label(self) -> str:
        return f"{self.id}:{self.display_name}"


class Circle(BaseModel):
    kind: Literal["circle"]
    radius: float = Field(..., gt=0)


class Square(BaseModel):
    kind: Literal["square"]
    side: float = Field(..., gt=0)


Shape = Annotated[Circle | Square, Field(discriminator="kind")]


class Drawing(BaseModel):
    shapes: list[Shape]
    main: Shape


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    next: str | None = None


class Node(BaseModel):
    name: str
    children: list[Node] = Field(default_factory=list)
    parent: Optional[Node] = None


Node.model_rebuild()
