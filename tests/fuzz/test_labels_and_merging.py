"""Known-divergence labels that were wrong or missing on the events pair (tests/pairs/events), and
groups of one root cause that split by which fields an example happened to have: each pinned on
the smallest responses that show it, built directly (no app, no runner)."""

from __future__ import annotations

import json

from apiparity.fuzz.compare import ANY_INDEX, Change, CompareOptions, Difference, compare_responses
from apiparity.fuzz.divergences import MismatchContext, identify
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.wire import WireRequest, WireResponse


def js(status: int, body: object) -> WireResponse:
    return WireResponse(status=status, headers=[("Content-Type", "application/json")], body=json.dumps(body).encode())


def labels(old: WireResponse, new: WireResponse, operation: str = "GET /e/{id}", path: str = "/e/1", **context) -> dict[str, str | None]:
    """Each difference's signature -> the label `identify` gives it."""
    request = WireRequest(operation.split(" ")[0], path, operation=operation)
    out = {}
    for difference in compare_responses(old, new, CompareOptions()):
        found = identify(MismatchContext(request, old, new, difference, **context))
        out[difference.signature] = found.id if found else None
    return out


# ---------------------------------------------------------------------------------- missing keys


def test_a_renamed_key_is_not_blamed_on_response_model():
    old = js(200, [{"id": 1, "email": "zoe@example.com"}, {"id": 2, "email": "ada@example.com"}])
    new = js(200, [{"id": 1, "email_address": "zoe@example.com"}, {"id": 2, "email_address": "ada@example.com"}])
    assert labels(old, new) == {"body $[*].email missing in NEW": None, "body $[*].email_address added in NEW": None}
    # nested, under an object
    old, new = js(200, {"owner": {"name": "a", "mail": "m"}}), js(200, {"owner": {"name": "a", "e_mail": "m"}})
    assert labels(old, new)["body $.owner.mail missing in NEW"] is None


def model_document(properties: dict, path: str = "/e/{id}") -> dict:
    """NEW's own document declaring one response model (FastAPI's `response_model=E`)."""
    schema = {"$ref": "#/components/schemas/E"}
    return {"paths": {path: {"get": {"responses": {"200": {"content": {"application/json": {"schema": schema}}}}}}},
            "components": {"schemas": {"E": {"anyOf": [{"type": "object", "properties": properties}, {"type": "null"}]}}}}


PROFILE_MODEL = model_document({"name": {}, "nickname": {}})


def test_a_key_dropped_by_a_response_model_is_still_labelled():
    # divergence_flask/fastapi's /profile: an undeclared extra key filtered out by NEW's model
    old, new = js(200, {"name": "alice", "internal_score": 7}), js(200, {"name": "alice"})
    assert labels(old, new, new_document=PROFILE_MODEL) == {"body $.internal_score missing in NEW": "response-model-drops-keys"}
    # ...also when the model filled a declared default beside it (null), which no rename does
    old, new = js(200, {"name": "alice", "internal_score": 7}), js(200, {"name": "alice", "nickname": None})
    assert labels(old, new, new_document=PROFILE_MODEL)["body $.internal_score missing in NEW"] == "response-model-drops-keys"
    # a key that is not a JSON identifier
    old, new = js(200, {"name": "alice", "internal score": 7}), js(200, {"name": "alice"})
    assert labels(old, new, new_document=PROFILE_MODEL) == {'body $["internal score"] missing in NEW': "response-model-drops-keys"}
    # precondition: NEW's own document must show a response model; without one nothing says a
    # model filtered the key (a handler building its own JSONResponse), so no label
    assert labels(old, new) == {'body $["internal score"] missing in NEW': None}


def test_null_written_vs_key_omitted_has_its_own_label():
    old = js(200, {"id": 2, "description": None, "ends_at": None, "title": "t"})
    new = js(200, {"id": 2, "title": "t"})
    declared = model_document({"id": {}, "description": {}, "ends_at": {}, "title": {}})
    assert labels(old, new, new_document=declared) == {"body $.description missing in NEW": "null-field-omitted",
                                                       "body $.ends_at missing in NEW": "null-field-omitted"}
    # the shared contract (--contract) is NEW's document too
    assert labels(old, new, document=declared)["body $.ends_at missing in NEW"] == "null-field-omitted"
    # precondition: NEW's document declares the field; a field NEW's model no longer declares is
    # dropped by the model whatever its value, not omitted for being null
    assert labels(old, new, new_document=model_document({"id": {}, "title": {}})) == {
        "body $.description missing in NEW": "response-model-drops-keys", "body $.ends_at missing in NEW": "response-model-drops-keys"}
    from apiparity.fuzz.divergences import CATALOG

    entry = next(e for e in CATALOG if e.id == "null-field-omitted")
    assert "response_model_exclude_none" in entry.fix_hint and "exclude_unset" in entry.fix_hint
    # in list elements: null in every element that lost the key
    items = model_document({"items": {"type": "array", "items": {"type": "object", "properties": {"id": {}, "note": {}}}}})
    old, new = js(200, {"items": [{"id": 1, "note": None}, {"id": 2, "note": None}]}), js(200, {"items": [{"id": 1}, {"id": 2}]})
    assert labels(old, new, new_document=items) == {"body $.items[*].note missing in NEW": "null-field-omitted"}
    # not when one of them had a value: that key was dropped, not left out for being null; and
    # NEW's model declares `note`, so no response_model filtered it either (the handler did)
    old = js(200, {"items": [{"id": 1, "note": None}, {"id": 2, "note": "x"}]})
    assert labels(old, new, new_document=items) == {"body $.items[*].note missing in NEW": None}


