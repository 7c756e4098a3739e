"""One hostile answer never loses the run (issue 14, item 6): a lone surrogate, JSON nested
200,000 levels deep, NaN/Infinity - every format still written, the JSON report strict JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adversarial.corpus import APPS, ROOT, assert_no_traceback, case
from tests.conftest import run_cli

OLD = f"{APPS}/hostile_json.py:old_app"
NEW = f"{APPS}/hostile_json.py:new_app"


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _strict_json(text: str) -> object:
    def refuse(token: str) -> object:
        raise AssertionError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


@case("run-hostile-json-every-format")
def test_hostile_json_answers_leave_every_report_written(tmp_path: Path) -> None:
    from apiparity.report import available_formats

    for fmt in available_formats():
        output = tmp_path / f"report.{fmt}"
        result = run_cli("fuzz", OLD, NEW, "--phases", "examples", "--format", fmt, "-o", str(output))
        assert_no_traceback(result.stdout, result.stderr)
        assert result.exit_code == 1, (fmt, result.stderr)
        assert output.exists(), fmt
    report = _strict_json((tmp_path / "report.json").read_text(encoding="utf-8"))
    groups = {group["operation"]: group for group in report["fuzz"]["groups"]}  # type: ignore[index]
    assert set(groups) == {"GET /surrogate", "GET /deep", "GET /nan"}
    assert groups["GET /nan"]["examples"][0]["new"]["body"] == {"price": "NaN", "limit": "Infinity", "floor": "-Infinity"}
    assert groups["GET /surrogate"]["examples"][0]["new"]["body"]["name"] == "\\ud800 lone"


@case("run-hostile-json-check")
def test_check_of_hostile_json_answers_writes_every_report(tmp_path: Path) -> None:
    paths = {name: tmp_path / f"check.{name}" for name in ("html", "markdown", "json", "junit", "sarif")}
    result = run_cli("check", OLD, NEW, "--phases", "examples", *[a for n, p in paths.items() for a in (f"--{n}", str(p))])
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 1, result.stderr
    assert all(path.exists() for path in paths.values())
    assert _strict_json(paths["json"].read_text(encoding="utf-8"))


ESC = "\x1b]0;owned\x07\x1b[2J"


def _escape_documents(tmp_path: Path) -> tuple[Path, Path]:
    def document(op: str, param: str, prop_type: str, extra_path: bool) -> dict:
        paths: dict = {"/x": {"get": {
            "operationId": op + ESC,
            "parameters": [{"name": param + ESC, "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/S{ESC}"}}}}}}}}
        if extra_path:
            paths[f"/y\r# injected heading\r<img src=http://127.0.0.1:9/x.png>{ESC}"] = {"get": {"responses": {"200": {"description": "ok"}}}}
        return {"openapi": "3.1.0", "info": {"title": "t" + ESC, "version": "1"}, "paths": paths,
                "components": {"schemas": {f"S{ESC}": {"type": "object", "properties": {f"a{ESC}": {"type": prop_type}}}}}}

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(document("op", "q", "string", False)))
    new.write_text(json.dumps(document("other", "r", "integer", True)))
    return old, new


@case("sec-control-characters-in-documents")
def test_control_characters_from_a_document_reach_no_reader_raw(tmp_path: Path) -> None:
    old, new = _escape_documents(tmp_path)
    for fmt in ("text", "markdown", "github", "html"):
        result = run_cli("diff", str(old), str(new), "--format", fmt)
        assert_no_traceback(result.stdout, result.stderr)
        assert result.exit_code == 1, (fmt, result.stderr)
        assert "injected heading" in result.stdout, fmt  # the hostile path is shown ...
        for char in ("\x1b", "\x07", "\r"):
            assert char not in result.stdout + result.stderr, (fmt, char)  # ... never as control
    markdown = run_cli("diff", str(old), str(new), "--format", "markdown").stdout
    assert not any(line.startswith("# injected") or line.startswith("<img") for line in markdown.splitlines())
    # an error line quoting the document stays one line too
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                                  "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
                                      "application/json": {"schema": {"$ref": f"#/components/schemas/Missing{ESC}"}}}}}}}}}))
    result = run_cli("diff", str(broken), str(new))
    assert result.exit_code == 2 and "\x1b" not in result.stderr and "\\x1b" in result.stderr


def test_inline_code_never_breaks_the_line() -> None:
    from apiparity.report.markdown import inline_code

    shown = inline_code("/a\r# Heading\r\n<img src=x>\u2028`|\x1b[2J")
    assert "\r" not in shown and "\n" not in shown and "\x1b" not in shown and "`" not in shown and "|" not in shown


@case("cli-output-not-a-regular-file")
def test_output_onto_a_fifo_is_written_through(tmp_path: Path) -> None:
    import os
    import threading

    from tests.adversarial.corpus import DOCS

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for target in (fifo, link):
        received: list[bytes] = []
        reader = threading.Thread(target=lambda sink=received: sink.append(fifo.read_bytes()), daemon=True)
        reader.start()
        result = run_cli("diff", f"{DOCS}/valid-small.yaml", f"{DOCS}/valid-small.yaml", "--format", "json", "-o", str(target))
        reader.join(30)
        assert result.exit_code == 0, result.stderr
        assert json.loads(received[0])["command"] == "diff"
    assert fifo.is_fifo() and link.is_symlink()  # neither replaced by a regular file
    result = run_cli("diff", f"{DOCS}/valid-small.yaml", f"{DOCS}/valid-small.yaml", "--format", "json", "-o", "-")
    assert result.exit_code == 0 and json.loads(result.stdout)["command"] == "diff"
    assert not Path("-").exists()


@case("cli-init-fifo")
def test_init_never_blocks_on_a_fifo_named_like_an_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import threading

    os.mkfifo(tmp_path / "app.py")
    (tmp_path / "service.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    monkeypatch.chdir(tmp_path)
    outcome: list[object] = []
    runner = threading.Thread(target=lambda: outcome.append(run_cli("init")), daemon=True)
    runner.start()
    runner.join(60)
    if runner.is_alive():  # unblock the read so the thread can end, then fail
        with open(tmp_path / "app.py", "w"):
            pass
        pytest.fail("init blocked reading the FIFO app.py")
    result = outcome[0]
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert "service.py:app" in (tmp_path / "apiparity.toml").read_text()
