"""A --seed run lists an example's differences in one order in every process: the order must not
depend on PYTHONHASHSEED (DeepDiff keeps its report types in a set)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import json
from apiparity.fuzz.compare import CompareOptions, compare_json
old = {"items": [{"subtitle": "A", "isbn": "1", "tags": ["x"]}, {"tags": ["a", "classic"], "isbn": None}]}
new = {"items": [{"subtitle": None, "isbn": None, "tags": ["x"], "extra": 1}, {"tags": ["a"], "isbn": "2"}]}
print(json.dumps([d.detail for d in compare_json(old, new, CompareOptions())]))
"""


def test_differences_come_in_one_order_whatever_the_hash_seed() -> None:
    orders = set()
    for hash_seed in ("1", "2", "3", "4", "5", "6"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True, timeout=120)
        orders.add(done.stdout)
    assert len(orders) == 1, orders
