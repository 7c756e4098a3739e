"""Known answers on the bookstore example: every behaviour regression seeded into regressed_app.py
shows up as a mismatch group on its operation (the faithful port gives none: test_engine.py)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EXAMPLES, run_cli

BOOKSTORE = EXAMPLES / "bookstore"


@pytest.mark.skipif(not (BOOKSTORE / "regressions.json").exists(), reason="bookstore example not there yet")
def test_every_behaviour_regression_is_a_group_on_its_operation(tmp_path):
    out = tmp_path / "report.json"
    result = run_cli("fuzz", f"{BOOKSTORE / 'legacy_app.py'}:app", f"{BOOKSTORE / 'regressed_app.py'}:app",
                     "--seed", "1", "--max-examples", "5", "--format", "json", "-o", str(out))
    assert result.exit_code == 1, result.stderr
    groups = json.loads(out.read_text())["fuzz"]["groups"]
    operations = {g["operation"] for g in groups}
    behaviour = [r for r in json.loads((BOOKSTORE / "regressions.json").read_text()) if r["kind"] == "behaviour"]
    assert behaviour
    missing = [f"{r['id']} {r['operation']}" for r in behaviour if r["operation"] not in operations]
    assert not missing, missing
    # R8, orders listed newest first: one "list order changed" group, not one per field
    orders = [g for g in groups if g["operation"] == "GET /orders"]
    assert [(g["kind"], g["signature"]) for g in orders] == [("order", "order $ list order changed")]
