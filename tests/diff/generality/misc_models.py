"""Shared models for the misc pair: cookies, camelCase query aliases, IntEnum query values,
dict and Any responses (forms need python-multipart, not installed)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

class Level(IntEnum):
    one = 1
    two = 2

class Filters(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    page_size: int = Field(10, alias="pageSize", ge=1)
    level: Level | None = None

class Cookies(BaseModel):
    session_id: str | None = None

class Counts(BaseModel):
    values: dict[str, int]
    meta: dict[str, Any] = Field(default_factory=dict)
