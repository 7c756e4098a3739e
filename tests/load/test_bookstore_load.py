"""Known answer on the example bookstore: legacy (flask-openapi3 on waitress) vs the regressed
FastAPI port (uvicorn). Load compares speed, but its per-status counts must still show regression
R2 (GET /authors now requires `country`: 422 instead of 200) and nothing unsafe may be sent."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLES
from tests.load.conftest import free_port, wait_until_up

BOOKSTORE = EXAMPLES / "bookstore"
pytestmark = pytest.mark.skipif(not (BOOKSTORE / "regressed_app.py").exists(), reason="bookstore example not there yet")


@pytest.fixture(scope="module")
def bookstore():
    old_port, new_port = free_port(), free_port()
    processes = [
        subprocess.Popen([sys.executable, "-m", "waitress", "--listen", f"127.0.0.1:{old_port}", "legacy_app:app"],
                         cwd=BOOKSTORE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "uvicorn", "regressed_app:app", "--host", "127.0.0.1", "--port", str(new_port),
                          "--log-level", "warning"], cwd=BOOKSTORE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        urls = (f"http://127.0.0.1:{old_port}", f"http://127.0.0.1:{new_port}")
        wait_until_up(urls[0] + "/openapi/openapi.json", processes[0])
        wait_until_up(urls[1] + "/openapi.json", processes[1])
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_bookstore_load_shows_statuses_per_operation(bookstore):
    from tests.conftest import run_cli

    old, new = bookstore
    result = run_cli("load", old, new, "-u", "3", "-n", "84", "--per-operation", "5", "--format", "json")
    assert result.exit_code == 0, result.stderr
    load = json.loads(result.stdout)["extras"]["load"]
    operations = {row["operation"]: row for row in load["operations"]}
    assert all(name.startswith(("GET ", "HEAD ")) or name == "overall" for name in operations)
    assert operations["overall"]["old"]["requests"] == operations["overall"]["new"]["requests"] == 84
    authors = operations["GET /authors"]
    assert set(authors["old"]["statuses"]) == {"200"} and set(authors["new"]["statuses"]) == {"422"}
