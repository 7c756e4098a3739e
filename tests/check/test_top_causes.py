"""The bookstore's regressed port: each seeded regression is named, one line per cause, in the first
screen of the text report and in the HTML banner, before any detail."""

from __future__ import annotations

import html
import json
import re

import pytest

from apiparity.report import render
from apiparity.report.text import render_text
from tests.scenario import BOOKSTORE, Scenarios, bookstore_check

SCREEN = 40  # lines of a terminal


@pytest.mark.scenario("bookstore")
def test_first_screen_names_every_seeded_regression(scenarios: Scenarios) -> None:
    run = bookstore_check(scenarios, "regressed")
    assert run.exit_code == 1, run.stderr
    report = run.report()
    screen = "\n".join(render_text(report, width=120).splitlines()[:SCREEN])
    banner = html.unescape(re.search(r"<header class=\"banner.*?</header>", render(report, "html"), re.S).group(0))
    assert "Top causes" in screen and "Top causes" in banner
    for regression in json.loads((BOOKSTORE / "regressions.json").read_text()):
        operations = [regression["operation"], *regression.get("also", [])]
        assert any(op in screen for op in operations), (regression["id"], screen)
        assert any(op in banner for op in operations), (regression["id"], banner)
    # one line per cause, worst first: the removed operation's 405 (status class changed) leads
    top = [line for line in screen.splitlines() if line.startswith("  [")]
    assert top[0].startswith("  [regression] DELETE /authors/{author_id}: status 204 != 405")
