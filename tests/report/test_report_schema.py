"""docs/report-schema.json describes the JSON report: real reports validate, and it names every model field."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path

import jsonschema
import pytest

from apiparity import model
from apiparity.report import render
from tests.conftest import ROOT, run_cli
from tests.report.sample_reports import ALL_REPORTS

SCHEMA = json.loads((ROOT / "docs" / "report-schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def errors(document: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", sorted(ALL_REPORTS))
def test_hand_built_reports_validate(name: str) -> None:
    assert not errors(json.loads(render(ALL_REPORTS[name](), "json")))


def test_a_real_check_report_validates(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run_cli("check", "tests.check.apps:legacy", "tests.check.apps:regressed", "--max-examples", "2", "--phases", "examples,fuzzing", "--json", str(out))
    document = json.loads(out.read_text())
    assert document["verdict"]["ready"] is False
    assert not errors(document)


def test_schema_rejects_a_wrong_type() -> None:
    document = json.loads(render(ALL_REPORTS["check"](), "json"))
    document["verdict"]["ready"] = "yes"
    assert errors(document)


def _json_fields(cls: type) -> set[str]:
    """The keys of a model class in the JSON report: a Report's sections are under "extras"."""
    names = {f.name for f in dataclasses.fields(cls)}
    return names - model._EXTRAS_ATTRIBUTES | {"extras"} if cls is model.Report else names


def _dataclasses(cls: type, seen: dict[str, type]) -> dict[str, type]:
    seen[cls.__name__] = cls
    hints = typing.get_type_hints(cls)
    for name, hint in hints.items():
        if cls is model.Report and name not in _json_fields(cls):
            continue  # the sections of "extras": described apart (docs/report-schema.md)
        for candidate in [hint, *typing.get_args(hint), *(a for arg in typing.get_args(hint) for a in typing.get_args(arg))]:
            if dataclasses.is_dataclass(candidate) and candidate.__name__ not in seen:
                _dataclasses(candidate, seen)
    return seen


def test_schema_names_every_field_of_the_model() -> None:
    """A field added to apiparity.model must be documented in the schema too (regenerate it)."""
    for name, cls in _dataclasses(model.Report, {}).items():
        described = SCHEMA if name == "Report" else SCHEMA["$defs"][name]
        assert set(described["properties"]) == _json_fields(cls), name


def test_feature_sections_validate_and_a_wrong_type_in_them_is_caught() -> None:
    from tests.report.sample_reports import extras_report, load_report

    for report in (extras_report(), load_report()):
        assert not errors(json.loads(render(report, "json")))
    document = json.loads(render(extras_report(), "json"))
    document["extras"]["event_loop"]["blocks"][0]["count"] = "three"
    document["extras"]["load"]["operations"][0]["old"]["p95_ms"] = "fast"
    document["extras"]["undocumented_traffic"][0].pop("path")
    found = errors(document)
    assert any(e.startswith("extras/event_loop/blocks/0/count") for e in found)
    assert any(e.startswith("extras/load/operations/0/old") for e in found)
    assert any(e.startswith("extras/undocumented_traffic/0") for e in found)
