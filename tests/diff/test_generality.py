"""Generality of the spec diff beyond the bundled apps.

1. Same-API app pairs (tests/diff/generality/*_legacy.py as flask-openapi3, *_modern.py as its
   FastAPI port, sharing pydantic v2 models): Literal/Enum, constrained strings and numbers,
   Decimal/datetime/UUID/HttpUrl/bytes/Any/tuple, Optional forms, aliases, dicts, RootModel vs
   inline lists, -Input/-Output splits with computed fields, discriminated unions, generics,
   recursion, query/header/cookie models, renamed path parameters, 201/204. They must diff with no
   breaking change and no warning under the flask-fastapi profile.
2. Hand-made documents (tests/diff/generality/documents/): base30.yaml (3.0, pydantic v1 style)
   vs same31.yaml (3.1, pydantic v2 style) is one API; changes.yaml applies real changes to
   same31.yaml, each of which must be reported with the expected rule and severity; traps.yaml holds
   minimal fragment pairs.

Where apiparity is wrong today the real assertion is kept and the test is a strict xfail naming
the root cause.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from apiparity.diff.engine import DiffOptions, diff_documents
from apiparity.model import DiffResult
from apiparity.spec.refs import unescape_pointer_token
from apiparity.targets import load_target
from apiparity.targets.documents import read_document_file

from .helpers import schema_at

HERE = Path(__file__).resolve().parent / "generality"
DOCS = HERE / "documents"
PAIRS = ["scalars", "formats", "params", "shapes", "misc", "rewrites"]


@cache
def app_document(name: str) -> dict[str, Any]:
    return load_target(f"{HERE / name}.py:app").document


def loud(result: DiffResult) -> list[tuple[str, str, str, str, str]]:
    return [(c.severity, c.rule_id, c.method, c.path, c.message) for c in result.changes if c.severity in ("breaking", "warning")]


# ---------------------------------------------------------------- 1. same-API app pairs

@pytest.mark.parametrize("pair", PAIRS)
def test_same_api_app_pair_is_clean(pair: str) -> None:
    result = diff_documents(app_document(f"{pair}_legacy"), app_document(f"{pair}_modern"))
    assert loud(result) == []


def _loud_at(pair: str, field: str) -> list[tuple[str, str, str, str, str]]:
    result = diff_documents(app_document(f"{pair}_legacy"), app_document(f"{pair}_modern"))
    return [entry for entry in loud(result) if f"`{field}`" in entry[-1]]


def test_rewrites_literal_with_none_equals_optional_literal() -> None:
    """`Literal[None, "web", "app"]` (a bare enum) is `Literal["web", "app"] | None` (a typed one)."""
    assert _loud_at("rewrites", "channel") == []


def test_rewrites_empty_default_equals_default_factory() -> None:
    """`= {}` documents `default: {}`, `Field(default_factory=dict)` nothing: named noise, not a warning."""
    assert _loud_at("rewrites", "totals") == []
    result = diff_documents(app_document("rewrites_legacy"), app_document("rewrites_modern"))
    assert any(n.rule_id == "empty-container-default" and n.count for n in result.ignored_noise)


def test_formats_pair_decimal_request_widening_is_info() -> None:
    result = diff_documents(app_document("formats_legacy"), app_document("formats_modern"))
    # flask-openapi3 documents a model used as body and response with its serialization schema
    # (Decimal as a string); FastAPI's -Input accepts number|string: a widened request, info only.
    infos = {c.rule_id for c in result.changes if c.severity == "info"}
    assert "request-body-type-widened" in infos


def test_same_api_pairs_are_clean_in_reverse() -> None:
    """FastAPI -> flask-openapi3 (a rollback) is the same API too."""
    for pair in ["scalars", "params", "misc"]:
        assert loud(diff_documents(app_document(f"{pair}_modern"), app_document(f"{pair}_legacy"))) == [], pair


def test_shapes_pair_reports_only_the_computed_field_as_info() -> None:
    """flask-openapi3 keys components by class name, so Item's validation schema (body) overwrites its
    serialization schema (response) and the computed `label` vanishes from its responses; FastAPI's
    Item-Output has it. A property added to a response is info, nothing else differs."""
    result = diff_documents(app_document("shapes_legacy"), app_document("shapes_modern"))
    assert {(c.severity, c.rule_id) for c in result.changes} == {("info", "response-body-required-property-added")}
    assert all("'label'" in c.message for c in result.changes)


def test_params_pair_counts_its_noise() -> None:
    result = diff_documents(app_document("params_legacy"), app_document("params_modern"))
    ignored = {n.rule_id: n.count for n in result.ignored_noise}
    assert ignored.get("header-alias", 0) == 6  # x_request_id/x_trace on two operations, x_request_id/x_mode on one
    assert ignored.get("null-default", 0) > 0
    assert [(c.rule_id, c.path) for c in result.changes] == [
        ("api-path-parameter-renamed", "/things/{id}"),
        ("api-path-parameter-renamed", "/things/{id}"),
    ]


def test_cli_json_on_an_app_pair() -> None:
    """The command itself, as a user runs it, on the params pair."""
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("apiparity")), "diff", f"{HERE / 'params_legacy.py'}:app", f"{HERE / 'params_modern.py'}:app", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    changes = json.loads(proc.stdout)["diff"]["changes"]
    assert [c for c in changes if c["severity"] != "info"] == []


# ---------------------------------------------------------------- 2. hand-made documents


def _set(document: dict[str, Any], pointer: str, value: Any, *, remove: bool = False) -> None:
    *parents, last = [unescape_pointer_token(t) for t in pointer.lstrip("/").split("/")]
    node: Any = document
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    if isinstance(node, list):
        index = int(last)
        if remove:
            del node[index]
        elif index == len(node):
            node.append(value)
        else:
            node[index] = value
    elif remove:
        del node[last]
    else:
        node[last] = value


def changed(change: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(read_document_file(DOCS / "same31.yaml"))
    for pointer, value in (change.get("set") or {}).items():
        _set(document, pointer, copy.deepcopy(value))
    for pointer in change.get("remove") or []:
        _set(document, pointer, None, remove=True)
    return document


CHANGES = yaml.safe_load((DOCS / "changes.yaml").read_text())
TRAPS = yaml.safe_load((DOCS / "traps.yaml").read_text())


def test_base30_and_same31_are_one_api_both_ways() -> None:
    base, same = read_document_file(DOCS / "base30.yaml"), read_document_file(DOCS / "same31.yaml")
    for old, new in ((base, same), (same, base)):
        result = diff_documents(old, new)
        assert {c.rule_id for c in result.changes} == {"openapi-version-changed", "api-path-parameter-renamed"}
        # with no profile only annotations (titles, descriptions, ids, summaries) are added
        bare = diff_documents(old, new, options=DiffOptions(profile="none"))
        assert loud(bare) == []


_CHANGE_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize(
    "change",
    [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=_CHANGE_XFAIL[c["id"]])) if c["id"] in _CHANGE_XFAIL else c for c in CHANGES],
    ids=[c["id"] for c in CHANGES],
)
def test_real_change_is_reported(change: dict[str, Any]) -> None:
    result = diff_documents(read_document_file(DOCS / "base30.yaml"), changed(change))
    found = {(c.rule_id, c.severity) for c in result.changes}
    expected = {tuple(pair) for pair in change["expect"]}
    assert expected <= found
    # Nothing loud beyond what the change explains.
    assert {(r, s) for r, s in found if s != "info"} <= expected


def _trap_documents(trap: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    old = schema_at(trap["location"], trap["old"])
    old["openapi"] = "3.0.3"
    return old, schema_at(trap["location"], trap["new"])


_TRAP_XFAIL: dict[str, str] = {}


@pytest.mark.parametrize(
    "trap",
    [pytest.param(t, marks=pytest.mark.xfail(strict=True, reason=_TRAP_XFAIL[t["id"]])) if t["id"] in _TRAP_XFAIL else t for t in TRAPS],
    ids=[t["id"] for t in TRAPS],
)
def test_trap(trap: dict[str, Any]) -> None:
    old, new = _trap_documents(trap)
    result = diff_documents(old, new)
    if trap.get("clean"):
        assert loud(result) == []
    else:
        found = {(c.rule_id, c.severity) for c in result.changes}
        assert {tuple(pair) for pair in trap["expect"]} <= found
