"""`apiparity load` end to end against two live servers (about 6 s of load in total), plus the
input guards, which must fail before any traffic is sent."""

from __future__ import annotations

import json

from tests.conftest import run_cli
from tests.load.conftest import free_port


def test_generated_mix_gives_sane_numbers_for_both_sides(servers, tmp_path):
    chart = tmp_path / "latency.svg"
    result = run_cli("load", servers.old, servers.new, "-u", "4", "-n", "150", "-t", "5",
                     "--format", "json", "--chart", str(chart))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["command"] == "load"
    load = report["extras"]["load"]
    assert load["settings"]["seed"] == 0 and load["settings"]["mix_size"] == 20
    operations = {row["operation"]: row for row in load["operations"]}
    # GET/HEAD only by default: the POST operation of the document is not in the mix.
    assert set(operations) == {"GET /items", "GET /items/{item_id}", "overall"}
    overall = load["overall"]
    for side in ("old", "new"):
        stats = overall[side]
        assert stats["requests"] == 150  # the --max-requests bound, exactly
        assert stats["errors"] == 0
        assert stats["rps"] > 10
        assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["p99_ms"] <= stats["max_ms"]
    # Same requests in the same order: both sides answered the same statuses per operation.
    for name in ("GET /items", "GET /items/{item_id}"):
        assert operations[name]["old"]["statuses"] == operations[name]["new"]["statuses"]
    assert set(overall["old"]["statuses"]) == {"200", "404"}
    assert overall["ratio"]["rps"] == round(overall["new"]["rps"] / overall["old"]["rps"], 3)
    assert chart.read_text().startswith("<svg")


def test_recorded_requests_with_allow_unsafe_print_the_side_by_side_table(servers, tmp_path):
    mix = tmp_path / "mix.jsonl"
    mix.write_text(
        '{"method": "GET", "path": "/items/3"}\n'
        '{"method": "GET", "path": "/items", "query": {"limit": 2}}\n'
        '{"method": "POST", "path": "/items", "body": {"name": "n"}}\n'
    )
    result = run_cli("load", servers.old, servers.new, "--requests", str(mix), "--allow-unsafe",
                     "-u", "2", "-n", "30", "--max-p95-ratio", "1000")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("operation"))
    assert "req/s OLD" in header and "NEW/OLD" in header and "p95 OLD" in header and "err% OLD" in header
    rows = {line.split("  ")[0].strip(): line for line in lines if line.startswith(("GET ", "POST ", "overall"))}
    assert set(rows) == {"GET /items", "GET /items/3", "POST /items", "overall"}
    assert "gate load-latency: PASS" in result.stdout


def test_unsafe_methods_are_refused_without_allow_unsafe(tmp_path):
    mix = tmp_path / "mix.jsonl"
    mix.write_text('{"method": "GET", "path": "/a"}\n{"method": "DELETE", "path": "/items/1"}\n')
    # Nothing listens on these ports: the guard must fire before any connection is tried.
    port = free_port()
    result = run_cli("load", f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}", "--requests", str(mix))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "DELETE" in result.stderr and "--allow-unsafe" in result.stderr


def test_bad_url_is_a_one_line_error():
    for old in ("not-a-url", "ftp://127.0.0.1:21", "http://"):
        result = run_cli("load", old, "http://127.0.0.1:9")
        assert result.exit_code == 2, (old, result.stdout)
        assert result.stderr.startswith("error: OLD_URL") and result.stderr.count("\n") == 1, result.stderr


def test_refused_connection_is_a_one_line_error(servers, tmp_path):
    mix = tmp_path / "mix.jsonl"
    mix.write_text('{"method": "GET", "path": "/items"}\n')
    dead = f"http://127.0.0.1:{free_port()}"
    result = run_cli("load", servers.old, dead, "--requests", str(mix), "-n", "5")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: NEW_URL {dead}: cannot connect")
    assert result.stderr.count("\n") == 1
    # Without --requests, OLD's document is fetched first: a dead OLD fails there, in one line too.
    result = run_cli("load", dead, servers.new)
    assert result.exit_code == 2 and dead in result.stderr and result.stderr.count("\n") == 1


def test_write_locustfile_embeds_the_same_mix(servers, tmp_path):
    import ast

    from apiparity.load.locustfile import mix_size

    target = tmp_path / "locustfile.py"
    result = run_cli("load", servers.old, servers.new, "--write-locustfile", str(target), "--per-operation", "3")
    assert result.exit_code == 0, result.stderr
    source = target.read_text()
    ast.parse(source)
    assert mix_size(source) == 6  # 2 GET operations x 3
    assert "class ReplayUser(ParityUser)" in source and f"host = {servers.old!r}" in source
    assert result.stdout == ""  # no load run


def test_generated_locustfile_runs_under_locust_itself(servers, tmp_path):
    """The distributed-mode path: the written file is a working locustfile for the `locust` CLI."""
    import csv
    import subprocess
    import sys

    target = tmp_path / "locustfile.py"
    assert run_cli("load", servers.old, servers.new, "--write-locustfile", str(target), "--per-operation", "2").exit_code == 0
    completed = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(target), "--headless", "-u", "2", "-r", "2", "-t", "6s",  # long enough on a busy machine
         "--host", servers.new, "--csv", str(tmp_path / "new"), "--only-summary"],
        capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    with open(tmp_path / "new_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    assert {"GET /items", "GET /items/{item_id}"} <= set(rows)
    assert int(rows["Aggregated"]["Request Count"]) > 0 and int(rows["Aggregated"]["Failure Count"]) == 0
