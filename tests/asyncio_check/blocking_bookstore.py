"""The faithful bookstore port with exactly one change: GET /health is an `async def` handler that
calls `time.sleep(0.05)`, a 50 ms block of the event loop on every call.

The event-loop gate must catch this one under CPU load as well as on an idle machine, while the
faithful port (`examples/bookstore/modern_app.py`) stays READY under the same load.

    apiparity check examples/bookstore/legacy_app.py:app tests/asyncio_check/blocking_bookstore.py:app \
        --reset-old examples/bookstore/legacy_app.py:reset --reset-new tests/asyncio_check/blocking_bookstore.py:reset
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

BOOKSTORE = Path(__file__).resolve().parents[2] / "examples" / "bookstore"
if str(BOOKSTORE) not in sys.path:
    sys.path.insert(0, str(BOOKSTORE))

import modern_app  # noqa: E402 - after the sys.path entry above
from modern_app import Health, app, reset  # noqa: E402

__all__ = ["HEALTH_SLEEP_S", "app", "reset"]

HEALTH_SLEEP_S = 0.05

app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/health"]


@app.get("/health", response_model=Health)
async def health() -> dict[str, str]:
    """Liveness probe"""
    time.sleep(HEALTH_SLEEP_S)  # noqa: ASYNC251 - BLOCKS the loop for 50 ms, on purpose
    return {"status": "ok"}


assert modern_app.app is app
