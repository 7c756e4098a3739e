"""Probes as registered units: the registry, the options that choose them, each probe's requests,
and the default run on a plain Flask app against a FastAPI port left at its defaults."""

from __future__ import annotations

import json

import pytest

from apiparity.commands._fuzz_options import settings_from_options
from apiparity.errors import ConfigError
from apiparity.fuzz.generate import GeneratedCase
from apiparity.fuzz.probes import PROBES, Probe, ProbeOperation, ProbePool, select_probes
from apiparity.fuzz.probes.framework import IntegerPath, RepeatedQuery, UndeclaredMethod
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import FuzzResult
from apiparity.targets import load_target
from tests.conftest import ROOT, run_cli

APPS = ROOT / "tests" / "apps"
FRAMEWORK_PROBES = {"head", "options", "undeclared-method", "repeated-query", "boolean-spelling", "integer-path"}


# ------------------------------------------------------------------------------------ the registry


def test_every_probe_has_a_name_and_a_doc_and_is_listed() -> None:
    assert FRAMEWORK_PROBES | {"trailing-slash", "if-none-match", "no-credentials"} <= set(PROBES)
    for name, probe in PROBES.items():
        assert probe.name == name and len(probe.doc) > 40
    result = run_cli("probes", "--format", "json")
    assert result.exit_code == 0
    assert [p["name"] for p in json.loads(result.stdout)] == list(PROBES)
    text = run_cli("probes")
    assert all(line.split()[0] in PROBES for line in text.stdout.splitlines())


def test_probes_are_chosen_by_option_and_config() -> None:
    assert [p.name for p in select_probes(None)] == list(PROBES)
    assert [p.name for p in select_probes(("options", "head"))] == ["head", "options"]  # registry order
    assert "head" not in [p.name for p in select_probes(None, ("head",))]
    assert settings_from_options(probes="head,options").probes == ("head", "options")
    assert settings_from_options(probes="none").probes == ()
    assert settings_from_options(no_probe=("head",)).no_probe == ("head",)
    assert settings_from_options({"probes": ["head"], "no-probe": "options"}).probes == ("head",)
    with pytest.raises(ConfigError, match="unknown probe 'haed'"):
        settings_from_options(no_probe=("haed",))


def test_an_unknown_probe_is_bad_input_on_the_command_line() -> None:
    result = run_cli("fuzz", f"{APPS / 'plain_flask_defaults.py'}:app", f"{APPS / 'plain_fastapi_defaults.py'}:app",
                     "--no-probe", "haed")
    assert result.exit_code == 2 and "unknown probe 'haed'" in result.stderr


# ------------------------------------------------------------------------------- each probe alone


def _case(path: str, query: str = "", method: str = "GET") -> GeneratedCase:
    return GeneratedCase(WireRequest(method, path, query, operation=f"{method} /items/{{item_id}}"), "examples", "positive")


def _operation(**fields) -> ProbeOperation:
    base = {"label": "GET /items/{item_id}", "method": "GET", "path": "/items/{item_id}", "document": {}}
    return ProbeOperation(**{**base, **fields})


def test_integer_path_sends_a_non_integer_and_the_negative_of_an_existing_id() -> None:
    operation = _operation(parameters=({"name": "item_id", "in": "path", "schema": {"type": "integer"}},))
    missing, existing = _case("/items/999"), _case("/items/3")
    pool = ProbePool(answered=[(missing, WireResponse(404)), (existing, WireResponse(200))])
    probe = IntegerPath()
    assert probe.applies(operation)
    assert [r.request.path for r in probe.requests(operation, pool)] == ["/items/abc", "/items/-3"]
    assert all(r.request.probe == "integer-path" for r in probe.requests(operation, pool))
    slug = _operation(parameters=({"name": "item_id", "in": "path", "schema": {"type": "string"}},))
    assert not probe.applies(slug)


