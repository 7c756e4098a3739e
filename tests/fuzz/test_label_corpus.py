"""The labelled divergence corpus: every known-divergence label, with cases where it is right and
near misses where it would be wrong, answered by real apps (tests/apps/label_corpus_flask.py, a
flask-openapi3 app, and its FastAPI port). Each case is sent to both in-process, compared, and
labelled exactly as a run labels a case (`root_signatures` + `identify_case` with both documents).

Precision is the point: a near miss breaks one precondition of the label it resembles (the status
pair the other way round, a slug where the label needs an `<int:>`, a crash instead of an error
page, a field NEW no longer declares, a key a handler removed itself...), and must stay
unlabelled or get the label that really explains it."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.divergences import CATALOG, identify_case
from apiparity.fuzz.group import root_signatures
from apiparity.fuzz.transports import ASGITransport, WSGITransport
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.targets import load_target
from tests.conftest import ROOT

APPS = ROOT / "tests" / "apps"


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    operation: str  # "GET /users/{user_id}" as in OLD's document
    path: str
    expected: str | None  # the label the case must get (None: unlabelled)
    near: str | None = None  # the label this case is a near miss of (a negative case for it)
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


JSON = (("Content-Type", "application/json"),)

CORPUS = [
    # method routing
    Row("OPTIONS on a GET route", "OPTIONS", "GET /ping", "/ping", "head-options-405"),
    Row("HEAD on a GET route", "HEAD", "GET /ping", "/ping", "head-options-405"),
    Row("GET no longer routed (405 for a GET)", "GET", "GET /gone", "/gone", None, near="head-options-405"),
    # trailing slash
    Row("slash redirect 308 vs 307", "GET", "GET /rows/", "/rows", "trailing-slash-redirect"),
    Row("legacy path redirect 301 vs 307 (not a slash)", "GET", "GET /legacy-path", "/legacy-path", None, near="trailing-slash-redirect"),
    # int path converter
    Row("negative id on an <int:> path", "GET", "GET /users/{user_id}", "/users/-1", "int-path-negative"),
    Row("non-digit on a slug path", "GET", "GET /articles/{slug}", "/articles/-1", None, near="int-path-negative"),
    # auth
    Row("no token: 401 from the handler, 422 from Header()", "GET", "GET /me", "/me", "missing-auth-status"),
    Row("no token: 403 in OLD, 401 in NEW (other direction)", "GET", "GET /admin", "/admin", None, near="missing-auth-status"),
    # JSON body that is not an object
    Row("JSON string body", "POST", "POST /notes", "/notes", "json-string-body", headers=JSON, body=b'"hello"'),
    Row("JSON object body missing a field", "POST", "POST /notes", "/notes", None, near="json-string-body", headers=JSON, body=b"{}"),
    # repeated query parameter
    Row("repeated scalar", "GET", "GET /search", "/search", "repeated-query-param", query="q=a&q=b"),
    Row("repeated parameter declared an array", "GET", "GET /tags", "/tags", None, near="repeated-query-param", query="tag=a&tag=b"),
    # validation
    Row("validation 400 in Flask, 422 in FastAPI", "GET", "GET /items", "/items", "validation-status", query="limit=x"),
    Row("OLD 422, NEW 400 (backwards)", "GET", "GET /strict", "/strict", None, near="validation-status", query="limit=x"),
    Row("validation error body: bare list vs detail", "GET", "GET /checked", "/checked", "validation-error-body", query="limit=x"),
    Row("validation error as an HTML page (no JSON to reshape)", "GET", "GET /checked-page", "/checked-page", "html-error-page",
        near="validation-error-body", query="limit=x"),
    # 405 Allow header
    Row("Allow differs only by HEAD/OPTIONS", "DELETE", "GET /json/ping", "/json/ping", "allow-header"),
    Row("405 whose body is HTML vs JSON besides the Allow header", "DELETE", "GET /ping", "/ping", None, near="allow-header"),
    # empty 204
    Row("empty 204: text/html vs none", "DELETE", "DELETE /items/{item_id}", "/items/1", "no-content-type-204"),
    Row("empty 204: NEW sends a content type", "DELETE", "DELETE /files/{item_id}", "/files/1", None, near="no-content-type-204"),
    # error pages
    Row("abort(404) HTML page vs JSON", "GET", "GET /things/{thing_id}", "/things/99", "html-error-page"),
    Row("Flask 500 crash page vs a deliberate 404", "GET", "GET /crash/{thing_id}", "/crash/1", None, near="html-error-page"),
    Row("legacy JSON error vs FastAPI's detail", "DELETE", "DELETE /bookings/{booking_id}", "/bookings/9", "detail-error-body"),
    Row("detail message that is not FastAPI's default", "DELETE", "DELETE /orders/{booking_id}", "/orders/9", None, near="detail-error-body"),
    # datetimes
    Row("RFC 1123 vs ISO 8601", "GET", "GET /events/{event_id}", "/events/1", "datetime-format"),
    Row("an ISO date vs a datetime (not RFC 1123)", "GET", "GET /days/{event_id}", "/days/1", None, near="datetime-format"),
    Row("+00:00 vs Z", "GET", "GET /slots/{event_id}", "/slots/1", "datetime-offset-spelling"),
    Row("naive vs aware (another value)", "GET", "GET /naive-slots/{event_id}", "/naive-slots/1", None, near="datetime-offset-spelling"),
    # missing keys
    Row("null written vs left out (exclude_none)", "GET", "GET /profiles/{profile_id}", "/profiles/1", "null-field-omitted"),
    # NEW's response model no longer declares the field: dropped by the model, null or not (the fix is
    # to declare it), never null-field-omitted (whose fix, writing the null, would not bring it back)
    Row("null field NEW's model no longer declares", "GET", "GET /old-profiles/{profile_id}", "/old-profiles/1",
        "response-model-drops-keys", near="null-field-omitted"),
    Row("key filtered by the response model", "GET", "GET /accounts/{profile_id}", "/accounts/1", "response-model-drops-keys"),
    Row("declared key the handler left out of its JSONResponse", "GET", "GET /ledgers/{profile_id}", "/ledgers/1", None,
        near="response-model-drops-keys"),
    Row("renamed key", "GET", "GET /contacts/{profile_id}", "/contacts/1", None, near="response-model-drops-keys"),
    # NaN
    Row("bare NaN token vs null", "GET", "GET /ratio", "/ratio", "nan-infinity"),
    Row("the string \"NaN\" vs null", "GET", "GET /ratio-text", "/ratio-text", None, near="nan-infinity"),
]


@pytest.fixture(scope="module")
def sides():
    old = load_target(f"{APPS / 'label_corpus_flask.py'}:app")
    new = load_target(f"{APPS / 'label_corpus_fastapi.py'}:app")
    old_transport, new_transport = WSGITransport(old.app), ASGITransport(new.app)
    yield old, new, old_transport, new_transport
    old_transport.close()
    new_transport.close()


def answer(sides, row: Row) -> tuple[WireRequest, WireResponse, WireResponse, str | None]:
    old, new, old_transport, new_transport = sides
    request = WireRequest(row.method, row.path, query=row.query, headers=list(row.headers), body=row.body, operation=row.operation)
    old_answer, new_answer = old_transport.send(request), new_transport.send(request)
    differences = compare_responses(old_answer, new_answer, CompareOptions(compare_headers=("content-type",)))
    assert differences, f"{row.name}: the apps answer alike ({old_answer.status}, {new_answer.status})"
    roots = list(root_signatures(differences).values())
    found = identify_case(request, old_answer, new_answer, roots, document=old.document, new_document=new.document)
    return request, old_answer, new_answer, found.id if found else None


@pytest.mark.parametrize("row", CORPUS, ids=[r.name for r in CORPUS])
def test_corpus_case_gets_exactly_its_label(sides, row: Row) -> None:
    _, old, new, label = answer(sides, row)
    assert label == row.expected, f"{row.name}: OLD {old.status} {old.text()[:80]!r}, NEW {new.status} {new.text()[:80]!r}"


def test_every_label_has_positive_and_negative_cases() -> None:
    """The catalog's own labels have theirs in CORPUS; a label registered by its own module
    (apiparity.fuzz.labels.<module>) has them in its own test, tests/fuzz/labels/test_<module>.py."""
    positives = {r.expected for r in CORPUS if r.expected}
    negatives = {r.near for r in CORPUS if r.near and r.expected != r.near}
    own = {entry.id for entry in CATALOG if entry.matches.__module__ == "apiparity.fuzz.divergences"}
    assert own - positives == set(), "labels without a case where they are right"
    assert own - negatives == set(), "labels without a near miss"
    for entry in CATALOG:
        module = entry.matches.__module__
        if module != "apiparity.fuzz.divergences":
            assert module.startswith("apiparity.fuzz.labels."), (entry.id, module)
            test = ROOT / "tests" / "fuzz" / "labels" / f"test_{module.rsplit('.', 1)[1]}.py"
            assert test.is_file(), f"label {entry.id}: no test {test.relative_to(ROOT)} (a case where it is right, a near miss)"
            assert entry.id in test.read_text(encoding="utf-8"), f"{test.relative_to(ROOT)} does not name {entry.id}"


def test_labels_of_the_labels_package_are_registered_after_the_catalog_s_own() -> None:
    """Discovery: each module of apiparity.fuzz.labels is imported by the catalog, its entries after
    the catalog's own (so `identify` keeps their precedence), and an ID is registered once."""
    import pkgutil

    from apiparity.fuzz import labels
    from apiparity.fuzz.divergences import divergence

    modules = [entry.matches.__module__ for entry in CATALOG]
    first_unit = next((i for i, m in enumerate(modules) if m != "apiparity.fuzz.divergences"), len(modules))
    assert all(m != "apiparity.fuzz.divergences" for m in modules[first_unit:])
    found = {f"{labels.__name__}.{i.name}" for i in pkgutil.iter_modules(labels.__path__) if not i.name.startswith("_")}
    assert all(m in found for m in modules[first_unit:])
    with pytest.raises(ValueError, match="registered twice"):
        divergence(CATALOG[0].id, "t", "e", "f")(lambda ctx: True)


