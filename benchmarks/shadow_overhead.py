"""Benchmark: latency the shadow proxy adds to the primary path, on loopback.

One small JSON service is the primary and an identical one the candidate (each uvicorn in its own
process); `apiparity shadow` sits in front of the primary and mirrors every GET to the candidate.
The client sends GETs at a fixed rate, alternating a direct call to the primary and a call through
the proxy, so both see the same machine load in the same run. Reported: p50/p95 of each and the
difference (the proxy's added latency). Goal: <= 1 ms added at p50.

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
    primary_port, candidate_port, proxy_port = free_port(), free_port(), free_port()
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
        for port, process in zip((primary_port, candidate_port, proxy_port), processes):
            wait_for(port, process)

        direct_url, proxy_url = f"http://127.0.0.1:{primary_port}/books", f"http://127.0.0.1:{proxy_port}/books"
        timings: dict[str, list[float]] = {"direct": [], "proxied": []}
        with httpx.Client(timeout=10) as direct, httpx.Client(timeout=10) as proxied:
            for _ in range(50):  # warm both connection pools and the proxy's
                direct.get(direct_url)
                proxied.get(proxy_url)
            interval = 1.0 / args.rate
            next_at = time.perf_counter()
            for i in range(args.requests * 2):
                next_at += interval
                name, client, url = ("direct", direct, direct_url) if i % 2 == 0 else ("proxied", proxied, proxy_url)
                started = time.perf_counter()
                response = client.get(url)
                timings[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
                pause = next_at - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
        processes[-1].send_signal(signal.SIGINT)
        processes[-1].wait(30)
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
    p50, p95 = percentile(timings["proxied"], 50), percentile(timings["proxied"], 95)
    added50, added95 = p50 - d50, p95 - d95
    verdict = "meets" if added50 <= GOAL_P50_MS else "misses"
    print(f"shadow proxy overhead at {args.rate:g} req/s, {args.requests} requests each way on loopback:")
    print(f"  direct   p50 {d50:.2f} ms  p95 {d95:.2f} ms")
    print(f"  proxied  p50 {p50:.2f} ms  p95 {p95:.2f} ms  ({p50 / d50:.2f}x direct at p50)")
    print(f"  added    p50 {added50:+.2f} ms  p95 {added95:+.2f} ms  -> {verdict} the goal of <= {GOAL_P50_MS:g} ms at p50")
    print(f"  candidate side: {shadow['mirrored']} mirrored, {shadow['compared']} compared, {shadow['dropped']} dropped, "
          f"{shadow['candidate_errors'] + shadow['candidate_timeouts']} failed")


if __name__ == "__main__":
    main()
