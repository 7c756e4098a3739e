"""JSON report: the report model serialized; schema documented in docs/report-schema.md."""

from __future__ import annotations

import json

from apiparity.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False, default=str) + "\n"
