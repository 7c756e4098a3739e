"""`apiparity.pipeline` without the command line: run_check / run_fuzz on small in-process apps
(tests/check/apps.py: a flask-openapi3 legacy app, its faithful FastAPI port and a port that drops
`price`), asserting the typed events a caller sees and the outcome."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from apiparity.errors import ApiparityError, ConfigError
from apiparity.options import FuzzOptions, HistoryOptions, ReportPaths, ShadowRequest
from apiparity.report.json_format import read_report
from apiparity.pipeline import (
    CaseCompared,
    CheckRequest,
    Event,
    FuzzFinished,
    FuzzRequest,
    GroupOpened,
    Notice,
    OperationFinished,
    OperationsPlanned,
    PhaseFinished,
    PhaseStarted,
    ReplayRequest,
    RunFinished,
    ShadowOutcome,
    RunStarted,
    run_check,
    run_fuzz,
    run_replay,
    run_shadow,
)

LEGACY = "tests.check.apps:legacy"
MODERN = "tests.check.apps:modern"
REGRESSED = "tests.check.apps:regressed"
FAST = FuzzOptions(max_examples=3, phases="examples,fuzzing", seed=1)
OFF = HistoryOptions(no_history=True)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no config found upward, nothing written next to the repository
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("APIPARITY_HISTORY", raising=False)


def milestones(events: list[Event]) -> list[Event]:
    """The events that happen once or once per phase (cases and operations left out)."""
    return [e for e in events if not isinstance(e, (CaseCompared, OperationFinished, GroupOpened, Notice))]


def test_check_of_a_regression_emits_the_run_in_order_and_is_not_ready(tmp_path: Path) -> None:
    events: list[Event] = []
    outcome = run_check(CheckRequest(LEGACY, REGRESSED, fuzz=FAST, history=OFF,
                                     reports=ReportPaths.of(json=str(tmp_path / "r.json"))), on_event=events.append)

    assert outcome.exit_code == 1 and outcome.report.verdict is not None and not outcome.report.verdict.ready
    assert (tmp_path / "r.json").exists()
    fuzz = outcome.report.fuzz
    assert fuzz is not None
    assert milestones(events) == [
        RunStarted("check", LEGACY, REGRESSED, 1),
        PhaseStarted("diff"), PhaseFinished("diff", True),
        PhaseStarted("fuzz"), OperationsPlanned(fuzz.operations_total),
        FuzzFinished(fuzz.operations_total, fuzz.operations_total, fuzz.cases), PhaseFinished("fuzz", True),
        RunFinished(1, None),
    ]
    cases = [e for e in events if isinstance(e, CaseCompared)]
    sent = [e.cases_sent for e in cases]
    assert cases and sent == sorted(set(sent)) and sent[-1] <= fuzz.cases  # probes and stateful steps emit no CaseCompared
    assert {e.operation for e in cases} <= {stats.operation for stats in fuzz.operations if stats.cases}
    finished = [e.operation for e in events if isinstance(e, OperationFinished)]
    assert finished == [stats.operation for stats in fuzz.operations]
    # the dropped `price` opens a cause on GET /items/{item_id}, after a case of that operation was sent
    opened = [(i, e) for i, e in enumerate(events) if isinstance(e, GroupOpened)]
    assert opened and all(e.operation == "GET /items/{item_id}" for _, e in opened)
    first = opened[0][0]
    assert any(isinstance(e, CaseCompared) and e.operation == "GET /items/{item_id}" for e in events[:first])
    assert any("price" in signature for _, e in opened for signature in e.signatures)
    assert any(g.operation == "GET /items/{item_id}" and "price" in g.signature for g in fuzz.groups)


def test_check_of_a_faithful_port_is_ready_and_opens_no_group() -> None:
    events: list[Event] = []
    outcome = run_check(CheckRequest(LEGACY, MODERN, fuzz=FAST, history=OFF), on_event=events.append)

    assert outcome.exit_code == 0 and outcome.report.verdict is not None and outcome.report.verdict.ready
    assert not any(isinstance(e, GroupOpened) for e in events)
    assert events[-1] == RunFinished(0, None)


def test_ctrl_c_mid_fuzz_keeps_what_ran_marked_incomplete() -> None:
    events: list[Event] = []

    def stop_after_the_first_operation(event: Event) -> None:
        events.append(event)
        if isinstance(event, OperationFinished):
            raise KeyboardInterrupt

    outcome = run_check(CheckRequest(LEGACY, MODERN, fuzz=FAST, history=OFF), on_event=stop_after_the_first_operation)

    assert outcome.exit_code == 130 and outcome.interrupted
    report = outcome.report
    assert report.incomplete is not None and report.incomplete.cause == "interrupted" and report.incomplete.phase == "fuzz"
    assert report.verdict is not None and not report.verdict.ready
    assert report.fuzz is not None and report.fuzz.cases > 0  # what ran before Ctrl-C
    assert [e for e in events if isinstance(e, OperationFinished)][1:] == []
    assert milestones(events)[-2:] == [PhaseFinished("fuzz", False), RunFinished(130, "interrupted")]


def test_bad_input_raises_before_any_event() -> None:
    events: list[Event] = []
    with pytest.raises(ConfigError, match="name OLD and NEW"):
        run_check(CheckRequest(history=OFF), on_event=events.append)
    with pytest.raises(ConfigError, match="max-examples 0"):
        run_check(CheckRequest(LEGACY, MODERN, fuzz=FuzzOptions(max_examples=0), history=OFF), on_event=events.append)
    assert events == []


def test_fuzz_alone_reports_the_regression_with_exit_1() -> None:
    events: list[Event] = []
    outcome = run_fuzz(FuzzRequest(LEGACY, REGRESSED, fuzz=FAST, history=OFF), on_event=events.append)

    assert outcome.exit_code == 1 and outcome.report.command == "fuzz" and outcome.report.complete
    assert any("price" in g.signature for g in outcome.result.groups)
    assert milestones(events)[:3] == [RunStarted("fuzz", LEGACY, REGRESSED, 1), PhaseStarted("fuzz"),
                                      OperationsPlanned(outcome.result.operations_total)]
    assert milestones(events)[-2:] == [PhaseFinished("fuzz", True), RunFinished(1, None)]
    assert any(isinstance(e, GroupOpened) for e in events)


def test_replay_of_recorded_requests_finds_the_regression_and_names_undocumented_traffic(tmp_path: Path) -> None:
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text('{"method": "GET", "path": "/items/1"}\n{"method": "GET", "path": "/items/2"}\n'
                       '{"method": "GET", "path": "/items"}\n{"method": "GET", "path": "/nowhere"}\n')
    events: list[Event] = []
    outcome = run_replay(ReplayRequest(str(traffic), LEGACY, REGRESSED), on_event=events.append)

    assert outcome.exit_code == 1 and outcome.requests_read == 4 and outcome.report.command == "replay"
    assert any(g.operation == "GET /items/{item_id}" and "price" in g.signature for g in outcome.result.groups)
    assert [u.path for u in outcome.report.undocumented_traffic or []] == ["/nowhere"]
    assert milestones(events) == [RunStarted("replay", LEGACY, REGRESSED, 0), PhaseStarted("replay"),
                                  PhaseFinished("replay", True), RunFinished(1, None)]


def test_replay_of_an_empty_corpus_is_bad_input(tmp_path: Path) -> None:
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text("")
    with pytest.raises(ApiparityError, match="no replayable requests"):
        run_replay(ReplayRequest(str(traffic), LEGACY, MODERN))


def test_the_pytest_plugin_loads_its_targets_through_the_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One loading for every run and the plugin's suites: `load_suite` calls `pipeline.load_targets`
    (once per suite), with the suite's settings and the test file's folder for relative interpreters."""
    import apiparity.pipeline as pipeline
    from apiparity.pytest_plugin import ParitySuite, load_suite

    calls: list[tuple[str, str, Path | None]] = []
    real = pipeline.load_targets

    def recording(old_ref: str, new_ref: str, settings: object, **kwargs: object) -> object:
        calls.append((old_ref, new_ref, kwargs.get("interpreters_from")))  # type: ignore[arg-type]
        return real(old_ref, new_ref, settings, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "load_targets", recording)
    loaded = load_suite(ParitySuite(LEGACY, MODERN, settings={"seed": 3}), base=tmp_path)

    assert calls == [(LEGACY, MODERN, tmp_path)]
    assert (loaded.old.ref, loaded.new.ref, loaded.settings.seed) == (LEGACY, MODERN, 3)


