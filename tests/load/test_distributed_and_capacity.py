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


def _fake_runner(limits: dict[str, int]):
    """A side whose p95 stays at 20 ms up to `limits[url]` users and jumps past it; 50 req/s per user."""

    def run(url, requests, settings):
        users = settings.users
        latency = 20.0 if users <= limits[url] else 900.0
        count = users * 50
        return {"base_url": url, "elapsed_s": 1.0, "users": users,
                "operations": {"GET /x": {"latencies_ms": [latency] * count, "errors": 0, "statuses": {"200": count}}}}

    return run


def test_capacity_steps_up_until_a_side_misses_its_p95_target():
    from apiparity.load import LoadSettings
    from apiparity.load.capacity import CapacityPlan, compare_capacity, render_capacity

    plan = CapacityPlan(p95_target_ms=100, start_users=2, step_users=2, max_users=20, step_duration=1)
    section = compare_capacity("http://old", "http://new", [], LoadSettings(), plan,
                               runner=_fake_runner({"http://old": 6, "http://new": 10}))
    assert [s["users"] for s in section["old"]["steps"]] == [2, 4, 6, 8]  # stops at the first step that misses
    assert section["old"]["max_sustained_rps"] == 300.0 and section["old"]["at_users"] == 6
    assert section["new"]["max_sustained_rps"] == 500.0 and section["new"]["at_users"] == 10
    assert section["old"]["limit"] == "8 users: p95 900 ms > target 100 ms"
    assert section["ratio"] == round(500 / 300, 3) and section["new_takes_old_peak"] is True
    text = render_capacity(section)
    assert "max sustained: 300.0 req/s at 6 users" in text and "can NEW take OLD's peak? yes" in text


def test_capacity_mode_on_live_servers_prints_both_maxima(servers):
    result = run_cli("load", servers.old, servers.new, "--capacity", "--p95-target", "60000", "--start-users", "1",
                     "--step-users", "1", "--max-users", "2", "--step-duration", "1.5")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.count("max sustained: ") == 2 and "NEW/OLD max sustained throughput: " in out
    assert "capacity OLD: 1 users" in result.stderr and "capacity NEW: 2 users" in result.stderr
    missing = run_cli("load", servers.old, servers.new, "--capacity")
    assert missing.exit_code == 2 and "--p95-target" in missing.stderr
