"""Findings point at code: each operation's handler (Flask view_functions, FastAPI route.endpoint)
located by file and line, relative to the repository root, in SARIF results and GitHub annotations.
Every SARIF log here is also validated against the official 2.1.0 schema (tests/conftest.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from apiparity.model import Report
from apiparity.report import links, render
from apiparity.targets.handlers import handler_locations, operation_key
from tests.conftest import ROOT, run_cli
from tests.sarif_schema import sarif_errors
from tests.scenario import Scenarios, bookstore_check

APPS = Path(__file__).parent / "apps"
LEGACY, REGRESSED = f"{APPS / 'parity_legacy.py'}:app", f"{APPS / 'parity_regressed.py'}:app"
FAST = ("--max-examples", "3", "--phases", "examples,coverage", "--seed", "3")


def _source_line(file: str, line: int) -> str:
    return (ROOT / file).read_text(encoding="utf-8").splitlines()[line - 1]


def test_handlers_of_flask_openapi3_fastapi_and_plain_flask_apps() -> None:
    from tests.apps import small_apps

    for app, key, function in (
        (small_apps.openapi3_app, "GET /items/{item_id}", "get_item"),
        (small_apps.fastapi_app, "GET /items/{item_id}", "fastapi_get_item"),
        (small_apps.plain_flask_app, "PUT /users/{user_id}", "user"),
    ):
        found = handler_locations(app, root=ROOT)
        location = found[operation_key(*key.split(" ", 1))]
        assert location.file == "tests/apps/small_apps.py" and location.function == function
        # the first line of the handler's source: its decorator (inspect.getsourcelines)
        assert _source_line(location.file, location.line).startswith("@"), location
        assert f"def {function}(" in _source_line(location.file, location.line + 1)
        # framework routes (docs pages, the served document) are not the user's code
        assert all(not loc.file.startswith((".venv", "/")) for loc in found.values()), found


def test_a_method_view_is_located_at_its_method() -> None:
    from flask import Flask
    from flask.views import MethodView

    class Notes(MethodView):
        def get(self) -> dict[str, str]:
            return {}

        def post(self) -> dict[str, str]:
            return {}

    app = Flask(__name__)
    app.add_url_rule("/notes", view_func=Notes.as_view("notes"))
    found = handler_locations(app, root=ROOT)
    assert found["GET /notes"].function.endswith("Notes.get") and found["POST /notes"].function.endswith("Notes.post")
    assert "def post(" in _source_line(found["POST /notes"].file, found["POST /notes"].line)


@pytest.fixture
def regressed_run(scenarios: Scenarios) -> tuple[dict, Report, str]:
    """The bookstore example's regressed port (the acceptance case): its `check --sarif --json`."""
    run = bookstore_check(scenarios, "regressed")
    assert run.exit_code == 1, run.stderr
    return json.loads(run.text("sarif")), run.report(), run.stdout


