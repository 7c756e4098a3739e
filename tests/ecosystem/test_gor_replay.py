"""`apiparity replay` on GoReplay captures (`.gor`, `.gor.gz`): the format as GoReplay's source
writes it (buger/goreplay protocol.go: a `1|2|3 <id> <ns> [<latency>]` meta line, the raw HTTP
message, payloads separated by "\\n🐵🙈🙉\\n"), streamed; --sample, --rate, --workers, --resume."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from apiparity.traffic.gor import SEPARATOR, GorStats, iter_requests, write_capture
from tests.conftest import run_cli
from tests.load.conftest import servers  # noqa: F401 - the live servers fixture

APPS = Path(__file__).parent / "apps"
OLD, NEW = f"{APPS / 'parity_legacy.py'}:app", f"{APPS / 'parity_regressed.py'}:app"

# a capture exactly as GoReplay writes one: request then response payload, each ended by the separator
RAW = (
    b"1 a1b2c3d4e5f60718293a4b5c 1700000000000000000 0\n"
    b"GET /items?limit=3 HTTP/1.1\r\nHost: shop.example\r\nAccept-Encoding: gzip\r\nX-Trace: 1\r\n\r\n"
    + SEPARATOR
    + b"2 a1b2c3d4e5f60718293a4b5c 1700000000004000000 4000000\n"
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"items\": []}"
    + SEPARATOR
    + b"1 b1b2c3d4e5f60718293a4b5c 1700000000010000000\n"
    b"POST /echo HTTP/1.1\r\nHost: shop.example\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"7\r\n{\"text\"\r\n8\r\n: \"hey\"}\r\n0\r\n\r\n"
    + SEPARATOR
    + b"1 c1b2c3d4e5f60718293a4b5c 1700000000020000000 0\nGET /health HTTP/1.1\r\nHost: shop.example\r\n\r\n"
    + SEPARATOR
)


def _capture(tmp_path: Path, name: str = "traffic.gor", data: bytes = RAW) -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


@pytest.mark.parametrize("name", ["traffic.gor", "traffic.gor.gz"])
def test_requests_are_read_from_the_capture(tmp_path: Path, name: str) -> None:
    stats = GorStats()
    requests = list(iter_requests(_capture(tmp_path, name), stats=stats))
    assert [(r.method, r.path, r.query) for r in requests] == [("GET", "/items", "limit=3"), ("POST", "/echo", ""), ("GET", "/health", "")]
    assert requests[0].headers == [("X-Trace", "1")]  # Host and Accept-Encoding are the transport's
    assert requests[1].body == b'{"text": "hey"}'  # chunked transfer coding undone
    assert requests[0].source.endswith("request a1b2c3d4e5f60718293a4b5c")
    assert stats.responses == 1 and stats.unparsed == 0


def test_a_file_that_is_no_capture_is_one_line_exit_2(tmp_path: Path) -> None:
    bogus = tmp_path / "not.gor"
    bogus.write_text("GET /items HTTP/1.1\n\n")
    result = run_cli("replay", str(bogus), OLD, NEW)
    assert result.exit_code == 2 and "not a GoReplay capture" in result.stderr


def test_replay_of_a_capture_finds_the_regressions(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = run_cli("replay", str(_capture(tmp_path)), OLD, NEW, "--format", "json", "-o", str(out))
    assert result.exit_code == 1, result.stderr
    report = json.loads(out.read_text())
    assert report["extras"]["traffic"]["format"] == "gor" and report["extras"]["traffic"]["requests"] == 3
    assert report["fuzz"]["cases"] == 3
    assert {g["operation"] for g in report["fuzz"]["groups"]} == {"GET /items", "GET /health"}
    assert "1 recorded response payload(s) skipped" in result.stderr


def _big_capture(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "big.gor"
    targets = [b"/items?limit=1", b"/health", b"/items?limit=2"]
    with open(path, "wb") as handle:
        write_capture(handle, [(f"{n:024x}", b"GET " + targets[n % 3] + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"") for n in range(count)])
    return path


def _replay(tmp_path: Path, capture: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / f"r{len(list(tmp_path.glob('r*.json')))}.json"
    result = run_cli("replay", str(capture), OLD, NEW, "--format", "json", "-o", str(out), *args)
    assert result.exit_code in (0, 1, 130), result.stderr
    return result.exit_code, json.loads(out.read_text())


def _summary(report: dict) -> tuple[int, dict[str, int]]:
    return report["fuzz"]["cases"], {f"{g['operation']} | {g['signature']}": g["count"] for g in report["fuzz"]["groups"]}


def test_sample_is_a_deterministic_share(tmp_path: Path) -> None:
    capture = _big_capture(tmp_path, 60)
    _, first = _replay(tmp_path, capture, "--sample", "0.5", "--seed", "3")
    _, again = _replay(tmp_path, capture, "--sample", "0.5", "--seed", "3")
    _, other = _replay(tmp_path, capture, "--sample", "0.5", "--seed", "4")
    assert 15 <= first["fuzz"]["cases"] <= 45
    assert _summary(first) == _summary(again)
    assert first["extras"]["traffic"]["requests"] == 60
    assert _summary(other) != _summary(first)


def test_parallel_workers_give_the_report_of_one_worker(tmp_path: Path, servers: object) -> None:  # noqa: F811
    """Two live servers (waitress, uvicorn on 127.0.0.1): --workers 2 reports what one worker does."""
    capture = tmp_path / "live.gor"
    targets = [b"/items", b"/items/1", b"/items/2"]
    with open(capture, "wb") as handle:
        write_capture(handle, [(f"{n:024x}", b"GET " + targets[n % 3] + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"") for n in range(30)])
    old, new = servers.old, servers.new  # type: ignore[attr-defined]
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.json"
        result = run_cli("replay", str(capture), old, new, "--workers", workers, "--format", "json", "-o", str(out))
        assert result.exit_code in (0, 1), result.stderr
        outs.append(json.loads(out.read_text()))
    assert _summary(outs[0]) == _summary(outs[1]) and outs[0]["fuzz"]["cases"] == 30
    refused = run_cli("replay", str(capture), OLD, NEW, "--workers", "2", "--no-auto-reset")
    assert refused.exit_code == 2 and "--workers 2: an in-process app" in refused.stderr


def test_rate_paces_the_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """--rate N: request k is not sent before k/N seconds (a fake clock: no wall-time assertion)."""
    from apiparity.traffic import replay as module

    now = [0.0]
    sleeps: list[float] = []
    monkeypatch.setattr(module.time, "monotonic", lambda: now[0])

    def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 6))
        now[0] += seconds

    monkeypatch.setattr(module.time, "sleep", sleep)
    from apiparity.targets import load_target
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.traffic.records import RecordedRequest

    old, new = load_target(OLD), load_target(NEW)
    requests = [RecordedRequest("GET", "/health") for _ in range(4)]
    outcome = module.run_replay(old, new, requests, FuzzSettings(auto_reset=False), options=module.ReplayOptions(rate=2.0))
    assert outcome.result.cases == 4
    assert sleeps == [0.5, 0.5, 0.5]  # the fake clock does not move while requests are sent


def test_an_interrupted_replay_resumes_from_its_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    capture = _big_capture(tmp_path, 12)
    _, whole = _replay(tmp_path, capture)
    checkpoint = tmp_path / "replay.checkpoint.json"
    from apiparity.traffic import replay as module

    original = module._Replay._exchange
    calls = [0]

    def interrupted(self, request):  # Ctrl-C while the 8th request is in flight
        calls[0] += 1
        if calls[0] == 8:
            raise KeyboardInterrupt
        return original(self, request)

    monkeypatch.setattr(module._Replay, "_exchange", interrupted)
    code, _ = _replay(tmp_path, capture, "--checkpoint", str(checkpoint), "--checkpoint-every", "3")
    assert code == 130
    saved = json.loads(checkpoint.read_text())
    assert saved["done"] == 6 and saved["result"]["cases"] == 6 and saved["offset"] > 0  # the last regular save
    monkeypatch.setattr(module._Replay, "_exchange", original)
    code, resumed = _replay(tmp_path, capture, "--checkpoint", str(checkpoint), "--resume")
    assert code == 1
    assert _summary(resumed) == _summary(whole)  # the two parts report as one run
    assert resumed["extras"]["traffic"]["resumed_from"] == 6 and resumed["extras"]["traffic"]["requests"] == 12
    other = tmp_path / "other.gor"
    other.write_bytes(RAW)
    refused = run_cli("replay", str(other), OLD, NEW, "--checkpoint", str(checkpoint), "--resume")
    assert refused.exit_code == 2 and "not of" in refused.stderr
