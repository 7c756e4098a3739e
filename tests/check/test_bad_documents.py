"""`check` on malformed documents: one `error:` line naming the file, exit 2, nothing sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

VALID = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
CYCLE = {
    **VALID,
    "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}},
    "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}},
}
MISSING = {**CYCLE, "components": {"schemas": {"A": {"$ref": "#/components/schemas/Nowhere"}}}}


@pytest.mark.parametrize(("document", "message"), [(CYCLE, "$ref cycle"), (MISSING, "does not exist")], ids=["cycle", "missing"])
@pytest.mark.parametrize("side", ["old", "new"])
def test_error_names_the_file(tmp_path: Path, document: dict, message: str, side: str) -> None:
    bad = tmp_path / "bad-openapi.json"
    bad.write_text(json.dumps(document))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(VALID))
    args = (str(bad), str(good)) if side == "old" else (str(good), str(bad))
    result = run_cli("check", *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert str(bad) in lines[0] and message in lines[0]
    assert "OLD" not in lines[0] and "NEW" not in lines[0]
