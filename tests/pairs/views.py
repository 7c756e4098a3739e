"""What the pair tests read from a report: the loud findings a user acts on."""

from __future__ import annotations

import json
from pathlib import Path

from apiparity.model import MismatchGroup, Report
from tests.conftest import run_cli

FAST = ("--seed", "1", "--max-examples", "10")


def unwaived_breaking(report: Report) -> list[str]:
    return [f"{c.method} {c.path}: {c.rule_id}" for c in report.diff.changes if c.severity == "breaking" and not c.waived_by]


def group_keys(report: Report) -> list[str]:
    return [g.key for g in report.fuzz.groups if not g.waived_by]


def new_vs_old_issues(report: Report) -> list[str]:
    return [f"{i.operation}: {i.check}: {i.message}" for i in report.fuzz.conformance if i.side == "new-vs-old-spec"]


def groups_of(report: Report, operation: str) -> list[MismatchGroup]:
    return [g for g in report.fuzz.groups if g.operation == operation and not g.waived_by]


def check_pair(folder: Path, new_module: str, tmp_path: Path, *extra: str) -> tuple[int, Report, str]:
    """`apiparity check legacy.py:app NEW.py:app` in a pair's folder, as a user runs it (each module's
    reset() is found automatically): (exit code, the JSON report read back, stdout)."""
    json_path = tmp_path / f"{folder.name}-{new_module}.json"
    result = run_cli("check", f"{folder / 'legacy'}.py:app", f"{folder / new_module}.py:app", *FAST, *extra, "--json", str(json_path))
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, Report.from_dict(json.loads(json_path.read_text())), result.stdout