def test_repeated_query_pairs_two_values_old_answered_differently() -> None:
    operation = _operation(label="GET /items", path="/items",
                           parameters=({"name": "limit", "in": "query", "schema": {"type": "integer"}},
                                       {"name": "tag", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}}))
    cases = [_case("/items", "limit=2"), _case("/items", "limit=7"), _case("/items", "limit=1")]
    answers = [WireResponse(200, body=b"[1, 2]"), WireResponse(200, body=b"[1, 2]"), WireResponse(200, body=b"[1]")]
    pool = ProbePool(answered=list(zip(cases, answers)))
    [request] = [r.request for r in RepeatedQuery().requests(operation, pool)]
    assert request.query == "limit=2&limit=1"  # 7 answered like 2: it would not show which one a side read


def test_undeclared_method_prefers_a_safe_one_and_never_writes_where_writes_are_refused() -> None:
    probe = UndeclaredMethod()
    assert probe.method_for(_operation(path_methods=frozenset({"POST"}))) == "GET"
    assert probe.method_for(_operation(path_methods=frozenset({"GET"}))) == "DELETE"
    assert probe.method_for(_operation(path_methods=frozenset({"GET"}), unsafe_allowed=False)) is None
    assert not probe.applies(_operation(path_methods=frozenset({"GET"}), first_on_path=False))


# ------------------------------------------------------------ the default run finds framework defaults


@pytest.fixture(scope="module")
def plain_pair():
    return load_target(f"{APPS / 'plain_flask_defaults.py'}:app"), load_target(f"{APPS / 'plain_fastapi_defaults.py'}:app")


@pytest.fixture(scope="module")
def default_run(plain_pair) -> FuzzResult:
    old, new = plain_pair
    return run_fuzz(old, new, FuzzSettings(seed=1))


def _examples(result: FuzzResult):
    return [(group, example) for group in result.groups for example in group.examples]


def _query(example) -> list[tuple[str, str]]:
    return [tuple(pair) for pair in example.request.query]


FOUND = {
    "head": lambda g, e: e.request.method == "HEAD" and e.old.status == 200 and e.new.status == 405,
    "options": lambda g, e: e.request.method == "OPTIONS" and e.old.status == 200 and e.new.status == 405,
    "undeclared-method": lambda g, e: e.request.method not in ("GET", "HEAD", "OPTIONS") and e.old.status == e.new.status == 405,
    "repeated-query": lambda g, e: [k for k, _ in _query(e)].count("limit") == 2,
    "boolean-spelling": lambda g, e: any(k == "active" and v in ("1", "yes", "True") for k, v in _query(e)),
    "integer-path": lambda g, e: e.request.path == "/items/abc" and (e.old.status, e.new.status) == (404, 422),
}


@pytest.mark.parametrize("probe", sorted(FOUND))
def test_default_run_finds_each_framework_default(probe: str, default_run: FuzzResult) -> None:
    assert any(FOUND[probe](group, example) for group, example in _examples(default_run))


def test_without_probes_the_framework_defaults_go_unseen(plain_pair) -> None:
    """What the probes add: the generated cases alone (schemathesis' positive mode) see none of it."""
    old, new = plain_pair
    result = run_fuzz(old, new, FuzzSettings(seed=1, probes=()))
    for probe, found in FOUND.items():
        assert not any(found(group, example) for group, example in _examples(result)), probe


def test_probes_stay_bounded_per_operation(plain_pair, default_run: FuzzResult) -> None:
    old, new = plain_pair
    without = run_fuzz(old, new, FuzzSettings(seed=1, probes=()))
    per_operation = (default_run.cases - without.cases) / len(default_run.operations)
    assert 0 < per_operation <= 12


# ------------------------------------------------------------------- a write, then the record read back

