"""Known false-positive traps of spec diff tools must report nothing breaking; known false
negatives must be caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.errors import SpecError
from apiparity.targets.documents import read_document_file

from .helpers import document, ok, rule_ids, run, schema_at

DATA = Path(__file__).resolve().parents[1] / "data" / "rules"
S = {"type": "string"}
ITEM = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "name": S}}


def with_components(doc: dict, **schemas: dict) -> dict:
    doc["components"] = {"schemas": schemas}
    return doc


def breaking(old: dict, new: dict) -> list[str]:
    return [c.rule_id for c in run(old, new).changes if c.severity == "breaking"]


def test_input_output_split_nullable_forms_and_recursion_are_equal() -> None:
    old = read_document_file(DATA / "trap-input-output-split" / "base.yaml")
    new = read_document_file(DATA / "trap-input-output-split" / "revision.yaml")
    assert rule_ids(old, new) == {"openapi-version-changed"}
    assert rule_ids(new, old) == {"openapi-version-changed"}


def test_inline_vs_ref_inside_any_of() -> None:
    inline = schema_at("response-body", {"anyOf": [ITEM, {"type": "null"}]})
    ref = with_components(schema_at("response-body", {"anyOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]}), Item=ITEM)
    assert rule_ids(inline, ref) == set()
    union = {"oneOf": [ITEM, {"type": "object", "properties": {"other": S}}]}
    union_ref = {"oneOf": [{"$ref": "#/components/schemas/Item"}, {"type": "object", "properties": {"other": S}}]}
    assert rule_ids(schema_at("request-body", union), with_components(schema_at("request-body", union_ref), Item=ITEM)) == set()


def test_annotation_only_all_of() -> None:
    plain = with_components(schema_at("request-body", {"type": "object", "properties": {"item": {"$ref": "#/components/schemas/Item"}}}), Item=ITEM)
    annotated = with_components(schema_at("request-body", {"type": "object", "properties": {"item": {"allOf": [{"$ref": "#/components/schemas/Item"}], "description": "the item"}}}), Item=ITEM)
    assert breaking(plain, annotated) == [] and breaking(annotated, plain) == []
    assert rule_ids(plain, annotated) <= {"schema-description-changed"}


def test_mergeable_all_of_equals_flat_object() -> None:
    flat = schema_at("request-body", {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "extra": S}})
    composed = with_components(schema_at("request-body", {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"extra": S}}]}), Base={"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}})
    assert rule_ids(flat, composed) == set()


def test_parameter_moved_between_operation_and_path_level() -> None:
    param = {"name": "q", "in": "query", "required": True, "schema": S}
    on_operation = document({"/x": {"get": {"parameters": [param], "responses": {"200": ok()}}}})
    on_path = document({"/x": {"parameters": [param], "get": {"responses": {"200": ok()}}}})
    assert rule_ids(on_operation, on_path) == set()


def test_numbers_one_and_one_point_zero() -> None:
    assert rule_ids(schema_at("request-body", {"type": "number", "maximum": 1, "default": 0}), schema_at("request-body", {"type": "number", "maximum": 1.0, "default": 0.0})) == set()


def test_path_parameter_rename_is_info_and_listed() -> None:
    param = lambda name: {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}  # noqa: E731
    old = document({"/books/{id}": {"get": {"parameters": [param("id")], "responses": {"200": ok()}}}})
    new = document({"/books/{book_id}": {"get": {"parameters": [param("book_id")], "responses": {"200": ok()}}}})
    result = run(old, new)
    assert [(c.rule_id, c.severity) for c in result.changes] == [("api-path-parameter-renamed", "info")]
    assert result.renamed_paths == [("/books/{id}", "/books/{book_id}")]


def test_metadata_only_changes_are_info() -> None:
    old = document({"/x": {"get": {"operationId": "a", "summary": "a", "tags": ["a"], "description": "a", "responses": {"200": ok({"type": "string", "title": "A"})}}}})
    new = document({"/x": {"get": {"operationId": "b", "summary": "b", "tags": ["b"], "description": "b", "responses": {"200": ok({"type": "string", "title": "B"})}}}})
    assert {c.severity for c in run(old, new).changes} == {"info"}


def test_required_property_with_default_is_breaking() -> None:
    """Required wins over default: OLD's bodies without `b` are invalid under NEW (issue 19; was a warning)."""
    old = schema_at("request-body", {"type": "object", "properties": {"a": S}})
    new = schema_at("request-body", {"type": "object", "required": ["b"], "properties": {"a": S, "b": {"type": "integer", "default": 3}}})
    assert [(c.rule_id, c.severity) for c in run(old, new).changes] == [("request-body-required-property-added-with-default", "breaking")]


