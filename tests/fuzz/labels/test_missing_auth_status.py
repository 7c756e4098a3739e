"""The `missing-auth-status` label (apiparity.fuzz.divergences) on a real Flask app and its FastAPI
port: it explains a request that carried no credentials (Flask's handler answers 401, FastAPI's
security class 403), never one that carried a wrong token (both handlers ran and chose their own
status: the port's 403 for a bad token is its own regression, as a real user's planted pair showed).
The port reads the token as a required `Header()`: no header is FastAPI's 422 before the handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Header, HTTPException
from flask import Flask, jsonify
from flask import request as flask_request

from apiparity.fuzz.wire import WireRequest
from tests.fuzz.labels.harness import Sides, judge, serve

LABEL = "missing-auth-status"
NO_CREDENTIALS = ("the request carried no credentials (no Authorization or Cookie header, no API key or token "
                  "header/query parameter)")
TOKEN = "rx-secret"

legacy = Flask(__name__)


@legacy.delete("/medicines/<int:med_id>")
def delete_medicine(med_id: int) -> Any:
    if flask_request.headers.get("X-Pharmacist-Token") != TOKEN:
        return jsonify({"error": "bad pharmacist token"}), 401
    return "", 204


modern = FastAPI()


@modern.delete("/medicines/{med_id}", status_code=204)
def delete_medicine_new(med_id: int, x_pharmacist_token: str = Header()) -> None:
    if x_pharmacist_token != TOKEN:
        raise HTTPException(403, "bad pharmacist token")  # the port's own choice for a wrong token


@pytest.fixture(scope="module")
def sides() -> Iterator[Sides]:
    yield from serve(legacy, modern)


def judged(sides: Sides, headers: list[tuple[str, str]]) -> tuple[str | None, list[str], tuple[int, int]]:
    request = WireRequest("DELETE", "/medicines/1", headers=headers, operation="DELETE /medicines/{med_id}")
    found = judge(sides, request, LABEL, kinds=("status",))
    return found.label, found.failed, (found.old.status, found.new.status)


def test_no_token_is_the_frameworks_missing_credentials(sides: Sides) -> None:
    assert judged(sides, []) == (LABEL, [], (401, 422))


def test_near_miss_a_wrong_token_is_no_missing_credentials(sides: Sides) -> None:
    assert judged(sides, [("X-Pharmacist-Token", "not-the-token")]) == (None, [NO_CREDENTIALS], (401, 403))


def test_near_miss_an_empty_token_header_reaches_the_ports_handler(sides: Sides) -> None:
    # not a security scheme: `Header()` takes "" and the port's handler answers 403 itself
    assert judged(sides, [("X-Pharmacist-Token", "")]) == (None, [NO_CREDENTIALS], (401, 403))


def test_near_miss_a_token_the_run_added_with_h_counts_as_sent(sides: Sides) -> None:
    """-H headers are not part of the generated case: what OLD received (`old_request`) is read."""
    from apiparity.fuzz.compare import CompareOptions, compare_responses
    from apiparity.fuzz.divergences import identify_case
    from apiparity.fuzz.group import root_signatures

    case = WireRequest("DELETE", "/medicines/1", operation="DELETE /medicines/{med_id}")
    received = WireRequest("DELETE", "/medicines/1", headers=[("X-Pharmacist-Token", "typo")], operation=case.operation)
    old, new = sides.old_transport.send(received), sides.new_transport.send(received)
    roots = list(root_signatures(compare_responses(old, new, CompareOptions())).values())
    documents = {"document": sides.old.document, "new_document": sides.new.document}
    assert (old.status, new.status) == (401, 403)
    alone = identify_case(case, old, new, roots, **documents)  # the case alone looks token-less
    assert alone is not None and alone.id == LABEL
    assert identify_case(case, old, new, roots, old_request=received, **documents) is None
