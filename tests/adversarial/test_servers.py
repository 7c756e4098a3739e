"""Hostile apps and servers at run time: handlers that raise, hang, lie about JSON, flood, stream
bytes; live servers that refuse, reset, hang, drip-feed, redirect elsewhere or start late."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from tests.adversarial.corpus import APPS, ROOT, assert_no_traceback, assert_one_line_error, case
from tests.adversarial.servers import free_port, http_server, raw_server, read_request, reset, send_json
from tests.conftest import run_cli

OLD = f"{APPS}/runtime_pair.py:old_app"
NEW = f"{APPS}/runtime_pair.py:new_app"
VALID_DOC = json.dumps({
    "openapi": "3.1.0",
    "info": {"title": "live", "version": "1"},
    "paths": {"/ok": {"get": {"responses": {"200": {"description": "ok"}}}}},
}).encode()


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One in-process fuzz run of the well-behaved OLD against the hostile NEW (shared by the rows)."""
    output = tmp_path_factory.mktemp("runtime") / "report.json"
    result = run_cli("fuzz", OLD, NEW, "--timeout", "1", "--phases", "examples", "--seed", "1", "--format", "json", "-o", str(output))
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    report = json.loads(output.read_text())
    # a cause seen on several operations is one group listing them: index it under each
    groups = {o["operation"]: g for g in report["fuzz"]["groups"] for o in g.get("operations") or [{"operation": g["operation"]}]}
    return {"report": report, "groups": groups}


@case("run-handler-raises")
def test_handler_raising_is_a_compared_500(hostile_run: dict) -> None:
    group = hostile_run["groups"]["GET /boom"]
    assert group["kind"] == "status"
    example = group["examples"][0]
    assert (example["old"]["status"], example["new"]["status"]) == (200, 500)


@case("run-handler-hangs")
def test_handler_hanging_is_its_own_timeout_group(hostile_run: dict) -> None:
    group = hostile_run["groups"]["GET /hang"]
    assert group["kind"] == "timeout"
    assert [g["operation"] for g in hostile_run["report"]["fuzz"]["groups"] if g["kind"] == "timeout"] == ["GET /hang"]


@case("run-not-json")
def test_json_that_is_not_json_is_a_body_mismatch(hostile_run: dict) -> None:
    group = hostile_run["groups"]["GET /not-json"]
    assert group["kind"] == "body"
    assert "not JSON" in group["signature"]


@case("run-binary-body")
def test_binary_bodies_are_compared(hostile_run: dict) -> None:
    assert hostile_run["groups"]["GET /binary"]["kind"] == "body"


@case("run-streamed-body")
def test_streamed_bodies_are_read_whole_and_compared(hostile_run: dict) -> None:
    example = next(e for e in hostile_run["groups"]["GET /stream"]["examples"] if e["request"]["path"] == "/stream")
    assert "chunk 3!" in example["new"]["body"] and "chunk 4" in example["new"]["body"]


@case("run-huge-body")
def test_huge_body_read_is_capped_and_reported(hostile_run: dict) -> None:
    group = hostile_run["groups"]["GET /huge"]
    text = json.dumps(group)
    assert len(text) < 2 * 2**20, "the 40 MB body reached the report"
    assert any(word in text.lower() for word in ("cap", "truncat", "larger than")), "the cap is not reported"


@case("run-goes-on")
def test_the_run_goes_on_after_hostile_answers(hostile_run: dict) -> None:
    operations = {o["operation"]: o for o in hostile_run["report"]["fuzz"]["operations"]}
    assert len(operations) == 7 and all(o["cases"] >= 1 for o in operations.values())
    assert operations["GET /ok"]["mismatches"] == 0
    assert "GET /ok" not in hostile_run["groups"]


def _answer_ok_but_reset_not_json(conn) -> None:
    request = read_request(conn)
    path = request.split(b" ")[1].decode() if request else ""
    if path.startswith("/not-json"):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"sta")
        reset(conn)
        return
    body = b'{"status": "fine"}'
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


@case("run-reset-mid-response")
def test_reset_mid_response_is_a_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    output = tmp_path / "report.json"
    with raw_server(_answer_ok_but_reset_not_json) as url:
        result = run_cli("fuzz", OLD, OLD, "--new-url", url, "--include", "/ok", "--include", "/not-json",
                         "--phases", "examples", "--probes", "none", "--timeout", "2", "--format", "json", "-o", str(output))
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    fuzz = json.loads(output.read_text())["fuzz"]
    assert [(g["operation"], g["kind"]) for g in fuzz["groups"]] == [("GET /not-json", "transport")]
    ok = next(o for o in fuzz["operations"] if o["operation"] == "GET /ok")
    assert (ok["cases"] >= 1, ok["mismatches"]) == (True, 0)


@case("run-check-hostile-apps")
def test_check_of_hostile_apps_is_not_ready(tmp_path: Path) -> None:
    json_path, html_path = tmp_path / "check.json", tmp_path / "check.html"
    result = run_cli("check", OLD, NEW, "--phases", "examples", "--timeout", "1", "--seed", "1",
                     "--json", str(json_path), "--html", str(html_path))
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    report = json.loads(json_path.read_text())
    assert report["verdict"]["ready"] is False
    kinds = {g["operation"]: g["kind"] for g in report["fuzz"]["groups"]}
    assert (kinds["GET /boom"], kinds["GET /hang"], kinds["GET /not-json"]) == ("status", "timeout", "body")
    assert "GET /boom" in html_path.read_text()


