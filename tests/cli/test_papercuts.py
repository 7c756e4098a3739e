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
        refused = run_cli(command, *common)
        assert refused.exit_code == 2 and "pass --allow-remote-refs" in refused.stderr, refused.stderr
        assert remote.hits == []
        allowed = run_cli(command, *common, "--allow-remote-refs")
        assert allowed.exit_code == 0, allowed.stdout + allowed.stderr
        assert any(hit.startswith("GET /schemas.json") for hit in remote.hits)
        assert any(hit.startswith("GET /things") for hit in side.hits)
