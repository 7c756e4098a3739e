"""Drive OLD, then NEW, with the same mix, each in a Locust worker subprocess, and compare.

The sides run one after the other, not at once, so they never compete for the same cores.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apiparity.errors import ApiparityError
from apiparity.load.scenario import LoadRequest
from apiparity.model_sections import LoadRunSettings, LoadSection, LoadSideRun

# Seconds a worker may take beyond its load window (interpreter and Locust start-up, ramp-up, stop).
_WORKER_GRACE_S = 60.0


@dataclass(slots=True)
class LoadSettings:
    users: int = 10
    spawn_rate: float | None = None  # users started per second; None: all at once
    duration: float = 10.0  # seconds of load per side (upper bound)
    max_requests: int | None = None  # requests per side (upper bound); the first bound reached ends a side
    timeout: float = 30.0  # seconds to wait for one answer
    headers: dict[str, str] = field(default_factory=dict)  # added to every request (e.g. auth)
    workers: int = 0  # Locust worker processes (distributed mode on this machine); 0: one local runner

    def validate(self) -> None:
        if self.users < 1:
            raise ApiparityError(f"--users must be at least 1, got {self.users}")
        if self.spawn_rate is not None and self.spawn_rate <= 0:
            raise ApiparityError(f"--spawn-rate must be positive, got {self.spawn_rate:g}")
        if self.duration <= 0:
            raise ApiparityError(f"--duration must be positive, got {self.duration:g}")
        if self.max_requests is not None and self.max_requests < 1:
            raise ApiparityError(f"--max-requests must be at least 1, got {self.max_requests}")
        if self.timeout <= 0:
            raise ApiparityError(f"--timeout must be positive, got {self.timeout:g}")
        if self.workers < 0:
            raise ApiparityError(f"--workers must be at least 1, got {self.workers}")


def check_base_url(url: str, *, label: str) -> str:
    """A usable http(s) service root, without a trailing slash, or a one-line error."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiparityError(f"{label} {url!r}: not an http(s) URL of a running service (e.g. http://127.0.0.1:8000)")
    if parts.query or parts.fragment:
        raise ApiparityError(f"{label} {url!r}: give the service root, without a query or fragment")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ApiparityError(f"{label} {url!r}: invalid port") from None
    return url.strip().rstrip("/")


def check_reachable(base_url: str, *, label: str, timeout: float) -> None:
    """One GET to the root, so a wrong port fails in a second instead of after a whole load run."""
    import httpx

    from apiparity.fuzz.deadline import request_within

    try:  # `timeout` for the whole answer: a server that drip-feeds it fails here too
        request_within("GET", base_url + "/", timeout)
    except httpx.TimeoutException:
        raise ApiparityError(f"{label} {base_url}: no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        reason = (str(exc) or type(exc).__name__).splitlines()[0]
        raise ApiparityError(f"{label} {base_url}: cannot connect ({reason})") from None


def run_side(base_url: str, requests: list[LoadRequest], settings: LoadSettings, *, label: str) -> dict[str, Any]:
    """Load one side in a Locust worker subprocess; returns its raw result (see `worker.run`)."""
    mix = [_with_headers(r.to_dict(), settings.headers) for r in requests]
    spawn_rate = settings.spawn_rate or float(settings.users)
    with tempfile.TemporaryDirectory(prefix="apiparity-load-") as folder:
        config_path = Path(folder) / "config.json"
        output_path = Path(folder) / "result.json"
        config = {
            "base_url": base_url,
            "requests": mix,
            "users": settings.users,
            "spawn_rate": spawn_rate,
            "duration": settings.duration,
            "max_requests": settings.max_requests,
            "timeout": settings.timeout,
            "output": str(output_path),
            "workers": settings.workers,
        }
        config_path.write_text(json.dumps(config), encoding="utf-8")
        limit = settings.duration + settings.users / spawn_rate + settings.timeout + _WORKER_GRACE_S
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "apiparity.load.worker", str(config_path)],
                capture_output=True,
                text=True,
                timeout=limit,
                env=_worker_env(),
            )
        except subprocess.TimeoutExpired:
            raise ApiparityError(f"{label} {base_url}: the load worker did not finish within {limit:.0f} s") from None
        if completed.returncode != 0 or not output_path.exists():
            lines = [line for line in (completed.stderr or "").splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit code {completed.returncode}"
            raise ApiparityError(f"{label} {base_url}: the load worker failed: {reason}")
        return json.loads(output_path.read_text(encoding="utf-8"))


def compare_sides(
    old_url: str,
    new_url: str,
    requests: list[LoadRequest],
    settings: LoadSettings,
    *,
    source: str,
    seed: int | None = None,
    allow_unsafe: bool = False,
) -> dict[str, Any]:
    """`load_section` as JSON data (the JSON report's extras.load)."""
    return load_section(old_url, new_url, requests, settings, source=source, seed=seed, allow_unsafe=allow_unsafe).to_dict()


def load_section(
    old_url: str,
    new_url: str,
    requests: list[LoadRequest],
    settings: LoadSettings,
    *,
    source: str,
    seed: int | None = None,
    allow_unsafe: bool = False,
) -> LoadSection:
    """Run OLD then NEW and return the report's `Report.load` section."""
    from apiparity.load.stats import OVERALL, compare, side_stats

    settings.validate()
    raw_old = run_side(old_url, requests, settings, label="OLD")
    raw_new = run_side(new_url, requests, settings, label="NEW")
    operations = [row.to_comparison() for row in compare(side_stats(raw_old), side_stats(raw_new))]
    return LoadSection(
        settings=LoadRunSettings(
            users=settings.users,
            spawn_rate=settings.spawn_rate or float(settings.users),
            duration=settings.duration,
            max_requests=settings.max_requests,
            timeout=settings.timeout,
            workers=settings.workers,
            header_names=sorted(settings.headers),  # values may be secrets: names only
            source=source,
            seed=seed,
            mix_size=len(requests),
            allow_unsafe=allow_unsafe,
        ),
        old=_side_run(raw_old),
        new=_side_run(raw_new),
        operations=operations,
        overall=copy.deepcopy(next(op for op in operations if op.operation == OVERALL)),
    )


def _side_run(raw: dict[str, Any]) -> LoadSideRun:
    # worker_requests: requests each Locust worker sent (distributed mode only)
    return LoadSideRun(url=raw["base_url"], elapsed_s=raw["elapsed_s"], error_samples=list(raw.get("error_samples", [])),
                       worker_requests=raw.get("worker_requests"))


def _with_headers(request: dict[str, Any], extra: dict[str, str]) -> dict[str, Any]:
    if extra:
        request["headers"] = {**request.get("headers", {}), **extra}
    return request


def _worker_env() -> dict[str, str]:
    # The worker must import this very apiparity, also when it runs from a source tree.
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    return env