# ----------------------------------------------------------------------------------- shadow
# the legacy app (flask-openapi3, werkzeug) as primary and the port that drops `price` (FastAPI,
# uvicorn) as candidate, both served in threads on 127.0.0.1; the proxy runs in a thread until stopped


@contextlib.contextmanager
def _wsgi_server(app: object) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class _AsgiServer:
    """uvicorn in a thread; `stop()` ends it (the side dies), and so does leaving the `with`."""

    def __init__(self, app: object) -> None:
        import socket

        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))  # type: ignore[arg-type]
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> _AsgiServer:
        self.thread.start()
        _until(lambda: self.server.started, "the candidate started")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _until(condition: Callable[[], object], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


class _ShadowRun:
    """`run_shadow` in a thread: its events, the stop switch, and the outcome once it returned."""

    def __init__(self, request: ShadowRequest, on_event: Callable[[Event], None] | None = None) -> None:
        self.events: list[Event] = []
        self.stop = threading.Event()
        self.outcome: ShadowOutcome | None = None
        self.error: BaseException | None = None
        self._extra = on_event

        def handle(event: Event) -> None:
            self.events.append(event)
            if self._extra is not None:
                self._extra(event)

        def run() -> None:
            try:
                self.outcome = run_shadow(request, on_event=handle, stop=self.stop)
            except BaseException as exc:  # noqa: BLE001 - shown by the test
                self.error = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        _until(lambda: self.error is not None or any(isinstance(e, PhaseStarted) for e in self.events), "the proxy listens")
        assert self.error is None, self.error
        started = next(e for e in self.events if isinstance(e, RunStarted))
        assert started.listen_url is not None
        self.url = started.listen_url

    def compared(self) -> list[CaseCompared]:
        return [e for e in list(self.events) if isinstance(e, CaseCompared)]

    def finish(self) -> ShadowOutcome:
        self.stop.set()
        self.thread.join(60)
        assert self.error is None, self.error
        assert self.outcome is not None, "run_shadow did not return"
        return self.outcome


def test_shadow_mirrors_emits_the_run_in_order_and_writes_the_report_on_stop(tmp_path: Path) -> None:
    from tests.check.apps import legacy, regressed

    report_path = tmp_path / "shadow.json"
    with _wsgi_server(legacy) as primary, _AsgiServer(regressed) as candidate:
        run = _ShadowRun(ShadowRequest("127.0.0.1:0", primary, candidate.url, report_path=str(report_path)))
        with httpx.Client(base_url=run.url, timeout=30) as client:
            answers = [client.get(path) for path in ("/items/1", "/items/2", "/items", "/items/9")]
        _until(lambda: len(run.compared()) == 4, "4 requests were compared")
        outcome = run.finish()

    assert [a.status_code for a in answers] == [200, 200, 200, 404] and answers[0].json()["price"] == 10  # the primary's
    assert outcome.exit_code == 0 and outcome.report.command == "shadow" and outcome.report.complete
    assert milestones(run.events) == [RunStarted("shadow", primary, candidate.url, 0, run.url), PhaseStarted("shadow"),
                                      PhaseFinished("shadow", True), RunFinished(0, None)]
    assert outcome.listen_url == run.url and outcome.notices[0].startswith(f"shadow: listening on {run.url}; primary {primary}")
    assert [e.cases_sent for e in run.compared()] == [1, 2, 3, 4]
    groups = outcome.report.fuzz.groups if outcome.report.fuzz else []
    dropped = [g for g in groups if "price" in g.signature]
    assert len(dropped) == 1 and dropped[0].count == 2  # items 1 and 2; the list and the 404 answer alike
    opened = [(i, e) for i, e in enumerate(run.events) if isinstance(e, GroupOpened)]
    assert [e.operation for _, e in opened] == [dropped[0].operation]
    assert isinstance(run.events[opened[0][0] - 1], CaseCompared)  # the case that opened it, reported before
    written = read_report(str(report_path))  # the final report, as the run returned it
    assert written.complete and written.incomplete is None
    assert written.shadow is not None and (written.shadow.requests, written.shadow.compared) == (4, 4)
    assert [g.signature for g in written.fuzz.groups] == [g.signature for g in groups]  # type: ignore[union-attr]


def test_shadow_a_side_that_dies_mid_run_marks_the_report_incomplete_exit_2(tmp_path: Path) -> None:
    from tests.check.apps import legacy, modern

    report_path = tmp_path / "shadow.json"
    with _wsgi_server(legacy) as primary, _AsgiServer(modern) as candidate:
        run = _ShadowRun(ShadowRequest("127.0.0.1:0", primary, candidate.url, report_path=str(report_path)))
        with httpx.Client(base_url=run.url, timeout=30) as client:
            assert client.get("/items/1").status_code == 200
            _until(lambda: len(run.compared()) == 1, "the first request was compared")
            candidate.stop()  # NEW dies mid-run
            assert client.get("/items/2").status_code == 200  # clients never see it
        _until(lambda: len(run.compared()) == 2, "the second request was compared")
        outcome = run.finish()

    assert outcome.exit_code == 2
    incomplete = outcome.report.incomplete
    assert incomplete is not None and incomplete.cause == "side-died" and incomplete.phase == "shadow"
    assert incomplete.detail.startswith(f"NEW (candidate) {candidate.url} stopped accepting connections during the run")
    assert milestones(run.events)[-2:] == [PhaseFinished("shadow", True), RunFinished(2, "side-died")]
    written = read_report(str(report_path))
    assert not written.complete and written.incomplete == incomplete
    assert written.shadow is not None and written.shadow.candidate_errors == 1


def test_shadow_ctrl_c_in_a_handler_stops_the_run_like_the_signal(tmp_path: Path) -> None:
    from tests.check.apps import legacy, modern

    def ctrl_c(event: Event) -> None:
        if isinstance(event, CaseCompared):
            raise KeyboardInterrupt

    report_path = tmp_path / "shadow.json"
    with _wsgi_server(legacy) as primary, _AsgiServer(modern) as candidate:
        run = _ShadowRun(ShadowRequest("127.0.0.1:0", primary, candidate.url, report_path=str(report_path)), on_event=ctrl_c)
        with httpx.Client(base_url=run.url, timeout=30) as client:
            assert client.get("/items/1").status_code == 200
        run.thread.join(60)  # nobody sets `stop`: the handler's Ctrl-C does
        assert run.outcome is not None, run.error
    assert run.outcome.exit_code == 0 and run.outcome.report.complete  # stopping is how a shadow run ends
    assert run.events[-1] == RunFinished(0, None)
    assert read_report(str(report_path)).complete


def test_shadow_internal_error_keeps_the_report_marked_incomplete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import apiparity.traffic.shadow as shadow

    def broken_serve(proxy: object, sock: socket.socket, **kwargs: object) -> None:
        sock.close()
        raise RuntimeError("the server fell over")

    monkeypatch.setattr(shadow, "serve", broken_serve)
    down = "http://127.0.0.1:9"  # nothing listens: no document, and no side to lose
    events: list[Event] = []
    outcome = run_shadow(ShadowRequest("127.0.0.1:0", down, down, report_path=str(tmp_path / "r.json")), on_event=events.append)

    assert outcome.exit_code == 2
    assert outcome.report.incomplete is not None and outcome.report.incomplete.cause == "internal-error"
    assert "RuntimeError: the server fell over" in outcome.report.incomplete.detail
    assert milestones(events)[-2:] == [PhaseFinished("shadow", False), RunFinished(2, "internal-error")]
    assert read_report(str(tmp_path / "r.json")).incomplete == outcome.report.incomplete


def test_shadow_bad_input_raises_before_any_event() -> None:
    events: list[Event] = []
    url = "http://127.0.0.1:9"
    with pytest.raises(ConfigError, match="expected HOST:PORT"):
        run_shadow(ShadowRequest("nowhere", url, url), on_event=events.append)
    with pytest.raises(ConfigError, match="pass --allow-unsafe"):
        run_shadow(ShadowRequest("127.0.0.1:0", url, url, methods="GET,POST"), on_event=events.append)
    with pytest.raises(ConfigError, match="--candidate 'ftp://x'"):
        run_shadow(ShadowRequest("127.0.0.1:0", url, "ftp://x"), on_event=events.append)
    assert events == []
