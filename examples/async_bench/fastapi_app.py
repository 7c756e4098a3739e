"""The benchmark endpoint in FastAPI: the same 5 ms database query and 200 ms third-party call,
awaited, so one worker serves many requests at once."""

from __future__ import annotations

import asyncio
import os
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

STUB_URL = os.environ.get("STUB_URL", "http://127.0.0.1:18300/rate")
DB_QUERY_S = 0.005


@asynccontextmanager
async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
    # One pooled client per worker; no connection cap, like the blocking version's per-call sockets.
    async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_connections=None, max_keepalive_connections=200)) as client:
        app.state.client = client
        yield


app = FastAPI(lifespan=lifespan)


async def query_database() -> dict:
    await asyncio.sleep(DB_QUERY_S)  # stands in for a 5 ms query through an async driver
    return {"order_id": 42, "amount": 100.0}


@app.get("/order")
async def order() -> dict:
    row = await query_database()
    response = await app.state.client.get(STUB_URL)
    rate = response.json()
    return {"order_id": row["order_id"], "amount_eur": row["amount"] * rate["rate"]}
