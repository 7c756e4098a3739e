"""The static scan finds blocking calls reachable from async handlers/dependencies, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from apiparity.asyncio_check.static_scan import scan_app
from tests.asyncio_check import scan_apps

SCAN_APPS = Path(scan_apps.__file__).resolve()


def marked_lines(path: Path, marker: str) -> set[int]:
    return {n for n, line in enumerate(path.read_text().splitlines(), 1) if line.rstrip().endswith(marker)}


@pytest.fixture(scope="module")
def result():
    return scan_app(scan_apps.app)


def test_every_marked_line_is_found_and_nothing_else(result):
    found = {f.line for f in result.findings if f.file == str(SCAN_APPS)}
    found |= {int(a.split(":")[0]) for f in result.findings for a in f.also}
    assert found == marked_lines(SCAN_APPS, "# BLOCKING")
    assert all(f.file == str(SCAN_APPS) for f in result.findings)


def test_correct_handlers_are_not_reported(result):
    flagged = {f.operation for f in result.findings}
    for operation in (
        "GET /threadpool",
        "GET /sync-handler",
        "GET /sync-dependency",
        "GET /sync-gen-dep",
        "GET /async-sleep",
        "GET /defines-but-does-not-call",
        "GET /recursion",
        "GET /deep",
    ):
        assert operation not in flagged


def test_aliases_resolve_to_the_real_call(result):
    by_operation = {f.operation: f for f in result.findings}
    assert by_operation["GET /alias-module"].resolved == "time.sleep"
    assert by_operation["GET /alias-function"].resolved == "time.sleep"
    assert by_operation["GET /alias-module"].family == "sleep"


def test_chains_name_handler_dependency_and_helpers(result):
    by_operation: dict[str, list] = {}
    for finding in result.findings:
        by_operation.setdefault(finding.operation, []).append(finding)
    annotated = sorted(by_operation["GET /annotated"], key=lambda f: f.line)
    assert annotated[0].chain == ["annotated (handler)", "get_connection (async dependency)", "open_db"]
    assert annotated[0].resolved == "sqlite3.connect"
    # `conn: Annotated[sqlite3.Connection, Depends(...)]` types the parameter
    assert annotated[1].chain == ["annotated (async handler)"]
    assert annotated[1].resolved == "sqlite3.Connection.execute"
    (method,) = by_operation["GET /method"]
    assert method.chain == ["method (async handler)", "load"]
    assert method.family == "http"
    (callable_dep,) = by_operation["GET /callable-dep"]
    assert callable_dep.chain == ["callable_dep (handler)", "RateLimiter (async dependency)", "wait"]
    (awaited,) = by_operation["GET /awaited-helper"]
    assert awaited.chain == ["awaited_helper (async handler)", "refresh_cache"]
    assert awaited.family == "subprocess"


def test_fix_hints_name_the_function_to_change(result):
    by_operation = {f.operation: f for f in result.findings}
    assert "declare `alias_module` with plain `def`" in by_operation["GET /alias-module"].fix_hint
    assert "asyncio.sleep" in by_operation["GET /alias-module"].fix_hint
    assert "run_in_threadpool(load" in by_operation["GET /method"].fix_hint
    assert "httpx.AsyncClient" in by_operation["GET /method"].fix_hint


def test_depth_is_bounded_and_configurable():
    deep_line = marked_lines(SCAN_APPS, "# DEEP")
    shallow = scan_app(scan_apps.app, max_depth=4)
    assert not [f for f in shallow.findings if f.operation == "GET /deep"]
    deeper = scan_app(scan_apps.app, max_depth=5)
    (deep,) = [f for f in deeper.findings if f.operation == "GET /deep"]
    assert {deep.line} == deep_line
    assert deep.chain == ["deep (async handler)", "level1", "level2", "level3", "level4", "level5"]


def test_correct_app_has_no_findings():
    result = scan_app(scan_apps.correct_app)
    assert result.findings == []
    assert result.operations == 2
    assert result.async_entry_points == 1


def test_example_app_finds_both_blocking_handlers(example_app):
    result = scan_app(example_app)
    path = Path(example_app_file()).resolve()
    sleepy_line = line_of(path, "time.sleep(0.1)  # BLOCKS")
    connect_line = line_of(path, 'sqlite3.connect(":memory:")')
    found = {(f.operation, f.line) for f in result.findings}
    assert found == {("GET /sleepy", sleepy_line), ("GET /stock", connect_line)}
    stock = next(f for f in result.findings if f.operation == "GET /stock")
    assert stock.chain == ["stock (handler)", "get_stock (async dependency)", "stock_snapshot", "count_stock_rows"]
    assert any("connection.execute" in a for a in stock.also)


def example_app_file() -> str:
    from tests.conftest import EXAMPLES

    return str(EXAMPLES / "async_blocking" / "app.py")


def line_of(path: Path, text: str) -> int:
    (line,) = [n for n, content in enumerate(path.read_text().splitlines(), 1) if text in content]
    return line


@pytest.fixture(scope="module")
def example_app():
    from apiparity.targets import load_target

    return load_target(f"{example_app_file()}:app").app


def test_middleware_and_exception_handlers_are_scanned():
    result = scan_app(scan_apps.middleware_app)
    assert {f.line for f in result.findings} == marked_lines(SCAN_APPS, "# MIDDLEWARE")
    by_line = {f.line: f for f in result.findings}
    chains = sorted(tuple(f.chain) for f in result.findings)
    assert chains == [
        ("TimingMiddleware.__call__ (async middleware)", "record"),
        ("audit (async middleware)",),
        ("value_error (async exception handler)",),
    ]
    assert {f.operation for f in by_line.values()} == {"(every request)", "(error handler: ValueError)"}
    assert all("plain `def`" not in f.fix_hint for f in result.findings)  # middleware cannot be sync


def test_methods_of_module_level_objects():
    result = scan_app(scan_apps.globals_app)
    assert {f.line for f in result.findings} == marked_lines(SCAN_APPS, "# GLOBAL")
    by_operation = {f.operation: f for f in result.findings}
    assert by_operation["GET /global-instance"].chain == ["global_instance (async handler)", "fetch"]
    assert by_operation["GET /global-connection"].resolved == "sqlite3.Connection.execute"
    assert result.notes == []
