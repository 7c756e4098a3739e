"""Shared pydantic models for the scalars pair: Literal, Enum (str and int), string and number
constraints, float bounds written as 1 and 1.0."""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, confloat, conint, constr


class Color(str, Enum):
    red = "red"
    green = "green"


class Priority(IntEnum):
    low = 1
    high = 2


class Widget(BaseModel):
    kind: Literal["a", "b"]
    mode: Literal["fast"] = "fast"
    color: Color = Color.red
    priority: Priority
    code: constr(min_length=2, max_length=8, pattern=r"^[A-Z]+$")
    slug: Annotated[str, Field(min_length=1, pattern=r"^[a-z-]+$")]
    count: conint(ge=0, le=100)
    step: Annotated[int, Field(gt=0, multiple_of=5)]
    ratio: float = Field(0.5, ge=0, le=1.0)
    weight: confloat(gt=1.0, lt=10)
    score: float = Field(1.0, ge=1, multiple_of=0.5)


class WidgetOut(BaseModel):
    kind: Literal["a", "b"]
    color: Color
    priority: Priority
    count: int = Field(ge=0)
