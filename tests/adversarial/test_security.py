"""Secrets never reach a report or a curl command; hostile text never becomes markup or terminal
control; reports are written whole or not at all; requests go only where the user said."""

from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.adversarial.apps.secrets_pair import ALL_SECRETS, QUERY_SECRETS, SECRETS, SET_COOKIE_SECRET
from tests.adversarial.corpus import APPS, DOCS, ROOT, assert_no_traceback, case
from tests.adversarial.servers import http_server, send_json
from tests.conftest import run_cli

OLD = f"{APPS}/secrets_pair.py:old_app"
NEW = f"{APPS}/secrets_pair.py:new_app"
HEADER_ARGS = [arg for name, value in SECRETS.items() for arg in ("-H", f"{name}: {value}")]
MARKUP = re.compile(r"<script[\s>]|<[a-z]+[^>]*\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _fuzz_report(tmp_path: Path, fmt: str, *extra: str, shows_requests: bool = True) -> str:
    output = tmp_path / f"report.{fmt}"
    result = run_cli("fuzz", OLD, NEW, *HEADER_ARGS, "--include", "/account", "--phases", "examples",
                     "--format", fmt, "-o", str(output), *extra)
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    text = output.read_text()
    # The report must show the request at all, or "no secret" proves nothing (SARIF, for one,
    # only carries findings that point into a spec file).
    if shows_requests:
        assert "/account" in text
    return text + result.stdout + result.stderr


def _assert_no_secret(text: str) -> None:
    leaked = [secret for secret in ALL_SECRETS if secret in text]
    assert leaked == [], f"leaked: {leaked}"


@case("sec-redact-text")
def test_redacted_in_text(tmp_path: Path) -> None:
    _assert_no_secret(_fuzz_report(tmp_path, "text"))


@case("sec-redact-json")
def test_redacted_in_json(tmp_path: Path) -> None:
    text = _fuzz_report(tmp_path, "json")
    _assert_no_secret(text)
    assert "[redacted]" in text


@case("sec-redact-markdown")
def test_redacted_in_markdown(tmp_path: Path) -> None:
    _assert_no_secret(_fuzz_report(tmp_path, "markdown"))


@case("sec-redact-html")
def test_redacted_in_html(tmp_path: Path) -> None:
    _assert_no_secret(_fuzz_report(tmp_path, "html"))


@case("sec-redact-junit")
def test_redacted_in_junit(tmp_path: Path) -> None:
    _assert_no_secret(_fuzz_report(tmp_path, "junit"))


@case("sec-redact-other-formats")
def test_redacted_in_every_other_format(tmp_path: Path) -> None:
    from apiparity.report import available_formats

    others = [fmt for fmt in available_formats() if fmt not in ("text", "json", "markdown", "html", "junit")]
    assert others, "no other formats registered"
    for fmt in others:
        _assert_no_secret(_fuzz_report(tmp_path, fmt, shows_requests=fmt != "sarif"))


@case("sec-redact-set-cookie")
def test_set_cookie_differences_are_redacted(tmp_path: Path) -> None:
    text = _fuzz_report(tmp_path, "text", "--compare-header", "set-cookie")
    assert "set-cookie" in text.lower()
    assert SET_COOKIE_SECRET not in text


@case("sec-redact-curl")
def test_curl_reproducers_are_redacted(tmp_path: Path) -> None:
    text = _fuzz_report(tmp_path, "text")
    # in-process sides are reproduced with a test-client one-liner (no server listens for a curl)
    curls = [line for line in text.splitlines() if "curl " in line or "python -c " in line]
    assert curls, "no reproducer in the report"
    for curl in curls:
        _assert_no_secret(curl)
        assert "[redacted]" in curl


@case("sec-no-redact")
def test_no_redact_shows_the_secrets(tmp_path: Path) -> None:
    text = _fuzz_report(tmp_path, "json", "--no-redact")
    assert QUERY_SECRETS["password"] in text and QUERY_SECRETS["access_token"] in text


@case("sec-html-escapes-document")
def test_html_report_escapes_document_text(tmp_path: Path) -> None:
    output = tmp_path / "diff.html"
    result = run_cli("diff", f"{DOCS}/hostile-html-old.yaml", f"{DOCS}/hostile-html-new.yaml", "--format", "html", "-o", str(output))
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1
    html = output.read_text()
    assert "&lt;script&gt;" in html or "&lt;img" in html, "the hostile text never reached the report"
    assert not MARKUP.search(html), MARKUP.search(html)


@case("sec-html-escapes-bodies")
def test_html_report_escapes_response_bodies(tmp_path: Path) -> None:
    html = _fuzz_report(tmp_path, "html")
    assert "&lt;script&gt;" in html or "\\u003cscript" in html, "the hostile body never reached the report"
    assert not MARKUP.search(html), MARKUP.search(html)


@case("sec-terminal-escapes")
def test_text_report_has_no_raw_escape_characters() -> None:
    result = run_cli("fuzz", OLD, NEW, "--include", "/banner", "--phases", "examples")
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1
    assert "welcome" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


@case("sec-atomic-report")
def test_reports_are_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import apiparity.report as report_module

    path = tmp_path / "report.json"
    path.write_text("previous report\n")
    with pytest.raises(UnicodeEncodeError):
        report_module.write_atomic(path, "half a report \ud800 that cannot be encoded")
    assert path.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]

    # And the commands write -o through it.
    written: list[str] = []
    original = report_module.write_atomic

    def recording(target, text):
        written.append(str(target))
        original(target, text)

    monkeypatch.setattr(report_module, "write_atomic", recording)
    output = tmp_path / "fuzz.json"
    result = run_cli("fuzz", OLD, NEW, "--include", "/account", "--phases", "examples", "--format", "json", "-o", str(output))
    assert result.exit_code == 1, result.stderr
    assert written == [str(output)]


