"""Load one side with Locust, in its own process: ``python -m apiparity.load.worker CONFIG.json``.

Locust runs on gevent, whose monkey-patching is process-wide and breaks asyncio, threads and
pytest; so the CLI process never imports Locust and starts this module as a subprocess instead.
The config (JSON) names the base URL, the mix, users, spawn rate and bounds; the result (JSON,
written to the config's ``output`` path) holds raw per-request latencies per operation, which the
parent turns into percentiles (`apiparity.load.stats`).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from typing import Any

MAX_ERROR_SAMPLES = 5


class Recorder:
    """Collects every request Locust reports while the measurement window is open."""

    def __init__(self) -> None:
        self.recording = True
        self.count = 0
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.statuses: dict[str, Counter[str]] = defaultdict(Counter)
        self.error_samples: list[str] = []

    def on_request(self, request_type: str, name: str, response_time: float, response: Any = None,
                   exception: BaseException | None = None, **_: Any) -> None:
        if not self.recording:
            return
        self.count += 1
        self.latencies[name].append(round(float(response_time), 3))
        status = getattr(response, "status_code", 0) or 0
        self.statuses[name][str(status)] += 1
        if exception is not None:
            self.errors[name] += 1
            if len(self.error_samples) < MAX_ERROR_SAMPLES:
                self.error_samples.append(f"{name}: {exception}")


def run(config: dict[str, Any]) -> dict[str, Any]:
    import gevent
    from locust.env import Environment

    from apiparity.load.locust_user import ParityUser

    max_requests = config.get("max_requests")
    user_class = type(
        "ReplayUser",
        (ParityUser,),
        {
            "abstract": False,
            "requests": config["requests"],
            "max_requests": max_requests,
            "network_timeout": float(config.get("timeout", 30.0)),
            "connection_timeout": float(config.get("timeout", 30.0)),
        },
    )
    recorder = Recorder()
    env = Environment(user_classes=[user_class], host=config["base_url"].rstrip("/"))
    env.events.request.add_listener(recorder.on_request)
    runner = env.create_local_runner()
    started = time.perf_counter()
    runner.start(int(config["users"]), spawn_rate=float(config["spawn_rate"]))
    deadline = started + float(config["duration"])
    while time.perf_counter() < deadline and (max_requests is None or recorder.count < max_requests):
        gevent.sleep(0.01)
    # Close the window before stopping: requests cut off by the stop are neither counted nor timed.
    recorder.recording = False
    elapsed = time.perf_counter() - started
    runner.quit()
    return {
        "base_url": config["base_url"],
        "elapsed_s": round(elapsed, 4),
        "users": int(config["users"]),
        "operations": {
            name: {
                "latencies_ms": latencies,
                "errors": recorder.errors[name],
                "statuses": dict(recorder.statuses[name]),
            }
            for name, latencies in recorder.latencies.items()
        },
        "error_samples": recorder.error_samples,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m apiparity.load.worker CONFIG.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as handle:
        config = json.load(handle)
    result = run(config)
    with open(config["output"], "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
