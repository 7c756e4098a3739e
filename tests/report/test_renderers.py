"""Every renderer over hand-built reports: the important content is there, hostile text is inert."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from apiparity.model import Report
from apiparity.report import FORMATS, available_formats, render, write_atomic
from apiparity.report.text import render_text
from tests.report.sample_reports import (
    ALL_REPORTS,
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    check_report,
    diff_report,
    empty_check_report,
    fuzz_report,
)

HERE = Path(__file__).parent


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", sorted(ALL_REPORTS))
def test_every_format_renders_every_report(fmt: str, name: str) -> None:
    text = render(ALL_REPORTS[name](), fmt)
    assert isinstance(text, str) and text.strip()


def test_every_declared_format_has_a_renderer() -> None:
    assert available_formats() == list(FORMATS)


def test_formats_are_found_by_scanning_the_package() -> None:
    """No hand list: every module of apiparity.report with a top-level render() is a format (named
    after it, `_format` dropped), no other module is, and check/merge/[reports] take each but text."""
    import importlib
    import pkgutil

    import apiparity.report as package
    from apiparity.commands.check import REPORT_OPTIONS
    from apiparity.report import file_formats

    renderers = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if callable(getattr(module, "render", None)):
            renderers[info.name.removesuffix("_format")] = module.__name__
    assert FORMATS == renderers
    assert {"text", "json", "yaml", "markdown", "html", "junit", "github", "sarif"} <= set(FORMATS)
    assert list(FORMATS)[0] == "text" and REPORT_OPTIONS == file_formats() == tuple(f for f in FORMATS if f != "text")


def test_reading_the_format_registry_imports_no_renderer_nor_the_report_model() -> None:
    """`check --help` builds its --<format> FILE options from the registry: that stays a read of the
    package's source, not an import of every renderer (or of the report model they need)."""
    import subprocess
    import sys

    code = ("import sys, apiparity.commands.check as c; "
            "print(sorted(m for m in sys.modules if m == 'apiparity.model' or m.startswith('apiparity.report.')), len(c.REPORT_OPTIONS))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[:1] == ["[]"] and int(out[-1]) >= 7


def test_a_renderer_module_dropped_into_the_package_becomes_a_format(tmp_path: Path, monkeypatch) -> None:
    import apiparity.report as package
    from apiparity.report import discover_formats

    (tmp_path / "zz_plain.py").write_text("def render(report):\n    return 'plain'\n")
    (tmp_path / "zz_helper.py").write_text("def render_row(row):\n    return row\n")  # a helper, no render()
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    found = discover_formats()
    assert found["zz_plain"] == "apiparity.report.zz_plain" and "zz_helper" not in found


def test_config_reports_take_every_file_format(tmp_path: Path) -> None:
    from apiparity.config import load_settings
    from apiparity.errors import ConfigError

    (tmp_path / "apiparity.toml").write_text('[reports]\nyaml = "r.yaml"\ngithub = "r.txt"\n')
    assert load_settings(str(tmp_path / "apiparity.toml")).reports == {"yaml": "r.yaml", "github": "r.txt"}
    (tmp_path / "apiparity.toml").write_text('[reports]\ntext = "r.txt"\n')
    with pytest.raises(ConfigError, match="unknown report format"):
        load_settings(str(tmp_path / "apiparity.toml"))


# ---------------------------------------------------------------------------------------- text


def test_text_groups_changes_by_operation_with_severity_summary_and_noise() -> None:
    text = render_text(diff_report(), color=False)
    assert "\x1b[" not in text
    lines = text.splitlines()
    header = lines.index("  GET /books/{book_id}")
    assert "breaking" in lines[header + 1] and "response-property-removed" in lines[header + 1]
    assert "2 breaking, 1 warning, 2 info, 1 waived" in text
    # counts of one rule over several noise entries are added up, biggest first
    assert "ignored as framework noise: flask-fastapi/operation-id 26, flask-fastapi/422-shape 20" in text
    assert "renamed path: /books/{id} -> /books/{book_id}" in text
    assert "waiver used (1x): operation-removed DELETE /legacy" in text
    assert "waiver expired (0x)" in text
    assert HOSTILE_SCRIPT in text  # shown literally, not eaten as rich markup


def test_text_is_coloured_only_when_asked() -> None:
    assert "\x1b[" in render_text(check_report(), color=True)
    assert "\x1b[" not in render_text(check_report(), color=False)


def test_text_fuzz_section_shows_groups_side_by_side_with_curl() -> None:
    text = render_text(fuzz_report(), color=False)
    assert "57 cases, 3/4 operations reached (75%), seed 42" in text
    assert "POST /books status 400 != 422 (5x)" in text
    assert "known divergence validation-status" in text
    assert "fix: Add a RequestValidationError handler" in text
    side_by_side = [line for line in text.splitlines() if " | " in line and "400" in line and "422" in line]
    assert side_by_side, "OLD and NEW status on one line"
    assert "curl OLD: curl -X GET 'http://old.test" in text and "curl NEW: curl -X GET 'http://new.test" in text
    assert "waived: GET /books | header content-type differs (2x)" in text
    assert "GET /books $.generated_at (9x)" in text
    assert "not exercised DELETE /legacy" in text


def test_text_verdict_shows_each_gate_with_threshold_measured_result() -> None:
    text = render_text(check_report(), color=False)
    assert text.splitlines()[0] == "apiparity cutover readiness: NOT READY"
    row = next(line for line in text.splitlines() if "Every OLD operation exercised" in line)
    assert ">= 100% with >= 1 case" in row and "75% (3/4)" in row and "FAIL" in row
    assert "READY" in render_text(empty_check_report()).splitlines()[0]


def test_incomplete_report_says_so_everywhere() -> None:
    report = check_report()
    report.complete = False
    assert "INCOMPLETE" in render_text(report)
    assert "INCOMPLETE" in render(report, "markdown")
    assert "INCOMPLETE" in render(report, "html")


# ---------------------------------------------------------------------------------------- markdown


def test_markdown_tables_escape_hostile_text() -> None:
    md = render(check_report(), "markdown")
    outside_code = re.sub(r"(`{3,})[a-z]*\n.*?\n\1\n", "", md, flags=re.S)  # code blocks show text literally
    assert "<script" not in outside_code and "<img" not in outside_code
    assert "&lt;script&gt;" in md
    # a pipe in a message must not split the table row
    row = next(line for line in md.splitlines() if "response-status-added" in line and line.startswith("|"))
    assert "409 \\| conflict" in row
    assert row.count(" | ") == 3


def test_markdown_has_gates_operations_and_groups() -> None:
    md = render(check_report(), "markdown")
    assert "**NOT READY**" in md
    assert "| Every OLD operation exercised | &gt;= 100% with &gt;= 1 case | 75% (3/4) | ❌ **FAIL** |" in md
    assert "| `GET /books/{book_id}` | 1 | 0 | 20 | 1 | 12 | ❌ |" in md
    assert "### `POST /books`: status 400 != 422 (5×)" in md
    assert "curl -X GET 'http://new.test/books/1?q=%3Cscript%3E'" in md


def test_markdown_code_fence_outlives_backticks_in_bodies() -> None:
    report = fuzz_report()
    report.fuzz.groups[0].examples[0].new.body = "```\n# not a heading\n````"
    md = render(report, "markdown")
    assert "`````\n200\n```\n# not a heading\n````\n`````" in md


# ---------------------------------------------------------------------------------------- html


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_html_is_self_contained_and_escapes_everything() -> None:
    html = render(check_report(), "html")
    parsed = parse_html(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "link" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert not re.search(r"(src|href)=\"https?:", html), "no network resource"
    text = "".join(parsed.text)
    assert HOSTILE_SCRIPT in text and HOSTILE_IMG in text  # shown as text
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_html_has_banner_gates_matrix_chart_changes_groups_and_curl() -> None:
    html = render(check_report(), "html")
    assert 'class="banner bad"' in html and "NOT READY" in html
    assert 'id="gates"' in html and "operations-exercised" in html and "75% (3/4)" in html
    assert 'id="operations"' in html and "<code>GET /books/{book_id}</code>" in html
    assert "<svg" in html and "<rect" in html
    assert "response-property-removed" in html
    assert "status 400 != 422" in html and 'class="side-by-side"' in html
    assert '<pre class="curl">curl -X GET &#39;http://old.test/books/1?q=%3Cscript%3E&#39;</pre>' in html
    assert "@media (max-width: 700px)" in html and 'name="viewport"' in html
    ready = render(empty_check_report(), "html")
    assert 'class="banner ok"' in ready and "READY" in ready


def test_html_for_diff_and_fuzz_reports_skips_missing_sections() -> None:
    diff_html = render(diff_report(), "html")
    assert 'id="mismatches"' not in diff_html and 'id="changes"' in diff_html
    fuzz_html = render(fuzz_report(), "html")
    assert 'id="changes"' not in fuzz_html and 'id="mismatches"' in fuzz_html


# ---------------------------------------------------------------------------------------- junit


def test_junit_check_has_one_suite_per_operation_plus_gates() -> None:
    root = ET.fromstring(render(check_report(), "junit"))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert {"gates", "GET /books", "POST /books", "GET /books/{book_id}", "DELETE /legacy"} <= set(suites)
    failing = suites["GET /books/{book_id}"]
    failures = {case.get("name"): case.find("failure") for case in failing.iter("testcase")}
    assert failures["spec diff"] is not None and "response-property-removed" in failures["spec diff"].get("message")
    assert failures["differential fuzz"] is not None and "body $.isbn missing in NEW" in failures["differential fuzz"].get("message")
    assert failures["conformance"] is not None
    skipped = [case for case in suites["DELETE /legacy"].iter("testcase") if case.find("skipped") is not None]
    assert skipped and "writes not enabled" in skipped[0].find("skipped").get("message")
    assert int(root.get("tests")) > int(root.get("skipped")) > 0
    assert int(root.get("failures")) == sum(1 for _ in root.iter("failure"))


def test_junit_diff_has_one_case_per_operation() -> None:
    root = ET.fromstring(render(diff_report(), "junit"))
    names = [case.get("name") for case in root.iter("testcase")]
    assert names == ["GET /books", "POST /books", "GET /books/{book_id}", "DELETE /legacy", "(document)"]
    assert len(list(root.iter("failure"))) == 2  # the waived removal is not a failure


def test_junit_never_reads_green_when_nothing_was_exercised() -> None:
    report = fuzz_report()
    for stats in report.fuzz.operations:
        stats.cases = 0
    report.fuzz.groups = []
    report.fuzz.conformance = []
    root = ET.fromstring(render(report, "junit"))
    assert int(root.get("failures")) >= 1
    assert "no operation was exercised" in render(report, "junit")


def test_junit_strips_control_characters() -> None:
    report = fuzz_report()
    report.fuzz.groups[0].signature = "body \x00\x1b[31m differs"
    text = render(report, "junit")
    ET.fromstring(text)  # parses: no invalid XML characters
    assert "\x00" not in text and "\x1b" not in text
    assert "differs" in text, "the signature is stripped of its control characters, not dropped"


# ---------------------------------------------------------------------------------------- github


def test_github_annotations_are_escaped_one_per_line() -> None:
    out = render(check_report(), "github").splitlines()
    assert all(line.startswith(("::error", "::warning", "::notice")) for line in out)
    assert any(line.startswith("::error title=response-property-removed GET /books/{book_id}::") for line in out)
    assert any(line.startswith("::warning title=response-status-added POST /books::") for line in out)
    assert not any("operation-removed" in line for line in out), "waived change is not annotated"
    group = next(line for line in out if "mismatch POST /books" in line)
    assert "%0A" in group and "\n" not in group
    # the verdict and failing gates come first: GitHub drops annotations past 10 per level
    assert out[0].startswith("::error title=apiparity verdict::NOT READY")


# ---------------------------------------------------------------------------------------- sarif


def _sarif_validator():
    from tests.sarif_schema import validator

    return validator()


def test_sarif_is_valid_and_has_a_rule_per_id() -> None:
    document = json.loads(render(check_report(), "sarif"))
    errors = list(_sarif_validator().iter_errors(document))
    assert not errors, [e.message for e in errors]
    run = document["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    # the six spec rules, plus the mismatch groups and conformance causes of the fuzz
    assert len([r for r in rule_ids if "/" not in r]) == 6
    assert {r.split("/")[0] for r in rule_ids if "/" in r} == {"mismatch", "conformance"}
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    waived = [r for r in run["results"] if r["ruleId"] == "operation-removed"]
    assert waived[0]["suppressions"][0]["justification"].startswith("retired on purpose")
    assert {r["level"] for r in run["results"]} == {"error", "warning", "note"}


def test_the_official_schema_rejects_what_sarif_forbids() -> None:
    document = json.loads(render(check_report(), "sarif"))
    document["runs"][0]["results"][0]["level"] = "breaking"
    assert list(_sarif_validator().iter_errors(document))


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_sarif_points_at_the_line_of_the_pointer(tmp_path: Path, suffix: str) -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/books": {"get": {"parameters": [{"name": "sort", "in": "query"}], "responses": {"200": {"description": "ok"}}}},
            "/books/{book_id}": {"get": {"responses": {"200": {"description": "ok"}}}},
        },
    }
    spec = tmp_path / f"new{suffix}"
    spec.write_text(yaml.safe_dump(document, sort_keys=False) if suffix == ".yaml" else json.dumps(document, indent=2))
    report = check_report()
    report.extras["new_source_file"] = str(spec)
    report.extras["old_source_file"] = str(spec)
    sarif = json.loads(render(report, "sarif"))
    assert not list(_sarif_validator().iter_errors(sarif))
    lines = spec.read_text().splitlines()
    located = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in sarif["runs"][0]["results"] if "physicalLocation" in r["locations"][0]}
    enum_line = located["request-parameter-enum-value-removed"]["region"]["startLine"]
    # /paths/~1books/get/parameters/0 starts at "- name: sort" in YAML, at the "{" before it in JSON
    assert "sort" in " ".join(lines[enum_line - 1 : enum_line + 1])
    assert "parameters" in lines[enum_line - 2] or "parameters" in lines[enum_line - 1]
    response_line = located["response-property-removed"]["region"]["startLine"]
    assert "200" in lines[response_line - 1]
    assert lines[:response_line].count("/books/{book_id}" if suffix == ".yaml" else '"/books/{book_id}"') or any(
        "/books/{book_id}" in line for line in lines[:response_line]
    )
    assert located["response-property-removed"]["artifactLocation"]["uri"].endswith(f"new{suffix}")


# ---------------------------------------------------------------------------------------- json / yaml


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_structured_formats_round_trip(fmt: str) -> None:
    report = check_report()
    text = render(report, fmt)
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    assert Report.from_dict(data) == report


def test_write_atomic_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    write_atomic(target, render(check_report(), "html"))
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_text_shows_control_characters_as_visible_escapes() -> None:
    report = fuzz_report()
    report.fuzz.groups[0].examples[0].new.body = "welcome\x1b[2J\x1b]0;owned\x07\r done"
    report.fuzz.groups[0].signature = "body \x1b[31mred"
    text = render_text(report, color=False)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "welcome\\x1b[2J" in text and "body \\x1b[31mred" in text


def test_write_atomic_gives_the_umask_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.json").stat().st_mode) == 0o644
