"""Reset hooks: `pkg.mod:func` or `path/to/file.py:func`, called before every call to a side so
that a POST on one side never skews the next comparison.

Live servers with a real database reset the other ways real test set-ups do:
- `POST /api/_test/reset` (METHOD and a path from the server root): sent to that side's own server;
- `POST http://127.0.0.1:9000/reset` (METHOD and a full URL): sent there;
- `cmd: ./scripts/reset-db.sh old` (a command, run without a shell; exit 0 means done).

A hook named by file path resolves through the same importer as app targets, so
`examples/bookstore/legacy_app.py:reset` is the `reset` of the very module object the app came
from (a second import would reset a copy of the state, not the app's).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from apiparity.errors import ConfigError, TargetError

_REF = "module:function, e.g. myapp.testing:reset or path/to/app.py:reset"


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def resolve_hook(ref: str, *, app_dir: str | Path | None = None, send: Callable[[Any], Any] | None = None) -> Callable[[], object]:
    """A callable for `ref`. `send(WireRequest) -> WireResponse` is the side's own transport, used
    by `METHOD /path` resets."""
    from apiparity.targets.apps import import_object

    text = ref.strip()
    if text.startswith("cmd:"):
        return _command_hook(text[4:].strip(), ref)
    method, _, where = text.partition(" ")
    if method.upper() in _METHODS and where.strip().startswith(("/", "http://", "https://")):
        return _http_hook(method.upper(), where.strip(), ref, send)
    module, sep, attribute = ref.strip().rpartition(":")
    if not sep or not module or not attribute.isidentifier():
        raise ConfigError(f"reset hook {ref!r}: expected {_REF}")
    try:
        hook = import_object(ref, module=module, attribute=attribute, app_dir=Path(app_dir) if app_dir else None)
    except TargetError as exc:
        raise ConfigError(f"reset hook {exc}") from None
    if not callable(hook):
        raise ConfigError(f"reset hook {ref}: {attribute} is a {type(hook).__name__}, not a function")
    return hook


def resolve_hooks(refs: tuple[str, ...], *, app_dir: str | Path | None = None,
                  send: Callable[[Any], Any] | None = None) -> list[Callable[[], object]]:
    return [resolve_hook(ref, app_dir=app_dir, send=send) for ref in refs]


def describe_hook(hook: Callable[[], object]) -> str:
    return getattr(hook, "apiparity_ref", None) or getattr(hook, "__qualname__", None) or str(hook)


def _http_hook(method: str, where: str, ref: str, send: Callable[[Any], Any] | None) -> Callable[[], object]:
    from apiparity.fuzz.wire import WireRequest

    if where.startswith("/"):
        if send is None:
            raise ConfigError(f"reset {ref!r}: a path needs a side to send it to")
        path, _, query = where.partition("?")
        request = WireRequest(method=method, path=path, query=query, operation="reset", absolute=True)

        def reset() -> None:
            response = send(request)
            if response.error or not 200 <= response.status < 300:
                raise RuntimeError(f"{method} {where} answered {response.error or response.status}")
    else:
        def reset() -> None:
            from apiparity.fuzz.deadline import request_within
            from apiparity.outbound import current

            current().check(where, who=f"reset {ref!r}")
            response = request_within(method, where, 30.0)  # 30 s for the whole answer, however it is fed
            if not response.is_success:
                raise RuntimeError(f"{method} {where} answered {response.status_code}")

    reset.apiparity_ref = ref  # type: ignore[attr-defined]
    return reset


def _command_hook(command: str, ref: str) -> Callable[[], object]:
    import shlex

    argv = shlex.split(command)
    if not argv:
        raise ConfigError(f"reset {ref!r}: no command after cmd:")

    def reset() -> None:
        import subprocess

        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"`{command}` exited {done.returncode}: {(done.stderr or done.stdout).strip()[:200]}")

    reset.apiparity_ref = ref  # type: ignore[attr-defined]
    return reset


def call_hooks(hooks: list[Callable[[], object]], side: str) -> str | None:
    """Run the hooks; a failing hook is reported (as the run's error), never raised; a hook calling
    sys.exit() too (it ended the whole run, with its exit code: 0 read as a pass)."""
    for hook in hooks:
        try:
            hook()
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            return f"reset hook {describe_hook(hook)} for {side} raised {type(exc).__name__}: {exc}"
    return None


def auto_reset_hook(target: object, *, app_dir: str | Path | None = None) -> tuple[str, Callable[[], object]] | None:
    """The module-level `reset()` next to an app target (`file.py:app` -> `file.py:reset`), when
    there is one. Used only when no reset hook was given for that side, and always announced."""
    import re

    ref = getattr(target, "ref", "")
    process = getattr(target, "process", None)
    if process is not None:  # a server apiparity started: its module's reset() lives in that process
        return process.auto_reset()
    if getattr(target, "kind", None) != "app":
        return None
    match = re.match(r"^(?P<module>[^:]+):[A-Za-z_][\w.]*(\(\))?$", ref)
    if not match:
        return None
    hook_ref = f"{match['module']}:reset"
    try:
        return hook_ref, resolve_hook(hook_ref, app_dir=app_dir)
    except ConfigError:
        return None