def test_a_label_module_dropped_into_the_package_is_registered(tmp_path, monkeypatch) -> None:
    """A fresh import of the catalog with one more module in apiparity.fuzz.labels registers that
    module's label after every other, with no other file edited."""
    import importlib.util
    import sys

    import apiparity.fuzz.divergences as catalog
    from apiparity.fuzz import labels

    (tmp_path / "zz_extra.py").write_text(
        "from apiparity.fuzz.divergences import STATUS_DIFFERENCE, divergence\n\n"
        "@divergence('zz-extra', 'title', 'why', 'fix', requires=(STATUS_DIFFERENCE,))\n"
        "def _extra(ctx):\n    return True\n")
    names = [n for n in sys.modules if n == catalog.__name__ or n.startswith(labels.__name__ + ".")]
    saved = {n: sys.modules.pop(n) for n in names}
    monkeypatch.setattr(labels, "__path__", [*labels.__path__, str(tmp_path)])
    try:
        spec = importlib.util.spec_from_file_location(catalog.__name__, catalog.__file__)
        assert spec is not None and spec.loader is not None
        fresh = importlib.util.module_from_spec(spec)
        sys.modules[catalog.__name__] = fresh
        spec.loader.exec_module(fresh)
        assert [e.id for e in fresh.CATALOG] == [*(e.id for e in CATALOG), "zz-extra"]
    finally:
        for n in [n for n in sys.modules if n == catalog.__name__ or n.startswith(labels.__name__ + ".")]:
            del sys.modules[n]
        sys.modules.update(saved)


def test_each_label_states_its_preconditions() -> None:
    for entry in CATALOG:
        assert entry.requires, entry.id
        assert all(p.name.strip() for p in entry.requires), entry.id


def test_a_near_miss_names_the_precondition_that_fails(sides) -> None:
    """The backwards validation status fails `validation-status` on its status direction only."""
    from apiparity.fuzz.divergences import MismatchContext, by_id

    row = next(r for r in CORPUS if r.name == "OLD 422, NEW 400 (backwards)")
    request, old, new, _ = answer(sides, row)
    [difference] = compare_responses(old, new, CompareOptions())
    entry = by_id("validation-status")
    assert entry is not None
    assert entry.failed_preconditions(MismatchContext(request, old, new, difference)) == ["OLD 400, NEW 422"]
    assert json.loads(new.body) == {"error": "limit must be a number"}
