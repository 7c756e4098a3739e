"""The typed sections of a report (`apiparity.model_sections`) read and write the JSON report's
"extras" object as it always was: reports written by apiparity before the sections were typed
(tests/report/data/main_reports, made by the previous main) read into typed attributes and write
back the same JSON; each section round-trips; a malformed section is kept and named, never fatal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiparity import model_sections as ms
from apiparity.model import Report
from apiparity.report import render

DATA = Path(__file__).parent / "data" / "main_reports"
FIXTURES = sorted(DATA.glob("*.json"))


def test_there_are_fixtures_for_most_sections() -> None:
    keys = {key for path in FIXTURES for key in json.loads(path.read_text())["extras"]}
    assert keys >= {"gate_thresholds", "contract", "handlers", "event_loop", "history", "sides", "load", "merged_from",
                    "missing_shards", "old_source_file", "new_source_file", "traffic", "undocumented_traffic"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_report_written_by_the_previous_version_reads_into_typed_sections(path: Path) -> None:
    text = path.read_text()
    data = json.loads(text)
    report = Report.from_dict(data)
    assert report.unread_extras == {}, "every section of the old report has its type"
    for key in data["extras"]:
        section = ms.SECTIONS_BY_KEY[key]
        value = getattr(report, section.attribute)
        assert section.present(value), key
        if isinstance(section.type, type) and issubclass(section.type, ms.Section):
            assert isinstance(value, section.type), key
    assert _as_in(report.to_dict(), data) == data, "the same keys and values written back"
    again = json.loads(render(report, "json"))
    assert _as_in(again, data) == data
    assert Report.from_dict(again) == report


def _as_in(written: object, original: object) -> object:
    """`written` without the keys a later version added with an empty value (a new counter at 0):
    what the old report had must come back, and nothing else but such defaults."""
    if isinstance(written, dict) and isinstance(original, dict):
        return {k: _as_in(v, original.get(k)) for k, v in written.items() if k in original or v not in (0, None, [], {}, False)}
    if isinstance(written, list) and isinstance(original, list) and len(written) == len(original):
        return [_as_in(w, o) for w, o in zip(written, original)]
    return written


def _sections_in_fixtures() -> list[tuple[str, object]]:
    found = []
    for path in FIXTURES:
        report = Report.from_dict(json.loads(path.read_text()))
        for section in ms.EXTRAS_SECTIONS:
            value = getattr(report, section.attribute)
            if section.present(value):
                found.append((f"{path.stem}:{section.key}", value))
    return found


# sections the fixtures have no run for (a load capacity run, shadow, a shard interrupted), by hand
HAND_BUILT: dict[str, object] = {
    "load_capacity": ms.CapacitySection(
        plan=ms.CapacityPlanSection(p95_target_ms=50.0, start_users=2, step_users=2, max_users=4, step_duration=1.0),
        old=ms.CapacitySide(url="http://127.0.0.1:8001", max_sustained_rps=120.5, at_users=4, p95_at_max_ms=30.0,
                            limit="every step held up to --max-users (raise it to find the limit)",
                            steps=[ms.CapacityStep(users=2, rps=60.0, p95_ms=20.0, error_rate=0.0, requests=600, held=True),
                                   ms.CapacityStep(users=4, rps=120.5, p95_ms=30.0, error_rate=0.0, requests=1205, held=True)]),
        new=ms.CapacitySide(url="http://127.0.0.1:8002", max_sustained_rps=0.0, at_users=None, p95_at_max_ms=None,
                            limit="2 users: p95 80 ms > target 50 ms",
                            steps=[ms.CapacityStep(users=2, rps=20.0, p95_ms=80.0, error_rate=0.0, requests=200, held=False,
                                                   reason="p95 80 ms > target 50 ms")]),
        ratio=None, new_takes_old_peak=False, source="OLD's document",
    ),
    "shadow": ms.ShadowSection(requests=10, mirrored=9, not_mirrored=1, compared=8, candidate_errors=1,
                               candidate_failures_by_reason={"timeout": 1}, unfinished=0),
    "sides": {"old": ms.SideServer(started="gunicorn app:app", pid=12, url="http://127.0.0.1:9000", server="gunicorn",
                                    python="3.8.18", died="exit code -9", log="/tmp/old.log")},
    "interrupted_shards": ["shard2.json"],
    "load_error": "load run failed: NEW http://127.0.0.1:9: the load worker failed",
}


@pytest.mark.parametrize(("name", "value"), [*_sections_in_fixtures(), *HAND_BUILT.items()], ids=lambda v: v if isinstance(v, str) else "")
def test_each_section_round_trips(name: str, value: object) -> None:
    section = ms.SECTIONS_BY_KEY[name.rpartition(":")[2]]
    data = ms.dump(value)
    assert json.loads(json.dumps(data)) == data, "plain JSON data"
    assert section.read(data) == value
    assert ms.dump(section.read(data)) == data
    if isinstance(value, ms.Section):
        assert type(value).from_dict(value.to_dict()) == value


def test_a_report_with_every_section_round_trips_through_json() -> None:
    report = Report.from_dict(json.loads((DATA / "sample_extras.json").read_text()))
    for key, value in HAND_BUILT.items():
        setattr(report, ms.SECTIONS_BY_KEY[key].attribute, value)
    report.interrupted = True
    assert Report.from_dict(json.loads(render(report, "json"))) == report


def test_optional_keys_are_written_only_when_set() -> None:
    loop = ms.EventLoopSection(threshold_ms=20.0, monitored_seconds=1.0)
    assert set(loop.to_dict()) == {"source", "threshold_ms", "monitored_seconds", "blocks", "unattributed", "events_dropped"}
    loop.static = []
    assert loop.to_dict()["static"] == [], "an empty static scan is not the same as none"
    assert "interrupted" not in Report(command="check").to_dict()["extras"]
    assert Report(command="check", interrupted=True).to_dict()["extras"] == {"interrupted": True}


def test_a_malformed_section_is_kept_as_written_and_named() -> None:
    data = json.loads((DATA / "sample_load.json").read_text())
    data["extras"]["load"]["operations"][0]["old"]["requests"] = "many"
    data["extras"]["from_a_newer_version"] = {"x": 1}
    report = Report.from_dict(data)
    assert report.load is None
    assert report.section_problem("load") == "extras.load is malformed (ValueError: invalid literal for int() with base 10: 'many')"
    assert report.to_dict()["extras"] == data["extras"], "kept as written, unknown keys too"
    assert report.section_problem("event_loop") is None


def test_the_extras_view_reads_and_writes_the_typed_attributes() -> None:
    report = Report(command="check", extras={"contract": {"ref": "c.yaml"}})
    assert report.contract == ms.ContractSection(ref="c.yaml")
    report.extras["history"] = {"file": "h.sqlite", "run_id": 3}
    assert isinstance(report.history, ms.HistorySection) and report.history.run_id == 3
    assert report.extras["contract"] == {"ref": "c.yaml", "notes": []} and "load" not in report.extras
    del report.extras["contract"]
    assert report.contract is None and list(report.extras) == ["history"]
    report.extras = {"interrupted": True}
    assert report.interrupted and report.history is None


@pytest.mark.parametrize("bad", [{"count": "lots"}, {"count": [1]}, {"max_ms": {}}, "junk"])
def test_wrong_types_are_malformed(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        ms.EventLoopSection.from_dict({"blocks": [bad]})


# ---------------------------------------------------------------------------------------- the schema

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "report-schema.json").read_text())
# section classes whose schema definition has another name
SCHEMA_NAMES = {"LatencyStats": "LoadStats", "LoadComparison": "LoadRow", "StaticBlockingCall": "StaticBlockingFinding",
                "UndocumentedRequest": "UndocumentedTraffic"}


def _section_classes() -> dict[str, type]:
    import dataclasses
    import typing

    found: dict[str, type] = {}

    def walk(tp: object) -> None:
        for candidate in (tp, *typing.get_args(tp)):
            if isinstance(candidate, type) and dataclasses.is_dataclass(candidate) and candidate.__name__ not in found:
                found[candidate.__name__] = candidate
                for hint in typing.get_type_hints(candidate).values():
                    walk(hint)
            elif typing.get_args(candidate) and candidate is not tp:
                walk(candidate)

    for section in ms.EXTRAS_SECTIONS:
        walk(section.type)
    return found


def test_the_schema_names_every_section_and_its_fields() -> None:
    import dataclasses

    assert set(SCHEMA["properties"]["extras"]["properties"]) == set(ms.SECTIONS_BY_KEY)
    nested_in_a_parent = {"LoadRunSettings", "LoadSideRun", "LoadRatios", "LoadGateResult", "StarvedStalls", "CapacityPlanSection",
                          "HistoryPoint", "HistoryOperation"}  # described inline in their section's definition
    for name, cls in _section_classes().items():
        if name in nested_in_a_parent:
            continue
        described = SCHEMA["$defs"][SCHEMA_NAMES.get(name, name)]
        assert set(described["properties"]) == {f.name for f in dataclasses.fields(cls)}, name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_the_fixtures_validate_against_the_schema(path: Path) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(path.read_text()))


def test_hand_built_sections_validate_against_the_schema() -> None:
    import jsonschema

    report = Report.from_dict(json.loads((DATA / "sample_extras.json").read_text()))
    for key, value in HAND_BUILT.items():
        setattr(report, ms.SECTIONS_BY_KEY[key].attribute, value)
    report.interrupted = True
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(render(report, "json")))


def test_apiparity_itself_reads_and_writes_the_typed_attributes_not_the_extras_view() -> None:
    """`Report.extras` (the JSON-shaped view) is for code written against the JSON; apiparity's own
    modules use `report.load`, `report.event_loop`, ... (mypy does not see the view either)."""
    import ast

    src = Path(__file__).parents[2] / "src" / "apiparity"
    found = []
    for path in sorted(src.rglob("*.py")):
        if path.name == "model.py" and path.parent == src:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "extras":
                found.append(f"{path.relative_to(src)}:{node.lineno} .extras")
            if isinstance(node, ast.keyword) and node.arg == "extras":
                found.append(f"{path.relative_to(src)}:{node.lineno} extras=")
    assert not found


def test_redaction_and_sanitizing_reach_sections_inside_a_mapping() -> None:
    """`Report.sides` and `Report.handlers.old/new` map names to section dataclasses: the writers'
    redaction (a secret the user passed, quoted in a started command) and sanitizing (a lone
    surrogate) reach them, as they reached the plain dicts before."""
    from apiparity.redact import Redaction, activate, current

    secret = "s3cr3t-token-value-123"
    report = Report(command="check", sides={"old": ms.SideServer(started=f"serve --header 'Authorization: Bearer {secret}'", pid=1)},
                    handlers=ms.HandlersSection(root="/r", old={"GET /x": ms.HandlerPlace(file="app\ud800.py", line=3, function="f")}))
    before = current()
    activate(Redaction.build(enabled=True, headers=[("Authorization", f"Bearer {secret}")]))
    try:
        text = render(report, "json")
    finally:
        activate(before)
    assert secret not in text
    from apiparity.report.sanitize import representable

    shown = representable(report)
    assert shown.handlers.old["GET /x"].file == "app\\ud800.py", "the lone surrogate made representable"


def test_a_replaced_report_keeps_the_sections_it_was_given() -> None:
    """`dataclasses.replace` (the sanitizing and redacting walks copy a report with it) hands the
    old report's `extras` view to the new one: the sections passed must win."""
    import dataclasses

    report = Report(command="check", contract=ms.ContractSection(ref="a.yaml"), extras={"from_a_newer_version": 1})
    copy = dataclasses.replace(report, contract=ms.ContractSection(ref="b.yaml"), unread_extras={})
    assert copy.contract == ms.ContractSection(ref="b.yaml") and copy.unread_extras == {}
    assert dataclasses.replace(report, command="fuzz").contract == ms.ContractSection(ref="a.yaml")
