"""The shadow proxy with real servers on 127.0.0.1: legacy bookstore (waitress) as primary, the
regressed port (uvicorn) as candidate, then a candidate that hangs and one that is down. Clients
always get the primary's answer, unchanged; mismatches and candidate failures land in the report."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from apiparity.report.json_format import read_report
from apiparity.traffic import read_traffic
from tests.conftest import EXAMPLES, ROOT
from tests.traffic import servers

BOOKSTORE = EXAMPLES / "bookstore"
PATHS = ["/books", "/books?page=2&per_page=5", "/orders", "/orders/99", "/books/1", "/health", "/books?perPage=3", "/nope"]


@pytest.fixture(scope="module")
def primary():
    port = servers.free_port()
    with servers.waitress("legacy_app:app", port, BOOKSTORE):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def candidate():
    port = servers.free_port()
    with servers.uvicorn("regressed_app:app", port, BOOKSTORE):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def hanging():
    port = servers.free_port()
    with servers.uvicorn("tests.traffic.apps:hanging_app", port, ROOT):
        yield f"http://127.0.0.1:{port}"


def _through_proxy_and_direct(proxy: str, primary: str, paths: list[str]) -> list[tuple[float, httpx.Response, httpx.Response]]:
    with httpx.Client(timeout=10) as client:
        out = []
        for path in paths:
            started = time.perf_counter()
            proxied = client.get(proxy + path)
            elapsed = time.perf_counter() - started
            out.append((elapsed, proxied, client.get(primary + path)))
        return out


def _assert_primary_answers(pairs) -> None:
    for _, proxied, direct in pairs:
        assert (proxied.status_code, proxied.content) == (direct.status_code, direct.content)
        assert proxied.headers.get("content-type") == direct.headers.get("content-type")


def _final_report(process, path):
    servers.stop(process)
    assert process.returncode == 0, process.stderr.read()
    return read_report(str(path))


def test_primary_answers_unchanged_and_mismatches_recorded(primary, candidate, tmp_path):
    report_path, record_path = tmp_path / "shadow.json", tmp_path / "traffic.jsonl"
    port = servers.free_port()
    with servers.shadow(port, primary, candidate, "-o", str(report_path), "--record", str(record_path),
                        "--flush-interval", "0.1") as proxy:
        pairs = _through_proxy_and_direct(f"http://127.0.0.1:{port}", primary, PATHS)
        with httpx.Client() as client:  # an unsafe request is proxied but never mirrored
            created = client.post(f"http://127.0.0.1:{port}/authors", json={"name": "Shadow"})
        report = _final_report(proxy, report_path)
    _assert_primary_answers(pairs)
    assert created.status_code == 201
    assert report.command == "shadow" and report.complete
    shadow = report.extras["shadow"]
    assert (shadow["requests"], shadow["mirrored"], shadow["compared"], shadow["not_mirrored"]) == (9, 8, 8, 1)
    assert shadow["candidate_errors"] == shadow["candidate_timeouts"] == shadow["dropped"] == 0
    found = {(g.operation, g.signature) for g in report.fuzz.groups}
    assert found >= {
        ("GET /books", "body $.per_page value changed + body $.items[*] missing in NEW"),  # R7: 10 books a page, not 20
        ("GET /books", "body $.items[*] elements changed"),  # R10: page 2 starts one book late
        ("GET /orders", "order $ list order changed"),  # R8
        ("GET /orders/{order_id}", "body $ value changed"),  # R9
        ("GET /books/{book_id}", "body $.isbn missing in NEW"),  # R5
    }
    # /health, /nope and the perPage spelling answer alike; everything else is one of the above
    assert {operation for operation, _ in found} == {"GET /books", "GET /orders", "GET /orders/{order_id}", "GET /books/{book_id}"}
    assert {u["path"] for u in report.extras["undocumented_traffic"]} == {"/books", "/nope"}
    recorded = read_traffic(record_path)
    assert [(r.method, r.target) for r in recorded.requests] == [("GET", p) for p in PATHS] + [("POST", "/authors")]
    # yesterday's shadow traffic, replayed in CI against the in-process apps, finds the same regressions
    from tests.conftest import run_cli

    replay_path = tmp_path / "replay.json"
    replayed = run_cli("replay", str(record_path), str(BOOKSTORE / "legacy_app.py") + ":app",
                       str(BOOKSTORE / "regressed_app.py") + ":app", "--format", "json", "-o", str(replay_path))
    assert replayed.exit_code == 1
    replay_groups = {g["operation"] for g in json.loads(replay_path.read_text())["fuzz"]["groups"]}
    assert replay_groups == {operation for operation, _ in found} | {"POST /authors"}  # R6: replay may send POSTs in-process


def test_candidate_that_hangs_never_slows_the_primary_path(primary, hanging, tmp_path):
    report_path = tmp_path / "shadow.json"
    port = servers.free_port()
    candidate_timeout = 4.0  # far above a proxied answer's time even on a busy machine
    with servers.shadow(port, primary, hanging, "-o", str(report_path), "--candidate-timeout", str(candidate_timeout),
                        "--workers", "2") as proxy:
        pairs = _through_proxy_and_direct(f"http://127.0.0.1:{port}", primary, PATHS[:4])
        time.sleep(candidate_timeout + 0.5)  # let the mirrored calls time out before the report is written
        report = _final_report(proxy, report_path)
    _assert_primary_answers(pairs)
    # mirroring in the request path would have cost the candidate's whole timeout per request
    assert max(elapsed for elapsed, _, _ in pairs) < candidate_timeout - 0.5
    shadow = report.extras["shadow"]
    assert shadow["mirrored"] == 4 and shadow["candidate_timeouts"] >= 2
    assert shadow["candidate_timeouts"] + shadow["unfinished"] == 4
    assert {g.kind for g in report.fuzz.groups} == {"timeout"}
    assert all(g.signature == "timeout on NEW" for g in report.fuzz.groups)


def test_candidate_that_is_down_is_counted_not_propagated(primary, tmp_path):
    report_path = tmp_path / "shadow.json"
    down = f"http://127.0.0.1:{servers.free_port()}"
    port = servers.free_port()
    with servers.shadow(port, primary, down, "-o", str(report_path)) as proxy:
        pairs = _through_proxy_and_direct(f"http://127.0.0.1:{port}", primary, PATHS)
        report = _final_report(proxy, report_path)
    _assert_primary_answers(pairs)
    shadow = report.extras["shadow"]
    assert shadow["candidate_errors"] == shadow["compared"] == len(PATHS)
    assert {(g.kind, g.signature) for g in report.fuzz.groups} == {("transport", "transport on NEW")}
    assert any("never shown to clients" in e for e in report.fuzz.errors)


def test_bad_options_are_one_line_errors(primary):
    from tests.conftest import run_cli

    unsafe = run_cli("shadow", "--listen", "127.0.0.1:0", "--primary", primary, "--candidate", primary, "--methods", "GET,POST")
    assert unsafe.exit_code == 2 and "pass --allow-unsafe" in unsafe.stderr
    listen = run_cli("shadow", "--listen", "nowhere", "--primary", primary, "--candidate", primary)
    assert listen.exit_code == 2 and "expected HOST:PORT" in listen.stderr
    with servers.socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        busy = run_cli("shadow", "--listen", f"127.0.0.1:{taken.getsockname()[1]}", "--primary", primary, "--candidate", primary)
    assert busy.exit_code == 2 and "cannot listen" in busy.stderr


def test_shadow_report_reads_back_and_renders(primary, candidate, tmp_path):
    """The report file is the report model: `check --baseline`/`merge`'s reader and every renderer take it."""
    from apiparity.report import render

    report_path = tmp_path / "shadow.json"
    port = servers.free_port()
    with servers.shadow(port, primary, candidate, "-o", str(report_path)) as proxy:
        _through_proxy_and_direct(f"http://127.0.0.1:{port}", primary, ["/orders"])
        report = _final_report(proxy, report_path)
    assert json.loads(report_path.read_text())["schema_version"]
    for fmt in ("text", "markdown", "html", "junit"):
        assert "GET /orders" in render(report, fmt)


