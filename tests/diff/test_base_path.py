"""A contract that mounts the API with `servers: [{url: /api}]` and a framework document that writes
`/api/...` into its paths describe the same URLs: operations pair, nothing is removed."""

from __future__ import annotations

from apiparity.diff.engine import DiffOptions, diff_documents

from .helpers import document, ok

ITEMS = {"get": {"responses": {"200": ok({"type": "array", "items": {"type": "string"}})}}}
ITEM = {"get": {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": ok({"type": "string"})}}}


def mounted(base: str) -> dict:
    return document({"/items": ITEMS, "/items/{id}": ITEM}, servers=[{"url": base}])


def absolute(prefix: str) -> dict:
    return document({f"{prefix}/items": ITEMS, f"{prefix}/items/{{id}}": ITEM})


def test_a_server_base_path_pairs_with_paths_that_spell_it() -> None:
    for old, new in ((mounted("/api"), absolute("/api")), (absolute("/api"), mounted("/api"))):
        result = diff_documents(old, new)
        assert result.changes == []
        assert {n.rule_id: n.count for n in result.ignored_noise} == {"server-base-path": 1}


def test_a_full_server_url_is_folded_by_its_path() -> None:
    result = diff_documents(mounted("http://127.0.0.1:8000/api/"), absolute("/api"))
    assert result.changes == []


def test_without_a_profile_operations_still_pair_and_the_server_change_shows() -> None:
    result = diff_documents(mounted("/api"), absolute("/api"), options=DiffOptions(profile="none"))
    assert {c.rule_id for c in result.changes} == {"server-removed"}


def test_paths_that_already_pair_keep_their_spelling() -> None:
    """Same paths, servers /v1 -> /v2: folding would unpair every operation, so nothing is folded
    and the server change is reported as it is."""
    result = diff_documents(mounted("/v1"), mounted("/v2"))
    assert {c.rule_id for c in result.changes} == {"server-removed", "server-added"}
    assert all(c.path in ("", None) or not c.path.startswith("/v") for c in result.changes)


def test_a_really_moved_api_is_still_removed() -> None:
    result = diff_documents(absolute("/api"), absolute("/api/v2"))
    assert {c.rule_id for c in result.changes if c.severity == "breaking"} == {"api-path-removed"}