# ------------------------------------------------------------------ false negatives


def test_change_in_component_reached_only_via_refs() -> None:
    def doc(maximum: int) -> dict:
        return with_components(
            document({"/o": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}, "responses": {"200": ok()}}}}),
            Order={"type": "object", "properties": {"lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}}}},
            Line={"type": "object", "properties": {"qty": {"type": "integer", "maximum": maximum}}},
        )

    changes = run(doc(10), doc(5)).changes
    assert [(c.rule_id, c.message) for c in changes] == [("request-body-max-decreased", "request body `lines[].qty`: maximum 10 -> 5")]
    assert changes[0].old_pointer == "/components/schemas/Line/properties/qty/maximum"


def test_one_of_branch_changed_in_place() -> None:
    cat = {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["cat"]}, "lives": {"type": "integer"}}}
    dog = {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["dog"]}, "good": {"type": "boolean"}}}
    dog2 = {**dog, "required": ["kind", "good"]}
    assert rule_ids(schema_at("request-body", {"oneOf": [cat, dog]}), schema_at("request-body", {"oneOf": [cat, dog2]})) == {"request-body-property-became-required"}


def test_body_wrapped_in_an_envelope_is_breaking() -> None:
    bare = schema_at("response-body", ITEM)
    wrapped = schema_at("response-body", {"type": "object", "required": ["data"], "properties": {"data": ITEM}})
    assert "response-body-property-removed" in breaking(bare, wrapped)


def test_response_field_required_to_optional_is_breaking() -> None:
    assert breaking(schema_at("response-body", ITEM), schema_at("response-body", {**ITEM, "required": []})) == ["response-body-property-became-optional"]


def test_relative_file_refs_resolve_against_the_base_dir() -> None:
    folder = DATA / "relative-file-refs"
    old, new = read_document_file(folder / "base.yaml"), read_document_file(folder / "revision.yaml")
    result = diff_documents(old, new, options=DiffOptions(profile="none", old_base_dir=folder, new_base_dir=folder))
    assert [c.rule_id for c in result.changes] == ["response-body-enum-value-added"]
    with pytest.raises(SpecError, match="relative \\$ref"):
        diff_documents(old, new, options=DiffOptions(profile="none"))


def test_remote_refs_are_refused_unless_allowed() -> None:
    doc = schema_at("response-body", {"$ref": "https://example.invalid/schemas.yaml#/Thing"})
    with pytest.raises(SpecError, match="--allow-remote-refs"):
        diff_documents(doc, doc)


def test_swapping_old_and_new_flips_request_and_response_findings() -> None:
    narrow = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string", "maxLength": 5, "enum": ["x", "y"]}}}
    wide = {"type": "object", "properties": {"a": {"type": "string", "maxLength": 10, "enum": ["x", "y", "z"]}, "b": S}}

    def doc(request: dict, response: dict) -> dict:
        return document({"/x": {"post": {"requestBody": {"content": {"application/json": {"schema": request}}}, "responses": {"200": ok(response)}}}})

    forward = run(doc(wide, narrow), doc(narrow, wide))  # request narrowed, response widened: all breaking
    backward = run(doc(narrow, wide), doc(wide, narrow))  # request widened, response narrowed
    forward_breaking = {c.rule_id for c in forward.changes if c.severity == "breaking"}
    assert forward_breaking >= {"request-body-max-length-decreased", "request-body-enum-value-removed", "request-body-property-became-required", "response-body-enum-value-added", "response-body-property-became-optional"}
    # The response lost a property; the request accepts more than before but under the name `b`,
    # which OLD's open object accepted with any value and NEW only as a string.
    assert {c.rule_id for c in backward.changes if c.severity == "breaking"} == {"response-body-property-removed", "request-body-property-added"}
    assert {c.rule_id for c in backward.changes} >= {"request-body-max-length-increased", "request-body-enum-value-added", "request-body-property-became-optional", "response-body-enum-value-removed"}


