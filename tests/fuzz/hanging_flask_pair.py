"""OLD and NEW as plain Flask apps run in-process (WSGI); NEW's sync handlers never return, one
waiting on an event nobody sets, one sleeping for good (issue 14, item 2)."""

from __future__ import annotations

import threading
import time

from flask import Flask

FOREVER = 1e6


def _build(hostile: bool) -> Flask:
    app = Flask("hanging_pair_new" if hostile else "hanging_pair_old")

    @app.get("/ok")
    def ok() -> dict[str, str]:
        return {"status": "fine"}

    @app.get("/never-returns")
    def never_returns() -> dict[str, str]:
        if hostile:
            threading.Event().wait()
        return {"status": "fine"}

    @app.get("/sleeps")
    def sleeps() -> dict[str, str]:
        if hostile:
            time.sleep(FOREVER)
        return {"status": "fine"}

    return app


old_app = _build(hostile=False)
new_app = _build(hostile=True)
