"""A schema's own `default` that breaks its format has no path from the validator: the problem must
still name where it stands (a real port: `created_at: datetime = datetime.now()` in a FastAPI model
writes a naive timestamp as the default of a `date-time` string, reported at `/`)."""

from __future__ import annotations

import datetime

from fastapi import FastAPI
from pydantic import BaseModel

from apiparity.spec.validate import validate_document


class User(BaseModel):
    name: str
    created_at: datetime.datetime = datetime.datetime(2026, 12, 3, 17, 38, 9, 61509)  # naive: not RFC 3339


def test_a_default_breaking_its_format_is_located() -> None:
    app = FastAPI()

    @app.post("/users")
    def create(user: User) -> User:
        return user

    problems = [p for p in validate_document(app.openapi()) if "date-time" in p.message]
    assert problems, "FastAPI wrote a naive default for a date-time field"
    assert {p.pointer for p in problems} == {"/components/schemas/User/properties/created_at/default"}


def test_a_problem_the_validator_places_keeps_its_place() -> None:
    document = {"openapi": "3.1.0", "info": {"title": "t"}, "paths": {}}  # info.version missing: the validator names the place
    (problem,) = validate_document(document)
    assert problem.pointer == "/info"
