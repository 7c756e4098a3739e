"""`apiparity spec TARGET --check FILE [--write]`: the committed document against the app's."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

from apiparity.spec.drift import compare_documents
from apiparity.spec.pointer import from_parts
from tests.conftest import run_cli

APP_V1 = """
from fastapi import FastAPI

app = FastAPI(title="Books", version="1.0")


@app.get("/books/{book_id}")
def get_book(book_id: int) -> dict:
    return {"id": book_id}
"""

# v2: the path parameter became a string and an operation was added: a contract change.
APP_V2 = APP_V1.replace("book_id: int", "book_id: str") + """

@app.get("/authors")
def list_authors() -> list:
    return []
"""


def write_app(folder: Path, source: str) -> str:
    """Each version gets its own folder: app files are imported once per path and process."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return f"{folder / 'app.py'}:app"


@pytest.fixture
def committed(tmp_path: Path) -> tuple[str, Path]:
    ref = write_app(tmp_path / "v1", APP_V1)
    spec = tmp_path / "openapi.json"
    result = run_cli("spec", ref, "-o", str(spec))
    assert result.exit_code == 0, result.stderr
    return ref, spec


def test_unchanged_app_is_up_to_date(committed: tuple[str, Path]) -> None:
    ref, spec = committed
    result = run_cli("spec", ref, "--check", str(spec))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "is up to date" in result.stdout
    assert '"openapi"' not in result.stdout  # --check does not print the document


def test_key_order_whitespace_and_yaml_do_not_count(committed: tuple[str, Path], tmp_path: Path) -> None:
    ref, spec = committed
    document = json.loads(spec.read_text())
    reordered = dict(reversed(list(document.items())))
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(reordered, separators=(",", ":")))
    as_yaml = tmp_path / "openapi.yaml"
    as_yaml.write_text(yaml.safe_dump(document, sort_keys=True, indent=4))
    for committed_file in (compact, as_yaml):
        result = run_cli("spec", ref, "--check", str(committed_file))
        assert result.exit_code == 0, result.stdout


def test_changed_app_fails_with_a_readable_diff(committed: tuple[str, Path], tmp_path: Path) -> None:
    _, spec = committed
    ref_v2 = write_app(tmp_path / "v2", APP_V2)
    result = run_cli("spec", ref_v2, "--check", str(spec))
    assert result.exit_code == 1
    out = result.stdout
    assert f"{spec} is out of date" in out
    # what changed, as JSON pointers ...
    assert '~ /paths/~1books~1{book_id}/get/parameters/0/schema/type: "integer" -> "string"' in out
    assert "+ /paths/~1authors:" in out
    # ... and as the unified diff of canonical JSON a reviewer reads in the pull request
    assert f"--- {spec} (committed)" in out
    assert f"+++ {ref_v2} (generated)" in out
    assert '-              "type": "integer"' in out
    assert '+              "type": "string"' in out
    assert "--write" in out  # says how to update it
    assert spec.read_text() == run_cli("spec", committed[0]).stdout  # --check alone never writes


def test_write_updates_the_file_atomically(committed: tuple[str, Path], tmp_path: Path) -> None:
    _, spec = committed
    ref_v2 = write_app(tmp_path / "v2", APP_V2)
    result = run_cli("spec", ref_v2, "--check", str(spec), "--write")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "updated" in result.stdout
    assert spec.read_text() == run_cli("spec", ref_v2).stdout  # same bytes as `spec -o` would write
    assert sorted(p.name for p in spec.parent.iterdir() if p.is_file()) == ["openapi.json"]  # no temp file left
    assert run_cli("spec", ref_v2, "--check", str(spec)).exit_code == 0


def test_write_creates_a_missing_file_in_its_format(tmp_path: Path) -> None:
    ref = write_app(tmp_path / "v1", APP_V1)
    target = tmp_path / "docs" / "openapi.yaml"
    missing = run_cli("spec", ref, "--check", str(target))
    assert missing.exit_code == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: {target}: no such file; create it with `apiparity spec {ref} --check {target} --write`"
    ]
    created = run_cli("spec", ref, "--check", str(target), "--write")
    assert created.exit_code == 0
    assert yaml.safe_load(target.read_text())["info"]["title"] == "Books"
    assert run_cli("spec", ref, "--check", str(target)).exit_code == 0


def test_bad_combinations_are_usage_errors(committed: tuple[str, Path], tmp_path: Path) -> None:
    ref, spec = committed
    assert run_cli("spec", ref, "--write").exit_code == 2
    assert run_cli("spec", ref, "--check", str(spec), "-o", str(tmp_path / "x.json")).exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run_cli("spec", ref, "--check", str(broken))
    assert result.exit_code == 2
    assert "broken.json: invalid JSON at line 1" in result.stderr


def test_numbers_keep_their_json_type() -> None:
    # `1 == 1.0` in Python, but the committed JSON text differs: a reviewer would see the change.
    result = compare_documents({"minimum": 1}, {"minimum": 1.0})
    assert not result.up_to_date
    assert [(c.kind, c.pointer) for c in result.changes] == [("changed", "/minimum")]


def test_list_changes_and_pointer_escaping() -> None:
    result = compare_documents(
        {"paths": {"/a~b": {"tags": ["x"]}}, "gone": True},
        {"paths": {"/a~b": {"tags": ["x", "y"]}}},
    )
    assert [(c.kind, c.pointer) for c in result.changes] == [("removed", "/gone"), ("added", "/paths/~1a~0b/tags/1")]
    assert from_parts(["paths", "/books/{id}", "get"]) == "/paths/~1books~1{id}/get"
    assert compare_documents({"a": [1, 2]}, {"a": [1, 2]}).render().endswith("is up to date with generated\n")


BOOKSTORE = Path(__file__).resolve().parents[2] / "examples" / "bookstore"


@pytest.mark.skipif(not (BOOKSTORE / "legacy_openapi.json").exists(), reason="bookstore example not there")
def test_bookstore_committed_contract(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    # The acceptance command, as a user types it from the repository root.
    root = BOOKSTORE.parents[1]
    command = [sys.executable, "-m", "apiparity.cli", "spec", "examples/bookstore/legacy_app.py:app",
               "--check", "examples/bookstore/legacy_openapi.json"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr

    # A copy of the app with one contract change: the health route moved and its summary changed.
    copy = tmp_path / "bookstore"
    shutil.copytree(BOOKSTORE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / "legacy_app.py").read_text()
    changed = source.replace('@app.get("/health",', '@app.get("/healthz",').replace('"""Liveness probe"""', '"""Is it alive?"""')
    assert changed != source
    (copy / "legacy_app.py").write_text(changed)
    result = run_cli("spec", f"{copy / 'legacy_app.py'}:app", "--check", str(copy / "legacy_openapi.json"))
    assert result.exit_code == 1
    assert "- /paths/~1health:" in result.stdout
    assert "+ /paths/~1healthz:" in result.stdout
    assert '-    "/health": {' in result.stdout and '+    "/healthz": {' in result.stdout
