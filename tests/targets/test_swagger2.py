"""Swagger 2.0 documents (flask-restx, flasgger, hand-kept swagger.json) are converted to OpenAPI
3.0.3 and then read like any other target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from deepdiff import DeepDiff

from apiparity.errors import SpecError
from apiparity.spec.validate import validate_document
from apiparity.targets import load_target
from apiparity.targets.swagger2 import convert_swagger2
from tests.conftest import run_cli

HERE = Path(__file__).resolve().parent / "swagger2"


def _read(name: str) -> dict:
    return yaml.safe_load((HERE / name).read_text())


def test_conversion_equals_the_hand_written_openapi_3_document() -> None:
    """Every construct of the 2.0 store (body/formData/file, collectionFormat, global parameters and
    responses, security definitions, x-nullable, discriminator, host/basePath) lands where 3.0 puts it."""
    converted = convert_swagger2(_read("store-2.0.yaml"), "store-2.0.yaml")
    assert converted.pop("x-apiparity-converted-from") == "2.0"
    assert DeepDiff(_read("store-3.0.yaml"), converted, ignore_order=True) == {}
    assert validate_document(converted) == []


def test_the_input_document_is_left_untouched() -> None:
    original = _read("store-2.0.yaml")
    before = json.dumps(original, sort_keys=True)
    convert_swagger2(original, "x")
    assert json.dumps(original, sort_keys=True) == before


def test_diff_of_a_swagger_document_and_its_openapi_3_port_is_empty() -> None:
    result = run_cli("diff", str(HERE / "store-2.0.yaml"), str(HERE / "store-3.0.yaml"), "--profile", "none", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["diff"]["changes"] == []
    assert "Swagger 2.0 document converted" in result.stderr


def test_a_narrowed_swagger_parameter_is_still_breaking(tmp_path: Path) -> None:
    revised = _read("store-2.0.yaml")
    revised["parameters"]["limit"]["maximum"] = 50
    path = tmp_path / "revised.json"
    path.write_text(json.dumps(revised))
    result = run_cli("diff", str(HERE / "store-2.0.yaml"), str(path), "--format", "json")
    assert result.exit_code == 1
    rules = {(c["path"], c["rule_id"]) for c in json.loads(result.stdout)["diff"]["changes"]}
    assert ("/items", "request-query-parameter-max-decreased") in rules


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"swagger": "1.2", "info": {}, "paths": {}}, "unsupported Swagger version '1.2'"),
        ({"swagger": "2.0", "info": {}, "paths": []}, "`paths` is not a mapping"),
    ],
)
def test_what_cannot_be_converted_is_a_one_line_error(document: dict, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        convert_swagger2(document, "doc.json")


def test_a_flask_restx_app_is_read_from_the_document_it_serves() -> None:
    pytest.importorskip("flask_restx")
    target = load_target(f"{HERE / 'restx_app.py'}:app")
    assert target.framework == "flask" and not target.inferred
    assert any("/swagger.json" in note for note in target.notes)
    document = target.document
    assert document["openapi"] == "3.0.3" and validate_document(document) == []
    assert set(document["paths"]) == {"/todos/", "/todos/{id}"}
    assert document["paths"]["/todos/{id}"]["parameters"][0]["schema"] == {"type": "integer"}
    assert document["paths"]["/todos/"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Todo"}


def test_flask_restx_fields_mask_header_is_named_noise(tmp_path: Path) -> None:
    """The port drops restx's optional X-Fields mask header: counted as noise, not a warning."""
    pytest.importorskip("flask_restx")
    document = load_target(f"{HERE / 'restx_app.py'}:app").document
    without_mask = json.loads(json.dumps(document))
    for item in without_mask["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [p for p in operation["parameters"] if p.get("name") != "X-Fields"]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(document))
    new.write_text(json.dumps(without_mask))
    result = run_cli("diff", str(old), str(new), "--format", "json")
    report = json.loads(result.stdout)["diff"]
    assert report["changes"] == []
    assert {n["rule_id"]: n["count"] for n in report["ignored_noise"]} == {"restx-fields-mask": 3}
    strict = json.loads(run_cli("diff", str(old), str(new), "--format", "json", "--profile", "none").stdout)["diff"]
    assert {c["rule_id"] for c in strict["changes"]} == {"request-header-parameter-removed"}


def test_a_plain_flask_app_without_a_served_document_is_still_inferred() -> None:
    target = load_target(f"{Path(__file__).resolve().parents[2] / 'examples' / 'plain_flask' / 'app.py'}:app")
    assert target.inferred


def test_a_served_route_that_gives_no_document_falls_back_to_the_skeleton(tmp_path: Path) -> None:
    (tmp_path / "served_junk.py").write_text(
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        "@app.get('/openapi.json')\n"
        "def spec():\n"
        "    return 'not a document', 200\n"
        "@app.get('/items/<int:item_id>')\n"
        "def item(item_id):\n"
        "    return {'id': item_id}\n"
    )
    target = load_target(f"{tmp_path / 'served_junk.py'}:app")
    assert target.inferred
    assert "/items/{item_id}" in target.document["paths"]
    assert any("GET /openapi.json gave no usable document" in note for note in target.notes)
