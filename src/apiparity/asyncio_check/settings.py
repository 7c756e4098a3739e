"""Event-loop settings from the config: ``[tool.apiparity.event_loop]`` / ``[event_loop]`` in
apiparity.toml::

    [tool.apiparity.event_loop]
    threshold_ms = 20      # a block longer than this is reported (runtime monitor)
    gate = true            # the check gate "no-event-loop-blocking" (FastAPI/ASGI NEW side)
    max_blocks = 0         # blocks the gate tolerates
    static = true          # also run the static scan in `check` and show its findings
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apiparity.errors import ConfigError

__all__ = ["EventLoopSettings", "load_event_loop_settings"]


@dataclass(slots=True)
class EventLoopSettings:
    threshold_ms: float = 20.0
    gate: bool = True
    max_blocks: int = 0
    static: bool = True

    def gate_extra(self) -> dict[str, Any]:
        """Entries for `GateThresholds.extra`."""
        return {"event_loop": self.gate, "event_loop_max_blocks": self.max_blocks}


def load_event_loop_settings(raw: Any) -> EventLoopSettings:
    """Read and validate the `event_loop` table of a `RawConfig` (missing table: defaults)."""
    table = raw.section("event_loop") if raw is not None else {}
    where = f"{getattr(raw, 'path', None) or 'config'}: [event_loop]"
    unknown = set(table) - {"threshold_ms", "gate", "max_blocks", "static"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    settings = EventLoopSettings()
    if "threshold_ms" in table:
        value = table["threshold_ms"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ConfigError(f"{where}: threshold_ms must be a positive number of milliseconds, got {value!r}")
        settings.threshold_ms = float(value)
    for key in ("gate", "static"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"{where}: {key} must be true or false, got {table[key]!r}")
            setattr(settings, key, table[key])
    if "max_blocks" in table:
        value = table["max_blocks"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{where}: max_blocks must be a non-negative integer, got {value!r}")
        settings.max_blocks = value
    return settings