_LIVE_DOC_PATHS = {
    "/ok": {"get": {"responses": {"200": {"description": "ok"}}}},
    "/items": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                        "responses": {"201": {"description": "created"}}}},
}


def _live_api(document: dict):
    body = json.dumps(document).encode()

    def respond(handler: BaseHTTPRequestHandler) -> None:
        if handler.path.startswith("/openapi.json"):
            send_json(handler, 200, body)
        else:
            length = int(handler.headers.get("Content-Length") or 0)
            handler.rfile.read(length)
            send_json(handler, 201 if handler.command == "POST" else 200, b'{"ok": true}')

    return respond


@case("sec-servers-url-ignored")
def test_requests_never_follow_the_documents_servers_entry() -> None:
    with http_server(lambda handler: send_json(handler, 200, b"{}"), host="127.0.0.2") as elsewhere:
        document = {"openapi": "3.1.0", "info": {"title": "live", "version": "1"},
                    "servers": [{"url": elsewhere.url}], "paths": {"/ok": _LIVE_DOC_PATHS["/ok"]}}
        with http_server(_live_api(document)) as api:
            result = run_cli("fuzz", f"{api.url}/openapi.json", f"{api.url}/openapi.json", "--phases", "examples")
        assert elsewhere.hits == []
    assert_no_traceback(result.stdout, result.stderr)
    assert any(hit.startswith("GET /ok") for hit in api.hits), api.hits


@case("sec-unsafe-method-guard")
def test_unsafe_methods_need_allow_unsafe_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    import apiparity.fuzz.sides as sides

    # The server is on loopback (tests never leave it); the guard is told it is not.
    monkeypatch.setattr(sides, "is_loopback", lambda base_url: False)
    document = {"openapi": "3.1.0", "info": {"title": "live", "version": "1"}, "paths": _LIVE_DOC_PATHS}
    with http_server(_live_api(document)) as api:
        guarded = run_cli("fuzz", f"{api.url}/openapi.json", f"{api.url}/openapi.json", "--phases", "examples")
        posts_guarded = [hit for hit in api.hits if hit.startswith("POST")]
        allowed = run_cli("fuzz", f"{api.url}/openapi.json", f"{api.url}/openapi.json", "--phases", "examples", "--allow-unsafe")
        posts_allowed = [hit for hit in api.hits if hit.startswith("POST")]
    assert_no_traceback(guarded.stdout, guarded.stderr, allowed.stdout, allowed.stderr)
    assert posts_guarded == []
    assert any(hit.startswith("GET /ok") for hit in api.hits)
    assert "--allow-unsafe" in guarded.stdout + guarded.stderr
    assert posts_allowed, "with --allow-unsafe the POST is sent (the guard, not the generator, held it back)"


def test_replayed_set_cookie_differences_are_redacted(tmp_path: Path) -> None:
    """Replay shares fuzz's comparison: the redaction of compared cookies must hold there too."""
    traffic = tmp_path / "traffic.jsonl"
    request = {"method": "GET", "path": "/account", "query": [list(item) for item in QUERY_SECRETS.items()], "headers": dict(SECRETS)}
    traffic.write_text(json.dumps(request) + "\n")
    output = tmp_path / "replay.json"
    result = run_cli("replay", str(traffic), OLD, NEW, "--compare-header", "set-cookie", "--format", "json", "-o", str(output))
    assert_no_traceback(result.stdout, result.stderr)
    text = output.read_text()
    assert result.exit_code == 1, result.stderr
    assert "header:set-cookie" in text.lower()  # the cookie difference is reported...
    _assert_no_secret(text + result.stdout + result.stderr)  # ...without the secrets sent or set
