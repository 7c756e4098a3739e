"""Two tiny live servers on free 127.0.0.1 ports: OLD (flask-openapi3 on waitress) and NEW (FastAPI
on uvicorn), each in a subprocess, always stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import ROOT


@dataclass
class Servers:
    old: str
    new: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"server for {url} did not start within {timeout} s")


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    old_port, new_port = free_port(), free_port()
    commands = [
        [sys.executable, "-m", "waitress", "--listen", f"127.0.0.1:{old_port}", "--threads", "8", "tests.load.apps:legacy_app"],
        [sys.executable, "-m", "uvicorn", "tests.load.apps:modern_app", "--host", "127.0.0.1", "--port", str(new_port),
         "--log-level", "warning"],
    ]
    processes = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for cmd in commands]
    try:
        result = Servers(old=f"http://127.0.0.1:{old_port}", new=f"http://127.0.0.1:{new_port}")
        wait_until_up(result.old + "/items", processes[0])
        wait_until_up(result.new + "/items", processes[1])
        yield result
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
