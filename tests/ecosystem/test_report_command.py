"""`apiparity report REPORT.json --format FMT`: a saved report rendered by the CLI (what the GitHub
Action uses instead of a `python -` script importing apiparity)."""

from __future__ import annotations

import json
from pathlib import Path

from apiparity.model import Report
from apiparity.report import render
from tests.conftest import run_cli
from tests.report.sample_reports import check_report


def test_renders_a_saved_report_in_each_format(tmp_path: Path) -> None:
    saved = tmp_path / "r.json"
    saved.write_text(render(check_report(), "json"))
    report = Report.from_dict(json.loads(saved.read_text()))
    for fmt in ("markdown", "github", "sarif", "junit"):
        result = run_cli("report", str(saved), "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == render(report, fmt), fmt
    out = tmp_path / "r.md"
    assert run_cli("report", str(saved), "--format", "markdown", "-o", str(out)).exit_code == 0
    assert out.read_text() == render(report, "markdown")


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    missing = run_cli("report", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and missing.stderr.strip() == f"error: {tmp_path / 'nope.json'}: no such report file"
    other = tmp_path / "other.json"
    other.write_text("{}")
    assert run_cli("report", str(other)).exit_code == 2
    saved = tmp_path / "r.json"
    saved.write_text(render(check_report(), "json"))
    wrong = run_cli("report", str(saved), "--format", "pdf")
    assert wrong.exit_code == 2 and "unknown --format 'pdf'" in wrong.stderr
