"""What a new user trips over first (issue 14): bad option values answered with one line and exit 2
before anything is sent, the same loading policy on every command, and quiet / stderr notes that
match between `check` and `fuzz`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adversarial.servers import http_server, send_json
from tests.conftest import ROOT, run_cli

LEGACY = str(ROOT / "examples" / "bookstore" / "legacy_app.py") + ":app"
MODERN = str(ROOT / "examples" / "bookstore" / "modern_app.py") + ":app"


def one_line_error(result: object) -> str:
    assert result.exit_code == 2, result.stdout + result.stderr  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    return lines[0]


# ------------------------------------------------------------------------------- URLs with a bad port


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--new-url", "http://127.0.0.1:99999"), "--new-url http://127.0.0.1:99999: invalid port '99999'"),
        (("--old-url", "http://127.0.0.1:http"), "--old-url http://127.0.0.1:http: invalid port 'http'"),
        (("--reset-new", "POST http://127.0.0.1:0/reset"), "--reset-new http://127.0.0.1:0/reset: invalid port 0"),
    ],
)
@pytest.mark.parametrize("command", ["check", "fuzz", "replay"])
def test_a_url_option_with_an_impossible_port_is_one_line_naming_option_and_port(
        command: str, args: tuple[str, ...], expected: str, tmp_path: Path) -> None:
    traffic = tmp_path / "t.jsonl"
    traffic.write_text('{"method": "GET", "path": "/health", "headers": {}}\n')
    head = ("replay", str(traffic)) if command == "replay" else (command,)
    result = run_cli(*head, LEGACY, MODERN, *args, "--max-examples", "1") if command != "replay" else run_cli(*head, LEGACY, MODERN, *args)
    line = one_line_error(result)
    assert expected in line and "destinations" not in line


def test_a_url_target_with_an_impossible_port_is_named() -> None:
    line = one_line_error(run_cli("check", LEGACY, "http://127.0.0.1:99999"))
    assert line.startswith("error: NEW http://127.0.0.1:99999: invalid port '99999'")


# ----------------------------------------------------------------------------- fuzz --allow-remote-refs


def _document_with_remote_ref(url: str) -> str:
    return json.dumps({
        "openapi": "3.1.0",
        "info": {"title": "refs", "version": "1"},
        "paths": {"/things": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": f"{url}/schemas.json#/Thing"}}}}}}}},
    })


@pytest.mark.parametrize("command", ["fuzz", "check"])
def test_allow_remote_refs_is_accepted_like_diff(command: str, tmp_path: Path) -> None:
    thing = json.dumps({"Thing": {"type": "object"}}).encode()
    with http_server(lambda handler: send_json(handler, 200, b"{}")) as side, \
            http_server(lambda handler: send_json(handler, 200, thing)) as remote:
        path = tmp_path / "remote.json"
        path.write_text(_document_with_remote_ref(remote.url))
        common = (str(path), str(path), "--old-url", side.url, "--new-url", side.url, "--phases", "examples", "--no-progress")
        if command == "check":
            common += ("--latency-factor", "0")  # one server for both sides: its latency is the machine's
        refused = run_cli(command, *common)
        assert refused.exit_code == 2 and "pass --allow-remote-refs" in refused.stderr, refused.stderr
        assert remote.hits == []
        allowed = run_cli(command, *common, "--allow-remote-refs")
        assert allowed.exit_code == 0, allowed.stdout + allowed.stderr
        assert any(hit.startswith("GET /schemas.json") for hit in remote.hits)
        assert any(hit.startswith("GET /things") for hit in side.hits)


# --------------------------------------------------------------------- check and fuzz say the same things

SMALL = ("--include", "GET /health", "--phases", "examples", "--max-examples", "1", "--min-operations-share", "0", "--no-progress")


def test_check_announces_the_automatic_reset_like_fuzz(tmp_path: Path) -> None:
    check = run_cli("check", LEGACY, MODERN, *SMALL)
    fuzz = run_cli("fuzz", LEGACY, MODERN, *[a for a in SMALL if a not in ("--min-operations-share", "0")])
    for result in (check, fuzz):
        assert result.exit_code == 0, result.stdout + result.stderr
        assert "legacy_app.py:reset before every call to OLD (pass --reset, or --no-auto-reset)" in result.stderr
        assert "modern_app.py:reset before every call to NEW" in result.stderr
    quiet = run_cli("check", LEGACY, MODERN, *SMALL, "--no-auto-reset")
    assert "before every call" not in quiet.stderr


def test_fuzz_quiet_prints_only_the_outcome_line(tmp_path: Path) -> None:
    args = [a for a in SMALL if a not in ("--min-operations-share", "0")]
    result = run_cli("fuzz", LEGACY, MODERN, *args, "-q", "-o", str(tmp_path / "r.json"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "NO MISMATCHES\n"
    assert json.loads((tmp_path / "r.json").read_text())["command"] == "fuzz"
    assert run_cli("fuzz", LEGACY, MODERN, *args, "--quiet").stdout == "NO MISMATCHES\n"


@pytest.mark.parametrize("command", ["check", "fuzz"])
def test_max_examples_zero_is_refused_in_one_line(command: str) -> None:
    line = one_line_error(run_cli(command, LEGACY, MODERN, "--max-examples", "0"))
    assert line.startswith("error: --max-examples 0: give at least 1")


def test_max_examples_zero_in_the_config_is_refused_too(tmp_path: Path) -> None:
    (tmp_path / "apiparity.toml").write_text("[fuzz]\nmax_examples = 0\n")
    line = one_line_error(run_cli("fuzz", LEGACY, MODERN, "--config", str(tmp_path / "apiparity.toml")))
    assert "[fuzz] max_examples = 0" in line


# --------------------------------------------------------------------------------- invalid documents

GOOD = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\npaths:\n  /x:\n    get:\n      responses: {"200": {description: ok}}\n'
INVALID = 'openapi: 3.0.3\ninfo: {title: t}\npaths:\n  /x:\n    get:\n      responses: {"200": {description: ok}}\n'


def test_diff_warns_about_an_invalid_document_and_lists_its_problems(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "invalid.yaml").write_text(INVALID)
    result = run_cli("diff", str(tmp_path / "good.yaml"), str(tmp_path / "invalid.yaml"), "--format", "json")
    warning = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1 and "NEW" in warning[0] and "invalid.yaml: not a valid OpenAPI document" in warning[0]
    assert "version' is a required property" in warning[0].replace('"', "'")  # validators quote either way
    report = json.loads(result.stdout)
    assert any("version" in p for p in report["new"]["validation_errors"]) and report["old"]["validation_errors"] == []
    clean = run_cli("diff", str(tmp_path / "good.yaml"), str(tmp_path / "good.yaml"))
    assert clean.exit_code == 0 and "warning" not in clean.stderr


def test_check_on_a_document_that_does_not_load_says_no_report_was_written(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.3\ninfo: [\n")
    (tmp_path / "good.yaml").write_text(GOOD)
    out = tmp_path / "r.json"
    line = one_line_error(run_cli("check", str(tmp_path / "broken.yaml"), str(tmp_path / "good.yaml"), "--json", str(out)))
    assert "broken.yaml" in line and line.endswith(f"(no report written: {out})")
    assert not out.exists()
    # without a report option the error stays as it was
    assert "no report written" not in run_cli("check", str(tmp_path / "broken.yaml"), str(tmp_path / "good.yaml")).stderr


def test_check_on_a_document_that_loads_but_is_invalid_writes_its_report(tmp_path: Path) -> None:
    (tmp_path / "invalid.yaml").write_text(INVALID)
    (tmp_path / "good.yaml").write_text(GOOD)
    out = tmp_path / "r.json"
    with http_server(lambda handler: send_json(handler, 200, b"{}")) as side:
        result = run_cli("check", str(tmp_path / "good.yaml"), str(tmp_path / "invalid.yaml"), "--json", str(out),
                         "--old-url", side.url, "--new-url", side.url, "--phases", "examples", "--no-progress")
    assert result.exit_code == 1, result.stdout + result.stderr
    report = json.loads(out.read_text())
    gate = next(g for g in report["verdict"]["gates"] if g["name"] == "valid-documents")
    assert gate["status"] == "failed" and "valid-documents" in report["verdict"]["decided_by"]


# ----------------------------------------------------------------------------------------------- plan


@pytest.mark.parametrize("urls", [(), ("--old-url", "http://127.0.0.1:5000")])
def test_plan_config_format_without_urls_is_the_error_alone(urls: tuple[str, ...], tmp_path: Path) -> None:
    result = run_cli("plan", "--format", "nginx", *urls, "--history", str(tmp_path / "h.sqlite"))
    line = one_line_error(result)
    assert "--old-url and --new-url" in line and result.stdout == ""


# ---------------------------------------------------------------------------------------- HTML header


def test_an_inferred_skeleton_shows_no_placeholder_version() -> None:
    from apiparity.commands._common import side_info
    from apiparity.model import Report, SideInfo
    from apiparity.report import render
    from apiparity.targets import load_target

    skeleton = load_target(str(ROOT / "tests" / "pairs" / "notes" / "legacy.py") + ":app")
    assert skeleton.inferred and skeleton.document["info"]["version"] == "0"
    info = side_info(skeleton)
    assert info.version is None and info.inferred
    # a report written before (version "0" stored) renders without it too
    old = SideInfo("legacy.py:app", "flask", "wsgi", inferred=True, title="legacy (inferred from url_map)", version="0")
    new = SideInfo("modern.py:app", "fastapi", "asgi", title="Notes", version="2.1")
    page = render(Report(command="diff", old=old, new=new), "html")
    assert "(inferred from url_map) 0" not in page
    assert "legacy (inferred from url_map) · inferred</span>" in page
    assert "Notes 2.1" in page


def test_fuzz_that_sent_no_case_does_not_exit_0(tmp_path: Path) -> None:
    """Every operation's cases failed to generate (here: no case can satisfy the parameter schema):
    nothing was compared, so the run must not read as "no mismatch"."""
    document = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/x/{id}": {"get": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 5, "maximum": 1}}],
            "responses": {"200": {"description": "ok"}}}}},
    }
    path = tmp_path / "impossible.json"
    path.write_text(json.dumps(document))
    with http_server(lambda handler: send_json(handler, 200, b"{}")) as side:
        result = run_cli("fuzz", str(path), str(path), "--old-url", side.url, "--new-url", side.url, "--no-progress",
                         "--probes", "none", "--phases", "examples,fuzzing", "--max-examples", "2")
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "fuzz: no case was sent to any of the 1 operation(s): nothing was compared" in result.stderr
    assert result.stdout.startswith("apiparity differential fuzz: NOTHING COMPARED")
    assert side.hits == []


def test_diff_validates_a_large_document_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema validator takes minutes on documents of tens of thousands of operations: above the
    bound a note says the document was not validated, and --validate still validates it."""
    import apiparity.commands.diff as diff_command

    monkeypatch.setattr(diff_command, "VALIDATE_MAX_OPERATIONS", 0)
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "invalid.yaml").write_text(INVALID)
    skipped = run_cli("diff", str(tmp_path / "good.yaml"), str(tmp_path / "invalid.yaml"))
    assert "not validated against the OpenAPI schema (1 operations; pass --validate to)" in skipped.stderr
    assert "warning" not in skipped.stderr
    asked = run_cli("diff", str(tmp_path / "good.yaml"), str(tmp_path / "invalid.yaml"), "--validate")
    assert "invalid.yaml: not a valid OpenAPI document" in asked.stderr
    assert "invalid.yaml: not a valid OpenAPI document" not in run_cli(
        "diff", str(tmp_path / "good.yaml"), str(tmp_path / "invalid.yaml"), "--no-validate").stderr
