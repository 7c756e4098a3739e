"""The legacy Flask twin of examples/async_blocking/app.py: same operations, same answers.

Used as OLD in `apiparity check` so that the only thing wrong with NEW is that it blocks its loop.
"""

from __future__ import annotations

from pathlib import Path

from flask_openapi3 import OpenAPI
from pydantic import BaseModel

NEW_APP_FILE = Path(__file__).resolve().parents[2] / "examples" / "async_blocking" / "app.py"

app = OpenAPI(__name__, security_schemes={})


class Slept(BaseModel):
    slept: float


class Rows(BaseModel):
    rows: int


class SettingsBytes(BaseModel):
    settings_bytes: int


@app.get("/sleepy", responses={200: Slept})
def sleepy():
    return {"slept": 0.1}


@app.get("/stock", responses={200: Rows})
def stock():
    return {"rows": 400_000}


@app.get("/nap", responses={200: Slept})
def nap():
    return {"slept": 0.1}


@app.get("/sync-sleepy", responses={200: Slept})
def sync_sleepy():
    return {"slept": 0.1}


@app.get("/offloaded", responses={200: Rows})
def offloaded():
    return {"rows": 400_000}


@app.get("/settings", responses={200: SettingsBytes})
def settings():
    return {"settings_bytes": len(NEW_APP_FILE.read_bytes())}
