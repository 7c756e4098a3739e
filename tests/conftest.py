"""Shared test helpers: run the CLI in-process and capture its exit code and output; scenario runs
shared between tests (tests/scenario.py) and the xdist grouping that keeps each on one worker."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.scenario import Scenarios

# `check` and `fuzz` record a run history by default (.apiparity/ in the current folder): tests that
# want one pass --history FILE or set the variable themselves; the rest leave the checkout clean.
os.environ.setdefault("APIPARITY_HISTORY", "off")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


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


@pytest.fixture
def cli_run():
    return run_cli


@pytest.fixture(scope="session")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> Scenarios:
    """One run per distinct `check`/`fuzz` command line, shared by the tests that read it (tests/scenario.py)."""
    return Scenarios(tmp_path_factory.mktemp("scenarios"), run_cli)


def pytest_configure(config: pytest.Config) -> None:
    """`-n N` distributes with `--dist loadgroup` unless --dist is given: tests of one scenario
    (`@pytest.mark.scenario("name")`) then run on one worker and share its cached run; every other
    test is handed out one by one to whichever worker is free, as with `--dist load`."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker parses the command line anew: told by the controller
        if workerinput.get("apiparity_loadgroup"):
            config.option.loadgroup = True  # xdist then suffixes a grouped test's id with "@group"
        return
    given = any(arg == "--dist" or arg.startswith("--dist=") or arg == "-d" for arg in config.invocation_params.args)
    if getattr(config.option, "dist", "no") == "load" and not given:
        config.option.dist = "loadgroup"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist's controller, before it starts a worker: whether scenarios are grouped."""
    node.workerinput["apiparity_loadgroup"] = node.config.getvalue("dist") == "loadgroup"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A scenario's tests form one xdist group (marked before xdist reads the groups)."""
    grouped = config.pluginmanager.hasplugin("xdist")
    for item in items:
        marker = item.get_closest_marker("scenario")
        if marker is not None:
            if not marker.args:
                raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.scenario needs the scenario's name")
            if grouped:
                item.add_marker(pytest.mark.xdist_group(marker.args[0]))


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
