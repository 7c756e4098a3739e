"""The HTML report in a real headless browser (Debian `chromium`): it renders, nothing runs, no
console errors; desktop and phone screenshots are kept under test-artifacts/."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from apiparity.report import render
from tests.conftest import ROOT, run_cli
from tests.report.sample_reports import check_report, extras_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/install-test-deps.sh installs it)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--hide-scrollbars", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line]


@pytest.fixture(scope="module")
def hostile_report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(check_report(), "html"), encoding="utf-8")
    return path


def test_hostile_report_renders_without_running_anything(tmp_path: Path, hostile_report_file: Path) -> None:
    result = chromium(tmp_path, "--dump-dom", hostile_report_file.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<title>apiparity cutover readiness: NOT READY</title>" in dom, "a hostile payload changed the title"
    assert "pwned</title>" not in dom
    assert "NOT READY" in dom and "operations-exercised" in dom
    assert not console_messages(result.stderr), console_messages(result.stderr)


@pytest.mark.parametrize(("name", "width"), [("desktop", 1280), ("phone", 390)])
def test_screenshots(tmp_path: Path, hostile_report_file: Path, name: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{name}.png"
    shot.unlink(missing_ok=True)
    result = chromium(tmp_path, f"--screenshot={shot}", f"--window-size={width},2000", hostile_report_file.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 20_000, "an empty or blank page"
    assert png_size(shot) == (width, 2000)
    assert not console_messages(result.stderr), console_messages(result.stderr)


def test_report_of_a_real_check_run(tmp_path: Path) -> None:
    html = tmp_path / "check.html"
    result = run_cli(
        "check", "tests.check.apps:legacy", "tests.check.apps:regressed", "--max-examples", "3",
        "--phases", "examples,fuzzing", "--html", str(html), "--json", str(tmp_path / "check.json"),
    )
    assert result.exit_code == 1
    rendered = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert rendered.returncode == 0
    assert "GET /items/{item_id}" in rendered.stdout and "NOT READY" in rendered.stdout
    assert not console_messages(rendered.stderr)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-check-run.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", html.as_uri())
    assert shot.exists()
    assert json.loads((tmp_path / "check.json").read_text())["verdict"]["ready"] is False


def test_report_with_load_and_event_loop_sections_renders(tmp_path: Path) -> None:
    """The inline SVG latency chart and the event-loop section render, and a hostile operation name
    inside the chart stays text."""
    page = tmp_path / "features.html"
    page.write_text(render(extras_report(), "html"), encoding="utf-8")
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<title>apiparity cutover readiness: NOT READY</title>" in dom
    assert 'id="load"' in dom and 'id="event-loop"' in dom and 'id="undocumented"' in dom
    assert "latency ms (bar: p50 to p95, tick: p99)" in dom, "the SVG chart is in the page"
    assert "GET /books/&lt;script&gt;alert(1)&lt;/script&gt;" in dom and "<script>alert(1)" not in dom
    assert not console_messages(result.stderr), console_messages(result.stderr)
    # the screenshots show the feature sections themselves: the same report without diff and fuzz
    features = extras_report()
    features.diff = features.fuzz = None
    features.verdict.gates = [g for g in features.verdict.gates if g.name == "no-event-loop-blocking"]
    shown = tmp_path / "features-only.html"
    shown.write_text(render(features, "html"), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    for name, width in (("desktop", 1280), ("phone", 390)):
        shot = ARTIFACTS / f"report-features-{name}.png"
        shot.unlink(missing_ok=True)
        taken = chromium(tmp_path, f"--screenshot={shot}", f"--window-size={width},2000", shown.as_uri())
        assert taken.returncode == 0 and shot.exists() and shot.stat().st_size > 20_000
        assert png_size(shot) == (width, 2000)
        assert not console_messages(taken.stderr), console_messages(taken.stderr)
