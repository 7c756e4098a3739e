"""What `apiparity diff` does to fit a big pair in memory (issue 19) must not change what it reports:
raw documents released side by side, path items freed while normalizing, equal leaf objects shared."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from apiparity.spec.normalize import normalize_document
from apiparity.spec.refs import RefusedRef
from apiparity.targets.documents import parse_document
from tests.conftest import run_cli

from .helpers import document, ok


def _pair() -> tuple[dict[str, Any], dict[str, Any]]:
    item = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string", "maxLength": 10}}}
    old = document({
        "/items/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                                "responses": {"200": ok({"$ref": "#/components/schemas/Item"})}}},
        "/items": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                            "responses": {"201": ok()}}},
    }, {"schemas": {"Item": item}})
    new = copy.deepcopy(old)
    new["components"]["schemas"]["Item"]["properties"]["name"]["maxLength"] = 5  # request: breaking
    del new["components"]["schemas"]["Item"]["properties"]["id"]  # response: a field removed
    return old, new


def _changes(tmp_path: Path, old: dict[str, Any], new: dict[str, Any], *flags: str) -> list[dict[str, Any]]:
    old_file, new_file = tmp_path / "old.json", tmp_path / "new.json"
    old_file.write_text(json.dumps(old))
    new_file.write_text(json.dumps(new))
    result = run_cli("diff", str(old_file), str(new_file), "--format", "json", "--no-witness", *flags)
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)["diff"]["changes"]


def test_released_and_consumed_documents_give_the_same_findings_and_pointers(tmp_path: Path) -> None:
    old, new = _pair()
    # --validate keeps each raw document whole until it is validated; --no-validate frees path items
    # while normalizing and re-reads the files only to check the findings' pointers
    whole = _changes(tmp_path, old, new, "--validate")
    consumed = _changes(tmp_path, old, new, "--no-validate")
    assert consumed == whole
    assert {c["rule_id"] for c in consumed} >= {"request-body-max-length-decreased", "response-body-property-removed"}
    assert all(c["new_pointer"] is None or c["new_pointer"].startswith("/") for c in consumed)


def test_a_ref_into_paths_is_read_whole(tmp_path: Path) -> None:
    old, new = _pair()
    for doc in (old, new):  # a parameter written once under one path, referenced from another
        doc["paths"]["/other/{id}"] = {"get": {"parameters": [{"$ref": "#/paths/~1items~1{id}/get/parameters/0"}],
                                               "responses": {"200": ok()}}}
    new["paths"]["/items/{id}"]["get"]["parameters"][0]["schema"] = {"type": "string"}  # both operations change
    with pytest.raises(RefusedRef):
        normalize_document(copy.deepcopy(new), consume_paths=True)
    whole = _changes(tmp_path, old, new, "--validate")
    consumed = _changes(tmp_path, old, new, "--no-validate")
    assert consumed == whole
    assert {c["path"] for c in consumed if c["rule_id"].startswith("request-path-parameter-type")} == {"/items/{id}", "/other/{id}"}


def test_consumed_paths_are_freed_and_the_model_is_the_same() -> None:
    old, _ = _pair()
    raw = copy.deepcopy(old)
    consumed = normalize_document(raw, consume_paths=True)
    assert raw["paths"] == {}
    whole = normalize_document(old)
    assert consumed.operations.keys() == whole.operations.keys()
    assert old["paths"]  # without consume_paths the document is left as it was


def test_shared_leaves_are_equal_and_keep_their_types() -> None:
    text = json.dumps({"a": {"type": "string"}, "b": {"type": "string"}, "c": {"v": 1}, "d": {"v": True}, "e": {"v": 1.0},
                       "f": {"n": {"type": "string"}}})
    shared = parse_document(text, source="x.json", share_equal=True)
    assert shared == json.loads(text)
    assert shared["a"] is shared["b"]  # one object
    assert [type(shared[k]["v"]) for k in "cde"] == [int, bool, float]  # 1 == True == 1.0, yet not merged
