"""Reset hooks: `pkg.mod:func` or `path/to/file.py:func`, called before every call to a side so
that a POST on one side never skews the next comparison.

A hook named by file path resolves through the same importer as app targets, so
`examples/bookstore/legacy_app.py:reset` is the `reset` of the very module object the app came
from (a second import would reset a copy of the state, not the app's).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from apiparity.errors import ConfigError, TargetError

_REF = "module:function, e.g. myapp.testing:reset or path/to/app.py:reset"


def resolve_hook(ref: str, *, app_dir: str | Path | None = None) -> Callable[[], object]:
    from apiparity.targets.apps import import_object

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


def resolve_hooks(refs: tuple[str, ...], *, app_dir: str | Path | None = None) -> list[Callable[[], object]]:
    return [resolve_hook(ref, app_dir=app_dir) for ref in refs]


def call_hooks(hooks: list[Callable[[], object]], side: str) -> str | None:
    """Run the hooks; a failing hook is reported (as the run's error), never raised."""
    for hook in hooks:
        try:
            hook()
        except Exception as exc:  # noqa: BLE001
            return f"reset hook {getattr(hook, '__qualname__', hook)!s} for {side} raised {type(exc).__name__}: {exc}"
    return None


def auto_reset_hook(target: object, *, app_dir: str | Path | None = None) -> tuple[str, Callable[[], object]] | None:
    """The module-level `reset()` next to an app target (`file.py:app` -> `file.py:reset`), when
    there is one. Used only when no reset hook was given for that side, and always announced."""
    import re

    ref = getattr(target, "ref", "")
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
