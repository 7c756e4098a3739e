"""Glue for `fuzz` / `check`: watch NEW's event loop while the fuzz engine sends it requests.

Three calls, so the engine and the command need only a few lines each:

- `monitor_for_target(target, settings, new_url=...)`: a `LoopBlockMonitor` when NEW is a
  FastAPI/ASGI app run in-process and the gate is on, else None;
- `monitor_transport(transport, monitor)`: wraps the fuzz engine's in-process ASGI transport so
  every request is attributed to its operation and the monitor watches the transport's loop;
- `loop_section(monitor, target, settings)`: the report's `Report.event_loop` section (runtime
  blocks, plus the static scan's findings when `settings.static`); `event_loop_section` is its JSON data.
"""

from __future__ import annotations

from typing import Any

from apiparity.asyncio_check.settings import EventLoopSettings
from apiparity.asyncio_check.watchdog import LoopBlockMonitor
from apiparity.model_sections import EventLoopSection

__all__ = ["monitor_for_target", "monitor_transport", "loop_section", "event_loop_section", "MonitoredTransport"]

ASGI_FRAMEWORKS = ("fastapi", "asgi")


def monitor_for_target(target: Any, settings: EventLoopSettings | None = None, *, new_url: str | None = None) -> LoopBlockMonitor | None:
    """A monitor for NEW when its loop runs in this process (an ASGI app, no --new-url), else None."""
    settings = settings or EventLoopSettings()
    if not settings.gate or new_url or getattr(target, "app", None) is None:
        return None
    if getattr(target, "framework", None) not in ASGI_FRAMEWORKS:
        return None
    return LoopBlockMonitor(settings.threshold_ms, app=target.app)


class MonitoredTransport:
    """The fuzz engine's ASGI transport, with every request attributed to its operation.

    The monitor starts watching the transport's loop on the first request and stops on close().
    Everything else (name, base_url, loop, ...) is the wrapped transport's.
    """

    def __init__(self, transport: Any, monitor: LoopBlockMonitor) -> None:
        self._transport = transport
        self._monitor = monitor
        self._started = False
        self._watched: Any = None

    def send(self, request: Any) -> Any:
        loop = self._transport.loop
        if self._started and loop is not self._watched:
            self._monitor.stop()  # the transport gave up a loop stuck in a handler: follow its new one
            self._started = False
        if not self._started:
            self._monitor.start(loop)
            self._watched = loop
            self._started = True
        label = f"{request.method} {request.target}" if hasattr(request, "target") else None
        with self._monitor.request(getattr(request, "operation", None) or f"{request.method} {request.path}", label):
            return self._transport.send(request)

    def close(self) -> None:
        try:
            if self._started:
                self._monitor.stop()
        finally:
            self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def monitor_transport(transport: Any, monitor: LoopBlockMonitor | None) -> Any:
    """`transport` wrapped by `MonitoredTransport` when it owns an event loop, else unchanged."""
    if monitor is None or getattr(transport, "loop", None) is None:
        return transport
    return MonitoredTransport(transport, monitor)


def loop_section(monitor: LoopBlockMonitor, target: Any = None, settings: EventLoopSettings | None = None) -> EventLoopSection:
    """`Report.event_loop`: the monitor's blocks, plus static findings for FastAPI apps."""
    settings = settings or EventLoopSettings()
    section = monitor.to_section()
    if settings.static and target is not None and getattr(target, "framework", None) == "fastapi":
        from apiparity.asyncio_check.static_scan import scan_app

        try:
            section.static = [f.to_call() for f in scan_app(target.app).findings]
        except Exception as exc:  # noqa: BLE001 - the scan is advice; a failure must not sink the run
            section.static_error = f"{type(exc).__name__}: {exc}"
    return section


def event_loop_section(monitor: LoopBlockMonitor, target: Any = None, settings: EventLoopSettings | None = None) -> dict[str, Any]:
    """`loop_section` as JSON data (the JSON report's extras.event_loop)."""
    return loop_section(monitor, target, settings).to_dict()
