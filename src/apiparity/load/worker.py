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


def _environment(config: dict[str, Any]) -> tuple[Any, Recorder]:
    from locust.env import Environment

    from apiparity.load.locust_user import ParityUser

    user_class = type(
        "ReplayUser",
        (ParityUser,),
        {
            "abstract": False,
            "requests": config["requests"],
            "max_requests": config.get("max_requests"),
            "network_timeout": float(config.get("timeout", 30.0)),
            "connection_timeout": float(config.get("timeout", 30.0)),
        },
    )
    recorder = Recorder()
    env = Environment(user_classes=[user_class], host=config["base_url"].rstrip("/"))
    env.events.request.add_listener(recorder.on_request)
    return env, recorder


def run(config: dict[str, Any]) -> dict[str, Any]:
    if int(config.get("workers") or 0) > 0:
        return run_master(config)
    import gevent

    max_requests = config.get("max_requests")
    env, recorder = _environment(config)
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
    return _result(config, elapsed, [recorder])


def _result(config: dict[str, Any], elapsed: float, recorders: list[Recorder]) -> dict[str, Any]:
    operations: dict[str, dict[str, Any]] = {}
    samples: list[str] = []
    for recorder in recorders:
        for name, latencies in recorder.latencies.items():
            entry = operations.setdefault(name, {"latencies_ms": [], "errors": 0, "statuses": {}})
            entry["latencies_ms"].extend(latencies)
            entry["errors"] += recorder.errors[name]
            for status, count in recorder.statuses[name].items():
                entry["statuses"][status] = entry["statuses"].get(status, 0) + count
        samples += recorder.error_samples
    result = {
        "base_url": config["base_url"],
        "elapsed_s": round(elapsed, 4),
        "users": int(config["users"]),
        "operations": operations,
        "error_samples": samples[:MAX_ERROR_SAMPLES],
    }
    if int(config.get("workers") or 0) > 0:
        result["workers"] = int(config["workers"])
        result["worker_requests"] = [recorder.count for recorder in recorders]
    return result


# ----------------------------------------------------------------------------------- distributed


def run_master(config: dict[str, Any]) -> dict[str, Any]:
    """Locust's distributed mode on this machine: a master runner (here) and `workers` worker
    processes (`--locust-worker`) connected to it on 127.0.0.1; users are spread over the workers.
    Each worker records its own latencies and writes them next to the output; the master merges."""
    import socket
    import subprocess

    import gevent

    workers = int(config["workers"])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env, _ = _environment(config)
    runner = env.create_master_runner(master_bind_host="127.0.0.1", master_bind_port=port)
    processes = [
        subprocess.Popen([sys.executable, "-m", "apiparity.load.worker", "--locust-worker", str(index), config["config_path"],
                          "127.0.0.1", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for index in range(workers)
    ]
    try:
        deadline = time.perf_counter() + 60.0
        while runner.worker_count < workers:
            if time.perf_counter() > deadline or any(p.poll() is not None for p in processes):
                failed = next((p for p in processes if p.poll() is not None), None)
                reason = (failed.stderr.read().strip().splitlines() or ["exited"])[-1] if failed and failed.stderr else "timeout"
                raise RuntimeError(f"{runner.worker_count} of {workers} Locust workers connected ({reason})")
            gevent.sleep(0.05)
        max_requests = config.get("max_requests")
        started = time.perf_counter()
        runner.start(int(config["users"]), spawn_rate=float(config["spawn_rate"]))
        window = started + float(config["duration"])
        while time.perf_counter() < window and (max_requests is None or env.stats.total.num_requests < max_requests):
            gevent.sleep(0.05)
        elapsed = time.perf_counter() - started
        runner.stop()  # workers close their recording window on test_stop
        runner.quit()
        for process in processes:
            process.wait(timeout=60)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    recorders = []
    for index in range(workers):
        with open(f"{config['output']}.worker{index}", encoding="utf-8") as handle:
            recorders.append(_recorder_from(json.load(handle)))
    return _result(config, elapsed, recorders)


def run_worker(config: dict[str, Any], index: int, host: str, port: int) -> None:
    env, recorder = _environment(config)
    runner = env.create_worker_runner(host, port)

    def close_window(**_: Any) -> None:
        recorder.recording = False

    env.events.test_stop.add_listener(close_window)
    runner.greenlet.join()
    with open(f"{config['output']}.worker{index}", "w", encoding="utf-8") as handle:
        json.dump({"latencies": recorder.latencies, "errors": dict(recorder.errors),
                   "statuses": {k: dict(v) for k, v in recorder.statuses.items()}, "samples": recorder.error_samples}, handle)


def _recorder_from(data: dict[str, Any]) -> Recorder:
    recorder = Recorder()
    for name, latencies in data["latencies"].items():
        recorder.latencies[name] = latencies
    recorder.errors.update(data["errors"])
    for name, statuses in data["statuses"].items():
        recorder.statuses[name].update(statuses)
    recorder.error_samples = list(data["samples"])
    recorder.count = sum(len(latencies) for latencies in recorder.latencies.values())
    return recorder


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 5 and args[0] == "--locust-worker":
        with open(args[2], encoding="utf-8") as handle:
            run_worker(json.load(handle), int(args[1]), args[3], int(args[4]))
        return 0
    if len(args) != 1:
        print("usage: python -m apiparity.load.worker CONFIG.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as handle:
        config = json.load(handle)
    config["config_path"] = args[0]
    result = run(config)
    with open(config["output"], "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
