"""Findings point where the raw documents wrote what changed (issue 19 keeps the pointers while
dropping the per-schema pointer strings: each normalized schema knows its parent instead)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.spec.normalize import normalize_document, origin_of
from apiparity.spec.pointer import MISSING, lookup

from .metamorphic import annotate

DOCUMENTS = Path(__file__).parent / "documents"


def test_every_description_change_points_at_the_new_description() -> None:
    # library31 writes nullable fields as `anyOf: [X, {type: null}]`: the null branches are dropped
    # while normalizing. Origins kept by object id pointed a later schema that reused a dropped
    # branch's id at that branch (`tag`'s description change pointed into parameter 0, `q`).
    old = yaml.safe_load((DOCUMENTS / "library31.yaml").read_text())
    new = annotate(old, random.Random(0))
    changes = [c for c in diff_documents(old, new, options=DiffOptions(profile="none", witness=False)).changes
               if c.rule_id == "schema-description-changed" and c.new_pointer and c.new_pointer.endswith("/description")]
    assert len(changes) > 20
    wrong = [(c.message, c.new_pointer) for c in changes if lookup(new, c.new_pointer) != c.new_value]
    assert wrong == []


def _walk(schema: Any, seen: set[int]) -> list[dict[str, Any]]:
    if not isinstance(schema, dict) or id(schema) in seen:
        return []
    seen.add(id(schema))
    found = [schema]
    for key in ("properties", "patternProperties", "dependentSchemas"):
        for sub in (schema.get(key) or {}).values():
            found += _walk(sub, seen)
    for key in ("items", "additionalProperties", "not", "contains", "if", "then", "else", "propertyNames"):
        found += _walk(schema.get(key), seen)
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for sub in schema.get(key) or []:
            found += _walk(sub, seen)
    return found


def test_each_normalized_schema_knows_where_the_document_wrote_it() -> None:
    raw = yaml.safe_load((DOCUMENTS / "library31.yaml").read_text())
    doc = normalize_document(raw)
    seen: set[int] = set()
    schemas: list[dict[str, Any]] = []
    for op in doc.operations.values():
        roots = [p.schema for p in op.parameters.values()]
        roots += [m.schema for m in (op.request_body.content.values() if op.request_body else [])]
        roots += [m.schema for r in op.responses.values() for m in r.content.values()]
        for root in roots:
            schemas += _walk(root, seen)
    assert len(schemas) > 30
    for schema in schemas:
        pointer = origin_of(schema)
        assert pointer is not None
        node = lookup(raw, pointer)
        assert node is not MISSING, pointer
        # what the raw node says about the schema survives normalization (a type, a title...)
        if isinstance(node, dict) and "title" in node and "$ref" not in node:
            assert schema.get("title") == node["title"], pointer
