"""Scenario runs shared between tests: one `apiparity check`/`fuzz` per distinct command line.

A full `check` of a pair costs seconds of CPU (the bookstore's, ~14 s); many tests read the same run
and assert different things about it. They ask the session-scoped `scenarios` fixture for it:

    run = scenarios.run("check", LEGACY, REGRESSED, *FAST, outputs=("json", "html"))
    assert run.exit_code == 1 and "GET /books" in run.text("html")

The first test to ask runs it (its report files go to a folder of the session's temporary directory);
every later ask with the same command line, outputs and working directory gets that run back. With
`-n N` the folder is the one the workers share and a file lock per command line makes the run once:
a worker that asks while another is making it waits for it. Reports are read afresh on each
`report()`, so a test may change the one it gets. Tests that read a shared run carry
`@pytest.mark.scenario("name")` (`-m "not scenario"` leaves them out).

Only runs whose outcome depends on the command line alone belong here: a test that monkeypatches
apiparity, changes the working directory or sets the environment runs its own `run_cli`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from apiparity.model import Report

if TYPE_CHECKING:
    from tests.conftest import CliResult

# check writes several report files in one run; fuzz writes one, chosen with --format
CHECK_OUTPUTS = {"json": "--json", "html": "--html", "markdown": "--markdown", "junit": "--junit", "sarif": "--sarif"}
SUFFIX = {"json": "json", "html": "html", "markdown": "md", "junit": "xml", "sarif": "sarif"}


@dataclass(frozen=True)
class ScenarioRun:
    """One finished run: what the command printed and returned, and the report files it wrote."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    files: Mapping[str, Path]

    def text(self, output: str = "json") -> str:
        return self.files[output].read_text(encoding="utf-8")

    def report(self) -> Report:
        """The JSON report, read back: a new object on each call."""
        return Report.from_dict(json.loads(self.text("json")))

    def copy(self, output: str, destination: Path) -> Path:
        """A copy of one report file, for a test that hands it to another command (merge, --baseline)."""
        shutil.copyfile(self.files[output], destination)
        return destination


class Scenarios:
    """The cache behind the `scenarios` fixture: a folder per command line, `run.json` once it ran."""

    def __init__(self, folder: Path, run_cli: Callable[..., CliResult]) -> None:
        self._folder = folder
        self._run_cli = run_cli
        self._runs: dict[str, ScenarioRun] = {}

    def run(self, command: str, *args: str, outputs: tuple[str, ...] = ("json",)) -> ScenarioRun:
        if command not in ("check", "fuzz"):
            raise ValueError(f"scenario runs are check or fuzz runs, not {command!r}")
        if command == "fuzz" and len(outputs) != 1:
            raise ValueError("fuzz writes one report (--format FORMAT -o FILE)")
        key = json.dumps([os.getcwd(), command, args, sorted(outputs)])
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        if digest not in self._runs:
            folder = self._folder / digest
            folder.mkdir(parents=True, exist_ok=True)
            files = {output: folder / f"report.{SUFFIX.get(output, output)}" for output in outputs}
            done = folder / "run.json"
            with open(folder / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # another worker making this run: wait for it
                if not done.exists():
                    self._make(command, args, files, done)
            recorded = json.loads(done.read_text(encoding="utf-8"))
            self._runs[digest] = ScenarioRun(args=(command, *args), exit_code=recorded["exit_code"], stdout=recorded["stdout"],
                                             stderr=recorded["stderr"], files=files)
        return self._runs[digest]

    def _make(self, command: str, args: tuple[str, ...], files: Mapping[str, Path], done: Path) -> None:
        if command == "check":
            flags = [arg for output, path in files.items() for arg in (CHECK_OUTPUTS[output], str(path))]
        else:
            ((output, path),) = files.items()
            flags = ["--format", output, "-o", str(path)]
        # the job summary of the CI that runs the tests is no output of the scenario
        result = self._run_cli(command, *args, *flags, env={"GITHUB_STEP_SUMMARY": None})
        partial = done.with_suffix(".partial")
        partial.write_text(json.dumps({"exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}), encoding="utf-8")
        partial.replace(done)  # whole or absent: a run that raised is made again by the next test


# ------------------------------------------------------------------------------ named scenarios
# Runs that tests in several files read. One command line each: a test that needs another option
# adds a scenario (or runs its own), it never changes these.

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BOOKSTORE = EXAMPLES / "bookstore"
BOOKSTORE_LEGACY = f"{BOOKSTORE / 'legacy_app.py'}:app"
BOOKSTORE_RESETS = tuple(arg for app in ("legacy", "modern", "regressed") for arg in ("--reset", f"{BOOKSTORE / f'{app}_app.py'}:reset"))
BOOKSTORE_FAST = ("--max-examples", "5", "--seed", "1")
BOOKSTORE_OUTPUTS = ("json", "html", "sarif")


def bookstore_check(scenarios: Scenarios, port: str, *extra: str) -> ScenarioRun:
    """`check` of the bookstore example: legacy vs `port` ("modern": the faithful port, "regressed": the
    one with every seeded regression of examples/bookstore/regressions.json), JSON, HTML and SARIF written."""
    return scenarios.run("check", BOOKSTORE_LEGACY, f"{BOOKSTORE / f'{port}_app.py'}:app", *BOOKSTORE_RESETS, *BOOKSTORE_FAST, *extra,
                         outputs=BOOKSTORE_OUTPUTS)
