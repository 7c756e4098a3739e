"""apiparity on a migration whose regressions live behind several steps: the blog pair.

- legacy.py: plain Flask, articles named by a slug made once from the title, comments under their
  article, every answer in an envelope (`{"article": {...}}`, `{"comments": [...]}`), a delete that
  takes the article's comments with it, `createdAt`/`updatedAt` = now(), module-level reset();
- modern.py: the faithful FastAPI port; regressed.py: the same port with B1-B3 of
  blog/expected.json, each visible only after steps that build state;
- contract.yaml: the hand-kept contract (`--contract`), with **no links declared**.

What it shows: links inferred from nested identifiers (`$response.body#/article/slug`) and
sequences of 4 to 7 steps built from the path hierarchy find all three at the default budget with
every seed, and the faithful port stays at 0 groups although every step's timestamps differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from apiparity.model import Report
from tests.conftest import run_cli
from tests.pairs.views import group_keys, groups_of, new_vs_old_issues, unwaived_breaking

BLOG = Path(__file__).resolve().parent / "blog"
CONTRACT = ("--contract", str(BLOG / "contract.yaml"))

FOUND: dict[str, Callable[[Report], bool]] = {
    "B1": lambda r: any("409" in g.signature for g in groups_of(r, "DELETE /articles/{slug}")),
    "B2": lambda r: any("$.article.slug" in g.signature for g in groups_of(r, "PUT /articles/{slug}")),
    "B3": lambda r: any("author.username missing in NEW" in g.signature for g in groups_of(r, "GET /articles/{slug}/comments")),
}


def fuzz(module: str, seed: int, tmp_path: Path, *extra: str) -> Report:
    """`apiparity fuzz legacy.py:app MODULE.py:app --contract contract.yaml --seed S` at the default
    budget, as a user runs it (each module's reset() is found), read back from its JSON report."""
    out = tmp_path / f"blog-{module}-{seed}.json"
    result = run_cli("fuzz", f"{BLOG / 'legacy'}.py:app", f"{BLOG / module}.py:app", *CONTRACT, "--seed", str(seed),
                     *extra, "--format", "json", "-o", str(out), "--no-progress")
    assert result.exit_code in (0, 1), result.stderr
    return Report.from_dict(json.loads(out.read_text()))


def test_expected_lists_every_seeded_regression() -> None:
    assert [r["id"] for r in json.loads((BLOG / "expected.json").read_text())] == sorted(FOUND)


def test_faithful_port_is_ready(tmp_path: Path) -> None:
    json_path = tmp_path / "blog-modern.json"
    result = run_cli("check", f"{BLOG / 'legacy'}.py:app", f"{BLOG / 'modern'}.py:app", *CONTRACT, "--seed", "1",
                     "--json", str(json_path))
    report = Report.from_dict(json.loads(json_path.read_text()))
    assert unwaived_breaking(report) == []
    assert group_keys(report) == [], result.stdout
    assert new_vs_old_issues(report) == []
    assert result.exit_code == 0 and report.verdict is not None and report.verdict.ready
    assert report.fuzz is not None and report.fuzz.sequences is not None and report.fuzz.sequences.longest >= 4


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_regressed_port_each_seeded_regression_found_with_each_seed(seed: int, tmp_path: Path) -> None:
    report = fuzz("regressed", seed, tmp_path)
    missed = [seeded for seeded, found in FOUND.items() if not found(report)]
    assert missed == [], [g.key for g in report.fuzz.groups]
    # no link is declared: every link followed was inferred, and sequences of 4+ steps ran
    assert report.fuzz.links and not any(n.declared for n in report.fuzz.links)
    assert any(n.fired for n in report.fuzz.links if n.target == "GET /profiles/{username}")  # article.author.username
    stats = report.fuzz.sequences
    assert stats is not None and stats.longest >= 4
    assert sum(count for length, count in stats.by_length.items() if int(length) >= 4) >= 4
    assert set(stats.by_resource) == {"/articles", "/articles/{slug}/comments"}


def test_without_sequences_the_state_bound_regressions_stay_hidden(tmp_path: Path) -> None:
    """The cascade delete (B1) and the listing's rename (B3) need a comment created first: single
    requests, probes and pooled values never see them."""
    report = fuzz("regressed", 1, tmp_path, "--phases", "examples,coverage,fuzzing")
    assert not FOUND["B1"](report) and not FOUND["B3"](report)
    assert report.fuzz.sequences is None
