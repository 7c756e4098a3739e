"""One side of a comparison as every case source uses it: its transport (`fuzz/transports`), base
path, reset hooks, headers (`-H`, `--old-header`/`--new-header`), credentials and the unsafe-method
guard, and `Side.call` - how one request reaches it (reset, its own headers, its login, one resend
when the token expired).

`fuzz`, `replay` and `check` open both sides with `open_side`; `shadow` builds its live sides from
the same transports. (Not to be confused with `apiparity.sides`, which starts side processes.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from apiparity.errors import ConfigError
from apiparity.fuzz.auth import SideAuth, resolve_provider
from apiparity.fuzz.curl import placeholder_url
from apiparity.fuzz.generate import Credentials, document_base_path
from apiparity.fuzz.reset import auto_reset_hook, call_hooks, resolve_hooks
from apiparity.fuzz.settings import FuzzSettings
from apiparity.fuzz.transports import ASGITransport, HTTPTransport, Transport, WSGITransport, is_loopback
from apiparity.fuzz.wire import WireRequest, WireResponse

__all__ = ["Side", "auth_label", "open_side", "with_headers"]


def _ignore(_problem: str) -> None:
    return None


@dataclass(slots=True)
class Side:
    name: str  # "old" | "new"
    transport: Transport
    base_path: str
    hooks: list[Callable[[], object]]
    headers: dict[str, str]
    unsafe_refused: bool  # a non-loopback live server, or a live server with no reset, without --allow-unsafe
    auto_reset: str | None = None  # "file.py:reset" found next to the app and used
    auth: SideAuth | None = None
    isolation: str = ""  # how this side's state is kept apart between cases, as the report states it
    unsafe_reason: str = ""
    # where a problem met during the run goes (a reset hook that failed, a login that no longer
    # works): the case source lists it in its result's errors; the run goes on
    on_problem: Callable[[str], None] = field(default=_ignore, repr=False)

    def reset(self) -> None:
        """Run the side's reset hooks (a failure is a problem, not the end of the run)."""
        if self.hooks:
            problem = call_hooks(self.hooks, self.name)
            if problem:
                self.on_problem(problem)
            if self.auth is not None and self.auth.after_reset:
                self.auth.invalidate()

    def call(self, request: WireRequest, *, reset: bool = True, without: Credentials | None = None) -> tuple[WireRequest, WireResponse]:
        """Send `request` with the side's own headers and credentials: (what was sent, the answer).
        `without`: the side's own credentials (its login, its -H) are left off too."""
        if reset:
            self.reset()
        headers = self.headers
        if without is not None:
            headers = {k: v for k, v in headers.items() if k.lower() not in without.headers and not (without.cookies and k.lower() == "cookie")}
        if headers:
            request = with_headers(request, headers)
        if self.auth is None or without is not None:
            return request, self.transport.send(request)
        try:
            sent = self.auth.apply(request)  # logs in first when the token was dropped (after_reset)
        except ConfigError as exc:
            self._auth_problem(exc)
            return request, self.transport.send(request)
        response = self.transport.send(sent)
        if self.auth.needs_refresh(response):
            try:
                self.auth.login()  # the token expired or was revoked: log in again and resend once
            except ConfigError as exc:
                self._auth_problem(exc)
                return sent, response
            sent = self.auth.apply(request)
            response = self.transport.send(sent)
        return sent, response

    def _auth_problem(self, exc: ConfigError) -> None:
        """A login that fails during the run (a reset emptied the users): said once, the run goes on."""
        self.on_problem(f"{self.name.upper()} login during the run failed: {exc}")

    def close(self) -> None:
        self.transport.close()


