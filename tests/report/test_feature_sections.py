"""The sections of later features in every format: load comparison, event-loop blocks, undocumented
traffic. Built from the features' own code (the load module's `compare_sides` over fake worker
results, a real `LoopBlockMonitor` on a real FastAPI app) and from hand-built hostile sections."""

from __future__ import annotations

import asyncio
import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from apiparity.errors import ApiparityError
from apiparity.model import Gate, Report, SideInfo, Verdict
from apiparity.report import FORMATS, render
from apiparity.report.merge import merge_reports
from apiparity.report.sections import GENERIC_FIX, event_loop_view, load_view
from apiparity.report.svg import UnsafeSvg, sanitize_svg
from apiparity.report.text import render_text
from tests.conftest import ROOT, run_cli
from tests.report import blocking_app
from tests.report.sample_reports import (
    APP_FILE,
    HOSTILE_OPERATION,
    check_report,
    event_loop_section,
    extras_report,
    load_report,
    load_section,
    undocumented_section,
)
from tests.report.test_renderers import parse_html

# ---------------------------------------------------------------------------------------- a real monitor


@pytest.fixture(scope="module")
def monitored_section() -> dict:
    """`extras["event_loop"]` from a real LoopBlockMonitor watching a real FastAPI app (two slow requests)."""
    import httpx

    from apiparity.asyncio_check.hooks import event_loop_section as section_of
    from apiparity.asyncio_check.watchdog import LoopBlockMonitor

    class Target:  # what `load_target` returns, as far as event_loop_section reads it
        framework = "fastapi"
        app = blocking_app.app

    monitor = LoopBlockMonitor(20.0, app=blocking_app.app)

    async def drive() -> None:
        transport = httpx.ASGITransport(app=blocking_app.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            with monitor.watch():
                for book_id in (1, 2):
                    with monitor.request("GET /covers/{book_id}", f"case {book_id}: GET /covers/{book_id}"):
                        assert (await client.get(f"/covers/{book_id}")).status_code == 200
                with monitor.request("GET /ping"):
                    await client.get("/ping")

    asyncio.run(drive())
    return section_of(monitor, Target())


def test_a_real_monitor_section_shows_where_the_loop_blocked_in_every_format(monitored_section: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths are shown relative to the working folder
    report = Report(command="fuzz", old=SideInfo("old:app", "flask", "wsgi"), new=SideInfo("tests.report.blocking_app:app", "fastapi", "asgi"),
                    extras={"event_loop": monitored_section})
    where = f"tests/report/blocking_app.py:{blocking_app.BLOCKING_LINE}"
    view = event_loop_view(report)
    assert view is not None and [b.operation for b in view.blocks] == ["GET /covers/{book_id}"]
    block = view.blocks[0]
    assert block.where == where and block.function == "load_cover" and block.count >= 1
    assert block.blocking_call == "time.sleep(0.06)", "the static scan's finding at the same line explains the block"
    assert "run_in_threadpool(load_cover" in block.fix_hint
    assert block.stack[-2].startswith("tests/report/blocking_app.py:") and block.stack[-2].endswith("in get_cover")
    assert block.stack[-1] == f"{where} in load_cover"

    text = render_text(report)
    assert f"GET /covers/{{book_id}}: blocked {block.count}x" in text and where in text
    md = render(report, "markdown")
    assert f"`{where}` in `load_cover`" in md
    html = render(report, "html")
    assert f"<code>{where}</code>" in html and "get_cover" in html
    junit = ET.fromstring(render(report, "junit"))
    failing = [c for c in junit.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["GET /covers/{book_id}"]
    from tests.report.test_report_schema import errors

    assert not errors(json.loads(render(report, "json"))), "the monitor's own section matches docs/report-schema.json"
    annotation = next(line for line in render(report, "github").splitlines() if line.startswith("::error"))
    assert annotation.startswith(f"::error file=tests/report/blocking_app.py,line={blocking_app.BLOCKING_LINE},title=event loop blocked%3A GET /covers/{{book_id}}::")


# ---------------------------------------------------------------------------------------- text


def test_text_shows_load_event_loop_and_undocumented_sections() -> None:
    text = render_text(extras_report(), color=False)
    assert "Undocumented traffic: 15 request(s) to 2 endpoint(s)" in text
    assert "12x GET /v1/books/{n}: path not in OLD's document" in text
    assert "error undocumented traffic" not in text, "listed once, in its own section"
    assert "Event loop (NEW, blocks over 20 ms): 4 block(s) over 20 ms in 2 operation(s), longest 52.3 ms" in text
    assert f"GET /books/{{book_id}}: blocked 3x, max 52.3 ms, p95 51.0 ms at {APP_FILE}:57 in load_cover" in text
    assert "blocking call: time.sleep(0.05)" in text and "fix: time.sleep in async code" in text
    assert f"{APP_FILE}:40 in get_book" in text
    assert "not counted: 2 block(s) with no app frame" in text
    assert f"fix: {GENERIC_FIX}" in text, "a block without a static finding still gets a fix hint"
    row = next(line for line in text.splitlines() if line.strip().startswith("GET /books/{book_id}") and "x6.00" in line)
    assert "39.0" in row, "NEW's p95 of the slowed operation"
    assert "latency gate: FAIL" in text and "NEW error: GET /books/7: 500" in text


def test_text_does_not_repeat_a_load_gate_the_verdict_shows() -> None:
    text = render_text(load_report(), color=False)
    assert text.splitlines()[0] == "apiparity load comparison: NOT READY"
    assert "latency gate:" not in text and "load-latency" in text
    assert "Load comparison: p95 6.50 -> 37.0 ms (x5.69)" in text


# ---------------------------------------------------------------------------------------- markdown


def test_markdown_tables_for_the_sections_escape_hostile_names() -> None:
    md = render(extras_report(), "markdown")
    outside_code = re.sub(r"(`{3,})[a-z]*\n.*?\n\1\n", "", md, flags=re.S)
    outside_code = re.sub(r"`[^`\n]*`", "", outside_code)  # inline code shows text literally
    assert "<script" not in outside_code and "<b>" not in outside_code
    assert "| 3 | `GET /books` | undocumented query parameter &lt;b&gt;legacy&lt;/b&gt;\\|x |" in md
    assert f"| `GET /books/{{book_id}}` | 3 | 52.3 | 51.0 | `{APP_FILE}:57` in `load_cover` |" in md
    assert "<details><summary><code>GET /books/&lt;script&gt;alert(1)&lt;/script&gt;</code>: blocked 1×" in md
    assert "| `GET /books/{book_id}` | 15.0 | 15.0 | x1.00 | 4.25 | 21.0 | 6.50 | 39.0 | **x6.00** ⚠️ | 6.50 | 41.0 | 0.0% | **4.0%** ⚠️ |" in md
    assert md.index("## Event loop (NEW)") < md.index("## Load: OLD vs NEW")
    lines = md.splitlines()
    columns = 0
    for index, line in enumerate(lines):  # no cell split by a hostile pipe: every row has its header's cells
        borders = len(re.findall(r"(?<!\\)\|", line))
        if index + 1 < len(lines) and lines[index + 1].startswith("|-"):
            columns = borders  # a header row
        elif line.startswith("| "):
            assert borders == columns, line


# ---------------------------------------------------------------------------------------- html


def test_html_embeds_the_latency_chart_and_escapes_operation_names_inside_it() -> None:
    html = render(extras_report(), "html")
    parsed = parse_html(html)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    chart = re.search(r'<div class="load-chart scroll">(<svg .*?</svg>)</div>', html, re.S)
    assert chart, "the SVG chart is inline"
    svg = chart.group(1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "<script" not in svg
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"
    assert 'id="load"' in html and 'id="event-loop"' in html and 'id="undocumented"' in html
    assert '<td class="num slower">x6.00</td>' in html
    assert "<strong>Fix:</strong> time.sleep in async code: use <code>await asyncio.sleep(...)</code>" in html
    assert '<ol class="stack"><li>/srv/bookstore/app/routes.py:40 in get_book</li>' in html
    assert "Event loop: 4 block(s)" in html and "Load: p95 6.50 -&gt; 37.0 ms (x5.69)" in html


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:alert(1)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.test/x)"/></svg>',
        '<!DOCTYPE svg [<!ENTITY e "x">]><svg xmlns="http://www.w3.org/2000/svg"><text>&e;</text></svg>',
        "<div>not svg</div>",
        "<svg",
    ],
)
def test_svg_sanitizer_refuses_anything_it_does_not_know(svg: str) -> None:
    with pytest.raises(UnsafeSvg):
        sanitize_svg(svg)


def test_svg_sanitizer_keeps_the_drawing_and_escapes_text_again() -> None:
    out = sanitize_svg('<svg xmlns="http://www.w3.org/2000/svg" width="10"><text x="1">a &lt;b&gt; &amp; c</text><rect width="2"/></svg>')
    assert out == '<svg xmlns="http://www.w3.org/2000/svg" width="10"><text x="1">a &lt;b&gt; &amp; c</text><rect width="2"></rect></svg>'


# ---------------------------------------------------------------------------------------- junit / github


def test_junit_has_a_failing_case_per_blocking_operation_and_a_load_case() -> None:
    root = ET.fromstring(render(extras_report(), "junit"))
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    loop = suites["event loop"]
    failing = {case.get("name"): case.find("failure") for case in loop.iter("testcase") if case.find("failure") is not None}
    assert set(failing) == {"GET /books/{book_id}", HOSTILE_OPERATION}
    assert "max 52.3 ms" in failing["GET /books/{book_id}"].get("message")
    assert "fix: time.sleep in async code" in failing["GET /books/{book_id}"].text
    assert suites["load"].find("testcase/failure") is not None, "the load gate is not in the verdict: its case fails"
    assert int(root.get("failures")) == sum(1 for _ in root.iter("failure"))


def test_junit_tolerated_blocks_and_a_clean_loop_do_not_fail() -> None:
    report = extras_report()
    report.verdict.gates[-1].passed = True  # max_blocks let them through
    loop = next(s for s in ET.fromstring(render(report, "junit")).iter("testsuite") if s.get("name") == "event loop")
    assert loop.find("testcase/failure") is None and "tolerated by the gate" in loop.find("testcase/system-out").text
    report.extras["event_loop"] = {"source": "runtime", "threshold_ms": 20.0, "monitored_seconds": 3.0, "blocks": [], "unattributed": [], "events_dropped": 0}
    loop = next(s for s in ET.fromstring(render(report, "junit")).iter("testsuite") if s.get("name") == "event loop")
    assert [c.get("name") for c in loop.iter("testcase")] == ["no block over 20 ms"] and loop.get("failures") == "0"


def test_junit_of_a_load_report_has_no_empty_spec_diff_suite() -> None:
    root = ET.fromstring(render(load_report(), "junit"))
    assert [s.get("name") for s in root.iter("testsuite")] == ["gates", "load"]
    assert int(root.get("failures")) == 1, "the failed gate once, in the gates suite"


def test_github_annotations_for_the_sections() -> None:
    from apiparity.report.github import finding_annotations

    shown = render(extras_report(), "github").splitlines()
    # GitHub shows 10 annotations per level: the verdict and gates come first, the rest is capped
    assert shown[0].startswith("::error title=apiparity verdict::") and sum(line.startswith("::error") for line in shown) == 10
    lines = shown + finding_annotations(extras_report())
    block = next(line for line in lines if "event loop blocked%3A GET /books/{book_id}" in line)
    assert block.startswith(f"::error file={APP_FILE},line=57,title=")
    assert "%0AFix: time.sleep in async code" in block and "\n" not in block
    assert any(line.startswith(f"::warning file={APP_FILE},line=57,title=blocking call in async code") for line in lines)
    assert "::warning title=undocumented traffic GET /v1/books/{n}::12 recorded request(s): path not in OLD's document" in lines
    assert any(line.startswith("::error title=gate load-latency::") for line in lines)
    load_lines = render(load_report(), "github").splitlines()
    assert sum(line.startswith("::error title=gate load-latency") for line in load_lines) == 1, \
        "a load gate the verdict lists is annotated once"


# ---------------------------------------------------------------------------------------- robustness


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_malformed_sections_never_break_a_renderer(fmt: str) -> None:
    report = check_report()
    report.extras["load"] = {"settings": {}, "operations": [{"operation": "GET /x", "old": {"requests": "many"}, "new": None, "ratio": {}}]}
    report.extras["event_loop"] = {"blocks": [{"operation": "GET /x", "count": "lots"}]}
    report.extras["undocumented_traffic"] = [{"method": "GET", "path": "/x", "count": None}, "junk"]
    text = render(report, fmt).replace("\\_", "_")  # Markdown escapes underscores
    if fmt in ("text", "markdown", "html"):
        assert "extras.load is malformed" in text and "extras.event_loop is malformed" in text


def test_the_load_section_comes_from_the_load_modules_own_functions() -> None:
    load = load_section()
    assert [row["operation"] for row in load["operations"]][-1] == "overall"
    view = load_view(Report(command="load", extras={"load": load}))
    assert view is not None and view.problem is None
    slowed = next(row for row in view.rows if row.operation == "GET /books/{book_id}")
    assert slowed.slower and slowed.more_errors and slowed.new.error_rate == "4.0%"
    assert not next(row for row in view.rows if row.operation == "GET /books").flagged


# ---------------------------------------------------------------------------------------- merge


def _shard(index: int, *, blocks: list[dict], undocumented: list[dict], load: dict | None) -> Report:
    report = check_report()
    report.shard = f"{index}/2"
    report.complete = False
    report.verdict = None
    section = event_loop_section()
    section["blocks"] = blocks
    report.extras = {"event_loop": section, "undocumented_traffic": undocumented}
    if load is not None:
        report.extras["load"] = load
    return report


def test_merge_combines_event_loop_undocumented_traffic_and_keeps_one_load() -> None:
    blocks = event_loop_section()["blocks"]
    load = load_section()
    other_run = copy.deepcopy(load)
    other_run["operations"][0]["new"]["p95_ms"] = 1.0  # the same experiment measured again: numbers differ
    first = _shard(1, blocks=[blocks[0]], undocumented=undocumented_section(), load=load)
    second = _shard(2, blocks=[dict(blocks[0], count=2, max_ms=80.0, where=f"{APP_FILE}:60"), blocks[1]],
                    undocumented=undocumented_section()[:1], load=other_run)
    merged = merge_reports([first, second], names=["a.json", "b.json"])
    loop = merged.extras["event_loop"]
    by_operation = {b["operation"]: b for b in loop["blocks"]}
    assert by_operation["GET /books/{book_id}"]["count"] == 5 and by_operation["GET /books/{book_id}"]["max_ms"] == 80.0
    assert by_operation["GET /books/{book_id}"]["where"] == f"{APP_FILE}:60", "the longest block's place"
    assert HOSTILE_OPERATION in by_operation
    assert loop["monitored_seconds"] == 8.5
    assert merged.extras["undocumented_traffic"][0] == {"method": "GET", "path": "/v1/books/{n}", "reason": "path not in OLD's document", "count": 24}
    assert merged.extras["undocumented_traffic"][1]["count"] == 3
    assert merged.extras["load"] == load


def test_merge_refuses_two_different_load_experiments() -> None:
    load = load_section()
    other = copy.deepcopy(load)
    other["settings"]["users"] = 50
    with pytest.raises(ApiparityError, match=r"b\.json: its load comparison .*50 users.* differs from a\.json's"):
        merge_reports([_shard(1, blocks=[], undocumented=[], load=load), _shard(2, blocks=[], undocumented=[], load=other)],
                      names=["a.json", "b.json"])


def test_merge_command_decides_the_event_loop_gate_over_the_combined_section(tmp_path: Path) -> None:
    blocks = event_loop_section()["blocks"]
    paths = []
    for index, shard_blocks in ((1, []), (2, [blocks[0]])):
        report = _shard(index, blocks=shard_blocks, undocumented=[], load=None)
        path = tmp_path / f"shard{index}.json"
        path.write_text(render(report, "json"))
        paths.append(str(path))
    junit = tmp_path / "merged.xml"
    result = run_cli("merge", *paths, "--junit", str(junit), "--json", str(tmp_path / "merged.json"))
    assert result.exit_code == 1
    merged = json.loads((tmp_path / "merged.json").read_text())
    gate = next(g for g in merged["verdict"]["gates"] if g["name"] == "no-event-loop-blocking")
    assert gate["passed"] is False and gate["measured"].startswith("3 block(s) in 1 operation(s)")
    assert "Event loop (NEW" in result.stdout
    failing = [c.get("name") for c in ET.parse(junit).iter("testcase") if c.get("classname") == "event-loop" and c.find("failure") is not None]
    assert failing == ["GET /books/{book_id}"]


def test_merge_command_names_the_shard_with_a_different_load_run(tmp_path: Path) -> None:
    load = load_section()
    other = copy.deepcopy(load)
    other["new"]["url"] = "http://127.0.0.1:9999"
    paths = []
    for index, section in ((1, load), (2, other)):
        path = tmp_path / f"s{index}.json"
        path.write_text(render(_shard(index, blocks=[], undocumented=[], load=section), "json"))
        paths.append(str(path))
    result = run_cli("merge", *paths)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {paths[1]}: its load comparison") and "Traceback" not in result.stderr


def test_the_extras_report_round_trips_through_json() -> None:
    report = extras_report()
    assert Report.from_dict(json.loads(render(report, "json"))) == report
    assert isinstance(report.verdict, Verdict) and isinstance(report.verdict.gates[-1], Gate)
