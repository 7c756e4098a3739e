"""`--max-run-time` bounds the whole run (fresh24a item 4): `--max-run-time 8` ended after 14.1 s
because the clock started at the first request, after loading the apps, starting the sides and
validating the documents (about 6 s there). It now counts from the command's start; the run stops
at the deadline wherever it waits (an in-flight request included), then writes its reports.

No wall-time assertion that a busy machine could break: a setup that alone outlasts the bound
(an app that takes 7 s to import, a bound of 5 s) sends no request at all; a live server that
slows down is stopped with the deadline as the cause, under a bound far above it."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.live_servers import uvicorn_in_thread

SLOW_IMPORT = '''
import time
time.sleep(7)  # a heavy app: its import alone outlasts --max-run-time 5
from flask import Flask, jsonify
app = Flask(__name__)

@app.get("/items/<int:item_id>")
def item(item_id):
    return jsonify(id=item_id)
'''

SLOWING_SERVER = '''
import threading, time
from fastapi import FastAPI
app = FastAPI()
calls = [0]
lock = threading.Lock()

@app.get("/items/{item_id}")
def item(item_id: int) -> dict:
    with lock:
        calls[0] += 1
        wait = 0.2 * calls[0]  # every answer slower than the one before
    time.sleep(wait)
    return {"id": item_id}
'''


@pytest.mark.parametrize("command", ["check", "fuzz"])
def test_a_setup_that_outlasts_the_bound_sends_nothing(tmp_path: Path, command: str) -> None:
    (tmp_path / "heavy_app.py").write_text(SLOW_IMPORT)
    target = f"{tmp_path / 'heavy_app.py'}:app"
    out = tmp_path / "r.json"
    reports = ("--json", str(out)) if command == "check" else ("--format", "json", "-o", str(out))
    result = run_cli(command, target, target, "--max-run-time", "5", "--seed", "1", "--max-examples", "5", "--no-history", *reports)
    assert result.exit_code == 2, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert report["incomplete"]["cause"] == "run-deadline", report["incomplete"]
    # the 7 s import used the whole bound: before, the clock started after it and 5 s of cases were sent
    assert report["fuzz"] is None or report["fuzz"]["cases"] == 0
    if command == "check":
        assert report["incomplete"]["phase"] == "diff"


@contextlib.contextmanager
def _serve(path: Path) -> Iterator[str]:
    from apiparity.targets import load_target

    with uvicorn_in_thread(load_target(f"{path}:app").app) as url:
        yield url


def test_a_server_that_slows_down_is_stopped_by_the_deadline_not_by_its_timeout(tmp_path: Path) -> None:
    (tmp_path / "slowing.py").write_text(SLOWING_SERVER)
    out = tmp_path / "r.json"
    target = f"{tmp_path / 'slowing.py'}:app"
    with _serve(tmp_path / "slowing.py") as url:
        started = time.monotonic()
        result = run_cli("fuzz", target, target, "--old-url", url, "--new-url", url, "--timeout", "600", "--max-run-time", "4",
                         "--seed", "1", "--max-examples", "200", "--no-history", "--format", "json", "-o", str(out))
        elapsed = time.monotonic() - started
    assert result.exit_code == 2, result.stdout + result.stderr
    report = json.loads(out.read_text())
    assert report["incomplete"]["cause"] == "run-deadline" and report["incomplete"]["phase"] == "fuzz"
    # 200 cases at ever slower answers would take many minutes, a request waits up to 600 s: the
    # deadline ended it (a bound far above 4 s, for a busy machine)
    assert elapsed < 120, elapsed