@pytest.mark.scenario("bookstore")
def test_regressed_bookstore_sarif_places_spec_changes_and_mismatch_groups_at_handlers(regressed_run: tuple[dict, Report, str]) -> None:
    sarif, report, _ = regressed_run
    assert not sarif_errors(sarif)
    run = sarif["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"
    results = run["results"]
    spec = [r for r in results if "/" not in r["ruleId"]]
    groups = [r for r in results if r["ruleId"].startswith("mismatch/")]
    assert len(spec) == len(report.diff.changes) and len(groups) == len(report.fuzz.groups) > 0
    assert any(r["ruleId"].startswith("conformance/") for r in results)
    for result in spec + groups:
        physical = result["locations"][0].get("physicalLocation")
        assert physical is not None, result["message"]["text"]
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and artifact["uri"].startswith("examples/bookstore/"), artifact
        assert (ROOT / artifact["uri"]).is_file()
    # a group on an operation both sides have points at NEW's handler, where the fix goes
    group = next(g for g in report.fuzz.groups if not g.operation.startswith("DELETE /authors"))
    result = next(r for r in groups if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == group.operation)
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "examples/bookstore/regressed_app.py"
    source = _source_line(physical["artifactLocation"]["uri"], physical["region"]["startLine"])
    method, path = group.operation.split(" ", 1)
    assert method.lower() in source.lower() and re.sub(r"\{[^}]*\}", "", path).split("/")[1] in source, source
    # rules carry their own documentation, not the first finding's message
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    from apiparity.diff.registry import RULES

    for change in report.diff.changes:
        assert RULES[change.rule_id].description in rules[change.rule_id]["fullDescription"]["text"]


@pytest.mark.scenario("bookstore")
def test_github_annotations_carry_file_and_line_with_the_verdict_first(regressed_run: tuple[dict, Report, str]) -> None:
    _, report, _ = regressed_run
    lines = render(report, "github").splitlines()
    assert lines[0].startswith("::error title=apiparity verdict::NOT READY")
    assert lines[1].startswith("::error title=gate ")
    placed = [line for line in lines if ",file=examples/bookstore/" in line]
    assert placed and all(re.search(r",file=examples/bookstore/\w+\.py,line=\d+::", line) for line in placed)
    assert any(line.startswith("::error title=mismatch ") and ",file=" in line for line in lines)
    for level in ("error", "warning", "notice"):
        assert sum(1 for line in lines if line.startswith(f"::{level} ")) <= 10
    if len(report.diff.changes) + len(report.fuzz.groups) + len(report.fuzz.conformance) > 20:
        assert lines[-1].startswith("::notice title=apiparity%3A more findings::")


def test_annotations_are_capped_per_level_with_a_notice() -> None:
    from apiparity.report.github import cap_annotations, command

    head = [command("error", "NOT READY", title="apiparity verdict")]
    lines = [command("error", f"e{i}") for i in range(15)] + [command("notice", f"n{i}") for i in range(12)]
    out = cap_annotations(head, lines)
    assert out[0] == head[0]
    assert sum(line.startswith("::error") for line in out) == 10
    assert sum(line.startswith("::notice") for line in out) == 10  # 9 + the note on what was left out
    assert out[-1].startswith("::notice title=apiparity%3A more findings::6 errors, 3 notices more not annotated")


def test_fuzz_format_sarif_writes_its_results(tmp_path: Path) -> None:
    result = run_cli("fuzz", LEGACY, REGRESSED, *FAST, "--format", "sarif", "-o", str(tmp_path / "f.sarif"))
    assert result.exit_code == 1, result.stderr
    sarif = json.loads((tmp_path / "f.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"].split("/")[0] for r in results} >= {"mismatch"}
    for result_ in results:
        if result_["ruleId"].startswith("mismatch/"):
            artifact = result_["locations"][0]["physicalLocation"]["artifactLocation"]
            assert artifact["uri"] == "tests/ecosystem/apps/parity_regressed.py"


def test_diff_github_annotations_use_relative_files_with_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec_dir = tmp_path / "repo"
    spec_dir.mkdir()
    old = spec_dir / "old.yaml"
    new = spec_dir / "new.yaml"
    old.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n")
    new.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")
    monkeypatch.chdir(spec_dir)
    monkeypatch.setenv("APIPARITY_SOURCE_ROOT", str(spec_dir))
    result = run_cli("diff", str(old), str(new), "--format", "github")
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if "api-path-removed" in line)
    assert ",file=old.yaml,line=5::" in line, line  # the `get:` under `/a:`


def test_help_links_are_real_anchors(monkeypatch: pytest.MonkeyPatch) -> None:
    """helpUri anchors are GitHub heading slugs of headings that exist; with no repository known,
    no link is written at all (never one to a page that does not exist)."""
    from apiparity.diff.registry import all_rules
    from tests.report.sample_reports import check_report

    def anchors(file: str) -> set[str]:
        text = (ROOT / file).read_text(encoding="utf-8")
        return {links.slug(line) for line in text.splitlines() if line.startswith("#")}

    assert {links.slug(rule.family) for rule in all_rules()} <= anchors(links.RULES_DOC)
    assert {links.FUZZ_ANCHOR[1], links.EVENT_LOOP_ANCHOR[1]} <= anchors(links.README)

    monkeypatch.delenv("APIPARITY_REPOSITORY_URL", raising=False)
    monkeypatch.setattr(links, "_metadata_url", lambda: None)
    plain = json.loads(render(check_report(), "sarif"))["runs"][0]["tool"]["driver"]
    assert "informationUri" not in plain and not any("helpUri" in rule for rule in plain["rules"])

    monkeypatch.setenv("APIPARITY_REPOSITORY_URL", "https://github.com/acme/apiparity")
    monkeypatch.setenv("APIPARITY_DOCS_REF", "v1")
    from apiparity.model import Change

    report = check_report()
    report.diff.changes.append(Change("request-body-property-removed", "breaking", "m", "GET", "/a", "response"))
    driver = json.loads(render(report, "sarif"))["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://github.com/acme/apiparity"
    helps = {rule["id"]: rule["helpUri"] for rule in driver["rules"]}
    assert helps["request-body-property-removed"] == "https://github.com/acme/apiparity/blob/v1/docs/rules.md#schemas"
    assert all(uri.startswith("https://github.com/acme/apiparity/blob/v1/") for uri in helps.values())
