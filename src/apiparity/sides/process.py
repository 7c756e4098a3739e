"""Server processes apiparity starts for a side: the bootstrap in the app's own interpreter
(`--old-python`), or the user's own command (`--old-cmd 'gunicorn -b 127.0.0.1:{port} app:app'`).

Each runs in its own process group (a new session), so stopping it stops whatever it spawned
(gunicorn's workers, a reloader's child) and a Ctrl-C in the terminal reaches apiparity only,
which then stops it. On Linux the process also gets SIGTERM when apiparity dies (PR_SET_PDEATHSIG),
and the bootstrap exits by itself when its stdin (a pipe from apiparity) closes: no orphans.
Output goes to a log file, named when the side fails to start or dies mid-run.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.errors import TargetError
from apiparity.model_sections import SideServer

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
STOP_GRACE_SECONDS = 5.0
RESET_TIMEOUT_SECONDS = 60.0
LOG_TAIL_LINES = 5


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _parent_death_signal() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: SIGTERM to this child when the thread that started it (apiparity's) dies."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass(eq=False)
class SideProcess:
    """One started server: its process group, log file, port and (for the bootstrap) control pipe."""

    side: str  # "old" / "new"
    description: str  # what was started, for messages: the command line
    log_path: Path
    popen: subprocess.Popen[bytes]
    port: int | None = None
    info: dict[str, Any] = field(default_factory=dict)  # the bootstrap's ready line
    stopped: bool = False
    died: str | None = None  # "exit 1" when it ended before apiparity stopped it
    failed: bool = False  # it failed to start: its log is kept and named
    _lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def label(self) -> str:
        return self.side.upper()

    # -------------------------------------------------------------------------------- starting

    @classmethod
    def spawn(cls, side: str, argv: list[str], *, log_path: Path, cwd: str | None = None, control: bool = False,
              env: dict[str, str] | None = None) -> SideProcess:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "wb")  # noqa: SIM115 - the child owns it from here
        main_thread = threading.current_thread() is threading.main_thread()
        try:
            popen = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE if control else subprocess.DEVNULL,
                stdout=subprocess.PIPE if control else log,
                stderr=log,
                cwd=cwd,
                env=env,
                start_new_session=True,  # its own process group: stopped as a whole, never hit by our Ctrl-C
                preexec_fn=_parent_death_signal if main_thread and sys.platform.startswith("linux") else None,  # noqa: PLW1509
            )
        except OSError as exc:
            log.close()
            raise TargetError(f"{side.upper()}: cannot start {shlex.join(argv)}: {exc.strerror or exc}") from None
        finally:
            if not log.closed:
                log.close()
        process = cls(side=side, description=shlex.join(argv), log_path=log_path, popen=popen)
        if control:
            threading.Thread(target=process._read_lines, name=f"apiparity-{side}-side", daemon=True).start()
        return process

    def _read_lines(self) -> None:
        assert self.popen.stdout is not None
        for raw in self.popen.stdout:
            self._lines.put(raw.decode("utf-8", "replace"))
        self._lines.put(None)

    def next_event(self, timeout: float) -> dict[str, Any] | None:
        """The next JSON line of the bootstrap, or None at end of output / timeout."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                return None
            if line is None:
                self._lines.put(None)  # stays at end of output for later readers
                return None
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict) and "event" in event:
                    return event

    def wait_until_answers(self, seconds: float) -> None:
        """Until something accepts connections on the port and answers HTTP; TargetError (log named)
        when the process exits first or `seconds` pass."""
        import httpx

        deadline = time.monotonic() + seconds
        while True:
            if self.popen.poll() is not None:
                raise TargetError(self.failure(f"exited with code {self.popen.returncode} before answering on port {self.port}"))
            try:
                from apiparity.fuzz.deadline import request_within

                request_within("GET", self.base_url + "/", 1.0)  # 1 s for the whole answer: a drip-fed one is no answer
                return
            except httpx.HTTPError:
                pass
            if time.monotonic() >= deadline:
                raise TargetError(self.failure(f"did not answer on {self.base_url} within {seconds:g} s (raise --wait-for)"))
            time.sleep(0.05)

    def failure(self, what: str) -> str:
        """One line: the side, what happened, the log file and its last line."""
        self.failed = True
        return f"{self.label} server `{self.description}` {what}; log: {self.log_path}{self.log_tail()}"

    def log_tail(self) -> str:
        try:
            lines = [line for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return f" (last line: {lines[-1].strip()[:200]})" if lines else ""

    # -------------------------------------------------------------------------------- running

    def reset(self) -> None:
        """Ask the bootstrap to call the module's reset(); RuntimeError when it could not."""
        with self._lock:
            if self.popen.poll() is not None:
                raise RuntimeError(self.failure(f"exited with code {self.popen.returncode}"))
            assert self.popen.stdin is not None
            try:
                self.popen.stdin.write(b"reset\n")
                self.popen.stdin.flush()
            except OSError as exc:
                raise RuntimeError(self.failure(f"stopped listening ({exc})")) from None
            event = self.next_event(RESET_TIMEOUT_SECONDS)
            if event is None or event.get("event") != "reset":
                raise RuntimeError(self.failure("gave no answer to reset"))
            if not event.get("ok"):
                raise RuntimeError(str(event.get("error")))

    def auto_reset(self) -> tuple[str, Any] | None:
        """(label, hook) calling the module's reset() in the bootstrap, when the module has one."""
        if not self.info.get("reset") or self.popen.stdin is None:
            return None
        ref = str(self.info.get("ref", ""))
        module = ref.rpartition(":")[0] if ":" in ref else ref

        def reset() -> None:
            self.reset()

        label = f"{module}:reset (in {self.label}'s own interpreter)"
        reset.apiparity_ref = label  # type: ignore[attr-defined]
        return label, reset

    def check_alive(self) -> None:
        """Note (self.died) that the process ended before apiparity stopped it."""
        if not self.stopped and self.died is None and self.popen.poll() is not None:
            self.died = f"exit {self.popen.returncode}" if self.popen.returncode >= 0 else f"killed by signal {-self.popen.returncode}"

    # -------------------------------------------------------------------------------- stopping

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after a grace period; idempotent."""
        if self.stopped:
            return
        self.check_alive()
        self.stopped = True
        with contextlib.suppress(OSError):
            if self.popen.stdin is not None:
                self.popen.stdin.close()  # the bootstrap exits on end of stdin
        pgid = self.popen.pid  # start_new_session: the group id is the leader's pid
        _signal_group(pgid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=STOP_GRACE_SECONDS)
        # the leader is gone; a child that ignored SIGTERM may still hold the group
        _signal_group(pgid, signal.SIGKILL)
        _wait_group_gone(pgid, STOP_GRACE_SECONDS)
        with contextlib.suppress(OSError):
            if self.popen.stdout is not None:
                self.popen.stdout.close()

    def summary(self) -> SideServer:
        """What the report says of this side's server (`Report.sides`)."""
        summary = SideServer(started=self.description, pid=self.popen.pid, url=self.base_url if self.port else None,
                              python=self.info.get("python") or None, executable=self.info.get("executable") or None,
                              server=self.info.get("server") or None, framework=self.info.get("framework") or None)
        if self.died:  # the log is kept and named only then (a clean run removes it)
            summary.died = self.died
            summary.log = str(self.log_path)
        return summary


def _signal_group(pgid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, number)


def _wait_group_gone(pgid: int, seconds: float) -> None:
    """Wait (bounded) until no live process of the group is left: a SIGKILLed child of the leader is
    not gone at once, and `stop()` promises it is. Zombies don't count (reaping orphans is init's job)."""
    deadline = time.monotonic() + seconds
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.02)


def _group_alive(pgid: int) -> bool:
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def bootstrap_argv(python: str, ref: str, *, app_dir: str, spec_path: str | None, serve: bool) -> list[str]:
    argv = [python, str(BOOTSTRAP), "--ref", ref, "--app-dir", app_dir]
    if spec_path:
        argv += ["--spec-path", spec_path]
    if not serve:
        argv.append("--no-serve")
    return argv


def command_argv(command: str, port: int, *, side: str) -> list[str]:
    """The user's command with `{port}` substituted, split like a shell would (never run by one)."""
    from apiparity.errors import ConfigError

    if "{port}" not in command:
        raise ConfigError(f"--{side}-cmd {command!r}: put {{port}} where the server's port goes, "
                          "e.g. 'gunicorn -b 127.0.0.1:{port} app:app'")
    try:
        argv = shlex.split(command.replace("{port}", str(port)))
    except ValueError as exc:
        raise ConfigError(f"--{side}-cmd {command!r}: {exc}") from None
    if not argv:
        raise ConfigError(f"--{side}-cmd: empty command")
    return argv
