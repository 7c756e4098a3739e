"""Secrets never reach a report (issue 14, item 5): a secret planted on every vector (a -H value,
Authorization, ?key= / ?sig= / ?api_token=, body fields password / client_secret, the userinfo of
--old-url / --new-url and of a reset URL, an app echoing the headers it got, a token the app hands
out) is searched for in every output of `fuzz` (every format, --record), `check` (every report
file, stdout, stderr, $GITHUB_STEP_SUMMARY), `replay` and `shadow`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.adversarial.apps.secrets_echo import BEARER, BODY, HEADER_KEY, PLANTED, QUERY, RESET_PASSWORD, URL_PASSWORD
from tests.adversarial.corpus import ROOT, assert_no_traceback, case
from tests.conftest import run_cli
from tests.traffic import servers

APP = "tests/adversarial/apps/secrets_echo.py"
HEADERS = ["-H", f"X-Auth-Key: {HEADER_KEY}", "-H", f"Authorization: Bearer {BEARER}"]


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, str]]:
    """OLD and NEW on loopback ports, as `http://user:PASSWORD@127.0.0.1:PORT`."""
    old_port, new_port = servers.free_port(), servers.free_port()
    with servers.uvicorn("tests.adversarial.apps.secrets_echo:old_app", old_port, ROOT), \
            servers.uvicorn("tests.adversarial.apps.secrets_echo:new_app", new_port, ROOT):
        yield (f"http://ann:{URL_PASSWORD}@127.0.0.1:{old_port}", f"http://ann:{URL_PASSWORD}@127.0.0.1:{new_port}")


def _live_args(live: tuple[str, str]) -> list[str]:
    old_url, new_url = live
    reset = old_url.replace(f"ann:{URL_PASSWORD}", f"reset:{RESET_PASSWORD}")
    return ["--old-url", old_url, "--new-url", new_url, "--reset-old", f"POST {reset}/reset", "--reset-new", f"POST {new_url}/reset",
            "--exclude", "/reset", "--phases", "examples", "--max-examples", "3", "--no-auto-reset"]


def leaked(text: str) -> list[str]:
    return [secret for secret in PLANTED if secret in text]


@case("sec-secrets-fuzz-every-format")
def test_fuzz_writes_no_planted_secret_in_any_format(live: tuple[str, str], tmp_path: Path) -> None:
    """One fuzz run (its JSON report, recording, stdout and stderr), then every format rendered from
    that report: what differs between `fuzz --format X` runs is the renderer, the run is the same."""
    from apiparity.report import available_formats

    report, record = tmp_path / "report.json", tmp_path / "cases.jsonl"
    result = run_cli("fuzz", f"{APP}:old_app", f"{APP}:new_app", *HEADERS, *_live_args(live),
                     "--format", "json", "-o", str(report), "--record", str(record))
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    run_output = report.read_text() + record.read_text() + result.stdout + result.stderr
    assert leaked(run_output) == [], leaked(run_output)
    assert "[redacted]" in report.read_text()
    for fmt in available_formats():
        output = tmp_path / f"report.{fmt}"
        rendered = run_cli("report", str(report), "--format", fmt, "-o", str(output))
        assert rendered.exit_code == 0, (fmt, rendered.stderr)
        text = output.read_text()
        if fmt != "sarif":  # SARIF carries only findings that point into a spec file
            assert "/echo" in text and "/login" in text, fmt  # the report shows the requests, or "no secret" proves nothing
        assert leaked(text + rendered.stdout + rendered.stderr) == [], (fmt, leaked(text))
    # the recording still replays: names kept, values redacted
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    echo = next(line for line in lines if line["path"] == "/echo")
    assert dict(echo["query"]) == {"key": "[redacted]", "sig": "[redacted]", "api_token": "[redacted]"}
    login = next(line for line in lines if line["path"] == "/login")
    assert login["body"]["password"] == "[redacted]" and login["body"]["username"] == "ann"


@case("sec-secrets-check-every-output")
def test_check_writes_no_planted_secret_anywhere(live: tuple[str, str], tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    outputs = {name: tmp_path / f"check.{name}" for name in ("html", "markdown", "json", "junit", "sarif")}
    result = run_cli("check", f"{APP}:old_app", f"{APP}:new_app", *HEADERS, *_live_args(live),
                     *[arg for name, path in outputs.items() for arg in (f"--{name}", str(path))],
                     env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    texts = {name: path.read_text() for name, path in outputs.items()}
    assert "/login" in texts["json"]
    everything = "".join(texts.values()) + summary.read_text() + result.stdout + result.stderr
    assert leaked(everything) == []


@case("sec-secrets-replay")
def test_replay_of_a_recording_with_secrets_shows_none(tmp_path: Path) -> None:
    traffic = tmp_path / "traffic.jsonl"
    query = "&".join(f"{k}={v}" for k, v in QUERY.items())
    traffic.write_text("\n".join(json.dumps(line) for line in [
        {"method": "GET", "path": f"/echo?{query}", "headers": {"X-Auth-Key": HEADER_KEY, "Authorization": f"Bearer {BEARER}"}},
        {"method": "POST", "path": "/login", "headers": {"Content-Type": "application/json"}, "body": {"username": "ann", **BODY}},
    ]) + "\n")
    for fmt in ("text", "json", "html"):
        result = run_cli("replay", str(traffic), f"{APP}:old_app", f"{APP}:new_app", "--allow-unsafe", "--format", fmt)
        assert_no_traceback(result.stdout, result.stderr)
        assert result.exit_code == 1, result.stderr
        assert "/login" in result.stdout
        assert leaked(result.stdout + result.stderr) == [], fmt


@case("sec-secrets-shadow")
def test_shadow_report_and_recording_show_no_client_secret(live: tuple[str, str], tmp_path: Path) -> None:
    old_url, new_url = live
    report_path, record_path = tmp_path / "shadow.json", tmp_path / "shadow.jsonl"
    port = servers.free_port()
    with servers.shadow(port, old_url, new_url, "-o", str(report_path), "--record", str(record_path),
                        "--flush-interval", "0.1") as proxy:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            answer = client.get("/echo", params=QUERY, headers={"X-Auth-Key": HEADER_KEY, "Authorization": f"Bearer {BEARER}"})
            client.get("/echo-text", headers={"X-Auth-Key": HEADER_KEY})
        assert answer.status_code == 200 and HEADER_KEY in answer.text  # clients get the primary's answer, untouched
        servers.stop(proxy)
        stderr = proxy.stderr.read() if proxy.stderr else ""
    report = report_path.read_text()
    assert "/echo" in report
    assert leaked(report + record_path.read_text() + stderr) == []


@case("sec-redact-name-option")
def test_redact_name_hides_more_and_no_redact_shows_everything(tmp_path: Path) -> None:
    output = tmp_path / "r.json"
    args = ["fuzz", f"{APP}:old_app", f"{APP}:new_app", *HEADERS, "--include", "GET /echo", "--phases", "examples",
            "--format", "json", "-o", str(output)]
    result = run_cli(*args, "--redact", "V")
    assert result.exit_code == 1, result.stderr
    bodies = [example["new"]["body"] for group in json.loads(output.read_text())["fuzz"]["groups"] for example in group["examples"]]
    assert bodies and all(body["v"] == "[redacted]" for body in bodies)
    result = run_cli(*args, "--no-redact")
    assert result.exit_code == 1, result.stderr
    text = output.read_text()
    assert HEADER_KEY in text and QUERY["sig"] in text and BEARER in text
