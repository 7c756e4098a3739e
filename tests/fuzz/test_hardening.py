"""Fuzz-side hardening: cookie values in header details, body size caps, waiting for live servers."""

from __future__ import annotations

import json

import pytest

from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.redact import REDACTED, redact_shown
from apiparity.fuzz.wire import WireResponse


def with_cookie(value: str) -> WireResponse:
    return WireResponse(status=200, headers=[("Content-Type", "application/json"), ("Set-Cookie", value)], body=b"{}")


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("Set-Cookie", "sid=abc; Path=/; HttpOnly; SameSite=lax", f"sid={REDACTED}; Path=/; HttpOnly; SameSite=lax"),
        ("Set-Cookie", "sid=abc; Expires=Tue, 01 Jan 2030 00:00:00 GMT", f"sid={REDACTED}; Expires=Tue, 01 Jan 2030 00:00:00 GMT"),
        # two cookies folded into one value: the second never shows through an attribute
        ("Set-Cookie", "a=1; Path=/, b=secret; Path=/", f"a={REDACTED}; Path={REDACTED}; Path=/"),
        ("Set-Cookie", "bare-secret", REDACTED),
        ("Cookie", "a=1; b=2", f"a={REDACTED}; b={REDACTED}"),
        ("Authorization", "Bearer t0k", f"Bearer {REDACTED}"),
        ("ETag", '"v1"', '"v1"'),
    ],
)
def test_redact_shown(name: str, value: str, shown: str) -> None:
    assert redact_shown(name, value) == shown


def test_set_cookie_difference_detail_is_redacted_unless_asked() -> None:
    old, new = with_cookie("sid=OLD-SECRET; Path=/"), with_cookie("sid=NEW-SECRET; Path=/api")
    redacted = compare_responses(old, new, CompareOptions(compare_headers=("set-cookie",), redact=True))
    assert [d.field for d in redacted] == ["header:set-cookie"]
    assert "SECRET" not in redacted[0].detail and "Path=/api" in redacted[0].detail
    shown = compare_responses(old, new, CompareOptions(compare_headers=("set-cookie",), redact=False))
    assert "OLD-SECRET" in shown[0].detail and "NEW-SECRET" in shown[0].detail
    # the signature (what groups cases) never depended on the values
    assert redacted[0].signature == shown[0].signature
    json.dumps(redacted[0].detail)