IGNORED_FIELD = '''
import copy
from fastapi import FastAPI, HTTPException
from flask_openapi3 import OpenAPI
from pydantic import BaseModel

SEED = {48213: {"id": 48213, "title": "Dune", "pages": 412}}
old_store, new_store = copy.deepcopy(SEED), copy.deepcopy(SEED)

class BookPath(BaseModel):
    book_id: int

class Patch(BaseModel):
    title: str | None = None
    pages: int | None = None

legacy = OpenAPI(__name__, security_schemes={})

@legacy.get("/books", responses={200: None})
def list_books():
    return {"data": list(old_store.values())}

@legacy.get("/books/<int:book_id>", responses={200: None, 404: None})
def get_book(path: BookPath):
    book = old_store.get(path.book_id)
    return (book, 200) if book else ({"detail": "not found"}, 404)

@legacy.patch("/books/<int:book_id>", responses={200: None, 404: None})
def patch_book(path: BookPath, body: Patch):
    book = old_store.get(path.book_id)
    if book is None:
        return {"detail": "not found"}, 404
    book.update({k: v for k, v in body.model_dump().items() if v is not None})
    return book

modern = FastAPI()

@modern.get("/books")
def list_books_new():
    return {"data": list(new_store.values())}

@modern.get("/books/{book_id}")
def get_book_new(book_id: int):
    if book_id not in new_store:
        raise HTTPException(404, "not found")
    return new_store[book_id]

@modern.patch("/books/{book_id}")
def patch_book_new(book_id: int, body: Patch):
    if book_id not in new_store:
        raise HTTPException(404, "not found")
    changes = {k: v for k, v in body.model_dump().items() if v is not None}
    new_store[book_id].update({k: v for k, v in changes.items() if k != "title"})  # the title is never kept
    return {**new_store[book_id], **changes}  # ...though the answer says it was

def reset_old():
    old_store.clear(); old_store.update(copy.deepcopy(SEED))

def reset_new():
    new_store.clear(); new_store.update(copy.deepcopy(SEED))
'''


def test_an_update_the_port_answers_but_does_not_keep_is_found_on_read_back(tmp_path) -> None:
    module = tmp_path / "ignored_field.py"
    module.write_text(IGNORED_FIELD)
    old, new = load_target(f"{module}:legacy"), load_target(f"{module}:modern")
    new.document = old.document
    settings = dict(seed=1, max_examples=10, reset_old=(f"{module}:reset_old",), reset_new=(f"{module}:reset_new",),
                    phases=("examples", "fuzzing"))

    def read_back(result: FuzzResult) -> list:
        return [g for g in result.groups if g.operation == "PATCH /books/{book_id}" and "$.title" in g.signature
                and g.examples[0].request.method == "GET"]

    found = read_back(run_fuzz(old, new, FuzzSettings(**settings, probes=("read-back",))))
    reproducer = found[0].examples[0].curl_old if found else ""
    assert found and reproducer.count("curl ") + reproducer.count("r = client.") == 2  # the PATCH, then the GET
    assert not read_back(run_fuzz(old, new, FuzzSettings(**settings, probes=())))


def _ignored_field_variant(tmp_path, *, keeps_title: bool, get_extra: bool) -> tuple:
    source = IGNORED_FIELD
    if keeps_title:
        source = source.replace('if k != "title"})  # the title is never kept', '})')
    if get_extra:  # NEW's GET answers one more key: the GET's own difference, seen before any write
        source = source.replace("    return new_store[book_id]\n", '    return {**new_store[book_id], "shelf": "A"}\n')
    module = tmp_path / "read_back_variant.py"
    module.write_text(source)
    old, new = load_target(f"{module}:legacy"), load_target(f"{module}:modern")
    new.document = old.document
    settings = FuzzSettings(seed=1, max_examples=10, reset_old=(f"{module}:reset_old",), reset_new=(f"{module}:reset_new",),
                            phases=("examples", "fuzzing"), probes=("read-back",))
    result = run_fuzz(old, new, settings)
    return [g for g in result.groups if g.operation == "PATCH /books/{book_id}" and g.examples[0].request.method == "GET"], result


