"""Shared test helpers: run the CLI in-process and capture its exit code and output; scenario runs
shared between tests and xdist workers (tests/scenario.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cpu_profile import WEIGHTS, heaviest_files_first
from tests.scenario import Scenarios

# `check` and `fuzz` record a run history by default (.apiparity/ in the current folder): tests that
# want one pass --history FILE or set the variable themselves; the rest leave the checkout clean.
os.environ.setdefault("APIPARITY_HISTORY", "off")
# Every process a test starts inherits this: the leak checks (tests/sides/procs.py) count only this
# worker's processes, never another xdist worker's or another checkout's running the same command.
os.environ["APIPARITY_TEST_OWNER"] = f"{os.getpid()}"

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# Hypothesis keeps its Unicode tables under `.hypothesis/` in the current folder and builds them
# (~3 CPU s) in each process that finds none: the apiparity, pytest and action runs tests start in a
# temporary folder would each build them again. They all read the checkout's, which is where a test
# run from the checkout keeps them anyway (apiparity's generation uses no example database).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(ROOT / ".hypothesis"))


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: Mapping[str, str | None] | None = None) -> CliResult:
    from apiparity.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On xdist workers, the heaviest files first (tests/cpu_weights.json): with `--dist worksteal`
    (scripts/test.sh) the run ends on short tests. After pytest's own ordering; one process keeps it."""
    if os.environ.get("PYTEST_XDIST_WORKER") and WEIGHTS.exists():
        items[:] = heaviest_files_first(items, json.loads(WEIGHTS.read_text(encoding="utf-8")))


@pytest.fixture
def cli_run():
    return run_cli


@pytest.fixture(scope="session")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> Scenarios:
    """One run per distinct `check`/`fuzz` command line, shared by the tests that read it (tests/scenario.py).
    With `-n N` the cache is the workers' common temporary folder: a run is made once, by whichever
    worker asks first, and the others read it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # pytest-of-USER/pytest-N: this session's, shared by its workers
    return Scenarios(root / "scenarios", run_cli)


@pytest.fixture(autouse=True)
def _every_sarif_log_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever test renders SARIF (`--sarif`, `--format sarif`, `render(report, "sarif")`), the log
    must validate against the official SARIF 2.1.0 schema (tests/sarif_schema.py)."""
    import apiparity.report.sarif as sarif

    original = sarif.render

    def validated(report: object) -> str:
        from tests.sarif_schema import assert_valid_sarif

        text = original(report)  # type: ignore[arg-type]
        assert_valid_sarif(text)
        return text

    monkeypatch.setattr(sarif, "render", validated)
