"""apiparity on a migration whose regressions are visible only on records that exist: a cookbook API.

- legacy: flask-openapi3, answers in envelopes (`{"chef": {..., "restaurant": {...}}}`,
  `{"recipes": [...], "page", "per_page", "total"}`), a country filter that ignores letter case,
  page/per_page paging, PATCH of the fields sent, 201 + Location, one JSON error body;
- modern: the FastAPI port a careful team would ship;
- regressed: the same port with recipes/expected.json's seeds, none of which a request on a missing
  record or a random filter value shows: a filter turned case-sensitive (K1), an update field
  answered but not kept (K2), page 2 off by one (K3), a field renamed inside a nested envelope (K4).

Each seed needs what issue 16 added: the value pool (ids and values of existing records), the
read-back probe (K2), the filter-case (K1) and pagination (K3) probes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiparity.model import MismatchGroup, Report
from tests.pairs.views import check_pair, group_keys, new_vs_old_issues, unwaived_breaking

PAIR = Path(__file__).resolve().parent / "recipes"
SEEDED_COUNTRIES = {"Italy", "United Kingdom", "France"}


def check(new_module: str, tmp_path: Path, *extra: str) -> tuple[int, Report, str]:
    # the default budget (20 examples per operation), as the acceptance of issue 16 states it
    return check_pair(PAIR, new_module, tmp_path, "--max-examples", "20", *extra)


def expected() -> list[dict]:
    return json.loads((PAIR / "expected.json").read_text())


@pytest.fixture(scope="module")
def modern(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Report, str]:
    return check("modern", tmp_path_factory.mktemp("recipes-modern"))


@pytest.fixture(scope="module")
def regressed(tmp_path_factory: pytest.TempPathFactory) -> Report:
    _, report, _ = check("regressed", tmp_path_factory.mktemp("recipes-regressed"))
    return report


def _query(example) -> dict[str, str]:
    return {name: value for name, value in example.request.query}


def _is_k1(g: MismatchGroup) -> bool:
    return g.operation == "GET /chefs" and g.kind == "body" and any(
        "country" in _query(e) and _query(e)["country"] not in SEEDED_COUNTRIES and e.old.status == e.new.status == 200
        for e in g.examples)


def _is_k2(g: MismatchGroup) -> bool:
    return (g.operation == "PATCH /recipes/{recipe_id}" and "$.recipe.servings" in g.signature
            and any(e.request.method == "GET" for e in g.examples))  # the record read back


def _is_k3(g: MismatchGroup) -> bool:
    return g.operation == "GET /recipes" and any(_query(e).get("page") == "2" for e in g.examples)


def _is_k4(g: MismatchGroup) -> bool:
    return g.operation == "GET /chefs/{chef_id}" and "$.chef.restaurant.city" in g.signature


SEEDED_GROUP = {"K1": _is_k1, "K2": _is_k2, "K3": _is_k3, "K4": _is_k4}


def _groups(report: Report) -> list[MismatchGroup]:
    return [g for g in report.fuzz.groups if not g.waived_by]


# ------------------------------------------------------------------------------- faithful port


def test_faithful_port_has_no_breaking_change(modern) -> None:
    assert unwaived_breaking(modern[1]) == []


def test_faithful_port_has_no_mismatch_group(modern) -> None:
    assert group_keys(modern[1]) == [], modern[2]
    assert new_vs_old_issues(modern[1]) == []


def test_faithful_port_is_ready(modern) -> None:
    code, report, stdout = modern
    assert code == 0 and report.verdict.ready, stdout
    assert report.fuzz.operations_total == report.old.operations == 7


def test_pooled_cases_reach_existing_records(modern) -> None:
    """The cases that carry pooled values find the seeded records (OLD answers them with success)."""
    stats = {o.operation: o for o in modern[1].fuzz.operations}
    for operation in ("GET /chefs/{chef_id}", "GET /recipes/{recipe_id}", "PATCH /recipes/{recipe_id}"):
        assert stats[operation].pooled_found > 0, operation


# ------------------------------------------------------------------------------ regressed port


def test_expected_json_lists_every_seed() -> None:
    assert sorted(r["id"] for r in expected()) == sorted(SEEDED_GROUP)


@pytest.mark.parametrize("seeded_id", sorted(SEEDED_GROUP))
def test_regressed_names_each_seeded_difference(seeded_id: str, regressed: Report) -> None:
    assert not regressed.verdict.ready
    summary = next(r for r in expected() if r["id"] == seeded_id)["summary"]
    assert any(SEEDED_GROUP[seeded_id](g) for g in _groups(regressed)), summary


def test_regressed_reports_nothing_unseeded(regressed: Report) -> None:
    assert [g.key for g in _groups(regressed) if not any(match(g) for match in SEEDED_GROUP.values())] == []
    assert unwaived_breaking(regressed) == []  # every seed is behaviour: the documents agree


def test_regressed_one_root_cause_is_one_group(regressed: Report) -> None:
    for seeded_id, match in SEEDED_GROUP.items():
        assert len([g for g in _groups(regressed) if match(g)]) == 1, seeded_id


@pytest.mark.parametrize(("probe", "seeded_id"), [("filter-case", "K1"), ("read-back", "K2")])
def test_without_its_probe_the_seed_goes_unseen(probe: str, seeded_id: str, tmp_path: Path) -> None:
    """What the probes add: K1 and K2 need them (K3 is reached by the generated `page=2` of some seeds
    too, which the pagination probe sends every time; K4 needs only the value pool's existing ids)."""
    _, report, _ = check("regressed", tmp_path, "--no-probe", probe)
    assert not any(SEEDED_GROUP[seeded_id](g) for g in _groups(report))
