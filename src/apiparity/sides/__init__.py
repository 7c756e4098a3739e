"""Sides apiparity runs itself: an app in its own Python interpreter (`--old-python PATH`, through a
standard-library bootstrap run there) or a server started by command (`--old-cmd '... {port} ...'`).

Both become live sides (a Target with `base_url` and `process`): the same comparison, reset and
reports as any live server. A `SideSession` owns every process it started and stops them all when
the command ends, is interrupted or crashes.

    with side_session():
        old, new = load_sides(..., launches=launches_from(settings))
        ...                       # every started server is stopped on the way out
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apiparity.errors import ConfigError, TargetError
from apiparity.model_sections import SideServer
from apiparity.sides.process import SideProcess, bootstrap_argv, command_argv, free_port
from apiparity.targets.model import Target

DEFAULT_START_SECONDS = 60.0  # --wait-for 0 (the default) still gives a started side this long to come up

__all__ = ["DEFAULT_START_SECONDS", "SideLaunch", "SideSession", "launch_side", "launches_from", "side_session",
           "stop_started_sides"]


@dataclass(frozen=True, slots=True)
class SideLaunch:
    """How apiparity runs one side itself: `python` imports the app in that interpreter (and serves
    it, unless `cmd` serves it); `cmd` is a command line with `{port}` that starts the server."""

    python: str | None = None
    cmd: str | None = None

    def __bool__(self) -> bool:
        return bool(self.python or self.cmd)


def launches_from(settings: Any) -> dict[str, SideLaunch]:
    """{"old": SideLaunch, "new": ...} from FuzzSettings (--old-python, --new-cmd, `[old] python`, ...)."""
    out = {}
    for side in ("old", "new"):
        launch = SideLaunch(python=getattr(settings, f"{side}_python", None), cmd=getattr(settings, f"{side}_cmd", None))
        if launch:
            if getattr(settings, f"{side}_url", None):
                raise ConfigError(f"--{side}-url and --{side}-{'python' if launch.python else 'cmd'}: give one way to reach {side.upper()}")
            out[side] = launch
    return out


class SideSession:
    """The processes started for one command; `stop()` ends them all (idempotent)."""

    def __init__(self) -> None:
        self.processes: list[SideProcess] = []
        self.failed = False
        self._log_dir: Path | None = None
        self._lock = threading.Lock()

    def log_path(self, name: str) -> Path:
        if self._log_dir is None:
            self._log_dir = Path(tempfile.mkdtemp(prefix="apiparity-sides-"))
        return self._log_dir / name

    def add(self, process: SideProcess) -> SideProcess:
        with self._lock:
            self.processes.append(process)
        return process

    def stop(self) -> None:
        """Stop every process; the logs are removed unless a side failed to start or died mid-run
        (then the error or the report names its log file)."""
        with self._lock:
            processes, self.processes = list(self.processes), []
        for process in processes:
            process.stop()
        self.failed = self.failed or any(p.failed or p.died for p in processes)
        if self._log_dir is not None and not self.failed:
            import shutil

            shutil.rmtree(self._log_dir, ignore_errors=True)
            self._log_dir = None

    def summaries(self) -> dict[str, SideServer]:
        for process in self.processes:
            process.check_alive()
        return {process.side: process.summary() for process in self.processes}


_CURRENT: list[SideSession] = []
_FALLBACK = SideSession()  # sides started outside a session: stopped when the interpreter exits
atexit.register(_FALLBACK.stop)


@contextlib.contextmanager
def side_session() -> Iterator[SideSession]:
    """Every side started inside is stopped on the way out (normal end, Ctrl-C, crash)."""
    session = SideSession()
    _CURRENT.append(session)
    try:
        yield session
    finally:
        _CURRENT.remove(session)
        session.stop()


def current_session() -> SideSession:
    return _CURRENT[-1] if _CURRENT else _FALLBACK


def stop_started_sides() -> None:
    """Stop the sides started outside a `side_session()` (e.g. by the pytest plugin's suites)."""
    _FALLBACK.stop()


def launch_side(side: str, ref: str, launch: SideLaunch, *, app_dir: str | Path | None = None, spec_path: str | None = None,
                load_timeout: float = 10.0, wait_for: float = 0.0) -> Target:
    """Start `side` the way `launch` says and return it as a live Target whose `process` is the server."""
    session = current_session()
    start_seconds = wait_for or DEFAULT_START_SECONDS
    folder = str(Path(app_dir).resolve()) if app_dir else os.getcwd()
    if launch.python:
        python = _interpreter(side, launch.python)
        serve = not launch.cmd
        name = "server" if serve else "extract"
        process = session.add(SideProcess.spawn(
            side, bootstrap_argv(python, ref, app_dir=folder, spec_path=spec_path, serve=serve),
            log_path=session.log_path(f"{side}-{name}.log"), control=True))
        event = process.next_event(start_seconds)
        if event is None or event.get("event") != "ready":
            message = str(event.get("message")) if event else None
            process.stop()
            if message:
                process.failed = True
                raise TargetError(f"{side.upper()} in {python}: {message} (log: {process.log_path})")
            code = process.popen.returncode
            raise TargetError(process.failure(f"gave no ready line within {start_seconds:g} s" if code is None
                                              else f"exited with code {code} before it was ready"))
        event["ref"] = ref
        process.info = event
        if not serve:
            process.stop()
            session.processes.remove(process)
            served = _start_command(side, launch.cmd or "", session, start_seconds)
            served.info = {**event, "server": None}
            return _target_from_bootstrap(side, ref, event, served, load_timeout)
        process.port = int(event["port"])
        _allow_destination(process.base_url)
        return _target_from_bootstrap(side, ref, event, process, load_timeout)
    served = _start_command(side, launch.cmd or "", session, start_seconds)
    return _target_from_command(side, ref, served, app_dir=app_dir, spec_path=spec_path, load_timeout=load_timeout)


def _interpreter(side: str, python: str) -> str:
    import shutil

    found = shutil.which(python) if os.sep not in python else (python if os.access(python, os.X_OK) else None)
    if not found:
        raise ConfigError(f"--{side}-python {python}: no such executable interpreter")
    return os.path.abspath(found) if os.sep in found else found


def _allow_destination(url: str) -> None:
    """The started server is a destination the user named (apiparity.outbound guards every request)."""
    from apiparity import outbound

    active = outbound.current()
    found = outbound.origin(url)
    if active.origins is not None and found is not None:
        outbound.activate(outbound.Destinations(active.origins | {found}))


def _start_command(side: str, command: str, session: SideSession, seconds: float) -> SideProcess:
    port = free_port()
    _allow_destination(f"http://127.0.0.1:{port}")
    process = session.add(SideProcess.spawn(side, command_argv(command, port, side=side),
                                            log_path=session.log_path(f"{side}-server.log")))
    process.port = port
    try:
        process.wait_until_answers(seconds)
    except TargetError:
        process.stop()
        raise
    return process


def _target_from_bootstrap(side: str, ref: str, event: dict[str, Any], process: SideProcess, load_timeout: float) -> Target:
    """The side's Target from what the bootstrap extracted; a served document is fetched from `process`."""
    from apiparity.targets.apps import repair_flask_openapi3_document
    from apiparity.targets.documents import as_openapi3, conversion_notes
    from apiparity.targets.flask_infer import display_name, skeleton_from_rules

    framework = str(event.get("framework") or "wsgi")
    extracted = event.get("extracted") or {}
    kind = extracted.get("kind")
    where = f"{ref} in {event.get('executable', 'its interpreter')} (Python {event.get('python', '?')})"
    notes = [(f"runs in its own interpreter, Python {event.get('python', '?')}, served by "
             f"{event.get('server') or process.description} on {process.base_url}")]
    if side == "new" and framework in ("fastapi", "asgi"):
        notes.append("event-loop watch off for NEW: it runs in its own interpreter (the watch needs NEW in-process)")
    inferred = False
    if kind == "document":
        document = extracted["document"]
        if framework == "flask-openapi3":
            document = repair_flask_openapi3_document(document)
        document = as_openapi3(document, where)
        notes += conversion_notes(document)
    elif kind == "served":
        document, served_notes = _served_document(process, str(extracted["path"]), load_timeout)
        if document is None and extracted.get("rules") is not None:
            document, inferred = skeleton_from_rules(extracted["rules"], display_name(str(extracted.get("name", ref)))), True
            notes.append(f"plain Flask app: {served_notes[0]}; document inferred from url_map")
        elif document is None:
            process.stop()
            raise TargetError(f"{ref}: {served_notes[0]}")
        else:
            notes += served_notes
    elif kind == "url_map":
        document = skeleton_from_rules(extracted["rules"], display_name(str(extracted.get("name", ref))))
        inferred = True
        notes.append("plain Flask app: document inferred from url_map (paths, methods, typed path parameters)")
    else:
        process.stop()
        raise TargetError(f"{ref}: an {framework.upper()} app that apiparity cannot read a document from; "
                          "pass --spec-path /openapi.json (where the app serves it) or --contract FILE")
    return Target(ref=ref, kind="app", framework=framework, document=document, base_url=process.base_url,  # type: ignore[arg-type]
                  inferred=inferred, notes=notes, process=process)


def _served_document(process: SideProcess, path: str, load_timeout: float) -> tuple[dict[str, Any] | None, list[str]]:
    from apiparity.errors import SpecError
    from apiparity.targets.url import load_url_target

    try:
        loaded = load_url_target(process.base_url + path, timeout=load_timeout)
    except (TargetError, SpecError) as exc:
        return None, [f"GET {path} gave no usable document ({exc})"]
    return loaded.document, [f"the document it serves at {path}", *loaded.notes]


def _target_from_command(side: str, ref: str, process: SideProcess, *, app_dir: str | Path | None, spec_path: str | None,
                         load_timeout: float) -> Target:
    """`--{side}-cmd` without `--{side}-python`: the document comes from OLD/NEW as given (a file,
    a URL, an app importable here) or, for a path (`/openapi.json`), from the started server."""
    from apiparity.targets import load_target

    note = f"served by `{process.description}` on {process.base_url}"
    try:
        if ref.startswith("/") and ":" not in ref and not Path(ref).exists():  # a path on the started server
            loaded = load_target(process.base_url + ref, timeout=load_timeout)
            return dataclasses.replace(loaded, ref=ref, base_url=process.base_url, notes=[note, *loaded.notes], process=process)
        loaded = load_target(ref, app_dir=app_dir, spec_path=spec_path, timeout=load_timeout)
    except TargetError as exc:
        process.stop()
        if ":" in ref and not ref.startswith(("http://", "https://")):
            raise TargetError(f"{exc} (with --{side}-cmd, --{side}-python PATH imports the app in the server's own interpreter)") from None
        raise
    if loaded.app is not None and side == "new" and loaded.framework in ("fastapi", "asgi"):
        note += "; event-loop watch off for NEW (it is served by the command, not in-process)"
    return dataclasses.replace(loaded, app=None, base_url=process.base_url, notes=[note, *loaded.notes], process=process)
