"""Live loopback servers in subprocesses for the shadow tests: start, wait until the port answers
(bounded), stop (SIGINT, then kill after a bounded wait)."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read() if process.stderr else ''}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextlib.contextmanager
def server(argv: list[str], port: int, *, cwd: Path = ROOT) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        stop(process)


def waitress(app: str, port: int, cwd: Path) -> contextlib.AbstractContextManager[subprocess.Popen]:
    return server([sys.executable, "-m", "waitress", "--listen", f"127.0.0.1:{port}", "--threads", "8", app], port, cwd=cwd)


def uvicorn(app: str, port: int, cwd: Path) -> contextlib.AbstractContextManager[subprocess.Popen]:
    return server([sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                   "--timeout-graceful-shutdown", "1"],
                  port, cwd=cwd)


def shadow(port: int, primary: str, candidate: str, *extra: str) -> contextlib.AbstractContextManager[subprocess.Popen]:
    argv = [sys.executable, "-m", "apiparity.cli", "shadow", "--listen", f"127.0.0.1:{port}", "--primary", primary,
            "--candidate", candidate, *extra]
    return server(argv, port)
