"""The routing plan: every known path template, sent to NEW (ready) or OLD (anything else).

A route is a path template of OLD's document. It goes to NEW only when every method on it is ready
(`apiparity.history.readiness`); a path that cannot be written safely into a proxy's config
(characters outside RFC 3986's path characters) stays on OLD and says why. Everything not listed
falls through to OLD.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apiparity.errors import ConfigError

PARAMETER = re.compile(r"\{[^{}/]+\}")
# RFC 3986 pchar minus the characters a proxy config quotes or interprets, plus "/"
SAFE_STATIC = re.compile(r"^[A-Za-z0-9\-._~!&'()*+,;=:@%/]*$")


class Side(str, enum.Enum):
    OLD = "old"
    NEW = "new"


class MatchKind(str, enum.Enum):
    EXACT = "exact"  # a path with no parameter
    REGEX = "regex"  # parameters: one segment each ([^/]+)


@dataclass(slots=True, frozen=True)
class Upstream:
    scheme: str
    host: str
    port: int

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.address}"


def parse_upstream(url: str, option: str) -> Upstream:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{option}: {url!r} is not an http(s) URL with a host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"{option}: {url!r} has a path; the plan routes paths as they are (give the service root)")
    if not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]", parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc):
        raise ConfigError(f"{option}: {url!r}: unsupported host")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Upstream(parts.scheme, host, parts.port or (443 if parts.scheme == "https" else 80))


@dataclass(slots=True)
class PlanRoute:
    path: str  # path template, e.g. /books/{book_id}
    side: Side
    methods: list[str]
    blockers: list[str] = field(default_factory=list)  # top causes keeping it on OLD, one line each
    not_ready: list[str] = field(default_factory=list)  # its operations that are not ready

    @property
    def kind(self) -> MatchKind:
        return MatchKind.REGEX if PARAMETER.search(self.path) else MatchKind.EXACT

    @property
    def static_segments(self) -> int:
        return sum(1 for s in self.path.strip("/").split("/") if s and not PARAMETER.search(s))

    def regex(self, *, anchored: bool = True) -> str:
        """One segment per parameter; static text escaped."""
        out, position = [], 0
        for match in PARAMETER.finditer(self.path):
            out.append(re.escape(self.path[position:match.start()]))
            out.append("[^/]+")
            position = match.end()
        out.append(re.escape(self.path[position:]))
        body = "".join(out).replace("\\/", "/")
        return f"^{body}$" if anchored else body


@dataclass(slots=True)
class RoutingPlan:
    old: Upstream
    new: Upstream
    routes: list[PlanRoute]
    source: str  # "history FILE, runs #1..#3, readiness over the last K"
    ready_prefixes: list[str] = field(default_factory=list)
    use_prefixes: bool = False  # --prefixes: one prefix rule per ready prefix instead of its routes

    @property
    def prefix_rules(self) -> list[str]:
        return list(self.ready_prefixes) if self.use_prefixes else []

    def covered(self, route: PlanRoute) -> bool:
        """Is this route sent to NEW by a prefix rule (so it needs no rule of its own)?"""
        return any(route.path == p or route.path.startswith(p + "/") for p in self.prefix_rules)

    def rules(self) -> list[PlanRoute]:
        """The routes that get their own rule, in matching order."""
        return [r for r in self.ordered() if not self.covered(r)]

    def ordered(self) -> list[PlanRoute]:
        """Exact paths first, then parameterized ones, most specific first (more static segments,
        then longer): the order first-match proxies (Envoy, NGINX regex locations) need."""
        exact = sorted((r for r in self.routes if r.kind is MatchKind.EXACT), key=lambda r: r.path)
        regex = sorted((r for r in self.routes if r.kind is MatchKind.REGEX),
                       key=lambda r: (-r.static_segments, -r.path.count("/"), r.path))
        return exact + regex

    @property
    def to_new(self) -> list[PlanRoute]:
        return [r for r in self.ordered() if r.side is Side.NEW]

    @property
    def to_old(self) -> list[PlanRoute]:
        return [r for r in self.ordered() if r.side is Side.OLD]


def writable(path: str) -> bool:
    """Can this template go into a proxy config as it is? (static parts are plain path characters)"""
    return path.startswith("/") and bool(SAFE_STATIC.match(PARAMETER.sub("", path)))
