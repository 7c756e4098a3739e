"""A FastAPI app whose async handler blocks the event loop (time.sleep in a helper), for the
event-loop section tests. Keep the line numbers of BLOCKING_LINE in step with the code."""

from __future__ import annotations

import time

from fastapi import FastAPI

app = FastAPI()
BLOCKING_LINE = 16  # the time.sleep below


def load_cover() -> None:
    # a synchronous "download" on the event loop: what the monitor must point at
    time.sleep(0.06)


@app.get("/covers/{book_id}")
async def get_cover(book_id: int) -> dict[str, int]:
    load_cover()
    return {"book_id": book_id}


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}
