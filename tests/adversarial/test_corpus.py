"""The corpus table itself: every row is implemented exactly once, ids are unique, and
docs/robustness.md is what the table generates."""

from __future__ import annotations

import re
from collections import Counter

from tests.adversarial.corpus import CASES, SWEEP_DEFECTS, corpus_documents, test_modules
from tests.adversarial.make_docs import OUTPUT, render

BOUND = re.compile(r'@case\("([a-z0-9-]+)"\)')


def _bound_ids() -> Counter[str]:
    counts: Counter[str] = Counter()
    for module in test_modules():
        counts.update(BOUND.findall(module.read_text(encoding="utf-8")))
    return counts


def test_at_least_forty_cases_with_unique_ids() -> None:
    ids = [row.id for row in CASES]
    assert len(ids) >= 40
    assert len(ids) == len(set(ids))


def test_every_row_has_exactly_one_implementation() -> None:
    bound = _bound_ids()
    for row in CASES:
        expected = 0 if row.argv else 1
        assert bound[row.id] == expected, f"{row.id}: bound {bound[row.id]} times, expected {expected}"
        if row.argv:
            assert row.exit_code is not None and row.message, row.id
    assert set(bound) <= {row.id for row in CASES}, set(bound) - {row.id for row in CASES}


def test_sweep_defects_name_real_documents() -> None:
    names = {path.name for path in corpus_documents()}
    for sweep, name in SWEEP_DEFECTS:
        assert sweep.startswith("sweep-") and name in names, (sweep, name)


def test_robustness_doc_is_up_to_date() -> None:
    assert OUTPUT.read_text(encoding="utf-8") == render(), "run: python -m tests.adversarial.make_docs"
