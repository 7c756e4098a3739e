"""Known answers on the bookstore example: every behaviour regression seeded into regressed_app.py
shows up as a mismatch group on its operation (the faithful port gives none: test_engine.py).

Read from the fuzz phase of the README's `check` of the regressed port (tests/scenario.py), the run
tests/check/test_bookstore.py reads too; the fuzz with automatically found reset hooks is test_engine's."""

from __future__ import annotations

import json

import pytest

from tests.scenario import BOOKSTORE, Scenarios, bookstore_check


@pytest.mark.scenario("bookstore")
@pytest.mark.skipif(not (BOOKSTORE / "regressions.json").exists(), reason="bookstore example not there yet")
def test_every_behaviour_regression_is_a_group_on_its_operation(scenarios: Scenarios) -> None:
    run = bookstore_check(scenarios, "regressed")
    assert run.exit_code == 1, run.stderr
    groups = json.loads(run.text("json"))["fuzz"]["groups"]
    operations = {g["operation"] for g in groups}
    behaviour = [r for r in json.loads((BOOKSTORE / "regressions.json").read_text()) if r["kind"] == "behaviour"]
    assert behaviour
    missing = [f"{r['id']} {r['operation']}" for r in behaviour if r["operation"] not in operations]
    assert not missing, missing
    # R8, orders listed newest first: one "list order changed" group, not one per field
    orders = [g for g in groups if g["operation"] == "GET /orders"]
    assert [(g["kind"], g["signature"]) for g in orders] == [("order", "order $ list order changed")]
