"""The bookstore example apps are the known answers every other test relies on.

- legacy (flask-openapi3) and modern (FastAPI) expose valid documents with the same operations;
- legacy and modern answer a table of valid and invalid requests identically (status + parsed JSON);
- every behaviour-only regression of regressions.json shows up for a named request, while the
  regressed document is unchanged for that operation; every spec regression changes the document;
- the plain Flask app answers on all its converter routes.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
import warnings
from pathlib import Path

import pytest
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parents[2]
BOOKSTORE = ROOT / "examples" / "bookstore"
PLAIN_FLASK = ROOT / "examples" / "plain_flask"
REGRESSIONS = json.loads((BOOKSTORE / "regressions.json").read_text())
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
KEY = {"X-API-Key": "secret-key"}


def load_module(path: Path):
    """Import a file under a unique name with its folder on sys.path (as apiparity's loader does)."""
    name = f"_bookstore_test_{path.stem}_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    before = set(sys.modules)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
        # Forget sibling modules (store.py) so the next app imports its own copy.
        for mod_name in set(sys.modules) - before:
            mod_file = getattr(sys.modules[mod_name], "__file__", None)
            if mod_file and Path(mod_file).resolve().parent == path.parent:
                del sys.modules[mod_name]
    return module


class FlaskSide:
    def __init__(self, module):
        self.module = module
        self.client = module.app.test_client()

    def document(self) -> dict:
        return self.module.app.api_doc

    def send(self, method, url, *, headers=None, json_body=None, content=None):
        kwargs = {"headers": headers or {}}
        if json_body is not None:
            kwargs["json"] = json_body
        if content is not None:
            kwargs["data"] = content
        response = self.client.open(url, method=method, **kwargs)
        return response.status_code, response.get_data(), response.headers.get("Content-Type", "")


class FastAPISide:
    def __init__(self, module):
        from fastapi.testclient import TestClient

        self.module = module
        self.client = TestClient(module.app, raise_server_exceptions=False)

    def document(self) -> dict:
        return self.module.app.openapi()

    def send(self, method, url, *, headers=None, json_body=None, content=None):
        kwargs = {"headers": headers or {}}
        if json_body is not None:
            kwargs["json"] = json_body
        if content is not None:
            kwargs["content"] = content
        response = self.client.request(method, url, **kwargs)
        return response.status_code, response.content, response.headers.get("content-type", "")


def answer(side, method, url, **kwargs):
    """(status, parsed JSON body or None) after restoring the seed data."""
    side.module.reset()
    status, body, content_type = side.send(method, url, **kwargs)
    if method == "HEAD" or not body:
        return status, None
    assert content_type.startswith("application/json"), (method, url, content_type, body[:200])
    return status, json.loads(body)


@pytest.fixture(scope="module")
def legacy():
    return FlaskSide(load_module(BOOKSTORE / "legacy_app.py"))


@pytest.fixture(scope="module")
def modern():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette.testclient warns about httpx
        return FastAPISide(load_module(BOOKSTORE / "modern_app.py"))


@pytest.fixture(scope="module")
def regressed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette.testclient warns about httpx
        return FastAPISide(load_module(BOOKSTORE / "regressed_app.py"))


def operations(document: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


# --------------------------------------------------------------------------------------------------
# (a) documents
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["legacy", "modern", "regressed"])
def test_documents_are_valid_openapi(side, request):
    document = request.getfixturevalue(side).document()
    validate(document)
    assert len(operations(document)) >= 20
    assert document["components"]["securitySchemes"]["api_key"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }


def test_legacy_and_modern_have_the_same_operations(legacy, modern):
    legacy_ops = operations(legacy.document())
    assert len(legacy_ops) >= 22
    assert legacy_ops == operations(modern.document())
    assert ("GET", "/books/search") in legacy_ops
    assert ("DELETE", "/authors/{author_id}") in legacy_ops


def test_legacy_document_describes_the_tricky_inputs(legacy):
    document = legacy.document()
    search = {p["name"]: p for p in document["paths"]["/books/search"]["get"]["parameters"]}
    assert search["tags"]["schema"]["type"] == "array"
    assert search["sort"]["schema"]["enum"] == ["title", "year", "price"]
    assert search["order"]["schema"]["enum"] == ["asc", "desc"]
    assert search["per_page"]["schema"]["default"] == 20
    assert search["per_page"]["schema"]["maximum"] == 100
    get_book = document["paths"]["/books/{book_id}"]["get"]
    assert get_book["parameters"][0]["schema"]["type"] == "integer"
    assert document["paths"]["/admin/stats"]["get"]["security"] == [{"api_key": []}]
    order = document["components"]["schemas"]["Order"]["properties"]
    assert order["created_at"]["format"] == "date-time"


# --------------------------------------------------------------------------------------------------
# (b) legacy and modern answer the same
# --------------------------------------------------------------------------------------------------

NEW_BOOK = {
    "title": "The Word for World Is Forest",
    "isbn": "978-0-399-11716-2",
    "price": 10.5,
    "published": "1972-03-01",
    "author_id": 1,
    "tags": ["sci-fi"],
}
JSON_TYPE = {"Content-Type": "application/json"}
NEW_ORDER = {"customer": "erin@example.com", "lines": [{"book_id": 2, "quantity": 2}, {"book_id": 7}]}

SAME_ANSWER = [
    ("health", "GET", "/health", {}),
    ("list books", "GET", "/books", {}),
    ("list books page 2", "GET", "/books?page=2&per_page=5", {}),
    ("list books last page", "GET", "/books?page=3&per_page=5", {}),
    ("list books past the end", "GET", "/books?page=99", {}),
    ("page 0", "GET", "/books?page=0", {}),
    ("per_page too big", "GET", "/books?per_page=101", {}),
    ("per_page not a number", "GET", "/books?per_page=abc", {}),
    ("search defaults", "GET", "/books/search", {}),
    ("search title desc by year", "GET", "/books/search?q=the&sort=year&order=desc", {}),
    ("search repeated tags", "GET", "/books/search?tags=sci-fi&tags=classic", {}),
    ("search price range by price", "GET", "/books/search?min_price=9&max_price=13&sort=price", {}),
    ("search author and year", "GET", "/books/search?year_from=1970&author_id=3", {}),
    ("search bad sort", "GET", "/books/search?sort=rating", {}),
    ("search bad order", "GET", "/books/search?order=up", {}),
    ("search negative price", "GET", "/books/search?min_price=-1", {}),
    ("search two bad params", "GET", "/books/search?year_from=abc&page=0", {}),
    ("repeated scalar param: first value wins", "GET", "/books?per_page=2&per_page=3&page=2&page=1", {}),
    ("repeated scalar param: first value invalid", "GET", "/books/search?sort=bad&sort=year", {}),
    ("empty query value", "GET", "/books/search?author_id=", {}),
    ("get book", "GET", "/books/1", {}),
    ("get unknown book", "GET", "/books/999", {}),
    ("book id not a number", "GET", "/books/abc", {}),
    ("negative book id", "GET", "/books/-1", {}),
    ("create book", "POST", "/books", {"json_body": NEW_BOOK}),
    ("create book missing fields", "POST", "/books", {"json_body": {"title": "Only a title"}}),
    ("create book wrong types", "POST", "/books", {"json_body": {**NEW_BOOK, "price": "cheap", "published": "soon"}}),
    ("create book unknown author", "POST", "/books", {"json_body": {**NEW_BOOK, "author_id": 77}}),
    ("create book duplicate isbn", "POST", "/books", {"json_body": {**NEW_BOOK, "isbn": "978-0-547-72202-3"}}),
    ("create book no body", "POST", "/books", {}),
    ("create book invalid JSON", "POST", "/books", {"content": b"{nope", "headers": JSON_TYPE}),
    ("create book JSON array", "POST", "/books", {"json_body": [NEW_BOOK]}),
    ("create book text/plain", "POST", "/books", {"content": b"hello", "headers": {"Content-Type": "text/plain"}}),
    ("create book not UTF-8", "POST", "/books", {"content": b"\xa0\xff", "headers": JSON_TYPE}),
    ("replace book", "PUT", "/books/2", {"json_body": NEW_BOOK}),
    ("replace unknown book", "PUT", "/books/999", {"json_body": NEW_BOOK}),
    ("patch book", "PATCH", "/books/3", {"json_body": {"price": 5, "subtitle": None}}),
    ("patch book empty title", "PATCH", "/books/3", {"json_body": {"title": ""}}),
    ("delete book", "DELETE", "/books/12", {}),
    ("delete unknown book", "DELETE", "/books/999", {}),
    ("list authors", "GET", "/authors", {}),
    ("create author", "POST", "/authors", {"json_body": {"name": "Ada Palmer", "country": "US", "born": "1981-06-01"}}),
    ("create author bad country", "POST", "/authors", {"json_body": {"name": "X", "country": "usa"}}),
    ("get author", "GET", "/authors/2", {}),
    ("get unknown author", "GET", "/authors/42", {}),
    ("books of an author", "GET", "/authors/4/books", {}),
    ("replace author", "PUT", "/authors/3", {"json_body": {"name": "Octavia Butler"}}),
    ("patch author", "PATCH", "/authors/1", {"json_body": {"country": "GB"}}),
    ("delete author without books", "DELETE", "/authors/5", {}),
    ("delete author with books", "DELETE", "/authors/1", {}),
    ("list orders", "GET", "/orders", {}),
    ("list orders by status", "GET", "/orders?status=pending", {}),
    ("list orders bad status", "GET", "/orders?status=lost", {}),
    ("create order", "POST", "/orders", {"json_body": NEW_ORDER}),
    ("create order no lines", "POST", "/orders", {"json_body": {"customer": "x", "lines": []}}),
    ("create order bad lines", "POST", "/orders", {"json_body": {"customer": "", "lines": [{"quantity": 0}, 2]}}),
    ("create order unknown book", "POST", "/orders", {"json_body": {"customer": "x", "lines": [{"book_id": 404}]}}),
    ("get order", "GET", "/orders/2", {}),
    ("get unknown order", "GET", "/orders/99", {}),
    ("replace order", "PUT", "/orders/3", {"json_body": {**NEW_ORDER, "status": "paid"}}),
    ("replace cancelled order", "PUT", "/orders/4", {"json_body": NEW_ORDER}),
    ("patch order", "PATCH", "/orders/1", {"json_body": {"status": "shipped", "note": "fast"}}),
    ("patch order bad status", "PATCH", "/orders/1", {"json_body": {"status": "lost"}}),
    ("delete order", "DELETE", "/orders/2", {}),
    ("stats without key", "GET", "/admin/stats", {}),
    ("stats with wrong key", "GET", "/admin/stats", {"headers": {"X-API-Key": "guess"}}),
    ("stats with key", "GET", "/admin/stats", {"headers": KEY}),
    ("reset with key", "POST", "/admin/reset", {"headers": KEY}),
    ("reset without key", "POST", "/admin/reset", {}),
    ("unknown route", "GET", "/nope", {}),
    ("unknown nested route", "GET", "/books/1/reviews", {}),
    ("trailing slash", "GET", "/books/", {}),
    ("trailing slash on item", "GET", "/books/1/", {}),
    ("wrong method on collection", "DELETE", "/books", {}),
    ("wrong method on search", "PATCH", "/books/search", {}),
    ("wrong method on health", "POST", "/health", {}),
    ("HEAD on a GET route", "HEAD", "/books/1", {}),
    ("OPTIONS on a route", "OPTIONS", "/orders", {}),
]


def test_the_table_is_big_enough():
    assert len(SAME_ANSWER) >= 40
    assert len({name for name, *_ in SAME_ANSWER}) == len(SAME_ANSWER)


@pytest.mark.parametrize(("method", "url", "kwargs"), [c[1:] for c in SAME_ANSWER], ids=[c[0] for c in SAME_ANSWER])
def test_legacy_and_modern_answer_the_same(legacy, modern, method, url, kwargs):
    expected = answer(legacy, method, url, **kwargs)
    assert answer(modern, method, url, **kwargs) == expected


def test_spot_checks_of_the_legacy_answers(legacy):
    """A few absolute answers, so both apps cannot drift together unnoticed."""
    status, page = answer(legacy, "GET", "/books")
    assert status == 200 and page["total"] == 12 and page["per_page"] == 20 and len(page["items"]) == 12
    status, page = answer(legacy, "GET", "/books?page=2&per_page=5")
    assert [b["id"] for b in page["items"]] == [6, 7, 8, 9, 10]
    status, book = answer(legacy, "GET", "/books/3")
    assert book["author"]["name"] == "Ursula K. Le Guin" and book["published"] == "1974-05-01"
    assert answer(legacy, "GET", "/books/abc") == (404, {"detail": "Not Found"})
    assert answer(legacy, "GET", "/books/999") == (404, {"detail": "Book 999 not found"})
    assert answer(legacy, "DELETE", "/orders/1") == (204, None)
    status, body = answer(legacy, "GET", "/books/search?per_page=0")
    assert status == 422
    assert body == {
        "detail": [
            {
                "loc": ["query", "per_page"],
                "msg": "Input should be greater than or equal to 1",
                "type": "greater_than_equal",
            }
        ]
    }
    status, orders = answer(legacy, "GET", "/orders")
    assert [o["id"] for o in orders] == [1, 2, 3, 4]
    assert orders[0]["created_at"] == "2024-03-01T10:00:00Z"


def test_order_timestamps_are_deterministic():
    """Two fresh copies of the legacy app give the same created_at (a fixed clock, not now())."""
    answers = []
    for _ in range(2):
        side = FlaskSide(load_module(BOOKSTORE / "legacy_app.py"))
        answers.append(answer(side, "POST", "/orders", json_body=NEW_ORDER))
    assert answers[0] == answers[1]
    assert answers[0][0] == 201 and answers[0][1]["created_at"] == "2024-03-01T14:00:00Z"


def test_each_app_has_its_own_store(legacy, modern):
    legacy.module.reset()
    modern.module.reset()
    assert legacy.send("DELETE", "/books/1")[0] == 204
    assert modern.send("GET", "/books/1")[0] == 200
    assert legacy.send("GET", "/books/1")[0] == 404
    legacy.module.reset()
    assert legacy.send("GET", "/books/1")[0] == 200


# --------------------------------------------------------------------------------------------------
# (c) regressions
# --------------------------------------------------------------------------------------------------

# A concrete request that shows each behaviour-only regression.
BEHAVIOUR_PROBES = {
    "R6": ("POST", "/authors", {"json_body": {"name": "Ada Palmer"}}),
    "R7": ("GET", "/books", {}),
    "R8": ("GET", "/orders", {}),
    "R9": ("GET", "/orders/99", {}),
    "R10": ("GET", "/books?page=2&per_page=5", {}),
}
# And one for each spec regression (the change is visible at runtime too).
SPEC_PROBES = {
    "R1": ("DELETE", "/authors/5", {}),
    "R2": ("GET", "/authors", {}),
    "R3": ("GET", "/books/search?sort=price", {}),
    "R4": ("GET", "/admin/stats", {"headers": KEY}),
    "R5": ("GET", "/books/1", {}),
}


def test_regressions_file_is_well_formed():
    ids = [r["id"] for r in REGRESSIONS]
    assert len(ids) == len(set(ids)) >= 8
    kinds = [r["kind"] for r in REGRESSIONS]
    assert set(kinds) == {"spec", "behaviour"}
    assert kinds.count("spec") >= 5 and kinds.count("behaviour") >= 4
    for entry in REGRESSIONS:
        assert set(entry) >= {"id", "operation", "kind", "summary"}
        method, path = entry["operation"].split(" ", 1)
        assert method in {"GET", "POST", "PUT", "PATCH", "DELETE"} and path.startswith("/")
    table = (BOOKSTORE / "REGRESSIONS.md").read_text()
    for entry in REGRESSIONS:
        assert f"| {entry['id']} | `{entry['operation']}`" in table


def test_regressions_refer_to_legacy_operations(legacy):
    legacy_ops = {f"{m} {p}" for m, p in operations(legacy.document())}
    for entry in REGRESSIONS:
        assert entry["operation"] in legacy_ops
        assert set(entry.get("also", [])) <= legacy_ops


def test_every_regression_has_a_probe():
    by_kind = {r["id"]: r["kind"] for r in REGRESSIONS}
    assert {i for i, k in by_kind.items() if k == "behaviour"} == set(BEHAVIOUR_PROBES)
    assert {i for i, k in by_kind.items() if k == "spec"} == set(SPEC_PROBES)


@pytest.mark.parametrize("regression_id", sorted({**BEHAVIOUR_PROBES, **SPEC_PROBES}, key=lambda i: int(i[1:])))
def test_regression_shows_up_at_runtime(legacy, modern, regressed, regression_id):
    method, url, kwargs = {**BEHAVIOUR_PROBES, **SPEC_PROBES}[regression_id]
    expected = answer(legacy, method, url, **kwargs)
    assert answer(modern, method, url, **kwargs) == expected, "the faithful port must agree with legacy"
    assert answer(regressed, method, url, **kwargs) != expected


def test_behaviour_regressions_in_detail(legacy, regressed):
    assert answer(legacy, "POST", "/authors", json_body={"name": "Ada"})[0] == 201
    assert answer(regressed, "POST", "/authors", json_body={"name": "Ada"})[0] == 200
    _, page = answer(regressed, "GET", "/books")
    assert (page["per_page"], len(page["items"]), page["total"]) == (10, 10, 12)
    _, orders = answer(regressed, "GET", "/orders")
    assert [o["id"] for o in orders] == [4, 3, 2, 1]
    assert answer(regressed, "GET", "/orders/1") == answer(legacy, "GET", "/orders/1")
    status, body = answer(regressed, "GET", "/orders/99")
    assert status == 404 and "detail" not in body
    _, page = answer(regressed, "GET", "/books?page=2&per_page=5")
    assert [b["id"] for b in page["items"]] == [7, 8, 9, 10, 11]


def resolve(node, components):
    """The node with every local $ref replaced by its target (the bookstore schemas are not recursive)."""
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return resolve(components[name], components)
        return {key: resolve(value, components) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, components) for item in node]
    return node