def test_a_key_declared_in_new_document_is_not_dropped_by_its_response_model():
    old, new = js(200, {"id": 1, "score": 7}), js(200, {"id": 1})
    declared, undeclared = model_document({"id": {}, "score": {}}), model_document({"id": {}})
    assert labels(old, new, new_document=declared) == {"body $.score missing in NEW": None}
    assert labels(old, new, new_document=undeclared) == {"body $.score missing in NEW": "response-model-drops-keys"}
    # one contract for both sides says nothing of NEW's models; OLD's document alone neither
    assert labels(old, new, document=declared, new_document=declared) == {"body $.score missing in NEW": None}
    assert labels(old, new, document=undeclared) == {"body $.score missing in NEW": None}


# ---------------------------------------------------------------------------------- datetimes


def test_the_same_iso_instant_spelled_differently_is_a_datetime_divergence():
    def label(old_value: str, new_value: str) -> str | None:
        return labels(js(200, {"at": old_value}), js(200, {"at": new_value}))["body $.at value changed"]

    assert label("2024-07-12T18:00:00+00:00", "2024-07-12T18:00:00Z") == "datetime-offset-spelling"
    assert label("2024-04-02T09:00:12.345678+00:00", "2024-04-02T09:00:12.345678Z") == "datetime-offset-spelling"
    assert label("2024-07-12T20:00:00+02:00", "2024-07-12T18:00:00Z") == "datetime-offset-spelling"
    assert label("2024-04-02T09:00:12.345678+00:00", "2024-04-02T09:00:12Z") == "datetime-offset-spelling"  # microseconds lost
    # another instant, a naive value against an aware one, or not datetimes at all: no label
    assert label("2024-07-12T18:00:00+00:00", "2024-07-12T18:00:01Z") is None
    assert label("2024-04-02T09:00:12.345678+00:00", "2024-04-02T09:00:12.5Z") is None
    assert label("2024-07-12T18:00:00", "2024-07-12T18:00:00Z") is None
    assert label("2024-07-12", "2024-07-12T00:00:00Z") is None
    assert label("soon", "later") is None
    # RFC 1123 from Flask's provider keeps its own label
    assert label("Fri, 12 Jul 2024 18:00:00 GMT", "2024-07-12T18:00:00Z") == "datetime-format"
    # judged from the values the comparison carries, never parsed back from the human detail
    request = WireRequest("GET", "/e/1", operation="GET /e/{id}")
    detail = '$.at: OLD "2024-07-12T18:00:00+00:00", NEW "2024-07-12T18:00:00Z"'
    typed = Difference("body", Change.VALUE_CHANGED, ("at",), detail, values=("2024-07-12T18:00:00+00:00", "2024-07-12T18:00:00Z"))
    found = identify(MismatchContext(request, js(200, {}), js(200, {}), typed))
    assert found is not None and found.id == "datetime-offset-spelling" and "isoformat" in found.explanation
    assert identify(MismatchContext(request, js(200, {}), js(200, {}), Difference("body", Change.VALUE_CHANGED, ("at",), detail))) is None


# ---------------------------------------------------------------------------------- error bodies


