"""Reproduce the sync-vs-async benchmark on this machine, with apiparity's own load runner.

Published (100 users, 60 s, an endpoint doing a 5 ms database query and a 200 ms third-party call):

    Flask + gunicorn, 4 sync workers      1,200 req/min   p95 3.2 s
    Flask + gunicorn, gevent             18,000 req/min   p95 280 ms
    FastAPI + uvicorn, 4 workers         28,000 req/min   p95 220 ms

Little's law (throughput = concurrency / time per request) gives the ceiling of each: 4 blocking
workers x 1/0.205 s = 1,170 req/min whatever the users; a non-blocking server is bounded by the
users instead: 100 / 0.205 s = 29,268 req/min.

Here everything (load generator, stub, app workers) shares one small machine, so the run is
scaled: USERS concurrent users (default 40, not 100) for DURATION seconds (default 15, not 60) per
configuration. The limits printed are the Little's-law limits for those settings. Run:

    python benchmarks/async_parity.py [--users 40] [--duration 15]

Needs the `bench` extra (gunicorn, gevent, uvicorn). Every server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "examples" / "async_bench"
sys.path.insert(0, str(ROOT / "src"))

from apiparity.load.runner import LoadSettings, run_side  # noqa: E402
from apiparity.load.scenario import LoadRequest  # noqa: E402
from apiparity.load.stats import OVERALL, side_stats  # noqa: E402

SERVICE_TIME_S = 0.205  # 5 ms query + 200 ms third-party call
PUBLISHED_USERS = 100


@dataclass
class Config:
    name: str
    script: str
    port: int
    blocking_workers: int | None  # concurrency cap of a blocking server; None: bounded by users
    published_rpm: int
    published_p95_ms: int


CONFIGS = [
    Config("Flask + gunicorn, 4 sync workers", "start_gunicorn_sync.sh", 18301, 4, 1_200, 3_200),
    Config("Flask + gunicorn, 4 gevent workers", "start_gunicorn_gevent.sh", 18302, None, 18_000, 280),
    Config("FastAPI + uvicorn, 4 workers", "start_uvicorn.sh", 18303, None, 28_000, 220),
]


def little_limit_rpm(config: Config, users: int) -> float:
    concurrency = min(users, config.blocking_workers) if config.blocking_workers else users
    return concurrency / SERVICE_TIME_S * 60


def start(script: str, port: int, stub_port: int) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(port), "STUB_PORT": str(stub_port), "STUB_URL": f"http://127.0.0.1:{stub_port}/rate"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    # A session of its own, so stopping it stops the server's workers too.
    return subprocess.Popen(["bash", str(BENCH / script)], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited: {process.stderr.read() if process.stderr else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def warm_up(url: str, timeout: float = 30.0) -> None:
    """Wait for a first good answer, then let the remaining workers finish importing: the port opens
    before the workers of a pre-fork server are ready, and a cold start would count as load."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                time.sleep(2.0)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} gave no 200 within {timeout} s")


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of the live processes of one process group, from /proc (Linux)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command name: state ppid pgrp ... utime is field 14, stime 15 (1-based, whole line)
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(config: Config, users: int, duration: float, stub: subprocess.Popen, stub_port: int) -> dict:
    server = start(config.script, config.port, stub_port)
    try:
        wait_for_port(config.port, server)
        warm_up(f"http://127.0.0.1:{config.port}/order")
        request = LoadRequest(method="GET", path="/order", operation="GET /order")
        settings = LoadSettings(users=users, duration=duration, timeout=60.0)
        server_cpu, stub_cpu, generator_cpu = group_cpu_seconds(server.pid), group_cpu_seconds(stub.pid), children_cpu_seconds()
        load_before = os.getloadavg()[0]
        raw = run_side(f"http://127.0.0.1:{config.port}", [request], settings, label=config.name)
        stats = side_stats(raw)[OVERALL]
        count = max(stats.requests, 1)
        return {
            "stats": stats,
            "server_ms": (group_cpu_seconds(server.pid) - server_cpu) * 1000 / count,
            "stub_ms": (group_cpu_seconds(stub.pid) - stub_cpu) * 1000 / count,
            # includes the worker's start-up (~1 s of imports), spread over the requests
            "generator_ms": (children_cpu_seconds() - generator_cpu) * 1000 / count,
            "load": max(load_before, os.getloadavg()[0]),
        }
    finally:
        stop(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40, help="concurrent users (published run: 100)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per configuration (published: 60)")
    parser.add_argument("--stub-port", type=int, default=18300)
    args = parser.parse_args()

    print(f"Scaled to this machine ({os.cpu_count()} cores, generator + stub + servers on it): "
          f"{args.users} users (published {PUBLISHED_USERS}), {args.duration:g} s per configuration (published 60 s), "
          f"service time {SERVICE_TIME_S * 1000:.0f} ms\n")
    stub = start("start_stub.sh", args.stub_port, args.stub_port)
    results = {}
    try:
        wait_for_port(args.stub_port, stub)
        for config in CONFIGS:
            print(f"  running {config.name} ...", file=sys.stderr, flush=True)
            results[config.name] = measure(config, args.users, args.duration, stub, args.stub_port)
    finally:
        stop(stub)

    header = (f"{'configuration':36} {'req/min':>8} {'limit':>8} {'of limit':>8} {'p95 ms':>8} {'errors':>6}"
              f"  | {'published':>9} {'pub. p95':>8} {'pub. limit':>10}")
    print(header)
    print("-" * len(header))
    for config in CONFIGS:
        stats = results[config.name]["stats"]
        rpm = stats.rps * 60
        limit = little_limit_rpm(config, args.users)
        published_limit = little_limit_rpm(config, PUBLISHED_USERS)
        print(f"{config.name:36} {rpm:8,.0f} {limit:8,.0f} {rpm / limit:8.0%} {stats.p95_ms:8,.0f} {stats.errors:6}"
              f"  | {config.published_rpm:9,} {config.published_p95_ms:8,} {published_limit:10,.0f}")
    print("\nCPU per request (ms): what the 2 cores pay for each request, and the machine's load average")
    for config in CONFIGS:
        r = results[config.name]
        total = r["server_ms"] + r["stub_ms"] + r["generator_ms"]
        ceiling = (os.cpu_count() or 1) * 1000 / total * 60 if total else float("inf")
        print(f"  {config.name:36} server {r['server_ms']:5.2f}  stub {r['stub_ms']:5.2f}  generator {r['generator_ms']:5.2f}"
              f"  -> CPU-bound ceiling ~{ceiling:,.0f} req/min with idle cores; load average {r['load']:.1f}")
    cores = os.cpu_count() or 1
    for config in CONFIGS:
        r = results[config.name]
        limit_rps = little_limit_rpm(config, args.users) / 60
        share = r["stats"].rps * 60 / little_limit_rpm(config, args.users)
        if share >= 0.8:
            continue
        needed = limit_rps * (r["server_ms"] + r["stub_ms"] + r["generator_ms"]) / 1000
        print(f"  why {config.name} is at {share:.0%} of its limit: at the limit it needs {needed:.2f} cores "
              f"(server {limit_rps * r['server_ms'] / 1000:.2f}, stub {limit_rps * r['stub_ms'] / 1000:.2f}, "
              f"generator {limit_rps * r['generator_ms'] / 1000:.2f}) while the load average was {r['load']:.1f} on "
              f"{cores} cores: it is CPU-starved, not blocked. Rerun on an idle machine or with fewer --users.")
    sync = results[CONFIGS[0].name]["stats"].rps
    print()
    for config in CONFIGS[1:]:
        measured = results[config.name]["stats"].rps / sync if sync else float("nan")
        published = config.published_rpm / CONFIGS[0].published_rpm
        expected = little_limit_rpm(config, args.users) / little_limit_rpm(CONFIGS[0], args.users)
        short = "gevent" if "gevent" in config.name else "uvicorn"
        print(f"ratio {short}/sync: measured x{measured:.1f}, Little's law at {args.users} users x{expected:.1f}, "
              f"published x{published:.1f} (at {PUBLISHED_USERS} users)")
    print("\nlimit = Little's law: concurrency / 0.205 s x 60, with concurrency = 4 blocking workers (sync) "
          "or the users (gevent, uvicorn).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
