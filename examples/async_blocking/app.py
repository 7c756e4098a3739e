"""A FastAPI app with two handlers that block the event loop and four that do not.

Blocking (apiparity must find them, statically and at runtime):
- GET /sleepy: `time.sleep` straight inside an `async def` handler;
- GET /stock: its async dependency `get_stock` calls `stock_snapshot`, which calls
  `count_stock_rows`, which runs a slow sqlite3 query: two levels below the dependency.

Not blocking (apiparity must stay quiet):
- GET /nap: `await asyncio.sleep`;
- GET /sync-sleepy: `time.sleep` in a plain `def` handler (FastAPI runs it in its threadpool);
- GET /offloaded: the same slow query, pushed to the threadpool with `run_in_threadpool`;
- GET /settings: an async handler whose *sync* dependency reads a file (threadpool again).

Run it: `uvicorn app:app` from this folder; scan it: `apiparity lint-async examples/async_blocking/app.py:app`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

app = FastAPI(title="Async blocking example", version="1.0.0")


class Slept(BaseModel):
    slept: float


class Rows(BaseModel):
    rows: int


class SettingsBytes(BaseModel):
    settings_bytes: int


# Counting a recursive CTE keeps sqlite busy for ~50-100 ms without any file or server.
SLOW_QUERY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c"
STOCK_ROWS = 400_000


def count_stock_rows(rows: int = STOCK_ROWS) -> int:
    connection = sqlite3.connect(":memory:")
    try:
        return connection.execute(SLOW_QUERY, (rows,)).fetchone()[0]
    finally:
        connection.close()


def stock_snapshot() -> Rows:
    return Rows(rows=count_stock_rows())


async def get_stock() -> Rows:
    return stock_snapshot()  # BLOCKS: a sync helper that does database I/O, called on the loop


def read_settings() -> SettingsBytes:
    # A sync dependency: FastAPI runs it in its threadpool, so reading a file here is fine.
    return SettingsBytes(settings_bytes=len(Path(__file__).read_bytes()))


@app.get("/sleepy")
async def sleepy() -> Slept:
    time.sleep(0.1)  # BLOCKS: every other request on this worker waits 100 ms
    return Slept(slept=0.1)


@app.get("/stock")
async def stock(snapshot: Annotated[Rows, Depends(get_stock)]) -> Rows:
    return snapshot


@app.get("/nap")
async def nap() -> Slept:
    await asyncio.sleep(0.1)
    return Slept(slept=0.1)


@app.get("/sync-sleepy")
def sync_sleepy() -> Slept:
    time.sleep(0.1)
    return Slept(slept=0.1)


@app.get("/offloaded")
async def offloaded() -> Rows:
    return Rows(rows=await run_in_threadpool(count_stock_rows))


@app.get("/settings")
async def settings(values: Annotated[SettingsBytes, Depends(read_settings)]) -> SettingsBytes:
    return values
