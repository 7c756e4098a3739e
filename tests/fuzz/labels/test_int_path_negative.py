"""The `int-path-negative` label (apiparity.fuzz.divergences) on a real Flask app and its FastAPI port,
including its message-only variant: Werkzeug's `<int:>` converter does not match `-1`, so the legacy
app's not-found handler answers; FastAPI's `med_id: int` takes -1 and the port's handler answers its
own 404 ("medicine -1 not found"). Same cause as the 404-vs-422 of `abc`, only the body differs.

Near misses: a digit id both handlers miss (their messages differ: no converter involved), and a
negative id on a route the port no longer has (NEW's 404 is its router's). And `head-options-405`
(the same catalog) on a path OLD does not have: Flask answered nothing automatically there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from flask import Flask, jsonify

from apiparity.fuzz.wire import WireRequest
from tests.fuzz.labels.harness import Sides, judge, serve

LABEL = "int-path-negative"
MEDICINES = {1: "Amoxicillin"}

legacy = Flask(__name__)


@legacy.errorhandler(404)
def not_found(_: Exception) -> Any:
    return jsonify({"error": {"code": "NOT_FOUND", "message": "no such resource"}}), 404


@legacy.get("/medicines/<int:med_id>")
def get_medicine(med_id: int) -> Any:
    if med_id not in MEDICINES:
        return jsonify({"error": {"code": "NOT_FOUND", "message": "no such resource"}}), 404
    return jsonify({"id": med_id, "name": MEDICINES[med_id]})


@legacy.get("/api/v1/medicines/<int:med_id>")
def get_medicine_v1(med_id: int) -> Any:
    return get_medicine(med_id)


modern = FastAPI()


@modern.exception_handler(HTTPException)
async def envelope(_: Request, exc: HTTPException) -> JSONResponse:
    code = "NOT_FOUND" if exc.status_code == 404 else "ERROR"
    return JSONResponse({"error": {"code": code, "message": str(exc.detail)}}, status_code=exc.status_code)


@modern.get("/medicines/{med_id}")
def get_medicine_new(med_id: int) -> dict[str, Any]:
    if med_id not in MEDICINES:
        raise HTTPException(404, f"medicine {med_id} not found")
    return {"id": med_id, "name": MEDICINES[med_id]}


@modern.get("/catalog")
def catalog() -> list[str]:  # new in the port: OLD has no such path
    return sorted(MEDICINES.values())


@pytest.fixture(scope="module")
def sides() -> Iterator[Sides]:
    yield from serve(legacy, modern)


def judged(sides: Sides, path: str, operation: str, label: str = LABEL, method: str = "GET") -> tuple[str | None, list[str], tuple[int, int]]:
    found = judge(sides, WireRequest(method, path, operation=operation), label)
    return found.label, found.failed, (found.old.status, found.new.status)


def test_negative_id_answered_by_the_ports_handler_differs_only_in_the_message(sides: Sides) -> None:
    assert judged(sides, "/medicines/-1", "GET /medicines/{med_id}") == (LABEL, [], (404, 404))


def test_non_integer_id_is_still_the_status_variant(sides: Sides) -> None:
    found, failed, statuses = judged(sides, "/medicines/abc", "GET /medicines/{med_id}")
    assert (found, failed, statuses) == (LABEL, [], (404, 422))


def test_near_miss_a_digit_id_both_handlers_miss(sides: Sides) -> None:
    assert judged(sides, "/medicines/7", "GET /medicines/{med_id}") == (
        None, ["a path parameter OLD's document declares integer holds a value that is not a non-negative integer"], (404, 404))


def test_near_miss_a_negative_id_on_a_route_the_port_no_longer_has(sides: Sides) -> None:
    found, failed, statuses = judged(sides, "/api/v1/medicines/-1", "GET /api/v1/medicines/{med_id}")
    assert statuses == (404, 404) and found != LABEL
    assert failed == ["the status differs, or both answered 404 and the body differs with NEW's route declared "
                      "(NEW's handler ran, OLD's router did not match)"]


def test_near_miss_head_options_on_a_path_old_does_not_have(sides: Sides) -> None:
    # the port answers 405 on its new path; OLD has no such path at all: nothing answered automatically
    found, failed, statuses = judged(sides, "/catalog", "GET /catalog", label="head-options-405", method="OPTIONS")
    assert (found, statuses) == (None, (404, 405))
    assert failed == ["OLD routes the path (it answered other than 404, or its document declares the path)"]


def test_options_on_a_route_both_have_is_still_flasks_automatic_answer(sides: Sides) -> None:
    found, failed, statuses = judged(sides, "/medicines/1", "GET /medicines/{med_id}", label="head-options-405", method="OPTIONS")
    assert (found, failed, statuses) == ("head-options-405", [], (200, 405))
