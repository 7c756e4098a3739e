"""Acceptance: three runs of the bookstore migration (regressed, partly fixed, faithful) give the
right history, trend and routing plan; the plan of the partly fixed port passes `nginx -t`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.plan.test_plan import nginx_side, nginx_test
from tests.scenario import BOOKSTORE_FAST, Scenarios, bookstore_check

BOOKSTORE = EXAMPLES / "bookstore"
PORTS = ("regressed", "partial", "modern")
FAST = BOOKSTORE_FAST  # the bookstore scenario's budget: two of the three runs are its
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.slow, pytest.mark.scenario("bookstore")]  # three full check runs, two of them shared
NGINX = shutil.which("nginx")


def regression_operations(ids: set[str] | None = None) -> set[str]:
    """The operations each seeded regression reaches (regressions.json), optionally only some."""
    out = set()
    for regression in json.loads((BOOKSTORE / "regressions.json").read_text()):
        if ids is None or regression["id"] in ids:
            out |= {regression["operation"], *regression["also"]}
    return out


STILL_IN_PARTIAL = regression_operations({"R4", "R5", "R7", "R10"})  # partial_app.py: "STILL Rn"
BLOCKED = {"regressed": regression_operations(), "partial": STILL_IN_PARTIAL, "modern": set()}


@pytest.fixture(scope="module")
def cutover(tmp_path_factory: pytest.TempPathFactory, scenarios: Scenarios) -> dict[str, Path]:
    """The three runs appended to one history, in order. The regressed and faithful ports' runs are the
    bookstore scenario's (tests/check/test_bookstore.py reads them too), recorded with `apiparity merge
    REPORT --history`; the partly fixed port's is a `check --history` of its own, so `check` records
    a run here as well (tests/history/test_cli.py: check's recording on its own)."""
    folder = tmp_path_factory.mktemp("cutover")
    history = folder / "history.sqlite"
    files = {"history": history}
    for port in PORTS:
        recorded = ["--history", str(history), "--history-label", port, "-q", "--json", str(folder / f"{port}.json"),
                    "--html", str(folder / f"{port}.html")]
        if port == "partial":
            app = f"{BOOKSTORE / port}_app.py"
            result = run_cli("check", f"{BOOKSTORE / 'legacy_app.py'}:app", f"{app}:app", "--reset", f"{BOOKSTORE / 'legacy_app.py'}:reset",
                             "--reset", f"{app}:reset", *FAST, *recorded)
        else:
            run = bookstore_check(scenarios, port)
            result = run_cli("merge", str(run.copy("json", folder / f"{port}-run.json")), *recorded)
        assert result.exit_code == (0 if port == "modern" else 1), result.stderr
        if port == "partial":
            shutil.copy(history, folder / "after-partial.sqlite")  # the history as it stood on the partly fixed port
            files["after-partial"] = folder / "after-partial.sqlite"
        files[port] = folder / f"{port}.html"
    return files


def test_the_history_shows_each_runs_ready_operations(cutover: dict[str, Path]) -> None:
    result = run_cli("history", "--history", str(cutover["history"]), "--format", "json")
    assert result.exit_code == 0, result.stderr
    view = json.loads(result.stdout)
    runs = view["runs"]
    assert [r["label"] for r in runs] == list(PORTS)
    # the regressed port: every seeded regression blocks its operations (the probes may find more);
    # the partly fixed and faithful ports: exactly what is still seeded
    assert runs[0]["ready"] <= 23 - len(BLOCKED["regressed"]) == 10
    assert [(r["ready"], r["total"]) for r in runs[1:]] == [(16, 23), (23, 23)]
    for index, port in enumerate(PORTS):
        not_ready = {name for name, op in view["operations"].items() if op["per_run"][index] != "ready"}
        assert not_ready >= BLOCKED[port] if port == "regressed" else not_ready == BLOCKED[port], port
    # run 2 fixed the causes of R1 R2 R3 R6 R8 R9 and brought none; run 3 fixed the rest
    assert not runs[1]["new_causes"] and not runs[2]["new_causes"]
    fixed_first = {c["operation"] for c in runs[1]["fixed_causes"]}
    blocked_first = {name for name, op in view["operations"].items() if op["per_run"][0] != "ready"}
    assert BLOCKED["regressed"] - BLOCKED["partial"] <= fixed_first <= blocked_first - BLOCKED["partial"]
    assert {c["operation"] for c in runs[2]["fixed_causes"]} == BLOCKED["partial"]
    assert all(op["ready"] for op in view["operations"].values())
    text = run_cli("history", "--history", str(cutover["history"])).stdout
    assert f"trend: operations ready {runs[0]['ready']}/23 -> 16/23 -> 23/23" in text
    assert "GET /books/search" in text and "x++" in text


def expected_new_routes() -> set[str]:
    paths: dict[str, set[str]] = {}
    for regression_free in json.loads((BOOKSTORE / "legacy_openapi.json").read_text())["paths"].items():
        path, item = regression_free
        paths[path] = {f"{method.upper()} {path}" for method in item if method in ("get", "post", "put", "patch", "delete")}
    return {path for path, ops in paths.items() if not ops & STILL_IN_PARTIAL}


def test_the_plan_of_the_partly_fixed_port_routes_exactly_the_ready_operations(cutover: dict[str, Path], tmp_path: Path) -> None:
    conf = tmp_path / "apiparity.conf"
    result = run_cli("plan", "--history", str(cutover["after-partial"]), "--format", "nginx", "--old-url", "http://127.0.0.1:5000",
                     "--new-url", "http://127.0.0.1:8000", "-o", str(conf))
    assert result.exit_code == 0, result.stderr
    assert expected_new_routes() == {"/authors", "/authors/{author_id}", "/authors/{author_id}/books", "/books/search",
                                     "/health", "/orders", "/orders/{order_id}"}
    block = result.stdout.split("to NEW:")[1].split("\n\n")[0]
    listed = {line.split()[0] for line in block.splitlines() if line.startswith("  ")}
    assert listed == expected_new_routes()
    assert "/books/{book_id}" in result.stdout.split("stay on OLD:")[1] and "isbn" in result.stdout
    config = conf.read_text()
    concrete = {"/authors": "new", "/authors/5": "new", "/authors/5/books": "new", "/books/search": "new", "/health": "new",
                "/orders": "new", "/orders/2": "new", "/books": "old", "/books/3": "old", "/admin/stats": "old",
                "/admin/reset": "old", "/unknown": "old"}
    assert {path: nginx_side(config, path) for path in concrete} == concrete
    # the faithful run makes everything ready
    everything = run_cli("plan", "--history", str(cutover["history"]))
    assert "11 of 11 route(s) ready for NEW" in everything.stdout
    if NGINX is None:
        pytest.skip("nginx is not installed: the config was checked by simulation only")
    checked = nginx_test(tmp_path, conf)
    assert checked.returncode == 0, checked.stderr


def test_the_html_report_shows_the_trend(cutover: dict[str, Path], tmp_path: Path) -> None:
    html = cutover["modern"].read_text()
    assert 'id="history"' in html and "Cutover progress" in html
    first = json.loads(run_cli("history", "--history", str(cutover["history"]), "--format", "json").stdout)["runs"][0]
    for label in (f"{first['ready']}/23", "16/23", "23/23"):
        assert f">{label}</text>" in html
    assert html.count('aria-label="status per run"') == 23
    assert "<script" not in html
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: no screenshot")
    shot = ROOT / "test-artifacts" / "trend.png"
    shot.parent.mkdir(exist_ok=True)
    shot.unlink(missing_ok=True)
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                             f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1100,1500",
                             cutover["modern"].as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 50_000, "an empty or blank page"  # docs/trend.png is a copy
