"""Unit tests of the comparison, noise, grouping, curl and redaction pieces."""

from __future__ import annotations

import json
import shlex

import pytest

from apiparity.errors import ConfigError
from apiparity.fuzz.compare import Change, CompareOptions, compare_responses, field_pattern
from apiparity.fuzz.curl import curl_command
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.noise import NoiseTable
from apiparity.fuzz.redact import REDACTED, redact_headers, redact_query
from apiparity.fuzz.settings import FuzzSettings, parse_status_pair
from apiparity.fuzz.wire import WireRequest, WireResponse


def js(status: int, body: object, **headers: str) -> WireResponse:
    return WireResponse(status=status, headers=[("Content-Type", "application/json"), *headers.items()], body=json.dumps(body).encode())


def fields(differences) -> set[str]:
    return {d.field for d in differences}


def test_numbers_equal_by_value_and_key_order_ignored():
    assert compare_responses(js(200, {"a": 1, "b": 2.0}), js(200, {"b": 2, "a": 1.0}), CompareOptions()) == []


def test_list_order_is_significant_unless_unordered():
    old, new = js(200, {"items": [1, 2]}), js(200, {"items": [2, 1]})
    differences = compare_responses(old, new, CompareOptions())
    assert [(d.kind, d.path, d.change) for d in differences] == [("order", ("items",), Change.ORDER_CHANGED)]
    assert [(d.field, d.change_text) for d in differences] == [("$.items", "list order changed")]
    assert compare_responses(old, new, CompareOptions(unordered=("$.items",))) == []
    # a different element is a field change, not an order change
    changed = compare_responses(old, js(200, {"items": [2, 3]}), CompareOptions())
    assert {d.kind for d in changed} == {"body"}


def test_reordered_list_of_objects_is_one_order_difference():
    rows = [{"id": i, "total": i * 10, "lines": [{"sku": f"s{i}", "n": 1}]} for i in range(1, 7)]
    differences = compare_responses(js(200, rows), js(200, list(reversed(rows))), CompareOptions())
    assert [(d.kind, d.signature) for d in differences] == [("order", "order $ list order changed")]
    nested = compare_responses(js(200, {"orders": rows}), js(200, {"orders": rows[1:] + rows[:1]}), CompareOptions())
    assert [d.field for d in nested] == ["$.orders"]


def test_mapped_identities_are_equal():
    from apiparity.fuzz.stateful import IdentityMap

    identities = IdentityMap()
    identities.record(7, 1007)
    old = js(201, {"id": 7, "name": "a"}, Location="/items/7")
    new = js(201, {"id": 1007, "name": "a"}, Location="/api/v1/items/1007")
    assert {d.field for d in compare_responses(old, new, CompareOptions())} >= {"$.id"}
    mapped = compare_responses(old, new, CompareOptions(identities=identities))
    assert [d.field for d in mapped] == ["header:location"]  # the prefix differs, the id is mapped
    same_prefix = js(201, {"id": 1007, "name": "b"}, Location="/items/1007")
    assert [d.field for d in compare_responses(old, same_prefix, CompareOptions(identities=identities))] == ["$.name"]


def test_status_difference_is_reported_alone():
    differences = compare_responses(js(400, {"e": 1}), js(422, {"detail": []}), CompareOptions())
    assert [d.signature for d in differences] == ["status 400 != 422"]
    assert compare_responses(js(400, {}), js(422, {}), CompareOptions(equivalent_status=((400, 422),))) == []


def test_ignore_patterns_cover_indexes_and_children():
    old = js(200, {"items": [{"updated_at": "x", "meta": {"a": 1}}]})
    new = js(200, {"items": [{"updated_at": "y", "meta": {"a": 2}}]})
    assert fields(compare_responses(old, new, CompareOptions(ignore=("$.items[*].updated_at",)))) == {"$.items[*].meta.a"}
    assert compare_responses(old, new, CompareOptions(ignore=("items[*].updated_at", "$.items[*].meta"))) == []
    assert field_pattern("$.a.*").match("$.a.b") and not field_pattern("$.a").match("$.ab")


