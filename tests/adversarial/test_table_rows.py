"""The table-driven rows of corpus.CASES and the sweeps of every document through every command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adversarial.corpus import (
    APPS,
    CASES,
    DOCS,
    ROOT,
    SWEEP_DEFECTS,
    assert_no_traceback,
    assert_one_line_error,
    case,
    corpus_documents,
)
from tests.conftest import run_cli


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _row_params() -> list[object]:
    params = []
    for row in CASES:
        if not row.argv:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=row.known_defect)] if row.known_defect else []
        params.append(pytest.param(row, id=row.id, marks=marks))
    return params


@pytest.mark.parametrize("row", _row_params())
def test_row(row) -> None:
    result = run_cli(*row.argv)
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == row.exit_code, result.stderr
    if row.exit_code == 2:
        target = row.names or row.argv[1].removesuffix("()").split(":")[0]
        assert_one_line_error(result.stderr, target)
    assert row.message is not None
    assert re.search(row.message, result.stderr), result.stderr


def _sweep_params(sweep: str) -> list[object]:
    params = []
    for path in corpus_documents():
        reason = SWEEP_DEFECTS.get((sweep, path.name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(path, id=path.name, marks=marks))
    return params


def _assert_clean_outcome(args: tuple[str, ...], *named: str) -> None:
    result = run_cli(*args)
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    if result.exit_code == 2:
        lines = [line for line in result.stderr.strip().splitlines() if line.startswith("error: ")]
        assert len(lines) == 1, result.stderr
        assert any(name in lines[0] for name in named), f"none of {named} named in {lines[0]!r}"


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@case("sweep-spec")
@pytest.mark.parametrize("path", _sweep_params("sweep-spec"))
def test_sweep_spec(path: Path) -> None:
    _assert_clean_outcome(("spec", _rel(path)), _rel(path))


@case("sweep-diff-self")
@pytest.mark.parametrize("path", _sweep_params("sweep-diff-self"))
def test_sweep_diff_self(path: Path) -> None:
    _assert_clean_outcome(("diff", _rel(path), _rel(path)), _rel(path))


@case("sweep-diff-valid")
@pytest.mark.parametrize("path", _sweep_params("sweep-diff-valid"))
def test_sweep_diff_valid(path: Path) -> None:
    valid = f"{DOCS}/valid-small.yaml"
    _assert_clean_outcome(("diff", _rel(path), valid), _rel(path))
    _assert_clean_outcome(("diff", valid, _rel(path)), _rel(path))


@case("sweep-check")
@pytest.mark.parametrize("path", _sweep_params("sweep-check"))
def test_sweep_check(path: Path) -> None:
    _assert_clean_outcome(("check", _rel(path), f"{DOCS}/valid-small.yaml"), _rel(path))


@case("sweep-console-script")
@pytest.mark.parametrize(
    "args",
    [
        ("spec", f"{DOCS}/alias-bomb-billion-laughs.yaml"),
        ("spec", f"{DOCS}/deep-10000.yaml"),
        ("spec", f"{DOCS}/yaml-control-character.yaml"),
        ("diff", f"{DOCS}/invalid.json", f"{DOCS}/valid-small.yaml"),
        ("spec", f"{APPS}/base_exception.py:app"),
        ("spec", f"{APPS}/sys_exit.py:app"),
    ],
    ids=lambda args: "-".join(Path(a).name for a in args),
)
def test_sweep_console_script(args: tuple[str, ...]) -> None:
    script = Path(sys.executable).parent / "apiparity"
    completed = subprocess.run([str(script), *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in completed.stderr + completed.stdout
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1 and completed.stderr.startswith("error: "), completed.stderr
