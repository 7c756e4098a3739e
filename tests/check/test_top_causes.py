"""The bookstore's regressed port: each seeded regression is named, one line per cause, in the first
screen of the text report and in the HTML banner, before any detail."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from apiparity.model import Report
from apiparity.report import render
from apiparity.report.text import render_text
from tests.conftest import EXAMPLES, run_cli

BOOKSTORE = EXAMPLES / "bookstore"
SCREEN = 40  # lines of a terminal


def test_first_screen_names_every_seeded_regression(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run_cli("check", f"{BOOKSTORE / 'legacy_app.py'}:app", f"{BOOKSTORE / 'regressed_app.py'}:app",
                     "--seed", "1", "--max-examples", "10", "--json", str(out))
    assert result.exit_code == 1, result.stderr
    report = Report.from_dict(json.loads(out.read_text()))
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
