"""spec/base_path.py: a server base path is folded into the paths only when that pairs more operations."""

from __future__ import annotations

from typing import Any

from apiparity.spec.base_path import align_base_paths, server_base_path
from apiparity.spec.normalize import NormalizedDocument, normalize_document


def document(paths: list[str], servers: list[str] | None = None) -> NormalizedDocument:
    raw: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                           "paths": {path: {"get": {"responses": {"200": {"description": "ok"}}}} for path in paths}}
    if servers is not None:
        raw["servers"] = [{"url": url} for url in servers]
    return normalize_document(raw)


def test_the_base_path_is_the_first_servers_path_without_its_trailing_slash() -> None:
    assert server_base_path(document(["/a"])) == ""
    assert server_base_path(document(["/a"], ["/api/"])) == "/api"
    assert server_base_path(document(["/a"], ["https://example.test/v2", "/other"])) == "/v2"
    assert server_base_path(document(["/a"], ["/"])) == ""
    assert server_base_path(document(["/a"], ["https://example.test/{stage}/api"])) == "", "a templated URL is no base path"


def test_a_contract_mounted_under_servers_pairs_with_a_document_that_spells_the_prefix() -> None:
    contract = document(["/events", "/events/{event_id}"], ["/api"])
    port = document(["/api/events", "/api/events/{id}"])
    old, new, folded = align_base_paths(contract, port)
    assert folded == {"/api"}
    assert set(old.operations) == set(new.operations) == {("GET", "/api/events"), ("GET", "/api/events/{}")}
    assert old.operations[("GET", "/api/events/{}")].path == "/api/events/{event_id}"  # the raw template keeps its names
    assert new.operations is port.operations, "the side without a base path keeps its paths"


def test_paths_that_already_pair_keep_their_own_spelling() -> None:
    old = document(["/events"], ["/api"])
    new = document(["/events"], ["/v2"])
    aligned_old, aligned_new, folded = align_base_paths(old, new)
    assert folded == set() and aligned_old is old and aligned_new is new


def test_equal_base_paths_fold_nothing() -> None:
    old, new = document(["/events"], ["/api"]), document(["/api/events"], ["/api"])
    assert align_base_paths(old, new) == (old, new, set())
