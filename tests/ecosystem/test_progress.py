"""Progress of `check` and `fuzz`: a live bar on a terminal, plain lines when piped or in CI (a
silent CI job gets killed), one implementation; NO_COLOR / FORCE_COLOR / COLUMNS honoured."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from apiparity.commands._progress import ProgressDisplay, progress_mode
from apiparity.pipeline import CaseCompared, FuzzFinished, GroupOpened, OperationFinished, OperationsPlanned
from tests.conftest import run_cli

APPS = Path(__file__).parent / "apps"
PAIR = (f"{APPS / 'parity_legacy.py'}:app", f"{APPS / 'parity_regressed.py'}:app")
FAST = ("--max-examples", "2", "--phases", "examples", "--seed", "3")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_mode_follows_the_terminal_ci_and_the_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("APIPARITY_PROGRESS", raising=False)
    assert progress_mode(None, Tty()) == "bar"
    assert progress_mode(None, io.StringIO()) == "lines"  # piped
    assert progress_mode(False, Tty()) == "off"
    monkeypatch.setenv("CI", "true")
    assert progress_mode(None, Tty()) == "lines"  # CI runners may fake a terminal; a live bar is noise in a log
    monkeypatch.setenv("APIPARITY_PROGRESS", "off")
    assert progress_mode(True, Tty()) == "off"


def test_lines_every_n_seconds_and_a_heartbeat_in_a_long_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIPARITY_PROGRESS_EVERY", "10")
    now = [0.0]
    out = io.StringIO()
    with ProgressDisplay("fuzz", "lines", stream=out, clock=lambda: now[0]) as show:
        assert show is not None
        show(OperationsPlanned(4))
        for done, at in ((1, 2.0), (2, 11.0), (3, 12.0)):
            now[0] = at
            show(OperationFinished(f"GET /op{done}", done, 4, done * 5))
        now[0] = 50.0  # operation 4 runs long: a heartbeat so the log is not silent
        show(CaseCompared("GET /op4", 3, 4, 18, 7))
        show(GroupOpened("GET /op4", ("status 200 500",)))  # not a progress line
        now[0] = 51.0
        show(OperationFinished("GET /op4", 4, 4, 20))
        show(FuzzFinished(4, 4, 20))
    assert out.getvalue().splitlines() == [
        "fuzz: 4 operation(s) to run",
        "fuzz: [2/4] GET /op2 done, 10 cases sent, 0:00:11",
        "fuzz: [3/4] GET /op4 running, 18 cases sent, 0:00:50",
        "fuzz: [4/4] GET /op4 done, 20 cases sent, 0:00:51",  # the last operation always
        "fuzz: finished 4/4 operation(s), 20 cases in 0:00:51",
    ]


def test_bar_width_follows_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "47")
    display = ProgressDisplay("check", "bar", stream=Tty())
    with display as show:
        assert show is not None
        assert display._console.width == 47  # noqa: SLF001


@pytest.mark.parametrize("command", ["fuzz", "check"])
def test_piped_runs_print_a_line_per_operation_without_colour(command: str, tmp_path: Path) -> None:
    result = run_cli(command, *PAIR, *FAST, *(["-o", str(tmp_path / "r.txt")] if command == "fuzz" else ["-q"]),
                     env={"NO_COLOR": "1", "FORCE_COLOR": None, "APIPARITY_PROGRESS": None, "APIPARITY_PROGRESS_EVERY": "0"})
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{command}: ")]
    assert lines[0] == f"{command}: 3 operation(s) to run"
    assert [line.split(" done,")[0] for line in lines[1:4]] == [
        f"{command}: [1/3] GET /items", f"{command}: [2/3] POST /echo", f"{command}: [3/3] GET /health"]
    assert lines[4].startswith(f"{command}: finished 3/3 operation(s)")
    assert "\x1b" not in result.stderr and "\r" not in result.stderr


def test_force_color_colours_lines_but_never_draws_a_live_bar_in_a_log(tmp_path: Path) -> None:
    result = run_cli("fuzz", *PAIR, *FAST, "-o", str(tmp_path / "r.txt"),
                     env={"NO_COLOR": None, "FORCE_COLOR": "1", "APIPARITY_PROGRESS": None, "CI": "true"})
    assert "\x1b[2m" in result.stderr  # dim lines
    assert "\r" not in result.stderr and "\x1b[?25l" not in result.stderr and "\x1b[2K" not in result.stderr


def test_no_progress_is_silent(tmp_path: Path) -> None:
    result = run_cli("fuzz", *PAIR, *FAST, "--no-progress", "-o", str(tmp_path / "r.txt"), env={"APIPARITY_PROGRESS": None})
    assert not any(line.startswith("fuzz: [") for line in result.stderr.splitlines())