def test_headers_that_matter():
    old = WireResponse(201, [("Content-Type", "application/json; charset=utf-8"), ("Location", "http://a/books/1"), ("Allow", "GET, HEAD")], b"{}")
    new = WireResponse(201, [("content-type", "application/json"), ("location", "/books/1"), ("allow", "HEAD,GET")], b"{}")
    assert compare_responses(old, new, CompareOptions()) == []
    moved = WireResponse(201, [("content-type", "application/json"), ("location", "/books/2"), ("allow", "GET")], b"{}")
    assert fields(compare_responses(old, moved, CompareOptions())) == {"header:location", "header:allow"}


def test_text_and_transport_differences():
    old = WireResponse(200, [("Content-Type", "text/plain")], b"a")
    assert [d.change for d in compare_responses(old, WireResponse(200, [("Content-Type", "text/plain")], b"b"), CompareOptions())] == [Change.TEXT_CHANGED]
    timeout = WireResponse(0, error="timeout: no answer within 1 s", timed_out=True)
    [difference] = compare_responses(old, timeout, CompareOptions())
    assert (difference.kind, difference.signature) == ("timeout", "timeout on NEW")


def test_noise_learned_from_two_old_answers_cancels_that_field_only():
    table, options = NoiseTable(), CompareOptions()
    table.learn("GET /x", js(200, {"id": 1, "now": "t1"}), js(200, {"id": 1, "now": "t2"}), options)
    differences = compare_responses(js(200, {"id": 1, "now": "t1"}), js(200, {"id": 2, "now": "t3"}), options)
    kept = table.filter("GET /x", differences)
    assert fields(kept) == {"$.id"}
    [entry] = table.report()
    assert (entry.operation, entry.field_path, entry.count) == ("GET /x", "$.now", 1)


def test_grouping_keeps_five_smallest_examples_with_curl():
    grouper = Grouper(old_side=SideView("http://localhost"), new_side=SideView("http://127.0.0.1:9", "/api"), redact=True)
    for n in range(12, 0, -1):
        request = WireRequest("GET", f"/books/{'9' * n}", operation="GET /books/{id}", headers=[("Authorization", "Bearer abc")])
        old, new = js(200, {"p": 1}), js(200, {"p": 2})
        grouper.add(request, old, new, compare_responses(old, new, CompareOptions()))
    [group] = grouper.groups()
    assert group.count == 12 and group.signature == "body $.p value changed"
    assert [e.request.path for e in group.examples] == [f"/books/{'9' * n}" for n in range(1, 6)]
    assert group.examples[0].curl_new.startswith("curl -sS -i -X GET http://127.0.0.1:9/api/books/9")
    assert "abc" not in group.examples[0].curl_old and group.examples[0].request.headers["Authorization"] == f"Bearer {REDACTED}"


def test_curl_round_trips_body_through_a_shell():
    request = WireRequest("POST", "/notes", query="q=a%20b", headers=[("Content-Type", "application/json")], body=b'{"t": "it\'s"}')
    command = curl_command(request, "http://localhost")
    argv = shlex.split(command)
    assert argv[argv.index("--data-binary") + 1] == '{"t": "it\'s"}'
    assert "http://localhost/notes?q=a%20b" in argv
    binary = curl_command(WireRequest("POST", "/b", body=b"\x00\xff"), "http://localhost")
    assert binary.startswith("printf '\\x00\\xff' | curl") and binary.endswith("--data-binary @-")


def test_redaction():
    assert redact_headers({"X-API-Key": "k", "X-Refresh-Token": "t", "Accept": "*/*"}) == {"X-API-Key": REDACTED, "X-Refresh-Token": REDACTED, "Accept": "*/*"}
    assert redact_query("a=1&api_key=s&password=p") == f"a=1&api_key={REDACTED}&password={REDACTED}"
    assert FuzzSettings(headers={"Authorization": "Basic x"}).to_dict()["headers"] == {"Authorization": f"Basic {REDACTED}"}


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError):
        FuzzSettings(mode="sideways")
    with pytest.raises(ConfigError):
        FuzzSettings(phases=("examples", "guessing"))
    with pytest.raises(ConfigError):
        parse_status_pair("400-422")
    assert parse_status_pair("400=422") == (400, 422)
