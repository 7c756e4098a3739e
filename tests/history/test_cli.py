"""`check`/`fuzz` record runs; `apiparity history` reads them; bad files are bad input (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apiparity.history.store import open_store
from tests.conftest import ROOT, run_cli

LEGACY, MODERN, REGRESSED = "tests.check.apps:legacy", "tests.check.apps:modern", "tests.check.apps:regressed"
FAST = ("--max-examples", "3", "--seed", "1", "--phases", "examples,fuzzing")


@pytest.fixture(autouse=True)
def quiet_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def test_check_records_by_default_under_dot_apiparity_of_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APIPARITY_HISTORY", raising=False)
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", LEGACY, MODERN, *FAST, "-q")
    assert result.exit_code in (0, 1), result.stderr
    with open_store(tmp_path / ".apiparity" / "history.sqlite", create=False) as store:
        (run,) = store.runs()
    assert run.command == "check" and run.new_ref == MODERN and run.seed == 1 and run.tool_version
    assert {op.operation for op in run.operations} == {"GET /items", "GET /items/{item_id}"}
    # --no-history (or APIPARITY_HISTORY=off) records nothing
    run_cli("check", LEGACY, MODERN, *FAST, "-q", "--no-history")
    monkeypatch.setenv("APIPARITY_HISTORY", "off")
    run_cli("check", LEGACY, MODERN, *FAST, "-q")
    with open_store(tmp_path / ".apiparity" / "history.sqlite", create=False) as store:
        assert store.count() == 1


def test_the_config_names_the_file_and_can_turn_recording_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APIPARITY_HISTORY", raising=False)
    (tmp_path / "apiparity.toml").write_text('[history]\nfile = "ci/runs.sqlite"\nwindow = 2\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)  # the file is next to the config, not in the current folder
    assert run_cli("check", LEGACY, MODERN, *FAST, "-q").exit_code in (0, 1)
    assert (tmp_path / "ci" / "runs.sqlite").exists()
    (tmp_path / "apiparity.toml").write_text('[history]\nwindow = 0\n')
    result = run_cli("check", LEGACY, MODERN, *FAST, "-q")
    assert result.exit_code == 2 and "history.window" in result.stderr


@pytest.mark.parametrize("content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00\xff" * 300])
def test_an_unusable_history_file_is_bad_input_before_any_request(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(content)
    result = run_cli("check", LEGACY, MODERN, *FAST, "--history", str(path), "--json", str(tmp_path / "r.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}") and result.stderr.count("\n") == 1, result.stderr
    assert not (tmp_path / "r.json").exists(), "the run went ahead"
    assert path.read_bytes() == content


def test_history_trend_new_and_fixed_and_fail_on_regress(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite")
    assert run_cli("check", LEGACY, REGRESSED, *FAST, "--history", history, "-q").exit_code == 1
    run_cli("check", LEGACY, MODERN, *FAST, "--history", history, "-q")
    # the regressed port again, gated on progress: GET /items/{item_id} was ready in run #2
    report = tmp_path / "r.json"
    result = run_cli("check", LEGACY, REGRESSED, *FAST, "--history", history, "--fail-on-regress", "--json", str(report),
                     "--markdown", str(tmp_path / "r.md"))
    assert result.exit_code == 1
    data = json.loads(report.read_text())
    gate = next(g for g in data["verdict"]["gates"] if g["name"] == "no-readiness-regression")
    assert not gate["passed"] and gate["details"] == ["GET /items/{item_id}: ready in #2, not ready now"]
    assert data["extras"]["history"]["run_id"] == 3
    assert "cutover progress: operations ready: 1/2 → 2/2 → 1/2" in (tmp_path / "r.md").read_text()
    assert "cutover progress: operations ready: 1/2 → 2/2 → 1/2 (-1 since #2; " in result.stdout

    out = run_cli("history", "--history", history, "--format", "json")
    assert out.exit_code == 0, out.stderr
    view = json.loads(out.stdout)
    assert [(r["run"], r["ready"], r["total"]) for r in view["runs"]] == [("#1", 1, 2), ("#2", 2, 2), ("#3", 1, 2)]
    assert view["runs"][1]["fixed_causes"] and not view["runs"][1]["new_causes"]
    assert {c["operation"] for c in view["since"]["new_causes"]} == {"GET /items/{item_id}"}
    assert view["operations"]["GET /items/{item_id}"]["per_run"] == ["blocked", "ready", "blocked"]
    assert view["regressed"] == ["GET /items/{item_id}"]
    # against a baseline where it was not ready yet: nothing regressed
    baseline = json.loads(run_cli("history", "--history", history, "--format", "json", "--baseline", "1").stdout)
    assert baseline["regressed"] == [] and baseline["since"]["reference"] == "#1"
    assert run_cli("history", "--history", history, "--fail-on-regress").exit_code == 1
    assert run_cli("history", "--history", history, "--fail-on-regress", "--baseline", "1").exit_code == 0
    text = run_cli("history", "--history", history).stdout
    assert "trend: operations ready 1/2 -> 2/2 -> 1/2" in text
    assert "GET /items/{item_id}  x+x" in text
    # --since a date after every run: compared with the last run before it (the latest)
    since = json.loads(run_cli("history", "--history", history, "--format", "json", "--since", "2000-01-01").stdout)
    assert since["since"]["reference"] == "#1"
    bad = run_cli("history", "--history", history, "--baseline", "9")
    assert bad.exit_code == 2 and "no run #9" in bad.stderr


def test_history_of_a_missing_file_is_bad_input(tmp_path: Path) -> None:
    result = run_cli("history", "--history", str(tmp_path / "none.sqlite"))
    assert result.exit_code == 2 and "no history yet" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_fuzz_records_too_and_never_makes_an_operation_ready(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite")
    run_cli("fuzz", LEGACY, MODERN, *FAST, "--history", history)
    with open_store(history, create=False) as store:
        (run,) = store.runs()
    assert run.command == "fuzz" and run.verdict is None and not run.spec_ran and run.fuzz_ran
    view = json.loads(run_cli("history", "--history", history, "--format", "json").stdout)
    assert view["runs"][0]["ready"] == 2 and view["operations"] == {}, "no check run: nothing judged ready"


@pytest.mark.slow
def test_two_shard_processes_append_to_one_file_as_one_run(tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite"
    env = {**os.environ, "APIPARITY_RUN_BATCH": "ci-run-42", "PYTHONPATH": str(ROOT)}
    env.pop("APIPARITY_HISTORY", None)
    shards = [
        subprocess.Popen([sys.executable, "-m", "apiparity.cli", "check", LEGACY, REGRESSED, *FAST, "--shard", f"{i}/2",
                          "--history", str(history), "-q"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for i in (1, 2)
    ]
    for shard in shards:
        _, err = shard.communicate(timeout=600)
        assert shard.returncode in (0, 1), err
    with open_store(history, create=False) as store:
        runs = store.runs()
    assert sorted(r.shard for r in runs) == ["1/2", "2/2"] and {r.batch for r in runs} == {"ci-run-42"}
    view = json.loads(run_cli("history", "--history", str(history), "--format", "json").stdout)
    (merged,) = view["runs"]
    assert merged["shards"] == ["1/2", "2/2"] or sorted(merged["shards"]) == ["1/2", "2/2"]
    assert (merged["ready"], merged["total"]) == (1, 2)
    assert view["operations"]["GET /items"]["ready"] and not view["operations"]["GET /items/{item_id}"]["ready"]


def test_a_default_location_that_cannot_be_created_only_warns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APIPARITY_HISTORY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".apiparity").write_text("a file where the folder would go")
    result = run_cli("check", LEGACY, MODERN, *FAST, "-q")
    assert result.exit_code in (0, 1), result.stderr
    assert "this run is not recorded" in result.stderr
    # ... while a file the user named is bad input
    named = run_cli("check", LEGACY, MODERN, *FAST, "-q", "--history", str(tmp_path / ".apiparity" / "h.sqlite"))
    assert named.exit_code == 2 and "cannot create the history folder" in named.stderr


def test_merge_records_the_merged_run_when_a_history_is_named(tmp_path: Path) -> None:
    files = []
    for index in (1, 2):
        path = tmp_path / f"shard-{index}.json"
        run_cli("check", LEGACY, REGRESSED, *FAST, "--shard", f"{index}/2", "--json", str(path), "-q")
        files.append(str(path))
    history = tmp_path / "h.sqlite"
    assert run_cli("merge", *files, "-q").exit_code == 1
    assert not history.exists()
    result = run_cli("merge", *files, "--history", str(history), "--markdown", str(tmp_path / "m.md"))
    assert result.exit_code == 1, result.stderr
    with open_store(history, create=False) as store:
        (run,) = store.runs()
    assert run.shard is None and run.complete and run.verdict == "NOT READY"
    assert {op.operation: op.status.value for op in run.operations} == {"GET /items": "ready", "GET /items/{item_id}": "blocked"}
    assert "cutover progress: operations ready: 1/2" in (tmp_path / "m.md").read_text()


def test_a_recorded_report_validates_against_the_json_schema(tmp_path: Path) -> None:
    from tests.report.test_report_schema import errors

    out = tmp_path / "r.json"
    run_cli("check", LEGACY, REGRESSED, *FAST, "--history", str(tmp_path / "h.sqlite"), "--json", str(out))
    document = json.loads(out.read_text())
    assert document["extras"]["history"]["points"][0]["ready"] == 1
    assert not errors(document)
    document["extras"]["history"]["operations"][0]["statuses"] = ["fine"]
    assert errors(document), "the schema does not check the history section"
