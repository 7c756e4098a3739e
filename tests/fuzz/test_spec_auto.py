"""`--spec auto` (the default): a plain Flask OLD has only a url_map skeleton, which knows no query
parameters or bodies, so the cases also come from NEW's real document."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

OLD_APP = '''
from flask import Flask, jsonify, request
app = Flask(__name__)
ITEMS = [{"id": i} for i in range(1, 8)]

@app.get("/items")
def items():
    limit = request.args.get("limit", default=5, type=int)
    return jsonify(ITEMS[:limit])
'''
NEW_APP = '''
from fastapi import FastAPI, Query
app = FastAPI()
ITEMS = [{"id": i} for i in range(1, 8)]

@app.get("/items")
def items(limit: int = Query(5, ge=0, le=7)) -> list[dict]:
    return ITEMS[:5]  # regression: limit ignored
'''


def _run(tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    (tmp_path / "old_app.py").write_text(OLD_APP)
    (tmp_path / "new_app.py").write_text(NEW_APP)
    out = tmp_path / "report.json"
    result = run_cli("fuzz", f"{tmp_path / 'old_app.py'}:app", f"{tmp_path / 'new_app.py'}:app", "--seed", "1",
                     "--max-examples", "10", "--format", "json", "-o", str(out), "--probes", "none", *extra)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(out.read_text()), result.stderr


def test_auto_sends_the_query_parameters_only_new_documents(tmp_path: Path) -> None:
    code, report, stderr = _run(tmp_path)
    assert "cases come from OLD's inferred skeleton and NEW's document" in stderr
    assert report["fuzz"]["settings"]["spec"] == "both"
    assert code == 1
    assert any(g["operation"] == "GET /items" for g in report["fuzz"]["groups"])


def test_spec_old_keeps_to_the_skeleton(tmp_path: Path) -> None:
    code, report, stderr = _run(tmp_path, "--spec", "old")
    assert "inferred skeleton and NEW's document" not in stderr
    assert code == 0 and report["fuzz"]["groups"] == []
