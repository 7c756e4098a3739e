"""JSON report: the report model serialized; schema documented in docs/report-schema.md."""

from __future__ import annotations

import json

from apiparity.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False, default=str) + "\n"


def read_report(path: str) -> Report:
    """Read a JSON report written by apiparity (for `merge` and `--baseline`); ApiparityError if it is not one."""
    from apiparity.errors import ApiparityError
    from apiparity.model import REPORT_SCHEMA_VERSION

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise ApiparityError(f"{path}: no such report file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiparityError(f"{path}: not a JSON report: {exc}") from None
    if not isinstance(data, dict) or "command" not in data or "schema_version" not in data:
        raise ApiparityError(f"{path}: not an apiparity JSON report (no command / schema_version)")
    major = str(data["schema_version"]).split(".")[0]
    if major != REPORT_SCHEMA_VERSION.split(".")[0]:
        raise ApiparityError(f"{path}: report schema {data['schema_version']}, this apiparity reads {REPORT_SCHEMA_VERSION}")
    try:
        return Report.from_dict(data)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise ApiparityError(f"{path}: malformed report: {exc}") from None
