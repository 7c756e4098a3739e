"""The run history: one SQLite file (stdlib sqlite3), schema versioned and migrated in place.

- `PRAGMA application_id` marks the file as apiparity's; `PRAGMA user_version` is the schema
  version. A file that is not SQLite, is another program's database, or was written by a newer
  apiparity is refused with one line (exit 2); nothing is ever deleted or recreated.
- WAL journal and a busy timeout; each run is appended in one `BEGIN IMMEDIATE` transaction, so
  CI shards writing to the same file at the same moment append one after the other, never lose a run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from apiparity.errors import ApiparityError
from apiparity.history.model import (
    Cause,
    CauseKind,
    OperationResult,
    OpStatus,
    RunRecord,
)

APPLICATION_ID = 0x41504950  # "APIP"
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 60.0


class HistoryError(ApiparityError):
    """The history file cannot be used (not SQLite, another program's, newer schema, unreadable)."""


# ------------------------------------------------------------------------------------------ schema

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recorded_at TEXT NOT NULL,           -- UTC ISO 8601
    command TEXT NOT NULL,               -- check | fuzz
    tool_version TEXT NOT NULL,
    old_ref TEXT NOT NULL,
    new_ref TEXT NOT NULL,
    verdict TEXT,                        -- READY | NOT READY | NULL (fuzz)
    complete INTEGER NOT NULL,
    shard TEXT,                          -- "I/N" or NULL
    seed INTEGER,
    commit_sha TEXT,
    branch TEXT,
    ci TEXT,
    spec_ran INTEGER NOT NULL,
    fuzz_ran INTEGER NOT NULL,
    load_ran INTEGER NOT NULL,
    gates TEXT NOT NULL,                 -- JSON [{name, passed, measured}]
    spec_changes TEXT NOT NULL           -- JSON {breaking, warning, info, waived}
);
CREATE TABLE operations (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    operation TEXT NOT NULL,             -- "GET /books/{book_id}"
    status TEXT NOT NULL,                -- ready | blocked | not-exercised | out-of-scope
    cases INTEGER NOT NULL,
    mismatches INTEGER NOT NULL,
    groups_by_tier TEXT NOT NULL,        -- JSON {tier: groups}
    breaking INTEGER NOT NULL,
    conformance INTEGER NOT NULL,
    new_5xx INTEGER NOT NULL,
    load_p95_ratio REAL,
    PRIMARY KEY (run_id, operation)
);
"""

_V2 = """
ALTER TABLE runs ADD COLUMN batch TEXT;  -- CI run shared by shards
ALTER TABLE runs ADD COLUMN label TEXT;
CREATE TABLE causes (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,                   -- stable across runs
    operation TEXT NOT NULL,             -- a shared cause has one row per operation it touches
    kind TEXT NOT NULL,                  -- group | breaking-change | conformance | new-5xx | load-latency | not-exercised
    tier TEXT NOT NULL,                  -- regression (blocks) | waived | legacy-bug-fixed | harmless | accepted | ...
    title TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, key, operation)
);
CREATE INDEX causes_by_operation ON causes (operation, run_id);
CREATE INDEX operations_by_operation ON operations (operation, run_id);
"""

_V3 = """
ALTER TABLE causes ADD COLUMN blocking INTEGER NOT NULL DEFAULT 1;  -- tiers other than regression may block (fail_on_tiers)
UPDATE causes SET blocking = (tier = 'regression');
"""

_V4 = """
ALTER TABLE runs ADD COLUMN options TEXT;  -- JSON {name: value} of the options that change what is exercised
"""

# MIGRATIONS[i] takes a database at schema version i to version i + 1. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    lambda db: _script(db, _V1),
    lambda db: _script(db, _V2),
    lambda db: _script(db, _V3),
    lambda db: _script(db, _V4),
]
SCHEMA_VERSION = len(MIGRATIONS)


def _script(db: sqlite3.Connection, sql: str) -> None:
    # executescript would COMMIT the open transaction; run the statements one by one inside it
    for statement in sql.split(";"):
        lines = [line.split("--")[0] for line in statement.splitlines()]
        text = "\n".join(lines).strip()
        if text:
            db.execute(text)


# ------------------------------------------------------------------------------------------- store


class HistoryStore:
    """An open history file. Use `open_store`; close with `close()` or as a context manager."""

    def __init__(self, path: Path, db: sqlite3.Connection) -> None:
        self.path = path
        self._db = db

    def __enter__(self) -> HistoryStore:  # noqa: PYI034 - final class
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with _errors(self.path):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def append(self, record: RunRecord) -> int:
        """Store one run with its operations and causes, all or nothing; returns its id."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (recorded_at, command, tool_version, old_ref, new_ref, verdict, complete, shard, seed,"
                " commit_sha, branch, ci, spec_ran, fuzz_ran, load_ran, gates, spec_changes, batch, label, options)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.recorded_at, record.command, record.tool_version, record.old_ref, record.new_ref, record.verdict,
                 int(record.complete), record.shard, record.seed, record.commit, record.branch, record.ci,
                 int(record.spec_ran), int(record.fuzz_ran), int(record.load_ran), json.dumps(record.gates),
                 json.dumps(record.spec_changes, sort_keys=True), record.batch, record.label,
                 json.dumps(record.options, sort_keys=True)),
            )
            run_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO operations (run_id, operation, status, cases, mismatches, groups_by_tier, breaking,"
                " conformance, new_5xx, load_p95_ratio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, r.operation, r.status.value, r.cases, r.mismatches, json.dumps(r.groups_by_tier, sort_keys=True),
                  r.breaking, r.conformance, r.new_5xx, r.load_p95_ratio) for r in record.operations],
            )
            db.executemany(
                "INSERT INTO causes (run_id, key, operation, kind, tier, title, count, blocking) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, c.key, c.operation, c.kind.value, c.tier, c.title, c.count, int(c.blocking)) for c in record.causes],
            )
        record.id = run_id
        return run_id

    def runs(self, *, last: int | None = None, since: str | None = None) -> list[RunRecord]:
        """Runs oldest first: all, the last `last`, or those recorded at or after `since` (ISO date/time)."""
        where = ""
        params: list[object] = []
        if since:
            where = "WHERE recorded_at >= ?"
            params.append(since)
        order = "ORDER BY id DESC LIMIT ?" if last else "ORDER BY id"
        if last:
            params.append(last)
        return self._select(f"SELECT * FROM runs {where} {order}", params)

    def recent(self, count: int, *, include: int | None = None) -> list[RunRecord]:
        """The last `count` runs (oldest first), reaching back to run `include` when given, and never
        starting in the middle of a batch (a snapshot is all of its shards or none)."""
        with _errors(self.path):
            row = self._db.execute("SELECT MIN(id) FROM (SELECT id FROM runs ORDER BY id DESC LIMIT ?)", (count,)).fetchone()
            first = row[0] if row and row[0] is not None else None
            if first is None:
                return []
            if include is not None:
                first = min(first, include)
            batch = self._db.execute("SELECT batch FROM runs WHERE id = ?", (first,)).fetchone()
            if batch and batch[0]:
                first = self._db.execute("SELECT MIN(id) FROM runs WHERE batch = ?", (batch[0],)).fetchone()[0]
        return self._select("SELECT * FROM runs WHERE id >= ? ORDER BY id", [first])

    def last_before(self, recorded_at: str) -> int | None:
        """The id of the last run recorded before `recorded_at` (ISO 8601 UTC), or None."""
        with _errors(self.path):
            row = self._db.execute("SELECT MAX(id) FROM runs WHERE recorded_at < ?", (recorded_at,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def run(self, run_id: int) -> RunRecord | None:
        found = self._select("SELECT * FROM runs WHERE id = ?", [run_id])
        return found[0] if found else None

    def count(self) -> int:
        with _errors(self.path):
            return int(self._db.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def _select(self, query: str, params: Sequence[object]) -> list[RunRecord]:
        with _errors(self.path):
            records = sorted((_run_from_row(row) for row in self._db.execute(query, params)), key=lambda r: r.id or 0)
            if not records:
                return []
            by_id = {r.id: r for r in records}
            marks = ",".join("?" * len(by_id))
            ids = list(by_id)
            for row in self._db.execute(f"SELECT * FROM operations WHERE run_id IN ({marks}) ORDER BY rowid", ids):
                by_id[row["run_id"]].operations.append(OperationResult(
                    operation=row["operation"], status=OpStatus(row["status"]), cases=row["cases"],
                    mismatches=row["mismatches"], groups_by_tier=json.loads(row["groups_by_tier"]),
                    breaking=row["breaking"], conformance=row["conformance"], new_5xx=row["new_5xx"],
                    load_p95_ratio=row["load_p95_ratio"]))
            for row in self._db.execute(f"SELECT * FROM causes WHERE run_id IN ({marks}) ORDER BY rowid", ids):
                by_id[row["run_id"]].causes.append(Cause(
                    key=row["key"], operation=row["operation"], kind=CauseKind(row["kind"]), tier=row["tier"],
                    title=row["title"], count=row["count"], blocking=bool(row["blocking"])))
        return records


def _run_from_row(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        id=row["id"], recorded_at=row["recorded_at"], command=row["command"], tool_version=row["tool_version"],
        old_ref=row["old_ref"], new_ref=row["new_ref"], verdict=row["verdict"], complete=bool(row["complete"]),
        shard=row["shard"], seed=row["seed"], commit=row["commit_sha"], branch=row["branch"], ci=row["ci"],
        batch=row["batch"], label=row["label"], spec_ran=bool(row["spec_ran"]), fuzz_ran=bool(row["fuzz_ran"]),
        load_ran=bool(row["load_ran"]), gates=json.loads(row["gates"]), spec_changes=json.loads(row["spec_changes"]),
        options=json.loads(row["options"]) if row["options"] else {},
    )


@contextmanager
def _errors(path: Path) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: history database unusable: {exc} (the file is left as it is)") from None
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise HistoryError(f"{path}: history database holds a value this apiparity cannot read: {exc}") from None


def open_store(path: str | Path, *, create: bool = True) -> HistoryStore:
    """Open (and, with `create`, create or migrate) the history at `path`; HistoryError when unusable."""
    file = Path(path)
    if file.is_dir():
        raise HistoryError(f"{file}: is a folder, not a history database")
    exists = file.exists() and file.stat().st_size > 0
    if not exists and not create:
        raise HistoryError(f"{file}: no history yet (run `apiparity check` first, or pass --history FILE)")
    if exists:
        try:
            with open(file, "rb") as handle:
                magic = handle.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise HistoryError(f"{file}: cannot read the history database: {exc.strerror or exc}") from None
        if magic != SQLITE_MAGIC:
            raise HistoryError(f"{file}: not an apiparity history database (not an SQLite file); the file is left as it is")
    else:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"{file}: cannot create the history folder: {exc.strerror or exc}") from None
    try:
        db = sqlite3.connect(str(file), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise HistoryError(f"{file}: cannot open the history database: {exc}") from None
    db.row_factory = sqlite3.Row
    try:
        with _errors(file):
            db.execute("PRAGMA foreign_keys = ON")
            _check_and_migrate(db, file, create=create)
            if create:
                db.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        db.close()
        raise
    return HistoryStore(file, db)


def _check_and_migrate(db: sqlite3.Connection, file: Path, *, create: bool) -> None:
    def identity() -> tuple[int, int, int]:
        app = int(db.execute("PRAGMA application_id").fetchone()[0])
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        tables = int(db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()[0])
        return app, version, tables

    def refuse_foreign(app: int, version: int, tables: int) -> None:
        if app != APPLICATION_ID and (tables or version):
            raise HistoryError(f"{file}: another program's SQLite database, not an apiparity history; the file is left as it is")
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{file}: history schema v{version} was written by a newer apiparity "
                               f"(this one reads up to v{SCHEMA_VERSION}); upgrade apiparity")

    app, version, tables = identity()
    refuse_foreign(app, version, tables)
    if version == SCHEMA_VERSION and app == APPLICATION_ID:
        return
    if not create:
        raise HistoryError(f"{file}: history schema v{version} needs migrating; run `apiparity check` once to migrate it")
    db.execute("BEGIN IMMEDIATE")  # another shard may be migrating the same file: read again under the lock
    try:
        app, version, tables = identity()
        refuse_foreign(app, version, tables)
        for step in MIGRATIONS[version:]:
            step(db)
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
