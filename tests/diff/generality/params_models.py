"""Shared models for the params pair: query-parameter models (Literal, Enum, list, bounds,
Optional, description, deprecated), header models with `x_request_id` (FastAPI: plain
parameters and a Header() model), path parameters under different names."""

from __future__ import annotations

from enum import Enum
from typing import Literal, Optional

from pydantic import BaseModel, Field


class Sort(str, Enum):
    asc = "asc"
    desc = "desc"


class ListQuery(BaseModel):
    page: int = Field(1, ge=1)
    size: int = Field(20, ge=1, le=100)
    sort: Sort = Sort.asc
    kind: Optional[Literal["a", "b"]] = None
    tag: list[str] = Field(default_factory=list)
    q: str | None = Field(None, max_length=50)
    ratio: float = Field(0.5, gt=0, le=1.0)


class Headers(BaseModel):
    x_request_id: str = Field(..., min_length=8)
    x_trace: str | None = None


class Out(BaseModel):
    id: int
    name: str


class NewThing(BaseModel):
    name: str = Field(..., min_length=1)


class SearchQuery(BaseModel):
    sort: Sort = Field(Sort.desc, description="sort order")
    ids: list[int] = Field(default_factory=list, max_length=3)
    legacy: int | None = Field(None, deprecated=True)


class ModeHeaders(BaseModel):
    x_request_id: str
    x_mode: Literal["on"] = "on"