def open_side(name: str, target: Any, settings: FuzzSettings) -> Side:
    """Side `name` ("old"/"new") of `target` as `settings` set it up: a live URL (--{name}-url or a
    served target) over HTTP, else the in-process app; ConfigError when there is nothing to call."""
    url = settings.old_url if name == "old" else settings.new_url
    explicit_base = settings.old_base_path if name == "old" else settings.new_base_path
    base_path = explicit_base if explicit_base is not None else document_base_path(target.document)
    transport: Transport
    cap = settings.max_body_bytes
    if url:
        transport = HTTPTransport(url, base_path=base_path, timeout=settings.timeout, workers=settings.workers, max_body_bytes=cap)
    elif target.interface == "wsgi":
        transport = WSGITransport(target.app, base_path=base_path, timeout=settings.timeout, max_body_bytes=cap)
    elif target.interface == "asgi":
        transport = ASGITransport(target.app, base_path=base_path, timeout=settings.timeout, max_body_bytes=cap)
    elif target.interface == "http":
        # a server apiparity started (--{name}-python, --{name}-cmd) is gone after the run: its reproducers say so
        shown = placeholder_url(name, f"{name.upper()} listened on a temporary port during the run only: "
                                      f"serve it and set APIPARITY_{name.upper()}_URL to its URL") if target.process is not None else None
        transport = HTTPTransport(target.base_url, base_path=base_path, timeout=settings.timeout, workers=settings.workers,
                                  max_body_bytes=cap, shown_url=shown)
    else:
        raise ConfigError(
            f"{target.ref}: a spec file has no app to send requests to; name the app (module:app) "
            f"or pass --{name}-url http://host:port"
        )
    if isinstance(transport, HTTPTransport):
        if explicit_base is not None:
            transport.base_path = explicit_base  # --{side}-base-path wins over a prefix in the URL
        base_path = transport.base_path
    refs = tuple(settings.reset) + tuple(settings.reset_old if name == "old" else settings.reset_new)
    hooks = resolve_hooks(refs, app_dir=settings.app_dir, send=transport.send)
    auto_reset = None
    if not refs and settings.auto_reset and url is None:
        found = auto_reset_hook(target, app_dir=settings.app_dir)
        if found is not None:
            auto_reset, hook = found
            hooks = [hook]
    headers = {**settings.headers, **(settings.old_headers if name == "old" else settings.new_headers)}
    live = isinstance(transport, HTTPTransport)
    reason = ""
    if live and not settings.allow_unsafe:
        if isinstance(transport, HTTPTransport) and not is_loopback(transport.origin()):
            reason = "unsafe method to a non-loopback host; pass --allow-unsafe"
        elif not hooks:
            reason = f"unsafe method to a live server with no reset for {name.upper()}; pass --reset-{name} or --allow-unsafe"
    if hooks:
        isolation = f"reset before every call: {', '.join(refs) if refs else auto_reset}"
    elif live:
        isolation = "no reset: live server, state carries over" + ("; only safe methods (GET, HEAD, OPTIONS) sent" if reason else "")
    else:
        isolation = "no reset: in-process app, state carries over between cases"
    spec = settings.old_auth if name == "old" else settings.new_auth
    auth = SideAuth(name, resolve_provider(name, spec, app_dir=settings.app_dir), transport.send) if spec else None
    return Side(name, transport, base_path, hooks, headers, bool(reason), auto_reset, auth, isolation, reason)


def with_headers(request: WireRequest, extra: dict[str, str]) -> WireRequest:
    """`request` with `extra` headers set (replacing any of the same name, case-insensitively)."""
    names = {name.lower() for name in extra}
    headers = [(k, v) for k, v in request.headers if k.lower() not in names] + list(extra.items())
    return replace(request, headers=headers)


def auth_label(side: Side) -> str:
    """How the report states the side's credentials."""
    if side.auth is None:
        return "none (headers only)" if side.headers else "none"
    provider = side.auth.provider
    path = getattr(provider, "path", None)
    if path:
        return f"login {getattr(provider, 'method', 'POST')} {path}, token from {getattr(provider, 'token', '?')}"
    return f"hook {type(provider).__module__}.{type(provider).__qualname__}"
