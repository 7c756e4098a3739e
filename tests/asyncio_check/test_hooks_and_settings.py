"""The glue for fuzz/check (which targets get a monitor, the wrapped transport, the extras
section) and the `[event_loop]` config table."""

from __future__ import annotations

import pytest

from apiparity.asyncio_check.hooks import MonitoredTransport, event_loop_section, monitor_for_target, monitor_transport
from apiparity.asyncio_check.settings import EventLoopSettings, load_event_loop_settings
from apiparity.config import RawConfig
from apiparity.errors import ConfigError
from apiparity.targets import load_target
from tests.conftest import EXAMPLES, ROOT

EXAMPLE = EXAMPLES / "async_blocking" / "app.py"


@pytest.fixture(scope="module")
def new_target():
    return load_target(f"{EXAMPLE}:app")


def test_monitor_only_for_in_process_asgi_targets_with_the_gate_on(new_target):
    assert monitor_for_target(new_target).threshold_ms == 20.0
    assert monitor_for_target(new_target, EventLoopSettings(threshold_ms=50)).threshold_ms == 50.0
    assert monitor_for_target(new_target, new_url="http://127.0.0.1:8000") is None
    assert monitor_for_target(new_target, EventLoopSettings(gate=False)) is None
    flask_target = load_target(f"{ROOT}/tests/apps/small_apps.py:plain_flask_app")
    assert monitor_for_target(flask_target) is None


def test_wrapped_fuzz_transport_attributes_requests_and_section_has_static_findings(new_target):
    transports = pytest.importorskip("apiparity.fuzz.transports")
    from apiparity.fuzz.wire import WireRequest

    monitor = monitor_for_target(new_target)
    transport = monitor_transport(transports.ASGITransport(new_target.app), monitor)
    assert isinstance(transport, MonitoredTransport) and transport.name == "asgi"
    try:
        for path in ("/nap", "/sleepy", "/nap"):
            assert transport.send(WireRequest(method="GET", path=path, query="x=1", operation=f"GET {path}")).status == 200
    finally:
        transport.close()
    section = event_loop_section(monitor, new_target)
    (block,) = section["blocks"]
    assert block["operation"] == "GET /sleepy" and block["example_request"] == "GET /sleepy?x=1"
    assert {f["operation"] for f in section["static"]} == {"GET /sleepy", "GET /stock"}
    assert "static" not in event_loop_section(monitor, new_target, EventLoopSettings(static=False))


def test_transports_without_a_loop_are_left_alone():
    class WSGILike:
        name = "wsgi"

    plain = WSGILike()
    assert monitor_transport(plain, None) is plain
    assert monitor_transport(plain, monitor_for_target(load_target(f"{EXAMPLE}:app"))) is plain


def test_settings_from_config():
    assert load_event_loop_settings(RawConfig()) == EventLoopSettings()
    raw = RawConfig(data={"event_loop": {"threshold_ms": 50, "gate": False, "max_blocks": 2, "static": False}})
    settings = load_event_loop_settings(raw)
    assert settings == EventLoopSettings(threshold_ms=50.0, gate=False, max_blocks=2, static=False)
    assert settings.gate_extra() == {"event_loop": False, "event_loop_max_blocks": 2}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"threshold_ms": 0}, "threshold_ms must be a positive number"),
        ({"threshold_ms": "20"}, "threshold_ms must be a positive number"),
        ({"gate": "yes"}, "gate must be true or false"),
        ({"max_blocks": -1}, "max_blocks must be a non-negative integer"),
        ({"treshold_ms": 20}, "unknown key(s) treshold_ms"),
    ],
)
def test_bad_settings_name_the_file_and_key(tmp_path, table, message):
    path = tmp_path / "apiparity.toml"
    with pytest.raises(ConfigError, match=r"apiparity\.toml: \[event_loop\]: ") as info:
        load_event_loop_settings(RawConfig(data={"event_loop": table}, path=path))
    assert message in str(info.value)


def test_shard_sections_merge():
    from apiparity.asyncio_check.gate import event_loop_gate, merge_event_loop_sections

    def block(operation: str, count: int, max_ms: float, where: str) -> dict:
        return {"operation": operation, "count": count, "max_ms": max_ms, "p95_ms": max_ms, "total_ms": count * max_ms,
                "where": where, "function": "f", "stack": [where], "example_request": operation,
                "locations": [f"{where} ({count}x)"], "attributed": True}

    first = {"source": "runtime", "threshold_ms": 20.0, "monitored_seconds": 1.0,
             "blocks": [block("GET /a", 2, 50.0, "app.py:3")], "unattributed": [], "events_dropped": 0}
    second = {"source": "runtime", "threshold_ms": 20.0, "monitored_seconds": 2.0,
              "blocks": [block("GET /a", 1, 80.0, "app.py:4"), block("GET /b", 1, 30.0, "app.py:9")],
              "unattributed": [], "events_dropped": 0}
    merged = merge_event_loop_sections([first, None, second])
    assert [(b["operation"], b["count"], b["max_ms"], b["where"]) for b in merged["blocks"]] == [
        ("GET /a", 3, 80.0, "app.py:4"),
        ("GET /b", 1, 30.0, "app.py:9"),
    ]
    assert merged["monitored_seconds"] == 3.0
    assert not event_loop_gate(merged).passed
    assert merge_event_loop_sections([None, {}]) is None
