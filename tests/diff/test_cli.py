"""`apiparity diff` and `apiparity rules` end to end: exit codes, formats, waivers, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import run_cli

from .helpers import document, ok, schema_at

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "apps"


def write_pair(tmp_path: Path, old: dict, new: dict) -> tuple[str, str]:
    old_file, new_file = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old_file.write_text(yaml.safe_dump(old))
    new_file.write_text(yaml.safe_dump(new))
    return str(old_file), str(new_file)


def pair_with(tmp_path: Path) -> tuple[str, str]:
    """OLD -> NEW: one breaking (max length lowered in a request), one warning, one info (a property
    added that accepts any value, as OLD's open object did: proved harmless)."""
    old = schema_at("request-body", {"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}, "d": {"type": "string", "default": "a"}}})
    new = schema_at("request-body", {"type": "object", "properties": {"name": {"type": "string", "maxLength": 5}, "d": {"type": "string"}, "extra": {"description": "any value"}}})
    return write_pair(tmp_path, old, new)


def changes(result) -> list[dict]:
    return json.loads(result.stdout)["diff"]["changes"]


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    old, new = pair_with(tmp_path)
    assert run_cli("diff", old, new, "--format", "json", "--config", str(tmp_path / "none.toml")).exit_code == 2  # missing config file
    result = run_cli("diff", old, new, "--format", "json")
    assert result.exit_code == 1
    assert {c["rule_id"] for c in changes(result)} == {"request-body-max-length-decreased", "request-body-default-removed", "request-body-property-added"}
    assert run_cli("diff", old, old, "--format", "json").exit_code == 0
    assert run_cli("diff", new, old, "--format", "json").exit_code == 0  # widening a request breaks nobody
    assert run_cli("diff", new, old, "--format", "json", "--fail-on", "info").exit_code == 1


def test_waivers_file_waives_reports_expired_and_unused(tmp_path: Path) -> None:
    old, new = pair_with(tmp_path)
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waivers]]\nrule = "request-body-max-length-*"\nmethod = "POST"\npath = "/x*"\nreason = "clients send short names"\nexpires = 2999-01-01\n'
        '[[waivers]]\nrule = "request-body-default-removed"\npath = "/x"\nreason = "old"\nexpires = 2000-01-01\n'
        '[[waivers]]\nrule = "api-path-removed"\nreason = "never matches"\n'
    )
    result = run_cli("diff", old, new, "--format", "json", "--waivers", str(waivers))
    assert result.exit_code == 0  # the only breaking change is waived
    data = json.loads(result.stdout)["diff"]
    waived = {c["rule_id"]: c["waived_by"] for c in data["changes"]}
    assert waived["request-body-max-length-decreased"] == "clients send short names"
    assert waived["request-body-default-removed"] is None  # expired waivers do not waive
    statuses = {w["rule_id"]: (w["used"], w["expired"]) for w in data["waivers"]}
    assert statuses == {"request-body-max-length-*": (1, False), "request-body-default-removed": (0, True), "api-path-removed": (0, False)}
    assert "expired" in result.stderr and "matched nothing" in result.stderr
    assert run_cli("diff", old, new, "--format", "json", "--waivers", str(waivers), "--fail-on", "warning").exit_code == 1