def test_pointers_point_into_the_raw_documents() -> None:
    from apiparity.diff.engine import existing_pointer

    old = read_document_file(DATA / "trap-input-output-split" / "base.yaml")
    new = read_document_file(DATA / "trap-input-output-split" / "revision.yaml")
    new["components"]["schemas"]["Item-Output"]["properties"]["price"]["minimum"] = 2
    new["components"]["schemas"]["Item-Output"]["properties"]["name"]["maxLength"] = 5
    changes = {c.rule_id: c for c in run(old, new).changes}
    assert changes["response-body-min-increased"].old_pointer == "/components/schemas/Item/properties/price/minimum"
    assert changes["response-body-min-increased"].new_pointer == "/components/schemas/Item-Output/properties/price/minimum"
    assert changes["response-body-max-length-decreased"].new_pointer == "/components/schemas/Item-Output/properties/name/maxLength"
    for change in changes.values():
        for doc, pointer in ((old, change.old_pointer), (new, change.new_pointer)):
            assert pointer is None or existing_pointer(doc, pointer) == pointer


RULE_FIXTURES = sorted(p for p in DATA.iterdir() if (p / "base.yaml").exists() and not p.name.startswith(("trap-", "relative-")))


@pytest.mark.parametrize("folder", RULE_FIXTURES, ids=[p.name for p in RULE_FIXTURES])
def test_yaml_fixture_reports_exactly_its_rule(folder: Path) -> None:
    """tests/data/rules/<rule-id>/{base,revision}.yaml: hand-written pairs for the tricky cases."""
    old, new = read_document_file(folder / "base.yaml"), read_document_file(folder / "revision.yaml")
    found = {c.rule_id for c in run(old, new).changes if c.rule_id != "api-path-parameter-renamed"}
    assert found == {folder.name}


def test_read_only_and_write_only_properties_follow_direction() -> None:
    """A required readOnly property is never sent by clients; a writeOnly one is never returned."""
    base = {"type": "object", "required": ["name"], "properties": {"name": S}}
    with_id = {"type": "object", "required": ["name", "id"], "properties": {"name": S, "id": {"type": "integer", "readOnly": True}}}
    with_secret = {"type": "object", "required": ["name"], "properties": {"name": S, "secret": {"type": "string", "writeOnly": True}}}
    assert rule_ids(schema_at("request-body", base), schema_at("request-body", with_id)) == {"request-body-property-added"}
    assert rule_ids(schema_at("response-body", base), schema_at("response-body", with_id)) == {"response-body-required-property-added"}
    assert rule_ids(schema_at("response-body", with_secret), schema_at("response-body", base)) == set()
    assert rule_ids(schema_at("request-body", with_secret), schema_at("request-body", base)) == {"request-body-property-removed"}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"enum": "ab"}, "enum must be an array"),
        ({"type": "object", "properties": []}, "properties must be an object"),
        ({"$ref": "#/components/schemas/A"}, "cycle with no schema"),
        ({"$ref": "#/components/schemas/Nope"}, "does not exist"),
    ],
)
def test_malformed_documents_are_bad_input_not_crashes(schema: dict, message: str) -> None:
    doc = schema_at("response-body", schema)
    doc["components"] = {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}
    with pytest.raises(SpecError, match=message):
        diff_documents(doc, schema_at("response-body", {"type": "string"}))


