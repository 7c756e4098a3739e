"""Both split_auth apps as real servers on 127.0.0.1: waitress for the legacy Flask app (SQLite in a
temporary folder), uvicorn for the FastAPI rewrite, each in its own subprocess on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import EXAMPLES

EXAMPLE = EXAMPLES / "split_auth"
PASSWORD = "wonderland-test"


@dataclass
class Servers:
    old_url: str
    new_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    env = {
        **os.environ,
        "SPLIT_AUTH_ENABLE_RESET": "1",
        "SPLIT_AUTH_ALICE_PASSWORD": PASSWORD,
        "SPLIT_AUTH_LEGACY_DB": str(tmp_path_factory.mktemp("split_auth") / "legacy.sqlite3"),
    }
    old_port, new_port = _free_port(), _free_port()
    bin_dir = os.path.dirname(sys.executable)
    processes = [
        subprocess.Popen([os.path.join(bin_dir, "waitress-serve"), f"--listen=127.0.0.1:{old_port}", "--threads=4", "legacy_app:app"],
                         cwd=EXAMPLE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
        subprocess.Popen([sys.executable, "-m", "uvicorn", "modern_app:app", "--host", "127.0.0.1", "--port", str(new_port),
                          "--log-level", "warning"], cwd=EXAMPLE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
    ]
    try:
        _wait(f"http://127.0.0.1:{old_port}/api/me", processes[0])
        _wait(f"http://127.0.0.1:{new_port}/api/v1/me/", processes[1])
        yield Servers(f"http://127.0.0.1:{old_port}", f"http://127.0.0.1:{new_port}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def passwords() -> dict[str, str]:
    """The secrets, as the config expects them: in the environment, never in the file."""
    return {"OLD_PASSWORD": PASSWORD, "NEW_PASSWORD": PASSWORD}