def test_secondary_primary_cancels_noise_like_fuzz(tmp_path):
    """--secondary (a second OLD): a field that differs between primary and secondary is noise."""
    ports = [servers.free_port() for _ in range(3)]
    with servers.waitress("tests.traffic.apps:flask_app", ports[0], ROOT), \
            servers.waitress("tests.traffic.apps:flask_app", ports[1], ROOT), \
            servers.uvicorn("tests.traffic.apps:fastapi_app", ports[2], ROOT):
        primary, secondary, candidate = (f"http://127.0.0.1:{p}" for p in ports)
        found = {}
        for name, extra in (("with", ["--secondary", secondary]), ("without", [])):
            report_path, port = tmp_path / f"{name}.json", servers.free_port()
            with servers.shadow(port, primary, candidate, "-o", str(report_path), "--workers", "1", *extra) as proxy:
                with httpx.Client(timeout=10) as client:
                    for item in (1, 2, 3):
                        assert client.get(f"http://127.0.0.1:{port}/items/{item}").status_code == 200
                found[name] = _final_report(proxy, report_path)
    # a plain Flask primary serves no document: operations are path shapes
    assert [(g.operation, g.signature) for g in found["with"].fuzz.groups] == [("GET /items/{n}", "body $.name value changed")]
    assert [(n.field_path, n.count) for n in found["with"].fuzz.noise] == [("$.served_at", 3)]
    # without it $.served_at differs in every case: the cases with it alone are a subset of the one
    # that also changed $.name, one group named by the larger set
    assert [(g.signature, g.count) for g in found["without"].fuzz.groups] == [
        ("body $.name value changed + body $.served_at value changed", 3)]


def test_candidate_that_dies_mid_run_exits_2_with_the_report_marked_incomplete(primary, tmp_path):
    """The command prints the pipeline's outcome: a side that answered at the start and is gone at
    the stop is a run that could not complete (exit 2, one error line, the report marked incomplete)."""
    report_path = tmp_path / "shadow.json"
    port, candidate_port = servers.free_port(), servers.free_port()
    with servers.uvicorn("regressed_app:app", candidate_port, BOOKSTORE) as candidate:
        with servers.shadow(port, primary, f"http://127.0.0.1:{candidate_port}", "-o", str(report_path)) as proxy:
            _through_proxy_and_direct(f"http://127.0.0.1:{port}", primary, ["/orders"])
            servers.stop(candidate)  # NEW dies while the proxy runs
            pairs = _through_proxy_and_direct(f"http://127.0.0.1:{port}", primary, ["/books/1"])
            servers.stop(proxy)
    _assert_primary_answers(pairs)  # clients never see it
    stderr = proxy.stderr.read()
    assert proxy.returncode == 2, stderr
    assert f"error: the run could not complete (side-died): NEW (candidate) http://127.0.0.1:{candidate_port} stopped" in stderr
    report = read_report(str(report_path))
    assert not report.complete and report.incomplete.cause == "side-died"
    assert report.extras["shadow"]["requests"] == 2
