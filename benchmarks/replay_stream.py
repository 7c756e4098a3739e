"""`apiparity replay` on a large GoReplay capture: throughput and peak memory.

Generates a capture of REQUESTS requests (default 1,000,000; each with a recorded response
payload, as GoReplay writes them) and:

1. reads it (`apiparity.traffic.gor.iter_requests`): requests/s and peak RSS of the reader alone;
2. replays it with the same pipeline as `apiparity replay` (OLD twice, NEW once, compare, noise,
   grouping) against two minimal in-process WSGI apps, so the time is apiparity's own, printing
   requests/s and the peak RSS after 10%, 50% and 100% of the capture: constant memory means the
   three are the same, whatever the capture size.

    python benchmarks/replay_stream.py [--requests 1000000] [--replay 1000000]

`--replay N` replays only the first N requests (the reader always goes through all of them); a
full 1,000,000-request replay sends 3,000,000 in-process requests and takes several minutes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "bench", "version": "1"},
    "paths": {
        "/items/{item_id}": {"get": {"parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                                     "responses": {"200": {"description": "ok"}}}},
        "/health": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
}


def make_app(version: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/openapi.json":
            body = json.dumps(DOCUMENT).encode()
        elif path.startswith("/items/"):
            item = path.rsplit("/", 1)[1]
            # NEW differs on every 1000th item: a few groups with many cases, as real traffic has
            name = f"item {item}" if version == "old" or not item.endswith("999") else f"Item {item}"
            body = json.dumps({"id": int(item) if item.isdigit() else 0, "name": name}).encode()
        else:
            body = b'{"status": "ok"}'
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return app


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def generate(path: Path, count: int) -> None:
    from apiparity.traffic.gor import write_capture

    with open(path, "wb") as handle:
        batch: list[tuple[str, bytes, bytes]] = []
        for number in range(count):
            target = f"/items/{number % 5000}" if number % 4 else "/health"
            request = f"GET {target}?trace={number} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: bench\r\n\r\n".encode()
            batch.append((f"{number:024x}", request, b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"status": "ok"}'))
            if len(batch) == 10_000:
                write_capture(handle, batch, start_ns=1_700_000_000_000_000_000 + number * 1_000_000)
                batch.clear()
        write_capture(handle, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--replay", type=int, default=None, help="replay only the first N requests [default: all]")
    args = parser.parse_args()
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.targets.model import Target
    from apiparity.traffic.gor import GorStats, iter_requests
    from apiparity.traffic.replay import ReplayOptions, run_replay

    with tempfile.TemporaryDirectory() as folder:
        capture = Path(folder) / "capture.gor"
        started = time.perf_counter()
        generate(capture, args.requests)
        print(f"capture: {args.requests:,} requests (+ their responses), {capture.stat().st_size / 2**20:,.0f} MiB, "
              f"written in {time.perf_counter() - started:.1f} s")

        baseline = peak_rss_mb()
        started = time.perf_counter()
        stats = GorStats()
        read = sum(1 for _ in iter_requests(capture, stats=stats))
        elapsed = time.perf_counter() - started
        print(f"read:    {read:,} requests in {elapsed:.1f} s = {read / elapsed:,.0f} requests/s; "
              f"peak RSS {peak_rss_mb():.0f} MiB (before reading {baseline:.0f} MiB)")

        total = min(args.replay or args.requests, args.requests)
        old = Target(ref="old", kind="app", framework="wsgi", document=DOCUMENT, app=make_app("old"))
        new = Target(ref="new", kind="app", framework="wsgi", document=DOCUMENT, app=make_app("new"))
        marks = {max(total // 10, 1): "10%", max(total // 2, 1): "50%", total: "100%"}
        memory: dict[str, float] = {}

        def on_request(position: int, _total: int) -> None:
            if position in marks:
                memory[marks[position]] = peak_rss_mb()

        started = time.perf_counter()
        outcome = run_replay(old, new, itertools.islice(iter_requests(capture), total), FuzzSettings(auto_reset=False),
                             on_request=on_request, options=ReplayOptions())
        elapsed = time.perf_counter() - started
        result = outcome.result
        print(f"replay:  {result.cases:,} requests (each to OLD twice and NEW once) in {elapsed:.1f} s = "
              f"{result.cases / elapsed:,.0f} requests/s; {len(result.groups)} mismatch group(s), "
              f"{sum(g.count for g in result.groups):,} mismatching cases")
        print("peak RSS during the replay: " + ", ".join(f"{mark} {mb:.0f} MiB" for mark, mb in memory.items())
              + (" (constant)" if memory and max(memory.values()) - min(memory.values()) < 20 else ""))


if __name__ == "__main__":
    main()
