"""Secrets never reach a report or a curl command: header values whose names are credentials are
replaced (unless the user passes --no-redact)."""

from __future__ import annotations

import re

REDACTED = "[redacted]"
_SENSITIVE_NAMES = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
_SENSITIVE_PARTS = re.compile(r"token|secret|password|passwd|api[-_]?key|session", re.IGNORECASE)


def is_sensitive(name: str) -> bool:
    return name.lower() in _SENSITIVE_NAMES or bool(_SENSITIVE_PARTS.search(name))


def redact_value(name: str, value: str) -> str:
    if not is_sensitive(name):
        return value
    if name.lower() in ("authorization", "proxy-authorization") and " " in value:
        scheme = value.split(" ", 1)[0]
        return f"{scheme} {REDACTED}"  # keep the scheme: "Bearer" vs "Basic" matters when debugging
    return REDACTED


_COOKIE_ATTRIBUTES = {"path", "domain", "expires", "max-age", "secure", "httponly", "samesite", "partitioned", "priority"}


def redact_shown(name: str, value: str) -> str:
    """A header value as a comparison detail shows it: cookie names and Set-Cookie attributes stay
    (a changed `Path` or `SameSite` is what the reader needs to see), every cookie value goes."""
    lowered = name.lower()
    if lowered not in ("set-cookie", "cookie"):
        return redact_value(name, value)
    parts = []
    for index, part in enumerate(value.split(";")):
        key, sep, rest = part.partition("=")
        attribute = lowered == "set-cookie" and index > 0 and key.strip().lower() in _COOKIE_ATTRIBUTES
        if attribute and "=" not in rest:
            parts.append(part)  # Expires dates, Path=/ ...: no secret, and no second cookie folded in
        elif sep:
            parts.append(f"{key}={REDACTED}")
        else:
            parts.append(part if attribute or not part.strip() else REDACTED)
    return ";".join(parts)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: redact_value(name, value) for name, value in headers.items()}


def redact_pairs(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, redact_value(name, value)) for name, value in headers]


def redact_query(query: str) -> str:
    """Redact sensitive query parameters (?api_key=..., ?token=...) in a raw query string."""
    if not query:
        return query
    parts = []
    for item in query.split("&"):
        name, sep, value = item.partition("=")
        parts.append(f"{name}{sep}{REDACTED}" if sep and is_sensitive(name) else item)
    return "&".join(parts)
