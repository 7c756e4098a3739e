"""YAML report: the same data as the JSON report, for people who read reports in a terminal."""

from __future__ import annotations

from apiparity.model import Report


def render(report: Report) -> str:
    import yaml

    return yaml.safe_dump(report.to_dict(), sort_keys=False, allow_unicode=True, width=120)
