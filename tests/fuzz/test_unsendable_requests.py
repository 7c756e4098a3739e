"""A request the HTTP client cannot put on the wire is not the server's fault (fresh24a item 1).

FastAPI's `HTTPBearer` makes schemathesis generate `Authorization: Bearer ` (an empty token); h11
refuses the trailing space (`LocalProtocolError: Illegal header value`), and a live side counted
it as a transport error on both sides: NOT READY for a server compared with itself. Header values
are now sent as every server reads them (leading and trailing whitespace removed, RFC 9110 5.5);
what the client still refuses is counted apart as not sendable, never a transport error, and the
requests that tested nothing are listed in the report."""

from __future__ import annotations



from apiparity.fuzz.compare import CompareOptions
from apiparity.fuzz.group import Grouper, SideView
from apiparity.fuzz.runner import run_fuzz
from apiparity.fuzz.session import ComparisonSession
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.transports import HTTPTransport
from apiparity.fuzz.wire import WireRequest
from apiparity.model import FuzzResult, Report
from apiparity.report.text import render_text
from apiparity.targets import load_target
from apiparity.verdict import decide
from tests.conftest import ROOT
from tests.live_servers import uvicorn_in_thread
from tests.fuzz.test_transport_errors import _resetting

APPS = ROOT / "tests" / "apps"


def test_a_bearer_app_compared_with_itself_over_http_has_no_transport_error() -> None:
    target = load_target(str(APPS / "bearer_fastapi.py") + ":app")
    with uvicorn_in_thread(target.app) as url:
        result = run_fuzz(target, target, FuzzSettings(old_url=url, new_url=url, max_examples=20, seed=1))
    stats = result.operations[0]
    assert stats.cases > 0
    assert (stats.old_transport_errors, stats.new_transport_errors, stats.unsendable) == (0, 0, 0)
    gates = {g.name: g for g in decide(Report(command="fuzz", fuzz=result)).gates}
    assert gates["no-transport-errors"].passed


def test_a_header_value_the_client_refuses_is_unsendable_not_a_transport_error() -> None:
    target = load_target(str(APPS / "bearer_fastapi.py") + ":app")
    request = WireRequest(method="GET", path="/whoami", headers=[("Authorization", "Bearer a\x00b")], operation="GET /whoami")
    with uvicorn_in_thread(target.app) as url:
        transport = HTTPTransport(url)
        try:
            answer = transport.send(request)
            fine = transport.send(WireRequest(method="GET", path="/whoami", operation="GET /whoami"))
        finally:
            transport.close()
    assert answer.unsendable and not answer.transport_error
    assert fine.status == 401  # the connection pool is still usable
    session = ComparisonSession(options=CompareOptions(), grouper=Grouper(old_side=SideView("http://old"), new_side=SideView("http://new"), redact=True))
    assert session.observe(request, answer, None, answer) == []
    stats = session.operations["GET /whoami"]
    assert (stats.cases, stats.unsendable, stats.old_5xx, stats.new_transport_errors) == (0, 1, 0, 0)
    report = Report(command="fuzz", fuzz=FuzzResult(operations=[stats]))
    assert decide(report).gates and {g.name: g for g in decide(report).gates}["no-transport-errors"].passed
    text = render_text(report)
    assert "\\x00" not in text and "1 case(s) not sent" in text and "GET /whoami [Authorization: Bearer [redacted]] -> OLD: unsendable: illegal header value" in text


def test_requests_both_sides_failed_alike_are_listed_in_the_report() -> None:
    # both sides reset every connection: no mismatch group, yet the report must say which requests
    old = load_target(str(APPS / "divergence_flask.py") + ":app")
    new = load_target(str(APPS / "divergence_fastapi.py") + ":app")
    with _resetting() as old_url, _resetting() as new_url:
        settings = FuzzSettings(old_url=old_url, new_url=new_url, max_examples=1, seed=1, phases=("examples",), probes=(),
                                include=("GET /profile",), timeout=5.0)
        result = run_fuzz(old, new, settings)
    assert not result.groups
    stats = next(s for s in result.operations if s.operation == "GET /profile")
    assert stats.old_transport_errors == stats.new_transport_errors == stats.cases > 0
    assert stats.unanswered and stats.unanswered[0].request.path == "/profile"
    report = Report(command="fuzz", fuzz=result)
    assert "    GET /profile" in render_text(report)
    gate = {g.name: g for g in decide(report).gates}["no-transport-errors"]
    assert any(d.startswith("e.g. GET /profile") and "OLD: transport" in d and "NEW: transport" in d for d in gate.details)
    assert Report.from_dict(report.to_dict()).fuzz.operations[0].unanswered == result.operations[0].unanswered  # type: ignore[union-attr]