def operation_object(document, operation):
    method, path = operation.split(" ", 1)
    found = document["paths"].get(path, {}).get(method.lower())
    return None if found is None else resolve(found, document["components"]["schemas"])


def test_regressed_document_changes_exactly_for_spec_regressions(modern, regressed):
    modern_doc, regressed_doc = modern.document(), regressed.document()
    validate(regressed_doc)
    spec_ops, behaviour_ops = set(), set()
    for entry in REGRESSIONS:
        touched = {entry["operation"], *entry.get("also", [])}
        (spec_ops if entry["kind"] == "spec" else behaviour_ops).update(touched)
    for op in behaviour_ops:
        assert operation_object(modern_doc, op) == operation_object(regressed_doc, op), op
    for op in spec_ops:
        assert operation_object(modern_doc, op) != operation_object(regressed_doc, op), op
    untouched = {f"{m} {p}" for m, p in operations(modern_doc)} - spec_ops
    for op in untouched:
        assert operation_object(modern_doc, op) == operation_object(regressed_doc, op), op


def test_spec_regressions_in_detail(regressed):
    document = regressed.document()
    assert "delete" not in document["paths"]["/authors/{author_id}"]
    country = document["paths"]["/authors"]["get"]["parameters"][0]
    assert (country["name"], country["in"], country["required"]) == ("country", "query", True)
    sort = next(p for p in document["paths"]["/books/search"]["get"]["parameters"] if p["name"] == "sort")
    assert sort["schema"]["enum"] == ["title", "year"]
    schemas = document["components"]["schemas"]
    assert schemas["AdminStats"]["properties"]["revenue"]["type"] == "string"
    assert "isbn" not in schemas["BookDetail"]["properties"]
    assert "isbn" in schemas["Book"]["properties"]