def test_read_back_does_not_file_the_gets_own_difference_again_under_the_write(tmp_path) -> None:
    """NEW's GET answers an extra key on every read: the GET's group shows it; the read-back after
    a PATCH shows the same key and must not make a PATCH group of it."""
    read_backs, result = _ignored_field_variant(tmp_path, keeps_title=True, get_extra=True)
    assert read_backs == []
    shelf = [g for g in result.groups if "$.shelf" in g.signature]
    assert len(shelf) == 1 and [o.operation for o in shelf[0].operations] == ["GET /books/{book_id}"]


def test_read_back_keeps_what_the_get_before_the_write_does_not_show(tmp_path) -> None:
    read_backs, _ = _ignored_field_variant(tmp_path, keeps_title=False, get_extra=True)
    assert read_backs and all("$.title" in g.signature and "$.shelf" not in g.signature for g in read_backs)


def test_read_back_is_not_judged_after_a_write_one_side_refused() -> None:
    from apiparity.fuzz.compare import Change, Difference
    from apiparity.fuzz.probes import ProbeAnswers
    from apiparity.fuzz.probes.framework import ReadBack

    ok, refused = WireResponse(200), WireResponse(422)
    differences = [Difference("body", Change.VALUE_CHANGED, ("title",))]
    assert ReadBack().judge(ProbeAnswers(ok, ok, ok, steps=((ok, refused),)), differences) == []
    assert ReadBack().judge(ProbeAnswers(ok, ok, ok, steps=((ok, ok),)), differences) == differences
    assert ReadBack().judge(ProbeAnswers(ok, ok, ok, steps=((ok, ok),), shown=frozenset({"body $.title value changed"})),
                            differences) == []


def test_probes_are_found_by_scanning_the_package_in_a_stable_order() -> None:
    """No hand list: each module of the package is imported and every Probe subclass it defines with
    its own name is registered, the framework and value-semantics probes first (their order before
    discovery), then the other modules by name."""
    import importlib
    import inspect

    from apiparity.fuzz.probes import FIRST_MODULES, probe_modules

    modules = probe_modules()
    assert tuple(modules[:2]) == FIRST_MODULES and modules[2:] == sorted(modules[2:]) and "base" not in modules
    defined = [cls.name for name in modules
               for _, cls in inspect.getmembers(importlib.import_module(f"apiparity.fuzz.probes.{name}"), inspect.isclass)
               if issubclass(cls, Probe) and cls.__module__.endswith(f".{name}") and vars(cls).get("name")]
    assert sorted(defined) == sorted(PROBES)
    assert list(PROBES)[:14] == ["trailing-slash", "if-none-match", "no-credentials", "head", "options", "undeclared-method",
                                 "repeated-query", "boolean-spelling", "integer-path", "read-back", "filter-case",
                                 "pagination", "sort-order", "numeric-bounds"]


def test_a_probe_module_dropped_into_the_package_is_registered(tmp_path, monkeypatch) -> None:
    """Discovery itself: a fresh import of the package with one more module on its path registers
    that module's probe after the built-in ones, with no other file edited."""
    import importlib.util
    import sys

    import apiparity.fuzz.probes as package

    extra = tmp_path / "zz_extra_probe.py"
    extra.write_text("from apiparity.fuzz.probes.base import Probe\n\n"
                     "class Extra(Probe):\n    name = 'zz-extra'\n    doc = 'a probe found by scanning the package'\n")
    saved = {name: module for name, module in sys.modules.items() if name == package.__name__ or name.startswith(package.__name__ + ".")}
    try:
        for name in saved:
            del sys.modules[name]
        monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
        spec = importlib.util.spec_from_file_location(package.__name__, package.__file__,
                                                      submodule_search_locations=[*package.__path__])
        assert spec is not None and spec.loader is not None
        fresh = importlib.util.module_from_spec(spec)
        sys.modules[package.__name__] = fresh
        spec.loader.exec_module(fresh)
        assert list(fresh.PROBES)[-1] == "zz-extra" and list(fresh.PROBES)[:-1] == list(PROBES)
    finally:
        for name in [n for n in sys.modules if n == package.__name__ or n.startswith(package.__name__ + ".")]:
            del sys.modules[name]
        sys.modules.update(saved)
