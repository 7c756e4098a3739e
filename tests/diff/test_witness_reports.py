"""Issue 19 acceptance: `apiparity diff` prints the witness of each breaking schema finding in text,
JSON and HTML (the instance one side accepts and the other rejects, with the keyword)."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

from .test_cli import write_pair
from .helpers import schema_at

# Found by the bound-edge hints on the first tries (a busy machine's time bound is never reached).
REQUEST = ({"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}},
           {"type": "object", "properties": {"name": {"type": "string", "maxLength": 5}}})
RESPONSE = ({"type": "object", "properties": {"n": {"type": "integer", "minimum": 5}}},
            {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}})


@pytest.mark.parametrize(("location", "schemas", "opening"), [
    ("request-body", REQUEST, "OLD accepted "), ("response-body", RESPONSE, "NEW may return "),
])
def test_each_breaking_schema_finding_shows_its_witness_in_every_format(tmp_path: Path, location: str, schemas: tuple[dict, dict],
                                                                        opening: str) -> None:
    old, new = write_pair(tmp_path, schema_at(location, schemas[0]), schema_at(location, schemas[1]))
    outputs = {}
    for fmt in ("json", "text", "html"):
        result = run_cli("diff", old, new, "--format", fmt, "--seed", "3")
        assert result.exit_code == 1, result.stderr
        outputs[fmt] = result.stdout
    breaking = [c for c in json.loads(outputs["json"])["diff"]["changes"] if c["severity"] == "breaking"]
    assert breaking
    for change in breaking:
        witness = change["witness"]
        assert witness["verdict"] == "witnessed" and witness["text"].startswith(opening), witness
        assert witness["instance"] is not None and witness["keyword"] in witness["text"]
        assert witness["text"] in outputs["text"]
        assert witness["text"] in html.unescape(outputs["html"])
