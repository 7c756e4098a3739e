"""Benchmark: latency the shadow proxy adds to the primary path, on loopback.

One small JSON service is the primary and an identical one the candidate (each uvicorn in its own
process); `apiparity shadow` sits in front of the primary and mirrors every GET to the candidate.
The client sends GETs at a fixed rate, rotating a direct call to the primary, a call through the
proxy, and a call through a second proxy that mirrors nothing (`--methods OPTIONS`: the cost of
the proxy hop alone, without comparisons sharing its interpreter), so all see the same machine load
in the same run. Reported: p50/p95 of each and the differences (the latency the proxy adds).
Goal: <= 1 ms added at p50.

    python benchmarks/shadow_overhead.py [--rate 200] [--requests 2000]
"""

from __future__ import annotations

import argparse
import json
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_P50_MS = 1.0

SERVICE = '''
import json
BODY = json.dumps({"items": [{"id": i, "title": f"book {i}", "price": 9.5 + i} for i in range(20)], "total": 20}).encode()
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited early ({process.args})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listening on {port}")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second (direct + proxied together)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per path (direct and proxied each)")
    args = parser.parse_args()

    import httpx

    work = Path(tempfile.mkdtemp(prefix="apiparity-shadow-bench-"))
    (work / "bench_service.py").write_text(SERVICE)
    primary_port, candidate_port, proxy_port, bare_port = free_port(), free_port(), free_port(), free_port()
    processes = []
    try:
        for port in (primary_port, candidate_port):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "bench_service:app", "--port", str(port), "--log-level", "warning",
                 "--no-access-log"], cwd=work))
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "apiparity.cli", "shadow", "--listen", f"127.0.0.1:{proxy_port}",
             "--primary", f"http://127.0.0.1:{primary_port}", "--candidate", f"http://127.0.0.1:{candidate_port}",
             "-o", str(work / "shadow.json")], cwd=ROOT, stderr=subprocess.DEVNULL))
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "apiparity.cli", "shadow", "--listen", f"127.0.0.1:{bare_port}",
             "--primary", f"http://127.0.0.1:{primary_port}", "--candidate", f"http://127.0.0.1:{candidate_port}",
             "--methods", "OPTIONS", "-o", str(work / "bare.json")], cwd=ROOT, stderr=subprocess.DEVNULL))
        for port, process in zip((primary_port, candidate_port, proxy_port, bare_port), processes):
            wait_for(port, process)

        urls = {"direct": f"http://127.0.0.1:{primary_port}/books", "proxied": f"http://127.0.0.1:{proxy_port}/books",
                "hop only": f"http://127.0.0.1:{bare_port}/books"}
        timings: dict[str, list[float]] = {name: [] for name in urls}
        clients = {name: httpx.Client(timeout=10) for name in urls}
        try:
            for _ in range(50):  # warm every connection pool, the proxies' included
                for name, url in urls.items():
                    clients[name].get(url)
            interval = 1.0 / args.rate
            next_at = time.perf_counter()
            order = list(urls)
            for i in range(args.requests * len(order)):
                next_at += interval
                name = order[i % len(order)]
                client, url = clients[name], urls[name]
                started = time.perf_counter()
                response = client.get(url)
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
                pause = next_at - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
        finally:
            for client in clients.values():
                client.close()
        processes[2].send_signal(signal.SIGINT)
        processes[2].wait(30)
        shadow = json.loads((work / "shadow.json").read_text())["extras"]["shadow"]
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()

    d50, d95 = percentile(timings["direct"], 50), percentile(timings["direct"], 95)
    print(f"shadow proxy overhead at {args.rate:g} req/s, {args.requests} requests each way on loopback:")
    print(f"  direct               p50 {d50:.2f} ms  p95 {d95:.2f} ms")
    for name, label in (("hop only", "proxy, no mirroring"), ("proxied", "proxy + mirroring")):
        p50, p95 = percentile(timings[name], 50), percentile(timings[name], 95)
        print(f"  {label:<20} p50 {p50:.2f} ms  p95 {p95:.2f} ms  added p50 {p50 - d50:+.2f} ms  p95 {p95 - d95:+.2f} ms"
              f"  ({p50 / d50:.2f}x direct at p50)")
    added50 = percentile(timings["proxied"], 50) - d50
    verdict = "meets" if added50 <= GOAL_P50_MS else "misses"
    print(f"  shadow overhead (mirroring on): {added50:+.2f} ms at p50 -> {verdict} the goal of <= {GOAL_P50_MS:g} ms")
    print(f"  candidate side: {shadow['mirrored']} mirrored, {shadow['compared']} compared, {shadow['dropped']} dropped, "
          f"{shadow['candidate_errors'] + shadow['candidate_timeouts']} failed")


if __name__ == "__main__":
    main()
