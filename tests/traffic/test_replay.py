"""`apiparity replay`: recorded traffic compared exactly like fuzz cases (OLD twice, NEW once),
known answers on the bookstore pair, noise, undocumented traffic and the unsafe-method guard."""

from __future__ import annotations

import json

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli

TRAFFIC = EXAMPLES / "traffic"
LEGACY = "examples/bookstore/legacy_app.py:app"
MODERN = "examples/bookstore/modern_app.py:app"
REGRESSED = "examples/bookstore/regressed_app.py:app"
OLD_APP = "tests/traffic/apps.py:flask_app"
NEW_APP = "tests/traffic/apps.py:fastapi_app"

# the regressions each recorded session touches, and the operations where they show
HAR_TOUCHES = {
    "R2": "GET /authors", "R3": "GET /books/search", "R4": "GET /admin/stats", "R5": "GET /books/{book_id}",
    "R6": "POST /authors", "R7": "GET /books", "R8": "GET /orders", "R9": "GET /orders/{order_id}", "R10": "GET /books",
}
JSONL_TOUCHES = {"R5": "GET /books/{book_id}", "R7": "GET /books", "R9": "GET /orders/{order_id}"}


@pytest.fixture(autouse=True)
def _from_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _replay(*args, tmp_path):
    out = tmp_path / "report.json"
    result = run_cli("replay", *args, "--format", "json", "-o", str(out))
    return result, json.loads(out.read_text()) if out.exists() else None


