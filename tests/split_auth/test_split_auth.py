"""Acceptance of issue 10 on examples/split_auth: one contract, two live services that each log in,
mount the API and number new items their own way; `check --contract` finds each seeded difference
and nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_cli
from tests.split_auth.conftest import EXAMPLE, PASSWORD

CONFIG = str(EXAMPLE / "apiparity.toml")
CONTRACT = str(EXAMPLE / "contract.yaml")
SEEDED = json.loads((EXAMPLE / "differences.json").read_text())


def _groups(report: dict) -> set[tuple[str, str]]:
    return {(g["operation"], g["signature"]) for g in report["fuzz"]["groups"]}


def test_check_with_contract_finds_each_seeded_difference_and_nothing_else(servers, passwords, tmp_path):
    out = tmp_path / "report.json"
    # the probes of before the registry: the seeded differences are the subject (framework probes: tests/fuzz/test_probes.py)
    result = run_cli("check", "--config", CONFIG, "--contract", CONTRACT, servers.old_url, servers.new_url,
                     "--probes", "trailing-slash,if-none-match,no-credentials", "--json", str(out), env=passwords)
    assert result.exit_code == 1, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert _groups(report) == {(d["operation"], d["signature"]) for d in SEEDED}
    # both sides judged against the one contract: no spec diff; OLD conforms to it everywhere
    assert report["diff"]["changes"] == []
    assert not [c for c in report["fuzz"]["conformance"] if c["side"] == "old"]
    assert {c["operation"] for c in report["fuzz"]["conformance"]} <= {d["operation"] for d in SEEDED}
    assert "contract.yaml" in report["extras"]["contract"]["ref"]
    assert any("no document of its own" in note for note in report["extras"]["contract"]["notes"])
    settings = report["fuzz"]["settings"]
    assert settings["base_paths"] == {"old": "/api", "new": "/api/v1"}
    assert settings["isolation"]["old"].startswith("reset before every call: POST /api/_test/reset")
    assert "${OLD_PASSWORD}" in json.dumps(settings["old_auth"]) and PASSWORD not in out.read_text()
    # every reproducer carries its own side's credentials, redacted, on its own base path
    text = out.read_text()
    assert not re.search(r"legacy-(?!bug-fixed)", text) and "modern-" not in text  # the tokens; not the tier name
    for group in report["fuzz"]["groups"]:
        example = group["examples"][0]
        assert f"{servers.old_url}/api/" in example["curl_old"] and "/api/v1/" not in example["curl_old"]
        assert f"{servers.new_url}/api/v1/" in example["curl_new"]
        assert "Authorization: Bearer [redacted]" in example["curl_old"]
        assert "Authorization: Bearer [redacted]" in example["curl_new"]


def test_stateful_sequence_uses_each_sides_own_id_and_token(servers, passwords, tmp_path):
    out = tmp_path / "fuzz.json"
    result = run_cli("fuzz", "--config", CONFIG, "--contract", CONTRACT, servers.old_url, servers.new_url,
                     "--include", "POST /items", "--include", "GET /items/{item_id}", "--phases", "examples,stateful",
                     "--no-redact", "--format", "json", "-o", str(out), env=passwords)
    assert result.exit_code == 1, result.stderr
    groups = json.loads(out.read_text())["fuzz"]["groups"]
    follow_up = next(g for g in groups if g["signature"] == "body $.owner missing in NEW")
    sequence = next(e for e in follow_up["examples"] if " && " in e["curl_old"])
    # create on each side, then read back with that side's own id: OLD's 3, NEW's 1001
    assert "/api/items/3 " in sequence["curl_old"] and "/api/v1/items/1001 " in sequence["curl_new"]
    assert "Bearer legacy-" in sequence["curl_old"] and "modern-" not in sequence["curl_old"]
    assert "Bearer modern-" in sequence["curl_new"] and "legacy-" not in sequence["curl_new"]
    # the ids differ (3 vs 1001) yet nothing about `id` is reported
    assert not [g for g in groups if "$.id" in g["signature"]]


def test_without_id_mapping_the_follow_up_step_diverges(servers, passwords, tmp_path):
    out = tmp_path / "fuzz.json"
    result = run_cli("fuzz", "--config", CONFIG, "--contract", CONTRACT, servers.old_url, servers.new_url,
                     "--include", "POST /items", "--include", "GET /items/{item_id}", "--phases", "examples,stateful",
                     "--no-id-mapping", "--format", "json", "-o", str(out), env=passwords)
    assert result.exit_code == 1
    signatures = {(g["operation"], g["signature"]) for g in json.loads(out.read_text())["fuzz"]["groups"]}
    # NEW is asked for OLD's id 3, which it never created
    assert ("GET /items/{item_id}", "status 200 != 404") in signatures


def test_live_servers_without_reset_get_safe_methods_only(servers, passwords, tmp_path):
    config = tmp_path / "apiparity.toml"
    text = (EXAMPLE / "apiparity.toml").read_text()
    config.write_text("\n".join(line for line in text.splitlines() if not line.startswith("reset_")))
    out = tmp_path / "fuzz.json"
    result = run_cli("fuzz", "--config", str(config), "--contract", CONTRACT, servers.old_url, servers.new_url,
                     "--max-examples", "2", "--format", "json", "-o", str(out), env=passwords)
    report = json.loads(out.read_text())["fuzz"]
    assert result.exit_code == 1
    post = next(o for o in report["operations"] if o["operation"] == "POST /items")
    assert post["cases"] == 0 and "no reset" in post["skipped_reason"]
    assert "only safe methods" in report["settings"]["isolation"]["old"]
    assert "OLD isolation: no reset" in result.stderr
    assert not [g for g in report["groups"] if g["operation"] == "POST /items"]


def test_secrets_must_come_from_the_environment(servers, passwords, tmp_path):
    text = (EXAMPLE / "apiparity.toml").read_text()
    literal = tmp_path / "literal.toml"
    literal.write_text(text.replace('"${OLD_PASSWORD}"', '"hunter2"'))
    args = ["--contract", CONTRACT, servers.old_url, servers.new_url, "--max-examples", "1"]
    refused = run_cli("fuzz", "--config", str(literal), *args, env=passwords)
    assert refused.exit_code == 2 and refused.stderr.startswith("error: ") and refused.stderr.count("\n") == 1
    assert "literal secret" in refused.stderr and "hunter2" not in refused.stderr
    missing = run_cli("fuzz", "--config", CONFIG, *args, env={"OLD_PASSWORD": PASSWORD})
    assert missing.exit_code == 2 and "NEW_PASSWORD is not set" in missing.stderr
    wrong = run_cli("fuzz", "--config", CONFIG, *args, env={**passwords, "NEW_PASSWORD": "nope"})
    assert wrong.exit_code == 2 and "new auth: POST /api/v1/auth/login answered 401" in wrong.stderr


def test_diff_compares_a_sides_published_document_with_the_contract(tmp_path):
    result = run_cli("diff", CONTRACT, str(EXAMPLE / "modern_app.py") + ":app", "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    paths = {c["path"] for c in report["diff"]["changes"]}
    assert paths  # FastAPI publishes /api/v1/... paths and its own shapes: the diff says so
    assert Path(CONTRACT).is_file()