@case("run-connection-refused")
def test_connection_refused_is_reported_not_a_crash() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("fuzz", OLD, OLD, "--new-url", url, "--include", "/ok", "--phases", "examples", "--timeout", "2")
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code in (1, 2)
    if result.exit_code == 2:
        assert_one_line_error(result.stderr, url)
    else:
        assert "ConnectError" in result.stdout or "cannot connect" in result.stdout.lower()


# ------------------------------------------------------------------ URL targets


def _spec_url(url: str, *extra: str):
    result = run_cli("spec", url, *extra)
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 2, result.stderr
    return result


@case("url-connection-refused")
def test_url_connection_refused() -> None:
    url = f"http://127.0.0.1:{free_port()}/openapi.json"
    result = _spec_url(url)
    assert_one_line_error(result.stderr, url)
    assert "cannot connect" in result.stderr


@case("url-reset-mid-response")
def test_url_reset_mid_response() -> None:
    def partial_then_reset(conn) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"openapi\": ")
        reset(conn)

    with raw_server(partial_then_reset) as base:
        result = _spec_url(f"{base}/openapi.json")
    assert_one_line_error(result.stderr, f"{base}/openapi.json")
    assert "request failed" in result.stderr


@case("url-hangs")
def test_url_that_never_answers() -> None:
    release = threading.Event()

    def hang(conn) -> None:
        read_request(conn)
        release.wait(10)

    with raw_server(hang) as base:
        result = _spec_url(f"{base}/openapi.json", "--load-timeout", "0.5")
        release.set()
    assert_one_line_error(result.stderr, f"{base}/openapi.json")
    assert "no complete answer within 0.5 s" in result.stderr


@case("url-drip-feed")
def test_url_drip_feeding_one_byte_at_a_time() -> None:
    stop = threading.Event()

    def drip(conn) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        while not stop.wait(0.2):
            conn.sendall(b" ")

    with raw_server(drip) as base:
        started = time.monotonic()
        result = _spec_url(f"{base}/openapi.json", "--load-timeout", "1")
        elapsed = time.monotonic() - started
        stop.set()
    assert "no complete answer within 1 s" in result.stderr
    assert elapsed < 10  # a per-read timeout would wait for all 100,000 drips


@case("url-huge-document")
def test_url_streaming_without_end(monkeypatch: pytest.MonkeyPatch) -> None:
    import apiparity.targets.url as url_module

    monkeypatch.setattr(url_module, "MAX_DOCUMENT_BYTES", 2**20)
    stop = threading.Event()

    def flood(conn) -> None:
        read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b" " * 65536
        while not stop.is_set():
            conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    with raw_server(flood) as base:
        result = _spec_url(f"{base}/openapi.json")
        stop.set()
    assert_one_line_error(result.stderr, f"{base}/openapi.json")
    assert "larger than 1 MB" in result.stderr


@case("url-redirect-other-origin")
def test_redirect_to_another_origin_is_not_followed() -> None:
    with http_server(lambda handler: send_json(handler, 200, VALID_DOC)) as elsewhere:
        def redirect(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(302)
            handler.send_header("Location", f"{elsewhere.url}/openapi.json")
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        with http_server(redirect) as first:
            result = _spec_url(f"{first.url}/openapi.json")
        assert elsewhere.hits == []
    assert_one_line_error(result.stderr, f"{first.url}/openapi.json")
    assert f"redirects to {elsewhere.url}/openapi.json, another origin" in result.stderr


@case("url-slow-start")
def test_slow_starting_server_is_waited_for() -> None:
    from apiparity.errors import TargetError
    from apiparity.targets import load_target

    port = free_port()
    with pytest.raises(TargetError, match="cannot connect"):
        load_target(f"http://127.0.0.1:{port}/openapi.json", timeout=1)

    def start_late(ready: threading.Event, done: threading.Event) -> None:
        time.sleep(1)
        import http.server

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                send_json(self, 200, VALID_DOC)

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ready.set()
        done.wait(30)
        server.shutdown()
        server.server_close()

    for attempt in ("loader", "cli"):
        ready, done = threading.Event(), threading.Event()
        thread = threading.Thread(target=start_late, args=(ready, done), daemon=True)
        thread.start()
        try:
            if attempt == "loader":
                target = load_target(f"http://127.0.0.1:{port}/openapi.json", timeout=2, wait_for=10)
                assert target.document["info"]["title"] == "live"
            else:
                result = run_cli("fuzz", f"http://127.0.0.1:{port}/openapi.json", f"http://127.0.0.1:{port}/openapi.json",
                                 "--wait-for", "10", "--phases", "examples", "--timeout", "2")
                assert_no_traceback(result.stdout, result.stderr)
                assert result.exit_code == 0, result.stderr
        finally:
            done.set()
            thread.join(5)
