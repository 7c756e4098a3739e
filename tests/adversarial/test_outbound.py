"""Traffic only where the user pointed (issue 14, item 3): every connection the process opens
during a run goes to OLD's or NEW's own port. schemathesis' `not_a_server_error` re-sends a request
on its own when a content-type probe got a 5xx; it went to http://localhost:80 (the URL the
conformance check made up), and a document's `servers` entry names another loopback listener."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from apiparity.outbound import Destinations, TrafficRefused
from tests.adversarial.corpus import ROOT, assert_no_traceback, case
from tests.adversarial.servers import http_server, send_json
from tests.conftest import run_cli
from tests.traffic import servers

_CONNECTS: list[Any] = []
_RECORDING: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _RECORDING and event == "socket.connect":
        _CONNECTS.append(args[1])


sys.addaudithook(_audit)  # hooks cannot be removed; it records only while _RECORDING is set


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def canary() -> Iterator[Any]:
    with http_server(lambda handler: send_json(handler, 200, b"{}")) as recorded:
        yield recorded


@pytest.fixture(scope="module")
def live(canary: Any) -> Iterator[tuple[int, int]]:
    old_port, new_port = servers.free_port(), servers.free_port()
    saved = os.environ.get("CANARY_URL")
    os.environ["CANARY_URL"] = canary.url
    try:
        with servers.uvicorn("tests.adversarial.apps.content_type_500:old_app", old_port, ROOT), \
                servers.uvicorn("tests.adversarial.apps.content_type_500:new_app", new_port, ROOT):
            yield old_port, new_port
    finally:
        if saved is None:
            os.environ.pop("CANARY_URL", None)
        else:
            os.environ["CANARY_URL"] = saved


@case("sec-outbound-conformance-follow-up")
def test_conformance_checks_send_nothing_of_their_own(live: tuple[int, int], canary: Any) -> None:
    old_port, new_port = live
    _CONNECTS.clear()
    _RECORDING.append(True)
    try:
        result = run_cli("fuzz", f"http://127.0.0.1:{old_port}/openapi.json", f"http://127.0.0.1:{new_port}/openapi.json",
                         "--phases", "coverage", "--mode", "all", "--allow-unsafe", "--format", "json", "--seed", "1")
    finally:
        _RECORDING.clear()
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    ports = {address[1] for address in _CONNECTS if isinstance(address, tuple)}
    assert ports and ports <= {old_port, new_port}, sorted(ports)
    assert canary.hits == []
    # the answers were still judged: the 500 of the undeclared Content-Type is a conformance issue
    assert '"not_a_server_error"' in result.stdout
    assert "check-error" not in result.stdout and "ConnectionError" not in result.stdout


@case("sec-outbound-guard")
def test_the_guard_refuses_every_other_destination() -> None:
    import httpx

    from apiparity import outbound

    destinations = Destinations.of(["http://127.0.0.1:5000/openapi.json", "POST http://user:pw@localhost:8000/reset"])
    assert destinations.allows("http://127.0.0.1:5000/books?x=1") and destinations.allows("http://localhost:8000/")
    for elsewhere in ("http://localhost/", "http://127.0.0.1:5001/", "https://127.0.0.1:5000/", "http://127.0.0.2:5000/", "file:///etc/passwd"):
        assert not destinations.allows(elsewhere), elsewhere
    with http_server(lambda handler: send_json(handler, 200, b"{}")) as other:
        outbound.activate(destinations)
        try:
            client = outbound.guard_httpx(httpx.Client(), who="test")
            with pytest.raises(TrafficRefused, match="not one of the destinations"):
                client.get(other.url + "/anything")
            with pytest.raises(TrafficRefused):
                outbound.refusing_session().get(other.url)
        finally:
            outbound.reset()
        assert other.hits == []
