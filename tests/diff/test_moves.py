"""Removals that are one move: NEW serves OLD's routes under another prefix (diff/moves.py)."""

from __future__ import annotations

import json

from apiparity.model import FuzzResult, PathMove, Report
from apiparity.report import render

from .helpers import document, ok, run

ITEM_PARAMETER = [{"name": "post_id", "in": "path", "required": True, "schema": {"type": "integer"}}]


def posts(prefix: str, collection_slash: str = "", parameter: str = "post_id") -> dict:
    item = {"parameters": [{**ITEM_PARAMETER[0], "name": parameter}], "responses": {"200": ok({"type": "object"})}}
    return document({
        f"{prefix}/posts{collection_slash}": {"get": {"responses": {"200": ok({"type": "array"})}}, "post": {"responses": {"201": ok()}}},
        f"{prefix}/posts/{{{parameter}}}": {"get": item, "delete": item},
    })


def test_a_version_prefix_dropped_by_the_port_is_one_move() -> None:
    result = run(posts("/api/v1"), posts("", "/", parameter="id"))
    assert sum(c.rule_id == "api-path-removed" for c in result.changes) == 4  # each OLD URL still breaks
    assert result.path_moves == [PathMove(old_prefix="/api/v1", new_prefix="/", operations=4, removed=4, trailing_slash_added=2,
                                          example_old="/api/v1/posts", example_new="/posts/")]


def test_a_prefix_added_by_the_port_is_one_move() -> None:
    (move,) = run(posts(""), posts("/v2")).path_moves
    assert (move.old_prefix, move.new_prefix, move.operations, move.trailing_slash_added) == ("/", "/v2", 4, 0)


def test_look_alikes_are_not_moves() -> None:
    one_route = document({"/api/a": {"get": {"responses": {"200": ok()}}}, "/keep": {"get": {"responses": {"200": ok()}}}})
    moved_one = document({"/a": {"get": {"responses": {"200": ok()}}}, "/keep": {"get": {"responses": {"200": ok()}}}})
    assert run(one_route, moved_one).path_moves == []  # a single pair of look-alike paths is a coincidence
    item = {"get": {"parameters": ITEM_PARAMETER, "responses": {"200": ok()}}, "delete": {"parameters": ITEM_PARAMETER, "responses": {"200": ok()}}}
    users = document({"/users/{post_id}": item})
    accounts = document({"/accounts/{post_id}": item})
    assert run(users, accounts).path_moves == []  # only `/{id}` in common: another resource, not a move
    other_methods = document({"/posts": {"put": {"responses": {"200": ok()}}, "patch": {"responses": {"200": ok()}}}})
    assert run(posts("/api/v1"), other_methods).path_moves == []  # a move keeps the method


def test_the_move_is_said_in_every_format() -> None:
    report = Report(command="diff", diff=run(posts("/api/v1"), posts("", "/")))
    sentence = "4 of the 4 removed operations moved: /api/v1… in OLD is /… in NEW (e.g. /api/v1/posts -> /posts/)"
    for fmt in ("text", "markdown", "html"):
        assert sentence.replace("'", "&#39;") in render(report, fmt).replace("&gt;", ">"), fmt
    assert json.loads(render(report, "json"))["diff"]["path_moves"][0]["old_prefix"] == "/api/v1"


def test_the_move_leads_the_top_causes() -> None:
    from apiparity.report.view import build_view

    lines = build_view(Report(command="check", diff=run(posts("/api/v1"), posts("", "/")), fuzz=FuzzResult())).summary.top_causes
    assert lines[0].startswith("[moved] 4 of the 4 removed operations moved: /api/v1…")
    assert sum(line.startswith("[breaking] api-path-removed") for line in lines) == 2  # the removals stay, one line per path
