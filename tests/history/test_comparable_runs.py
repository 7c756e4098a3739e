"""History compares like with like (fresh24a item 6): a rerun with `-H` said "1 new cause(s), 2
fixed", yet nothing was fixed: the token let the requests past the auth check, so other causes
showed. The options that change what a run exercises (credentials, --include/--exclude, probes,
phases) are recorded with each run; when they changed, the trend says "not comparable: options
changed (...)" instead of new/fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

LEGACY, REGRESSED = "tests.check.apps:legacy", "tests.check.apps:regressed"
FAST = ("--max-examples", "3", "--seed", "1", "--phases", "examples,fuzzing")


@pytest.fixture(autouse=True)
def quiet_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def test_a_rerun_with_other_credentials_is_not_comparable(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite")
    assert run_cli("check", LEGACY, REGRESSED, *FAST, "--history", history, "-q").exit_code == 1
    second = run_cli("check", LEGACY, REGRESSED, *FAST, "--history", history, "-H", "X-Api-Token: s3cret-value",
                     "--json", str(tmp_path / "r2.json"))
    assert "not comparable: options changed (credentials: none -> -H X-Api-Token)" in second.stdout, second.stdout
    assert "fixed)" not in second.stdout and "s3cret-value" not in (tmp_path / "r2.json").read_text()
    point = json.loads((tmp_path / "r2.json").read_text())["extras"]["history"]["points"][-1]
    assert point["options_changed"] == ["credentials: none -> -H X-Api-Token"] and point["fixed"] == point["new"] == []
    # the same options again: compared cause by cause
    third = run_cli("check", LEGACY, REGRESSED, *FAST, "--history", history, "-H", "X-Api-Token: s3cret-value")
    assert "(+0 since #2; 0 new cause(s), 0 fixed)" in third.stdout, third.stdout
    # a narrower --include exercises less: not comparable either, and `apiparity history` says so
    run_cli("check", LEGACY, REGRESSED, *FAST, "--history", history, "-H", "X-Api-Token: s3cret-value",
            "--include", "GET /items/{item_id}")
    shown = run_cli("history", "--history", history)
    assert shown.exit_code == 0, shown.stderr
    assert "not comparable: options changed (include: all -> GET /items/{item_id})" in shown.stdout, shown.stdout
    assert "n/c" in shown.stdout
