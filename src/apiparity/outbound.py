"""Traffic only where the user pointed: the one guard every outgoing HTTP request passes.

A command states the destinations it may reach (`activate(Destinations.of(urls))`): the origins
(scheme, host, port) of the URLs the user gave - URL targets, --old-url/--new-url, reset URLs,
--contract, the shadow's primary/candidate/secondary. Every HTTP client apiparity builds is guarded
(`guard_httpx`), and the libraries it calls get a session that sends nothing
(`RefusingSession`: schemathesis' checks re-send requests on their own during conformance checking,
to a URL they make up). A request anywhere else raises `TrafficRefused` before a connection is made.

With no command running (library use), `current()` allows every destination.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from apiparity.errors import ApiparityError

_DEFAULT_PORTS = {"http": 80, "https": 443}


class TrafficRefused(ApiparityError):
    """A request to a destination the user did not point apiparity at: not sent."""


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) URL; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


@dataclass(frozen=True, slots=True)
class Destinations:
    """Where requests may go: `origins`, or anywhere when `origins` is None."""

    origins: frozenset[tuple[str, str, int]] | None = None

    @classmethod
    def of(cls, texts: Iterable[str | None]) -> Destinations:
        """The origins of every http(s) URL inside `texts` (a URL, or "POST http://host/reset")."""
        found: set[tuple[str, str, int]] = set()
        for text in texts:
            for word in (text or "").split():
                o = origin(word)
                if o is not None:
                    found.add(o)
        return cls(frozenset(found))

    def allows(self, url: str) -> bool:
        if self.origins is None:
            return True
        o = origin(url)
        return o is not None and o in self.origins

    def check(self, url: str, *, who: str = "apiparity") -> None:
        if not self.allows(url):
            shown = ", ".join(f"{s}://{h}:{p}" for s, h, p in sorted(self.origins or ()))
            raise TrafficRefused(f"{who}: refused to send a request to {_origin_text(url)}: "
                                 f"not one of the destinations given ({shown or 'none'})")


def _origin_text(url: str) -> str:
    o = origin(url)
    return f"{o[0]}://{o[1]}:{o[2]}" if o else repr(url[:80])


_active = Destinations()
_lock = threading.Lock()


def current() -> Destinations:
    return _active


def activate(destinations: Destinations) -> Destinations:
    global _active
    with _lock:
        _active = destinations
    return destinations


def reset() -> None:
    """Anywhere again (the CLI calls it when an invocation starts and ends)."""
    activate(Destinations())


def url_problem(url: str) -> str | None:
    """Why an http(s) URL cannot be a destination (a port that is not a TCP port), or None."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return None
    raw = parts.netloc.rpartition("@")[2].rpartition("]")[2]
    text = raw.rpartition(":")[2] if ":" in raw else ""
    try:
        port = parts.port
    except ValueError:
        return f"invalid port {text!r} (a port is a number from 1 to 65535)"
    if port == 0:
        return "invalid port 0 (a port is a number from 1 to 65535)"
    return None


def check_urls(named: Iterable[tuple[str, str | None]]) -> None:
    """ConfigError (exit 2, one line naming the option) for a URL the user gave that no request
    could reach, before anything is sent (it would otherwise read as a refused destination)."""
    from apiparity.errors import ConfigError

    for option, text in named:
        for word in (text or "").split():
            problem = url_problem(word) if word.lower().startswith(("http://", "https://")) else None
            if problem:
                raise ConfigError(f"{option} {word}: {problem}")


REF_LABELS = ("OLD", "NEW", "--contract")
URL_OPTIONS = {"old_url": "--old-url", "new_url": "--new-url", "contract": "--contract"}
RESET_OPTIONS = {"reset": "--reset", "reset_old": "--reset-old", "reset_new": "--reset-new"}


def from_settings(settings: Any, *refs: str | None) -> Destinations:
    """The destinations of a fuzz/check/replay run: the target references and every URL option
    (`refs`: OLD, NEW, then the config's contract); ConfigError for a URL with an impossible port."""
    named: list[tuple[str, str | None]] = [(REF_LABELS[min(i, 2)], ref) for i, ref in enumerate(refs)]
    for key, option in URL_OPTIONS.items():
        value = getattr(settings, key, None)
        named.append((option, value if isinstance(value, str) else None))
    for key, option in RESET_OPTIONS.items():
        named.extend((option, value) for value in getattr(settings, key, None) or ())
    check_urls(named)
    return Destinations.of(text for _, text in named)


def guard_httpx(client: Any, *, who: str) -> Any:
    """Make every request of an httpx Client / AsyncClient pass `current()` (read at send time)."""
    import httpx

    def check(request: httpx.Request) -> None:
        current().check(str(request.url), who=who)

    async def acheck(request: httpx.Request) -> None:
        check(request)

    hooks = client.event_hooks
    hooks.setdefault("request", [])
    hooks["request"].append(acheck if isinstance(client, httpx.AsyncClient) else check)
    client.event_hooks = hooks
    return client


def refusing_session() -> Any:
    """A requests.Session that sends nothing: for libraries that would send on their own."""
    import requests

    class RefusingSession(requests.Session):
        def send(self, request: Any, **kwargs: Any) -> Any:
            raise TrafficRefused(f"a library tried to send {request.method} {_origin_text(str(request.url))}: apiparity sends every "
                                 "request itself, paired, to the sides the user named")

    return RefusingSession()