def test_fastapi_default_detail_error_body_is_labelled():
    def label(status: int, old_body: object, new_body: object) -> str | None:
        found = labels(js(status, old_body), js(status, new_body))
        assert len(found) == 1, found
        return next(iter(found.values()))

    assert label(404, {"error": "not found"}, {"detail": "Not Found"}) == "detail-error-body"
    assert label(405, {"error": "method not allowed", "code": 405}, {"detail": "Method Not Allowed"}) == "detail-error-body"
    assert label(404, {"detail": "Order 99 not found"}, {"detail": "Not Found"}) == "detail-error-body"
    # not FastAPI's default: another message of the same shape, NEW's own shape, a success
    assert label(404, {"detail": "Order 99 not found"}, {"detail": "order 99 not found"}) is None
    assert label(404, {"detail": "Order 99 not found"}, {"error": {"code": "not_found"}}) is None
    assert label(200, {"error": "x"}, {"detail": "x"}) is None
    # a validation error keeps its own label
    assert label(422, [{"loc": ["q"], "msg": "m"}], {"detail": [{"loc": ["query", "q"], "msg": "m"}]}) == "validation-error-body"
    from apiparity.fuzz.divergences import CATALOG

    assert "StarletteHTTPException" in next(e for e in CATALOG if e.id == "detail-error-body").fix_hint


def test_an_html_error_page_keeps_its_label():
    old = WireResponse(404, [("Content-Type", "text/html; charset=utf-8")], b"<!doctype html><title>404 Not Found</title>")
    assert labels(old, js(404, {"detail": "Not Found"})) == {"header:content-type value changed": "html-error-page"}


# ---------------------------------------------------------------------------------- merging


def grouper(max_examples: int = 5) -> Grouper:
    return Grouper(old_side=SideView("http://localhost"), new_side=SideView("http://localhost"), redact=False, max_examples=max_examples)


def add(g: Grouper, operation: str, query: str, old: WireResponse, new: WireResponse) -> None:
    method, path = operation.split(" ", 1)
    g.add(WireRequest(method, path, query=query, operation=operation), old, new, compare_responses(old, new, CompareOptions()))


EVENTS = [{"id": i, "title": f"t{i}", "capacity": i * 10} for i in range(1, 5)]


def test_a_list_short_by_one_is_one_group_on_a_full_page_and_a_limited_one():
    g = grouper()
    # a page that starts one event late: a full page is one short, ?limit=1 has another element
    add(g, "GET /events", "", js(200, {"items": EVENTS}), js(200, {"items": EVENTS[1:]}))
    add(g, "GET /events", "limit=20", js(200, {"items": EVENTS}), js(200, {"items": EVENTS[1:]}))
    add(g, "GET /events", "limit=1", js(200, {"items": EVENTS[:1]}), js(200, {"items": EVENTS[1:2]}))
    add(g, "GET /other", "limit=1", js(200, {"items": EVENTS[:1]}), js(200, {"items": EVENTS[1:2]}))  # another operation
    [group, other] = g.groups()
    assert (group.operation, group.signature, group.count) == ("GET /events", "body $.items[*] missing in NEW", 3)
    assert [e.request.query for e in group.examples] == [[], [("limit", "1")], [("limit", "20")]]  # smallest first
    assert (other.operation, other.signature, other.count) == ("GET /other", "body $.items[*] elements changed", 1)
    from apiparity.fuzz.group import root_cause

    items = ("items", ANY_INDEX)
    assert root_cause(Difference("body", Change.ELEMENTS_CHANGED, items)) == root_cause(Difference("body", Change.ADDED, items))
    assert root_cause(Difference("body", Change.MISSING, (*items, "id"))) == "body $.items[*].id missing in NEW"


def test_datetime_fields_that_differ_only_where_not_null_are_one_group():
    g = grouper(max_examples=2)
    seeded = ({"starts_at": "2024-07-12T18:00:00+00:00", "ends_at": "2024-07-12T22:30:00+00:00"},
              {"starts_at": "2024-07-12T18:00:00Z", "ends_at": "2024-07-12T22:30:00Z"})
    created = ({"starts_at": "2024-09-01T17:30:00+00:00", "ends_at": None}, {"starts_at": "2024-09-01T17:30:00Z", "ends_at": None})
    add(g, "PATCH /events/{id}", "a=11111111", js(200, seeded[0]), js(200, seeded[1]))
    add(g, "PATCH /events/{id}", "", js(200, created[0]), js(200, created[1]))
    add(g, "PATCH /events/{id}", "a=1", js(200, created[0]), js(200, created[1]))
    add(g, "PATCH /events/{id}", "a=222", js(200, seeded[0]), js(200, seeded[1]))
    # an unrelated cause of the same operation, not a subset: its own group
    add(g, "PATCH /events/{id}", "", js(200, {"x": 1}), js(200, {"x": 2}))
    first = g.groups()
    assert [(x.signature, x.count, x.divergence) for x in first] == [
        ("body $.ends_at value changed + body $.starts_at value changed", 4, "datetime-offset-spelling"),
        ("body $.x value changed", 1, None),
    ]
    # the first example shows every field the title names (the smallest such case), then the smallest others
    assert [e.request.query for e in first[0].examples] == [[("a", "222")], []]
    assert g.groups() == first  # reading the groups changes nothing


