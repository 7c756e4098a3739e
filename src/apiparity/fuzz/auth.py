"""Authentication per side: each side logs in on its own and gets its own token.

Two ways to say how, both in schemathesis' auth-provider shape (`get(case, context)` fetches the
credentials, `set(case, data, context)` puts them on a request):

- a declarative login flow (config `[fuzz.old_auth]` / `[fuzz.new_auth]`)::

      method = "POST"                 # default POST
      path = "/api/login"             # from the server root, not the base path
      json = { username = "alice", password = "${OLD_PASSWORD}" }   # or form = {...}
      token = "$.token"               # "$.a.b" in the JSON answer, "header:X-Token" or "cookie:session"
      header = "Authorization"        # where later requests carry it (default), with
      prefix = "Bearer "              # this prefix (default "Bearer " for Authorization)
      # cookie = "session"            # ...or as this cookie instead of a header
      refresh_on = [401]              # log in again and resend once when an answer has this status
      after_reset = true              # log in again after each reset of this side (default false)

- a Python hook: `old_auth = "pkg.mod:auth"` (an object, or a class made with no arguments, with
  `get(case, context)` and `set(case, data, context)`). `get` runs before the first case (and again
  on a refresh status) with `case=None`; `context.request(...)` sends to that side only; an
  attribute `after_reset = True` asks for a login after each reset too.

Resets and login: a reset hook runs before every call, and a reset that empties the sessions (or
the users, re-seeded) logs the run out. A side's token is fetched again when an answer carries a
`refresh_on` status (401 by default) and the request is sent once more; with `after_reset = true`
it is fetched again, lazily, after every reset of that side (one login request per call then), for
apps that answer an unknown token with something else than 401 (403, 404, an empty list). A login
that fails during the run is reported in the run's errors once and the request goes on without a
fresh token: the run does not stop.

Secrets come from environment variables only: `${NAME}` anywhere in a flow is read from the
environment when the run starts, and a credential-looking key (password, secret, token, api_key)
holding a literal value is refused, so a config file never carries one.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from apiparity.errors import ConfigError
from apiparity.fuzz.redact import is_sensitive
from apiparity.fuzz.wire import WireRequest, WireResponse

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_FLOW_KEYS = {"method", "path", "json", "form", "headers", "token", "header", "prefix", "cookie", "refresh_on", "after_reset"}


@dataclass(slots=True)
class AuthCase:
    """The request a provider's `set` edits (the parts of schemathesis' Case a provider touches)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class AuthContext:
    """What a provider may use: the side's name and a way to send a request to that side only."""

    side: str
    send: Callable[[str, str, dict[str, Any]], WireResponse]  # (method, path from root, {json|form|headers}) -> answer

    def request(self, method: str, path: str, *, json_body: Any = None, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> WireResponse:
        return self.send(method, path, {"json": json_body, "form": form, "headers": headers or {}})


class LoginFlow:
    """The declarative flow as an auth provider."""

    def __init__(self, side: str, table: dict[str, Any]) -> None:
        unknown = sorted(set(table) - _FLOW_KEYS)
        if unknown:
            raise ConfigError(f"{side}_auth: unknown key {unknown[0]!r} (known: {', '.join(sorted(_FLOW_KEYS))})")
        if not isinstance(table.get("path"), str) or not table["path"].startswith("/"):
            raise ConfigError(f"{side}_auth: `path` must be the login path from the server root, e.g. \"/api/login\"")
        for part in ("json", "form", "headers"):  # what is sent to log in; the flow's own keys name places, not secrets
            _refuse_literal_secrets(side, table.get(part))
        self.side = side
        self.method = str(table.get("method", "POST")).upper()
        self.path = table["path"]
        self.json = table.get("json")
        self.form = table.get("form")
        self.headers = {str(k): str(v) for k, v in (table.get("headers") or {}).items()}
        self.token = str(table.get("token", "$.access_token"))
        self.cookie = table.get("cookie")
        self.header = str(table.get("header", "Authorization"))
        self.prefix = str(table.get("prefix", "Bearer " if self.header.lower() == "authorization" and not self.cookie else ""))
        refresh = table.get("refresh_on", [401])
        self.refresh_on = tuple(int(s) for s in (refresh if isinstance(refresh, list) else [refresh]))
        after_reset = table.get("after_reset", False)
        if not isinstance(after_reset, bool):
            raise ConfigError(f"{side}_auth: `after_reset` must be true or false, not {after_reset!r}")
        self.after_reset = after_reset
        if not (self.token.startswith("$") or self.token.startswith(("header:", "cookie:"))):
            raise ConfigError(f"{side}_auth: `token` must be \"$.field\", \"header:NAME\" or \"cookie:NAME\", not {self.token!r}")

    def get(self, case: AuthCase | None, context: AuthContext) -> str:
        response = context.request(
            self.method, self.path,
            json_body=expand_env(self.json, self.side), form=expand_env(self.form, self.side), headers=expand_env(self.headers, self.side),
        )
        where = f"{self.side} auth: {self.method} {self.path}"
        if response.error:
            raise ConfigError(f"{where} failed: {response.error}")
        if not 200 <= response.status < 300:
            raise ConfigError(f"{where} answered {response.status}; check the credentials in the environment variables it names")
        token = _extract(self.token, response)
        if not token:
            raise ConfigError(f"{where}: no token at {self.token} in the answer")
        return str(token)

    def set(self, case: AuthCase, data: str, context: AuthContext) -> None:
        if self.cookie:
            case.cookies[str(self.cookie)] = data
        else:
            case.headers[self.header] = f"{self.prefix}{data}"


def _extract(where: str, response: WireResponse) -> Any:
    if where.startswith("header:"):
        return response.header(where[len("header:"):])
    if where.startswith("cookie:"):
        name = where[len("cookie:"):]
        for value in response.header_values("set-cookie"):
            key, _, rest = value.partition("=")
            if key.strip() == name:
                return rest.split(";", 1)[0]
        return None
    ok, body = response.json()
    if not ok:
        return None
    node: Any = body
    for part in [p for p in re.split(r"\.|\[(\d+)\]", where.lstrip("$")) if p]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _refuse_literal_secrets(side: str, value: Any, key: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _refuse_literal_secrets(side, v, str(k))
    elif isinstance(value, list):
        for item in value:
            _refuse_literal_secrets(side, item, key)
    elif isinstance(value, str) and key and is_sensitive(key) and not _ENV_REF.fullmatch(value.strip()):
        raise ConfigError(
            f"{side}_auth: `{key}` holds a literal secret; put it in an environment variable and write "
            f"{key} = \"${{{side.upper()}_{re.sub(r'[^A-Za-z0-9]', '_', key).upper()}}}\""
        )


def expand_env(value: Any, side: str) -> Any:
    """`${NAME}` replaced by the environment variable NAME, everywhere in `value`."""
    if isinstance(value, dict):
        return {k: expand_env(v, side) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env(v, side) for v in value]
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"{side} auth: environment variable {name} is not set")
        return os.environ[name]

    return _ENV_REF.sub(lookup, value)


def resolve_provider(side: str, spec: Any, *, app_dir: str | None = None) -> Any:
    """A provider from a config table (login flow) or a "module:object" hook reference."""
    if isinstance(spec, dict):
        return LoginFlow(side, spec)
    if isinstance(spec, str):
        from pathlib import Path

        from apiparity.errors import TargetError
        from apiparity.targets.apps import import_object

        module, sep, attribute = spec.strip().rpartition(":")
        if not sep or not module:
            raise ConfigError(f"{side} auth {spec!r}: expected module:object with get(case, context) and set(case, data, context)")
        try:
            provider = import_object(spec, module=module, attribute=attribute, app_dir=Path(app_dir) if app_dir else None)
        except TargetError as exc:
            raise ConfigError(f"{side} auth hook {exc}") from None
        if isinstance(provider, type):
            provider = provider()
        if not (callable(getattr(provider, "get", None)) and callable(getattr(provider, "set", None))):
            raise ConfigError(f"{side} auth hook {spec}: needs get(case, context) and set(case, data, context)")
        return provider
    raise ConfigError(f"{side} auth: expected a login table or \"module:object\", not {type(spec).__name__}")


class SideAuth:
    """One side's credentials: fetched once, put on every request, fetched again on a refresh status."""

    def __init__(self, side: str, provider: Any, send_raw: Callable[[WireRequest], WireResponse]) -> None:
        self.side = side
        self.provider = provider
        self._send_raw = send_raw
        self._data: Any = None
        self._lock = threading.Lock()
        self.logins = 0
        self.refresh_on: tuple[int, ...] = tuple(getattr(provider, "refresh_on", (401,)))
        self.after_reset = bool(getattr(provider, "after_reset", False))
        self.context = AuthContext(side=side, send=self._login_request)

    def _login_request(self, method: str, path: str, parts: dict[str, Any]) -> WireResponse:
        headers = list((parts.get("headers") or {}).items())
        body: bytes | None = None
        if parts.get("json") is not None:
            body = json.dumps(parts["json"]).encode()
            headers.append(("Content-Type", "application/json"))
        elif parts.get("form") is not None:
            body = urlencode(parts["form"]).encode()
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        path_only, _, query = path.partition("?")
        return self._send_raw(WireRequest(method=method, path=path_only, query=query, headers=headers, body=body,
                                          operation=f"{self.side} auth", absolute=True))

    def login(self) -> None:
        with self._lock:
            self._data = self.provider.get(None, self.context)
            self.logins += 1

    def invalidate(self) -> None:
        """Forget the token: the next request logs in first (after a reset that dropped sessions)."""
        with self._lock:
            self._data = None

    def apply(self, request: WireRequest) -> WireRequest:
        if self._data is None:
            self.login()
        case = AuthCase(request.method, request.path, request.query, dict(request.headers), {})
        self.provider.set(case, self._data, self.context)
        headers = list(case.headers.items())
        if case.cookies:
            cookie = "; ".join(f"{k}={v}" for k, v in case.cookies.items())
            headers = [(k, v) for k, v in headers if k.lower() != "cookie"] + [("Cookie", cookie)]
        return replace(request, headers=headers, path=case.path, query=case.query)

    def needs_refresh(self, response: WireResponse) -> bool:
        return response.status in self.refresh_on
