"""Shared models for the formats pair: Decimal, datetime, date, UUID, HttpUrl, bytes, Any,
tuple, used in a request body and in a response (FastAPI emits serialization-mode schemas for
responses)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, HttpUrl


class Record(BaseModel):
    id: UUID
    price: Decimal
    tax: Decimal = Field(Decimal("0.1"), ge=0, max_digits=5, decimal_places=2)
    created: datetime
    day: date
    at: time | None = None
    ttl: timedelta | None = None
    home: HttpUrl
    blob: bytes
    extra: Any = None
    point: tuple[int, int]
    pair: tuple[str, ...] = ()
