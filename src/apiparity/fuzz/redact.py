"""Header and query redaction as the fuzz engine calls it: thin names over the one policy in
`apiparity.redact` (the running command's, see `apiparity.redact.current`)."""

from __future__ import annotations

from apiparity.redact import REDACTED, current

__all__ = ["REDACTED", "is_sensitive", "redact_headers", "redact_pairs", "redact_query", "redact_shown", "redact_value"]


def is_sensitive(name: str) -> bool:
    return current().is_sensitive(name)


def redact_value(name: str, value: str) -> str:
    return current().header(name, value)


def redact_shown(name: str, value: str) -> str:
    """A header value as a comparison detail shows it (cookie names and attributes kept)."""
    return current().header(name, value)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return current().headers(headers)


def redact_pairs(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return current().pairs(headers)


def redact_query(query: str) -> str:
    """Redact sensitive query parameters (?api_key=..., ?token=...) in a raw query string."""
    return current().query(query)
