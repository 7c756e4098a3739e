"""Known answer: examples/bookstore/test_parity.py passes for the faithful port and fails, once per
affected operation, for the port with seeded regressions (examples/bookstore/regressions.json)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EXAMPLES

pytest_plugins = ["pytester"]

BOOKSTORE = EXAMPLES / "bookstore"


def outcome_ids(result: pytest.RunResult, outcome: str) -> set[str]:
    return {line.split("::", 1)[1].split(" - ")[0].strip() for line in result.outlines if line.startswith(outcome + " ")}


@pytest.mark.skipif(not (BOOKSTORE / "regressed_app.py").exists(), reason="bookstore example not there")
def test_bookstore_parity_suites(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(str(BOOKSTORE / "test_parity.py"), "-rA", "-p", "no:cacheprovider")
    passed, failed = outcome_ids(result, "PASSED"), outcome_ids(result, "FAILED")
    operations = {test_id.split("[", 1)[1].rstrip("]") for test_id in passed | failed}
    assert len(operations) >= 20  # one test per operation of the legacy contract, for each suite

    # the faithful port passes every operation
    assert {f"test_modern_port[{op}]" for op in operations} <= passed

    # the regressed port fails exactly where a regression lives: every behaviour regression is
    # caught, and nothing outside regressions.json fails
    regressions = json.loads((BOOKSTORE / "regressions.json").read_text())
    behaviour = {r["operation"] for r in regressions if r["kind"] == "behaviour"}
    touched = {op for r in regressions for op in [r["operation"], *r.get("also", [])]}
    # an operation removed from a path changes how the path answers the methods it kept (the
    # options probe compares the Allow header OLD and NEW send for it)
    removed_paths = {r["operation"].split(" ", 1)[1] for r in regressions if "operation removed" in r["summary"].lower()}
    touched |= {op for op in operations if op.split(" ", 1)[1] in removed_paths}
    failed_ops = {test_id.split("[", 1)[1].rstrip("]") for test_id in failed if test_id.startswith("test_regressed_port[")}
    assert failed == {f"test_regressed_port[{op}]" for op in failed_ops}
    assert behaviour <= failed_ops, f"missed: {sorted(behaviour - failed_ops)}"
    assert failed_ops <= touched, f"false positives: {sorted(failed_ops - touched)}"
    out = result.stdout.str()
    # in-process apps: each side's reproducer is its framework's test client (no server listens)
    assert "run OLD: python -c" in out and "# OLD: in-process WSGI" in out and "# NEW: in-process ASGI" in out
