"""Finding the processes a test started, by a marker in their command line (Linux /proc).

Only processes started from this test process count (they inherit `APIPARITY_TEST_OWNER`, set in
tests/conftest.py): with two xdist workers, or another checkout's suite on the same machine, a marker
such as `modern_app:app` may also name someone else's live server."""

from __future__ import annotations

import os
import time
from pathlib import Path


OWNER_VARIABLE = "APIPARITY_TEST_OWNER"


def _owned(entry: Path) -> bool:
    owner = os.environ.get(OWNER_VARIABLE)
    if owner is None:
        return True
    try:
        return f"{OWNER_VARIABLE}={owner}".encode() in (entry / "environ").read_bytes().split(b"\0")
    except OSError:
        return False


def pids_with(marker: str) -> list[int]:
    """Live (not zombie) processes started from this test process whose command line contains `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z" and _owned(entry):
            found.append(int(entry.name))
    return found


def wait_for_pids(marker: str, count: int, timeout: float = 120.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = pids_with(marker)
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"{count} process(es) with {marker!r} never appeared (found {pids_with(marker)})")


def wait_until_gone(marker: str, timeout: float = 30.0) -> list[int]:
    """[] once no process with `marker` is left; the survivors after `timeout` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = pids_with(marker)
        if not left:
            return []
        time.sleep(0.1)
    return pids_with(marker)
