"""OLD answers every route; NEW's handler on each route crashes or hangs in a way that used to end,
hang or pass a run (issue 14, item 2). Both are FastAPI apps run in-process."""

from __future__ import annotations

import sys
import threading
import time

from fastapi import FastAPI

FOREVER = 3600.0


def _build(hostile: bool) -> FastAPI:
    app = FastAPI(title="crashing pair", version="1")

    @app.get("/ok")
    def ok() -> dict[str, str]:
        return {"status": "fine"}

    @app.get("/exit-async")
    async def exit_async() -> dict[str, str]:
        if hostile:
            raise SystemExit(0)
        return {"status": "fine"}

    @app.get("/exit-sync")
    def exit_sync() -> dict[str, str]:
        if hostile:
            sys.exit()
        return {"status": "fine"}

    @app.get("/interrupt")
    async def interrupt() -> dict[str, str]:
        if hostile:
            raise KeyboardInterrupt
        return {"status": "fine"}

    @app.get("/sleep-async")
    async def sleep_async() -> dict[str, str]:
        if hostile:
            time.sleep(FOREVER)  # noqa: ASYNC251 - blocks NEW's loop for good, on purpose
        return {"status": "fine"}

    @app.get("/never-returns")
    def never_returns() -> dict[str, str]:
        if hostile:
            threading.Event().wait()  # a worker thread that never ends
        return {"status": "fine"}

    return app


old_app = _build(hostile=False)
new_app = _build(hostile=True)
