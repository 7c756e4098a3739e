"""`apiparity load --workers N`: Locust's distributed mode with local worker processes, and the
capacity mode (load stepped up until a side misses its p95 target or errors)."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_two_local_locust_workers_share_the_load(servers, tmp_path):
    result = run_cli("load", servers.old, servers.new, "-u", "4", "-t", "4", "--workers", "2", "--format", "json")
    assert result.exit_code == 0, result.stderr
    load = json.loads(result.stdout)["extras"]["load"]
    assert load["settings"]["workers"] == 2
    for side in ("old", "new"):
        stats = load["overall"][side]
        assert stats["requests"] > 0 and stats["errors"] == 0  # merged from both workers' recordings
        per_worker = load[side]["worker_requests"]
        assert len(per_worker) == 2 and all(count > 0 for count in per_worker)  # users spread over both
        assert sum(per_worker) == stats["requests"]
    operations = {row["operation"] for row in load["operations"]}
    assert {"GET /items", "GET /items/{item_id}"} <= operations
