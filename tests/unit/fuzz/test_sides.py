"""Side.call: how one request reaches a side (reset, its own headers, its login, one resend when
the token expired), with a fake transport that records what it was sent."""

from __future__ import annotations

from typing import Any

from apiparity.errors import ConfigError
from apiparity.fuzz.auth import SideAuth
from apiparity.fuzz.generate import Credentials
from apiparity.fuzz.sides import Side
from apiparity.fuzz.transports import Transport
from apiparity.fuzz.wire import WireRequest, WireResponse


class FakeTransport(Transport):
    name = "fake"

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.sent: list[WireRequest] = []
        self.statuses = statuses or []

    def send(self, request: WireRequest) -> WireResponse:
        self.sent.append(request)
        return WireResponse(self.statuses.pop(0) if self.statuses else 200)


class TokenProvider:
    """Hands out token-1, token-2, ... (each login a new one); `fail` makes logins fail."""

    def __init__(self) -> None:
        self.issued = 0
        self.fail = False

    def get(self, case: Any, context: Any) -> str:
        if self.fail:
            raise ConfigError("login refused")
        self.issued += 1
        return f"token-{self.issued}"

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers["Authorization"] = f"Bearer {data}"


def _side(transport: FakeTransport, *, headers: dict[str, str] | None = None, provider: TokenProvider | None = None,
          hooks: list[Any] | None = None) -> tuple[Side, list[str]]:
    problems: list[str] = []
    auth = SideAuth("new", provider, transport.send) if provider is not None else None
    side = Side("new", transport, "", hooks or [], headers or {}, False, auth=auth, on_problem=problems.append)
    return side, problems


def _request() -> WireRequest:
    return WireRequest("GET", "/things", headers=[("X-Tenant", "case"), ("Accept", "application/json")], operation="GET /things")


def test_the_sides_headers_replace_the_cases_by_name() -> None:
    transport = FakeTransport()
    side, _ = _side(transport, headers={"x-tenant": "side"})
    sent, answer = side.call(_request())
    assert answer.status == 200 and transport.sent == [sent]
    assert sent.headers == [("Accept", "application/json"), ("x-tenant", "side")]


def test_a_refresh_status_logs_in_again_and_resends_once() -> None:
    transport = FakeTransport([401, 200])
    provider = TokenProvider()
    side, problems = _side(transport, provider=provider)
    sent, answer = side.call(_request())
    assert answer.status == 200 and provider.issued == 2 and problems == []
    assert [r.header("Authorization") for r in transport.sent] == ["Bearer token-1", "Bearer token-2"]
    assert sent.header("Authorization") == "Bearer token-2"


def test_without_credentials_leaves_the_login_and_the_sides_own_credential_headers_off() -> None:
    transport = FakeTransport()
    side, _ = _side(transport, headers={"X-Api-Key": "k", "X-Tenant": "side"}, provider=TokenProvider())
    sent, _ = side.call(_request(), without=Credentials(headers=frozenset({"x-api-key", "authorization"})))
    assert sent.header("Authorization") is None and sent.header("X-Api-Key") is None and sent.header("X-Tenant") == "side"


def test_a_login_that_fails_mid_run_is_a_problem_and_the_request_still_goes() -> None:
    transport = FakeTransport()
    provider = TokenProvider()
    provider.fail = True
    side, problems = _side(transport, provider=provider)
    sent, answer = side.call(_request())
    assert answer.status == 200 and sent.header("Authorization") is None
    assert problems == ["NEW login during the run failed: login refused"]


def test_reset_runs_the_hooks_before_the_call_unless_told_not_to() -> None:
    calls: list[str] = []
    transport = FakeTransport()
    side, _ = _side(transport, hooks=[lambda: calls.append("reset")])
    side.call(_request())
    side.call(_request(), reset=False)
    assert calls == ["reset"] and len(transport.sent) == 2
