"""The `unknown-body-keys` label (apiparity.fuzz.labels.unknown_body_keys) on a real Flask app and
its FastAPI port: each request is sent to both in-process, compared and labelled exactly as a run
labels a case (`root_signatures` + `identify_case` with both documents).

Right: a misspelt key that the legacy app refuses (a flask-openapi3 model with `extra="forbid"`, or a
hand-written webargs-style `{"errors": {"json": {"key": ["Unknown field."]}}}`) and the port ignores.
Near misses (same status pair, a body with a key the port does not declare): OLD refused another
field (a bound the port relaxed), and the key is a field the port added (a new feature, not a
framework default)."""

from __future__ import annotations

from collections.abc import Iterator

import json
from typing import Any

import pytest
from fastapi import FastAPI
from flask import request as flask_request
from flask_openapi3 import OpenAPI
from pydantic import BaseModel, ConfigDict, Field

from apiparity.fuzz.labels.unknown_body_keys import request_body_properties
from apiparity.fuzz.wire import WireRequest
from tests.fuzz.labels.harness import Sides, judge, serve

LABEL = "unknown-body-keys"

# ------------------------------------------------------------------------ the legacy Flask app


class Signup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    age: int = Field(ge=13)


class Profile(BaseModel):  # extras ignored, as pydantic does by default
    email: str
    age: int = Field(ge=18)


class Invite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str


legacy = OpenAPI(__name__, security_schemes={})


@legacy.post("/signups", responses={201: None})
def signup(body: Signup):  # noqa: ANN201
    return {"email": body.email}, 201


@legacy.post("/profiles", responses={201: None})
def profile(body: Profile):  # noqa: ANN201
    return {"email": body.email}, 201


@legacy.post("/invites", responses={201: None})
def invite(body: Invite):  # noqa: ANN201
    return {"email": body.email}, 201


def order():  # noqa: ANN201 - a plain Flask view validating like webargs/marshmallow (unknown=RAISE)
    data = flask_request.get_json()
    unknown = {key: ["Unknown field."] for key in data if key not in ("sku", "quantity")}
    if unknown:
        return {"code": 422, "status": "Unprocessable Entity", "errors": {"json": unknown}}, 422
    return {"sku": data["sku"], "quantity": data["quantity"]}, 201


legacy.add_url_rule("/orders", view_func=order, methods=["POST"])

# --------------------------------------------------------------------------- the FastAPI port

modern = FastAPI()


class NewSignup(BaseModel):  # the model ported without `extra="forbid"`
    email: str
    age: int = Field(ge=13)


class NewProfile(BaseModel):
    email: str
    age: int = Field(ge=0)  # the port relaxed the bound


class NewInvite(BaseModel):
    email: str
    referrer: str | None = None  # the port added a field


class NewOrder(BaseModel):
    sku: str
    quantity: int


@modern.post("/signups", status_code=201)
def signup_new(body: NewSignup) -> dict[str, Any]:
    return {"email": body.email}


@modern.post("/profiles", status_code=201)
def profile_new(body: NewProfile) -> dict[str, Any]:
    return {"email": body.email}


@modern.post("/invites", status_code=201)
def invite_new(body: NewInvite) -> dict[str, Any]:
    return {"email": body.email}


@modern.post("/orders", status_code=201)
def order_new(body: NewOrder) -> dict[str, Any]:
    return {"sku": body.sku, "quantity": body.quantity}


# ------------------------------------------------------------------------------------ the cases


@pytest.fixture(scope="module")
def sides() -> Iterator[Sides]:
    yield from serve(legacy, modern)


def label_of(sides: Sides, operation: str, body: dict[str, Any]) -> tuple[str | None, list[str]]:
    """(the label the case gets, the preconditions of `unknown-body-keys` that fail on its differences)."""
    method, _, path = operation.partition(" ")
    request = WireRequest(method, path, headers=[("Content-Type", "application/json")], body=json.dumps(body).encode(),
                          operation=operation)
    judged = judge(sides, request, LABEL)
    return judged.label, judged.failed


def test_a_key_the_legacy_model_forbids_and_the_port_ignores(sides) -> None:
    assert label_of(sides, "POST /signups", {"email": "a@b.c", "age": 30, "nickname": "al"}) == (LABEL, [])


def test_a_webargs_style_unknown_field_error_from_a_plain_flask_view(sides) -> None:
    """OLD's document has no body for this view (plain Flask): the port's document says what is declared."""
    old, new = sides.old, sides.new
    assert request_body_properties(old.document, "POST /orders") is None
    assert request_body_properties(new.document, "POST /orders") == {"sku", "quantity"}
    assert label_of(sides, "POST /orders", {"sku": "A-1", "quantity": 2, "qty": 2}) == (LABEL, [])


def test_near_miss_old_refused_another_field(sides) -> None:
    """Same status pair and an unknown key in the body, but OLD refused the age its bound forbids."""
    found, failed = label_of(sides, "POST /profiles", {"email": "a@b.c", "age": 15, "nickname": "al"})
    assert found is None and failed == ["OLD's answer names such a key"]


def test_near_miss_a_field_the_port_added(sides) -> None:
    """OLD refuses `referrer` as unknown, but the port declares it: a feature, not a framework default."""
    found, failed = label_of(sides, "POST /invites", {"email": "a@b.c", "referrer": "x"})
    assert found is None and failed == ["OLD's answer names such a key",
                                        "the JSON object body has a key NEW's document does not declare for it"]


def test_near_miss_nothing_unknown_in_the_body(sides) -> None:
    found, failed = label_of(sides, "POST /profiles", {"email": "a@b.c", "age": 15})
    assert found is None and "the JSON object body has a key NEW's document does not declare for it" in failed
