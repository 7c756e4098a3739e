"""An operation the spec diff says NEW removed, but NEW still serves (FastAPI `include_in_schema=False`:
in the app, missing from its document), is not a breaking change: found on a real port
(SaeedBeheshti/Fast-Api-Vs-Flask-), whose identical answers were NOT READY on the spec diff alone.
A route really removed stays breaking, linked to the group where NEW answers 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from flask import Flask, jsonify

from apiparity.options import FuzzOptions, HistoryOptions
from apiparity.pipeline import CheckRequest, run_check

legacy = Flask(__name__)


@legacy.get("/")
def root():  # noqa: ANN201
    return jsonify({"hello": "world"})


@legacy.get("/items")
def items():  # noqa: ANN201
    return jsonify([{"id": 1}])


hidden = FastAPI()


@hidden.get("/", include_in_schema=False)
def hidden_root() -> dict[str, str]:
    return {"hello": "world"}


@hidden.get("/items")
def hidden_items() -> list[dict[str, int]]:
    return [{"id": 1}]


removed = FastAPI()


@removed.get("/items")
def removed_items() -> list[dict[str, int]]:
    return [{"id": 1}]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def _removal(new: str):  # noqa: ANN202
    outcome = run_check(CheckRequest(f"{__name__}:legacy", f"{__name__}:{new}", fuzz=FuzzOptions(seed=1),
                                     history=HistoryOptions(no_history=True)))
    assert outcome.report.diff is not None
    (change,) = [c for c in outcome.report.diff.changes if c.rule_id == "api-path-removed"]
    return outcome, change


def test_an_operation_hidden_from_the_document_but_served_is_a_warning() -> None:
    outcome, change = _removal("hidden")
    assert change.severity == "warning" and "NEW still serves it" in change.message and change.mismatch_groups == []
    gate = next(g for g in outcome.report.verdict.gates if g.name == "no-breaking-changes")  # type: ignore[union-attr]
    assert gate.passed


def test_an_operation_really_removed_stays_breaking_and_shows_on_the_wire() -> None:
    outcome, change = _removal("removed")
    assert change.severity == "breaking" and "serves" not in change.message
    assert change.mismatch_groups and "404" in change.mismatch_groups[0]
    gate = next(g for g in outcome.report.verdict.gates if g.name == "no-breaking-changes")  # type: ignore[union-attr]
    assert not gate.passed