# --------------------------------------------------------------------------------------------------
# plain Flask
# --------------------------------------------------------------------------------------------------


def test_plain_flask_app_routes_and_converters():
    module = load_module(PLAIN_FLASK / "app.py")
    app = module.app
    assert not hasattr(app, "api_doc")
    converters = {
        type(conv).__name__
        for rule in app.url_map.iter_rules()
        for conv in rule._converters.values()  # noqa: SLF001 - what a spec inferrer looks at
    }
    assert {"IntegerConverter", "UnicodeConverter", "PathConverter", "UUIDConverter", "FloatConverter"} <= converters
    user_rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len(user_rules) >= 6
    client = app.test_client()
    module.reset()
    assert client.get("/notes").get_json()[0]["text"] == "buy milk"
    assert client.post("/notes", json={"text": "new"}).status_code == 201
    assert client.put("/notes/1", json={"text": "changed"}).get_json()["text"] == "changed"
    assert client.delete("/notes/2").status_code == 204
    assert client.get("/notes/abc").status_code == 404
    assert client.get("/tags/home").get_json() == {"tag": "home", "notes": [1]}
    assert client.get("/files/a/b/c.txt").get_json() == {"path": "a/b/c.txt", "name": "c.txt", "depth": 3}
    assert client.get("/sessions/12345678-1234-5678-1234-567812345678").get_json()["user"] == "alice"
    assert client.get("/sessions/not-a-uuid").status_code == 404
    assert client.get("/convert/100.0").get_json() == {"celsius": 100.0, "fahrenheit": 212.0}
    assert client.get("/convert/100").status_code == 404  # Flask's float converter needs a dot
    echoed = client.patch("/echo?a=1&a=2", json={"x": 1}).get_json()
    assert echoed == {"method": "PATCH", "args": {"a": ["1", "2"]}, "json": {"x": 1}}
    module.reset()