def test_file_refs_never_leave_the_document_folder(tmp_path: Path) -> None:
    (tmp_path / "outside.yaml").write_text("Thing: {type: object}\n")
    folder = tmp_path / "specs"
    folder.mkdir()
    for ref in ("../outside.yaml#/Thing", f"{(tmp_path / 'outside.yaml').as_uri()}#/Thing"):
        doc = schema_at("response-body", {"$ref": ref})
        with pytest.raises(SpecError, match="not read"):
            diff_documents(doc, doc, options=DiffOptions(old_base_dir=folder, new_base_dir=folder))


def test_errors_name_the_side_label() -> None:
    broken = schema_at("response-body", {"$ref": "#/components/schemas/Gone"})
    with pytest.raises(SpecError, match=r"^specs/new\.yaml: .*Gone"):
        diff_documents(schema_at("response-body", S), broken, options=DiffOptions(old_label="specs/old.yaml", new_label="specs/new.yaml"))


def test_the_two_3_0_spellings_of_a_nullable_ref_are_equal() -> None:
    """`{allOf: [$ref X], nullable: true}` and `{allOf: [$ref X, {nullable: true}]}` (both common in
    3.0 documents, e.g. OpenAI's) mean one thing; a witness "OLD accepted null" between them was false.
    Dropping the nullable branch is still a nullable removal."""
    item = {"$ref": "#/components/schemas/Item"}

    def body(schema: dict) -> dict:
        doc = with_components(schema_at("request-body", {"type": "object", "properties": {"t": schema}}), Item=ITEM)
        doc["openapi"] = "3.0.3"
        return doc

    sibling, branch, plain = body({"allOf": [item], "nullable": True}), body({"allOf": [item, {"nullable": True}]}), body({"allOf": [item]})
    assert breaking(sibling, branch) == [] and breaking(branch, sibling) == []
    assert any("nullable" in rule for rule in breaking(branch, plain))


def test_spellings_of_one_meaning_in_3_1_are_equal() -> None:
    """`const: null` is `type: "null"`; `type: [integer, number]` is `number` (every integer is a
    number); a 3.0 `exclusiveMinimum: true` with no `minimum` bounds nothing."""
    for old, new in (({"const": None}, {"type": "null"}), ({"enum": [None]}, {"type": "null"}),
                     ({"type": ["integer", "number"]}, {"type": "number"}),
                     ({"anyOf": [{"type": "integer"}, {"type": "number"}]}, {"type": "number"})):
        for location in ("request-body", "response-body"):
            assert rule_ids(schema_at(location, old), schema_at(location, new)) == set(), (old, new)
    stray = schema_at("request-body", {"type": "number", "exclusiveMinimum": True})
    stray["openapi"] = "3.0.3"
    plain = schema_at("request-body", {"type": "number"})
    plain["openapi"] = "3.0.3"
    assert rule_ids(stray, plain) == set()


def test_nullable_is_a_3_0_keyword() -> None:
    """In 3.1 `nullable: true` is no keyword (null is accepted through `type: [X, "null"]`); the same
    schema moved from a 3.0 to a 3.1 document stops accepting null (issue 19, nl1/nl2)."""
    def body(schema: dict, version: str) -> dict:
        doc = schema_at("request-body", {"type": "object", "properties": {"size": schema}})
        doc["openapi"] = version
        return doc

    nullable = {"type": "string", "nullable": True}
    assert rule_ids(body({"type": "string"}, "3.1.0"), body(nullable, "3.1.0")) == set()
    assert rule_ids(body(nullable, "3.0.3"), body(nullable, "3.1.0")) == {"openapi-version-changed", "request-body-nullable-removed"}
    assert rule_ids(body(nullable, "3.0.3"), body({"type": ["string", "null"]}, "3.1.0")) == {"openapi-version-changed"}
    assert rule_ids(body({"type": "string"}, "3.0.3"), body(nullable, "3.0.3")) == {"request-body-nullable-added"}
