"""`apiparity.pipeline` without the command line: run_check / run_fuzz on small in-process apps
(tests/check/apps.py: a flask-openapi3 legacy app, its faithful FastAPI port and a port that drops
`price`), asserting the typed events a caller sees and the outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiparity.errors import ApiparityError, ConfigError
from apiparity.options import FuzzOptions, HistoryOptions, ReportPaths
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
    RunStarted,
    run_check,
    run_fuzz,
    run_replay,
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