@pytest.mark.parametrize("traffic", ["bookstore.har", "bookstore.jsonl"])
def test_faithful_port_answers_recorded_traffic_alike(traffic, tmp_path):
    result, report = _replay(str(TRAFFIC / traffic), LEGACY, MODERN, tmp_path=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert report["command"] == "replay" and report["fuzz"]["groups"] == []
    assert report["fuzz"]["cases"] == report["extras"]["traffic"]["requests"] > 10


@pytest.mark.parametrize(("traffic", "touched"), [("bookstore.har", HAR_TOUCHES), ("bookstore.jsonl", JSONL_TOUCHES)])
def test_regressed_port_shows_exactly_the_regressions_the_traffic_touches(traffic, touched, tmp_path):
    regressions = {r["id"]: r for r in json.loads((EXAMPLES / "bookstore" / "regressions.json").read_text())}
    assert all(regressions[rid]["operation"] == operation for rid, operation in touched.items())
    result, report = _replay(str(TRAFFIC / traffic), LEGACY, REGRESSED, tmp_path=tmp_path)
    assert result.exit_code == 1, result.stderr
    assert {g["operation"] for g in report["fuzz"]["groups"]} == set(touched.values())


def test_acceptance_command_lists_the_touched_regressions_in_text():
    result = run_cli("replay", "examples/traffic/bookstore.har", LEGACY, REGRESSED)
    assert result.exit_code == 1
    for operation, signature in [("POST /authors", "status 201 != 200"), ("GET /orders", "order $ list order changed"),
                                 ("GET /books/{book_id}", "body $.isbn missing in NEW"), ("GET /authors", "status 200 != 422")]:
        assert f"{operation} {signature}" in result.stdout
    # the renderers list extras.undocumented_traffic (their own section, or the errors' lines)
    assert any("GET /api/v1/books" in line and "path not in OLD's document" in line for line in result.stdout.splitlines())
    assert "19 of 19 recorded requests" in result.stderr


def test_undocumented_traffic_is_replayed_and_reported_not_dropped(tmp_path):
    _, report = _replay(str(TRAFFIC / "bookstore.har"), LEGACY, MODERN, tmp_path=tmp_path)
    assert report["extras"]["undocumented_traffic"] == [
        {"method": "GET", "path": "/api/v1/books", "reason": "path not in OLD's document", "count": 1},
        {"method": "GET", "path": "/books", "reason": "undocumented query parameter 'perPage'", "count": 1},
        {"method": "GET", "path": "/books/{book_id}", "reason": "undocumented query parameter 'include'", "count": 1},
    ]
    stats = {s["operation"]: s for s in report["fuzz"]["operations"]}
    assert stats["GET /api/v1/books (undocumented)"]["cases"] == 1
    assert stats["DELETE /authors/{author_id}"]["skipped_reason"] == "not in the recorded traffic"


def _small_traffic(tmp_path, lines):
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


def test_noise_between_two_calls_to_old_is_cancelled_and_real_difference_kept(tmp_path):
    traffic = _small_traffic(tmp_path, [{"method": "GET", "path": f"/items/{i}"} for i in (1, 2, 3)])
    result, report = _replay(traffic, OLD_APP, NEW_APP, tmp_path=tmp_path)
    assert result.exit_code == 1
    assert [(g["operation"], g["signature"], g["count"]) for g in report["fuzz"]["groups"]] == [
        ("GET /items/{item_id}", "body $.name value changed", 1)]
    assert [(n["field_path"], n["count"]) for n in report["fuzz"]["noise"]] == [("$.served_at", 3)]
    without_noise, report = _replay(traffic, OLD_APP, NEW_APP, "--no-noise", tmp_path=tmp_path)
    # the cases that changed only $.served_at show a subset of the fields of the one that also
    # changed $.name: one group, named by the larger set, all three cases counted in it
    assert [(g["signature"], g["count"]) for g in report["fuzz"]["groups"]] == [
        ("body $.name value changed + body $.served_at value changed", 3)]


def test_ignore_rules_apply_to_replayed_traffic(tmp_path):
    traffic = _small_traffic(tmp_path, [{"method": "GET", "path": "/items/3"}])
    result, report = _replay(traffic, OLD_APP, NEW_APP, "--no-noise", "--ignore", "$.name", "--ignore", "$.served_at",
                             tmp_path=tmp_path)
    assert result.exit_code == 0 and report["fuzz"]["groups"] == []


def test_unsafe_methods_are_not_sent_to_live_servers_without_reset_or_allow_unsafe(tmp_path):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on: nothing can be sent anyway
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    traffic = _small_traffic(tmp_path, [{"method": "POST", "path": "/items", "body": {}}, {"method": "GET", "path": "/items"}])
    url = f"http://127.0.0.1:{port}"
    result, report = _replay(traffic, OLD_APP, NEW_APP, "--old-url", url, "--new-url", url, tmp_path=tmp_path)
    assert report["fuzz"]["cases"] == 1  # the GET only
    assert any(e.startswith("POST /items: 1 recorded request(s) not sent: unsafe method to a live server with no reset")
               for e in report["fuzz"]["errors"])
    _, allowed = _replay(traffic, OLD_APP, NEW_APP, "--old-url", url, "--new-url", url, "--allow-unsafe", tmp_path=tmp_path)
    assert allowed["fuzz"]["cases"] == 2


def test_in_process_apps_get_unsafe_methods_with_the_auto_reset(tmp_path):
    traffic = _small_traffic(tmp_path, [{"method": "POST", "path": "/authors", "body": {"name": "Ada"},
                                         "media_type": "application/json"}])
    result, report = _replay(traffic, LEGACY, REGRESSED, tmp_path=tmp_path)
    assert [g["signature"] for g in report["fuzz"]["groups"]] == ["status 201 != 200"]
    assert report["fuzz"]["settings"]["auto_reset"] == {"old": "examples/bookstore/legacy_app.py:reset",
                                                         "new": "examples/bookstore/regressed_app.py:reset"}


def test_replay_report_is_the_documented_report_model(tmp_path):
    import jsonschema

    from apiparity.report.json_format import read_report

    _, report = _replay(str(TRAFFIC / "bookstore.jsonl"), LEGACY, REGRESSED, tmp_path=tmp_path)
    jsonschema.validate(report, json.loads((ROOT / "docs" / "report-schema.json").read_text()))
    back = read_report(str(tmp_path / "report.json"))
    assert back.command == "replay" and len(back.fuzz.groups) == len(report["fuzz"]["groups"]) > 0


def test_include_and_exclude_select_recorded_requests_by_operation(tmp_path):
    _, only_orders = _replay(str(TRAFFIC / "bookstore.har"), LEGACY, REGRESSED, "--include", "tag:orders",
                             "--exclude", "GET /orders/{order_id}", tmp_path=tmp_path)
    assert {g["operation"] for g in only_orders["fuzz"]["groups"]} == {"GET /orders"}
    assert only_orders["fuzz"]["cases"] == 2  # GET /orders and POST /orders; GET /orders/{id} excluded
    _, undocumented_only = _replay(str(TRAFFIC / "bookstore.har"), LEGACY, MODERN, "--include", "/api/*", tmp_path=tmp_path)
    assert undocumented_only["fuzz"]["cases"] == 1
    assert [u["path"] for u in undocumented_only["extras"]["undocumented_traffic"]] == ["/api/v1/books"]