def test_waivers_from_pyproject_and_missing_reason_is_bad_input(tmp_path: Path) -> None:
    old, new = pair_with(tmp_path)
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.apiparity]\n[[tool.apiparity.waivers]]\nrule = "request-body-max-length-decreased"\nreason = "ok for now"\n')
    assert run_cli("diff", old, new, "--format", "json", "--config", str(config)).exit_code == 0
    config.write_text('[tool.apiparity]\n[[tool.apiparity.waivers]]\nrule = "request-body-max-length-decreased"\n')
    result = run_cli("diff", old, new, "--format", "json", "--config", str(config))
    assert result.exit_code == 2
    assert "reason" in result.stderr and "Traceback" not in result.stderr


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\npaths: [\n")
    good, _ = pair_with(tmp_path)
    for args in (
        ("diff", str(broken), good),
        ("diff", good, good, "--disable-noise", "no-such-rule"),
        ("diff", good, good, "--format", "nope"),
    ):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") <= 2 and "Traceback" not in result.stderr
    dangling = document({"/x": {"get": {"responses": {"200": ok({"$ref": "#/components/schemas/Missing"})}}}})
    old, new = write_pair(tmp_path, dangling, dangling)
    result = run_cli("diff", old, new)
    assert result.exit_code == 2 and "Missing" in result.stderr


def test_output_file_and_noise_switches(tmp_path: Path) -> None:
    flask, fastapi = f"{APPS / 'inventory_flask.py'}:app", f"{APPS / 'inventory_fastapi.py'}:app"
    out = tmp_path / "report.json"
    assert run_cli("diff", flask, fastapi, "--format", "json", "-o", str(out)).exit_code == 0
    report = json.loads(out.read_text())
    assert report["command"] == "diff" and report["old"]["framework"] == "flask-openapi3"
    assert report["diff"]["operations_old"] == report["diff"]["operations_new"] == 6
    assert "operation-id" in {n["rule_id"] for n in report["diff"]["ignored_noise"]}
    result = run_cli("diff", flask, fastapi, "--format", "json", "--disable-noise", "operation-id", "--fail-on", "info")
    assert result.exit_code == 1
    assert {c["rule_id"] for c in changes(result)} == {"api-operation-id-changed"}
    assert run_cli("diff", flask, fastapi, "--format", "json", "--profile", "none").exit_code == 1


def test_text_output_names_noise_counts() -> None:
    flask, fastapi = f"{APPS / 'inventory_flask.py'}:app", f"{APPS / 'inventory_fastapi.py'}:app"
    result = run_cli("diff", flask, fastapi)
    assert result.exit_code == 0
    assert "0 breaking" in result.stdout and "framework-validation-response" in result.stdout


def test_rules_command_lists_every_rule() -> None:
    from apiparity.diff.registry import RULES
    from apiparity.spec.noise import all_noise_rules

    result = run_cli("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    rule_lines = [line for line in lines if not line.startswith(("label:", "      requires: "))]
    assert len(rule_lines) >= 150
    assert len(rule_lines) == len(RULES) + len(all_noise_rules())
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {r["id"] for r in data["rules"]} == set(RULES)
    # the fuzz labels, each with its preconditions
    from apiparity.fuzz.divergences import CATALOG

    assert {line.split()[0] for line in lines if line.startswith("label:")} == {f"label:{e.id}" for e in CATALOG}
    assert all(label["preconditions"] for label in data["labels"])


def test_docs_rules_md_is_generated_and_up_to_date() -> None:
    generated = subprocess.run([sys.executable, "-m", "apiparity.diff.docs"], capture_output=True, text=True, check=True).stdout
    assert (ROOT / "docs" / "rules.md").read_text() == generated, "run: python -m apiparity.diff.docs > docs/rules.md"


def test_every_available_format_renders_a_diff_report(tmp_path: Path) -> None:
    from apiparity.report import available_formats

    old, new = pair_with(tmp_path)
    for fmt in available_formats():
        result = run_cli("diff", old, new, "--format", fmt)
        assert result.exit_code == 1, (fmt, result.stderr)
        assert "request-body-max-length-decreased" in result.stdout, fmt


def test_sarif_results_point_at_lines_of_spec_files(tmp_path: Path) -> None:
    old, new = pair_with(tmp_path)
    result = run_cli("diff", old, new, "--format", "sarif")
    sarif = json.loads(result.stdout)
    located = {r["ruleId"]: r["locations"][0].get("physicalLocation") for r in sarif["runs"][0]["results"]}
    region = located["request-body-max-length-decreased"]
    assert region is not None and region["artifactLocation"]["uri"].endswith("new.yaml")
    lines = Path(new).read_text().splitlines()
    assert "maxLength: 5" in lines[region["region"]["startLine"] - 1]


def test_diff_settings_from_config(tmp_path: Path) -> None:
    """[diff] holds DiffOptions fields (the table `check` reads too); unknown keys are bad input."""
    flask, fastapi = f"{APPS / 'inventory_flask.py'}:app", f"{APPS / 'inventory_fastapi.py'}:app"
    config = tmp_path / "apiparity.toml"
    config.write_text('[diff]\nprofile = "none"\n')
    assert run_cli("diff", flask, fastapi, "--format", "json", "--config", str(config)).exit_code == 1
    config.write_text('[diff]\ndisabled_noise_rules = ["operation-id"]\n')
    result = run_cli("diff", flask, fastapi, "--format", "json", "--config", str(config), "--fail-on", "info")
    assert {c["rule_id"] for c in changes(result)} == {"api-operation-id-changed"}
    config.write_text('[diff]\nfail_on = "info"\n')
    result = run_cli("diff", flask, fastapi, "--format", "json", "--config", str(config))
    assert result.exit_code == 2 and "fail_on" in result.stderr
