"""The SQLite history: schema, migration, refusal of foreign/corrupt/newer files, concurrent appends."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from apiparity.history.extract import run_record
from apiparity.history.model import CauseKind, OpStatus
from apiparity.history.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryError,
    open_store,
)
from tests.conftest import ROOT
from tests.history.factory import report


def test_a_run_round_trips_with_its_operations_and_causes(tmp_path: Path) -> None:
    record = run_record(report(groups=[("GET /items", "status 200 != 500")], breaking=[("POST /items", "request-body-required")]),
                        provenance={"commit": "abc123", "branch": "main", "ci": None, "batch": None}, label="first")
    with open_store(tmp_path / "h.sqlite") as store:
        run_id = store.append(record)
        (back,) = store.runs()
    assert back.id == run_id == 1
    assert (back.commit, back.branch, back.label, back.seed, back.verdict) == ("abc123", "main", "first", 1, "NOT READY")
    assert back.operations == record.operations and back.causes == record.causes
    assert back.operation("GET /items").status is OpStatus.BLOCKED
    assert back.operation("GET /health").status is OpStatus.READY
    assert {c.kind for c in back.causes} == {CauseKind.GROUP, CauseKind.BREAKING_CHANGE}


def test_the_file_is_marked_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    open_store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_older_schema_is_migrated_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](db)  # a file written by the first schema, with one run in it
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO runs (recorded_at, command, tool_version, old_ref, new_ref, verdict, complete, spec_ran, fuzz_ran,"
               " load_ran, gates, spec_changes) VALUES ('2026-11-30T09:00:00+00:00', 'check', '0.1', 'o', 'n', 'READY', 1,"
               " 1, 1, 0, '[]', '{}')")
    db.execute("INSERT INTO operations VALUES (1, 'GET /items', 'ready', 4, 0, '{}', 0, 0, 0, NULL)")
    db.close()
    with open_store(path) as store:
        old_run, = store.runs()
        assert old_run.operation("GET /items").status is OpStatus.READY and old_run.batch is None
        store.append(run_record(report()))
        assert store.count() == 2
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize(("content", "message"), [
    (b"this is a text file, not a database\n" * 10, "not an SQLite file"),
    (b"SQLite format 3\x00" + b"\xff" * 200, "history database unusable"),
])
def test_a_corrupt_file_is_refused_with_one_line_and_left_as_it_is(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(content)
    with pytest.raises(HistoryError, match=message) as caught:
        open_store(path)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == content, "the file was changed"


def test_another_programs_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users (name) VALUES ('alice')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="another program's SQLite database"):
        open_store(path)
    assert path.read_bytes() == before
    assert sqlite3.connect(path).execute("SELECT name FROM users").fetchall() == [("alice",)]


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match="written by a newer apiparity"):
        open_store(path)


def test_reading_a_missing_history_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="no history yet"):
        open_store(tmp_path / "none.sqlite", create=False)
    assert not (tmp_path / "none.sqlite").exists()


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from apiparity.history.extract import run_record
    from apiparity.history.store import open_store
    from tests.history.factory import report
    shard = sys.argv[2]
    with open_store(sys.argv[1]) as store:
        for index in range(int(sys.argv[3])):
            store.append(run_record(report(shard=shard), provenance={{"batch": f"b{{index}}"}}))
""")


def test_two_processes_appending_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT)))
    runs_each = 25
    writers = [subprocess.Popen([sys.executable, str(script), str(path), shard, str(runs_each)], stderr=subprocess.PIPE, text=True)
               for shard in ("1/2", "2/2")]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    with open_store(path) as store:
        runs = store.runs()
    assert len(runs) == 2 * runs_each
    assert sorted(r.shard for r in runs) == ["1/2"] * runs_each + ["2/2"] * runs_each
    assert all(len(r.operations) == 5 for r in runs), "a run lost operations"


def test_an_interrupted_run_is_not_recorded_but_a_shard_is(tmp_path: Path) -> None:
    from apiparity.history.recorder import Recorder
    from apiparity.history.settings import HistorySettings

    path = tmp_path / "h.sqlite"
    recorder = Recorder(open_store(path), HistorySettings(path), label=None, fail_on_regress=False)
    interrupted = report()
    interrupted.complete = False
    recorder.annotate(interrupted)
    assert recorder.commit(interrupted) is None
    assert "this run was not recorded" in interrupted.extras["history"]["note"]
    shard = report(shard="1/2", out_of_scope=["GET /health"])
    recorder.annotate(shard)
    assert recorder.commit(shard) == 1 and shard.extras["history"]["run_id"] == 1
    stopped_shard = report(shard="2/2")  # a shard that could not complete (its deadline passed) is not recorded either
    stopped_shard.mark_incomplete("run-deadline", "--max-run-time 60 s passed before the run's end", phase="fuzz")
    recorder.annotate(stopped_shard)
    assert recorder.commit(stopped_shard) is None
    assert stopped_shard.extras["history"]["note"] == "incomplete (run-deadline): this run was not recorded"
    recorder.close()


def test_recent_runs_never_start_in_the_middle_of_a_batch(tmp_path: Path) -> None:
    with open_store(tmp_path / "h.sqlite") as store:
        for batch in ("a", "a", "b", "b", "c"):
            store.append(run_record(report(shard="1/2" if batch != "c" else None), provenance={"batch": batch}))
        assert [r.id for r in store.recent(2)] == [3, 4, 5], "run 4 is half of batch b: run 3 comes with it"
        assert [r.id for r in store.recent(1, include=2)] == [1, 2, 3, 4, 5]
        assert store.last_before("2026-12-01T10:00:01+00:00") == 5 and store.last_before("2000-01-01") is None


def test_version_2_causes_get_their_blocking_flag_from_the_tier(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:2]:
        step(db)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO runs (recorded_at, command, tool_version, old_ref, new_ref, complete, spec_ran, fuzz_ran, load_ran,"
               " gates, spec_changes) VALUES ('2026-11-30T09:00:00+00:00', 'check', '0.1', 'o', 'n', 1, 1, 1, 0, '[]', '{}')")
    db.execute("INSERT INTO operations VALUES (1, 'GET /items', 'blocked', 4, 2, '{}', 0, 0, 0, NULL)")
    db.execute("INSERT INTO causes VALUES (1, 'group: a', 'GET /items', 'group', 'regression', 'a', 1)")
    db.execute("INSERT INTO causes VALUES (1, 'group: b', 'GET /items', 'group', 'harmless', 'b', 1)")
    db.close()
    with open_store(path) as store:
        (run,) = store.runs()
    assert {c.key: c.blocking for c in run.causes} == {"group: a": True, "group: b": False}


def test_a_shard_joining_its_batch_is_labelled_with_the_batch(tmp_path: Path) -> None:
    from apiparity.history.recorder import Recorder
    from apiparity.history.settings import HistorySettings

    path = tmp_path / "h.sqlite"
    recorder = Recorder(open_store(path), HistorySettings(path), label=None, fail_on_regress=False)
    recorder.provenance = {"batch": "ci:9"}
    labels = []
    for shard in ("1/2", "2/2"):
        rep = report(shard=shard)
        recorder.annotate(rep)
        recorder.commit(rep)
        labels.append(rep.extras["history"]["points"][-1]["run"])
    recorder.close()
    assert labels == ["#1", "#1+1"]