def test_a_chain_of_subsets_merges_into_the_largest_and_incomparable_sets_stay_apart():
    g = grouper()
    add(g, "GET /p", "", js(200, {"a": 1, "b": 1, "c": 1}), js(200, {"a": 2, "b": 1, "c": 1}))
    add(g, "GET /p", "", js(200, {"a": 1, "b": 1, "c": 1}), js(200, {"a": 2, "b": 2, "c": 1}))
    add(g, "GET /p", "", js(200, {"a": 1, "b": 1, "c": 1}), js(200, {"a": 2, "b": 2, "c": 2}))
    add(g, "GET /p", "", js(200, {"d": 1, "e": 1}), js(200, {"d": 2, "e": 1}))
    add(g, "GET /p", "", js(200, {"d": 1, "e": 1}), js(200, {"d": 1, "e": 2}))
    assert [(x.signature, x.count) for x in g.groups()] == [
        ("body $.a value changed + body $.b value changed + body $.c value changed", 3),
        ("body $.d value changed", 1),
        ("body $.e value changed", 1),
    ]


def test_merged_group_lists_the_fields_folded_in_every_merged_case():
    g = grouper()
    rows = EVENTS[:3]
    add(g, "GET /t", "", js(200, {"items": rows, "total": 3}), js(200, {"items": rows[:1], "total": 1}))
    add(g, "GET /t", "limit=1", js(200, {"items": rows[1:2], "total": 3}), js(200, {"items": rows[2:3], "total": 1}))
    [group] = g.groups()
    assert (group.signature, group.count) == ("body $.total value changed + body $.items[*] missing in NEW", 2)
    # the other root of a merged case first (?limit=1 shifted the one element), then what followed
    assert group.related == ["body $.items[*] elements changed", "body $.items[*].capacity value changed",
                             "body $.items[*].id value changed", "body $.items[*].title value changed"]


def test_groups_of_other_statuses_are_not_merged():
    """divergence_flask/fastapi's GET /things/{id}: an HTML 404 page (`content-type`) and the 405
    of a method probe (`allow + content-type`) are two causes, though one set holds the other."""
    g = grouper()
    page = WireResponse(404, [("Content-Type", "text/html; charset=utf-8")], b"<!doctype html><title>404 Not Found</title>")
    g.add(WireRequest("GET", "/things/403", operation="GET /things/{thing_id}"), page, js(404, {"detail": "Not Found"}),
          compare_responses(page, js(404, {"detail": "Not Found"}), CompareOptions()))
    flask_405 = WireResponse(405, [("Content-Type", "text/html; charset=utf-8"), ("Allow", "HEAD, OPTIONS, GET")], b"<title>405</title>")
    fastapi_405 = WireResponse(405, [("Content-Type", "application/json"), ("Allow", "GET")], b'{"detail": "Method Not Allowed"}')
    g.add(WireRequest("DELETE", "/things/0", operation="GET /things/{thing_id}"), flask_405, fastapi_405,
          compare_responses(flask_405, fastapi_405, CompareOptions()))
    # the 405's Allow header and its HTML-vs-JSON body are two explanations: no one label names it
    assert sorted((x.signature, x.divergence) for x in g.groups()) == [
        ("header:allow value changed + header:content-type value changed", None),
        ("header:content-type value changed", "html-error-page"),
    ]


def test_a_list_change_alone_is_not_folded_into_another_cause_of_the_same_list():
    """Bookstore R7 and R10 on GET /books: `per_page` 10 instead of 20 (a full page one book short)
    and page 2 starting one book late (shifted elements) are two regressions, not one."""
    books = [{"id": i, "title": f"b{i}", "year": 2000 + i} for i in range(1, 13)]
    g = grouper()
    add(g, "GET /books", "", js(200, {"items": books, "per_page": 20}), js(200, {"items": books[:10], "per_page": 10}))
    add(g, "GET /books", "page=2&per_page=5", js(200, {"items": books[5:10], "per_page": 5}), js(200, {"items": books[6:11], "per_page": 5}))
    assert [(x.signature, x.count) for x in g.groups()] == [
        ("body $.items[*] elements changed", 1), ("body $.per_page value changed + body $.items[*] missing in NEW", 1)]
    # a page that is only one book short could be either: it goes to the largest group whose set
    # holds its own (R7's), and R10's shifted page stays apart
    add(g, "GET /books", "page=3&per_page=5", js(200, {"items": books[10:15], "per_page": 5}), js(200, {"items": books[11:16], "per_page": 5}))
    assert sorted((x.signature, x.count) for x in g.groups()) == [
        ("body $.items[*] elements changed", 1), ("body $.per_page value changed + body $.items[*] missing in NEW", 2)]
