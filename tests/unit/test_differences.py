"""Typed differences: the kind of change and the field travel as data; the texts reports show are
derived from them in one place (`Difference.field`, `change_text`, `signature`, `format_path`)."""

from __future__ import annotations

from apiparity.fuzz.compare import ANY_INDEX, Change, CompareOptions, Difference, compare_json, compare_responses, fold_indexes, format_path
from apiparity.fuzz.group import lead_order, root_map
from apiparity.fuzz.wire import WireResponse


def js(status: int, body: object) -> WireResponse:
    import json

    return WireResponse(status, [("Content-Type", "application/json")], json.dumps(body).encode())


def test_one_text_form_of_a_path() -> None:
    assert format_path(()) == "$"
    assert format_path(("items", 0, "price")) == "$.items[0].price"
    assert format_path(fold_indexes(("items", 0, "price"))) == "$.items[*].price"
    assert format_path(("a b", "x.y", "ok-1", "_z")) == '$["a b"]["x.y"].ok-1._z'


def test_a_body_difference_carries_its_path_change_and_values() -> None:
    (difference,) = compare_json({"items": [{"price": 1}]}, {"items": [{"price": 2}]}, CompareOptions())
    assert (difference.kind, difference.change, difference.path) == ("body", Change.VALUE_CHANGED, ("items", ANY_INDEX, "price"))
    assert difference.values == (1, 2)
    assert difference.signature == "body $.items[*].price value changed"
    assert difference.detail == "$.items[0].price: OLD 1, NEW 2"


def test_the_texts_reports_show_are_derived_from_the_fields() -> None:
    assert Difference("status", Change.STATUS, statuses=(200, 404)).signature == "status 200 != 404"
    assert Difference("timeout", Change.NO_ANSWER, side="NEW", reason="timeout").signature == "timeout on NEW"
    assert Difference("header", Change.MISSING, header="etag").signature == "header:etag missing in NEW"
    assert Difference("body", Change.READ_CAP, side="OLD").signature == "body body larger than the read cap in OLD"
    assert Difference("order", Change.ORDER_CHANGED, ("items",)).signature == "order $.items list order changed"


def test_ignore_patterns_match_keys_that_need_quoting() -> None:
    old, new = {"a b": {"x.y": 1}, "keep": 1}, {"a b": {"x.y": 2}, "keep": 2}
    differences = compare_json(old, new, CompareOptions(ignore=('$["a b"]',)))
    assert [d.path for d in differences] == [("keep",)]


def test_a_key_with_dots_is_one_level_deep_for_the_group_title() -> None:
    # the title names the shallowest field: a quoted key with dots in it is one level, not three
    dotted = Difference("body", Change.VALUE_CHANGED, ("a.b.c",))
    nested = Difference("body", Change.VALUE_CHANGED, ("meta", "total"))
    assert lead_order(dotted) < lead_order(nested)


def test_fields_of_a_list_that_changed_size_follow_it() -> None:
    differences = compare_responses(js(200, {"items": [{"id": 1}, {"id": 2}]}), js(200, {"items": [{"id": 2}]}), CompareOptions())
    roots = root_map(differences)
    assert list(roots) == ["body $.items[*] missing in NEW"]
    assert {d.change for d in roots["body $.items[*] missing in NEW"]} >= {Change.MISSING}


def test_conformance_issues_name_fields_in_the_same_syntax() -> None:
    from apiparity.fuzz.conformance import instance_pointer

    assert instance_pointer(["items", 0, "id"]) == "$.items[*].id"
    assert instance_pointer(["a b", 2]) == format_path(("a b", ANY_INDEX)) == '$["a b"][*]'
