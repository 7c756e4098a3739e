"""The pytest plugin: `parity()` suites become one test per operation, failing with the report."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

APPS = Path(__file__).parent / "apps"
ALL_IDS = ["test_port[GET /items]", "test_port[POST /echo]", "test_port[GET /health]"]
FAST = "max_examples=3, seed=7, phases=('examples', 'coverage', 'fuzzing')"


@pytest.fixture
def suite_dir(pytester: pytest.Pytester) -> Path:
    """The apps next to the test file, in a subfolder: references must resolve from the test's
    folder, not from pytest's working directory."""
    folder = pytester.path / "suite"
    folder.mkdir()
    for name in ("parity_legacy.py", "parity_modern.py", "parity_regressed.py"):
        shutil.copy(APPS / name, folder / name)
    return folder


def write_test(folder: Path, new_app: str, extra: str = "") -> Path:
    path = folder / "test_parity_suite.py"
    path.write_text(
        textwrap.dedent(
            f"""
            from apiparity.pytest_plugin import parity

            test_port = parity(
                "parity_legacy.py:app",
                "{new_app}:app",
                reset=("parity_legacy.py:reset", "{new_app}:reset"),
                {FAST},{extra}
            )
            """
        ),
        encoding="utf-8",
    )
    return path


def outcome_ids(result: pytest.RunResult, outcome: str) -> set[str]:
    return {line.split("::", 1)[1].split(" - ")[0].strip() for line in result.outlines if line.startswith(outcome + " ")}


def test_one_test_per_operation_with_readable_ids(pytester: pytest.Pytester, suite_dir: Path) -> None:
    write_test(suite_dir, "parity_modern.py")
    result = pytester.runpytest("--collect-only", "-q", "suite")
    assert [line.split("::", 1)[1] for line in result.outlines if "::" in line] == ALL_IDS


def test_faithful_port_passes_and_reset_hooks_run(pytester: pytest.Pytester, suite_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = pytester.path / "resets.log"
    monkeypatch.setenv("PARITY_RESET_LOG", str(log))
    write_test(suite_dir, "parity_modern.py")
    result = pytester.runpytest("suite", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    assert log.read_text().count("reset") >= 3 * 2  # before each call to OLD, for every operation


def test_regressed_port_fails_one_test_per_affected_operation(pytester: pytest.Pytester, suite_dir: Path) -> None:
    write_test(suite_dir, "parity_regressed.py")
    result = pytester.runpytest("suite", "-rfE", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    assert outcome_ids(result, "FAILED") == {"test_port[GET /items]", "test_port[GET /health]"}
    out = result.stdout.str()
    # pytest's own failure report carries the explanation, not a traceback into the plugin
    assert "GET /health: NEW answers differently from OLD (1 mismatch group(s)" in out
    assert '"ok"' in out and '"OK"' in out  # both responses
    assert "curl OLD: curl" in out and "curl NEW: curl" in out
    assert "pytest_plugin.py" not in out
    assert "not in this shard" not in out  # the other operations are not this test's business


def test_k_selects_operations(pytester: pytest.Pytester, suite_dir: Path) -> None:
    write_test(suite_dir, "parity_regressed.py")
    result = pytester.runpytest("suite", "-k", "GET and health", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, deselected=2)


def test_xdist_runs_each_operation_once(pytester: pytest.Pytester, suite_dir: Path) -> None:
    pytest.importorskip("xdist")
    write_test(suite_dir, "parity_regressed.py")
    result = pytester.runpytest_subprocess("suite", "-n", "2", "-rf", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    assert outcome_ids(result, "FAILED") == {"test_port[GET /items]", "test_port[GET /health]"}


def test_targets_and_settings_from_the_config(pytester: pytest.Pytester, suite_dir: Path) -> None:
    (suite_dir / "apiparity.toml").write_text(
        textwrap.dedent(
            """
            old = "parity_legacy.py:app"
            new = "parity_regressed.py:app"

            [fuzz]
            max-examples = 2
            phases = ["examples", "fuzzing"]
            exclude = ["GET /items"]
            """
        )
    )
    (suite_dir / "test_from_config.py").write_text("from apiparity.pytest_plugin import parity\n\ntest_port = parity()\n")
    result = pytester.runpytest("suite", "-p", "no:cacheprovider", "-rf")
    # GET /items is excluded by the config, so it is not collected at all
    result.assert_outcomes(passed=1, failed=1)
    assert outcome_ids(result, "FAILED") == {"test_port[GET /health]"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('parity("missing.py:app", "parity_modern.py:app")', "test_port: apiparity: missing.py:app: no such file"),
        ('parity("parity_legacy.py:app", "parity_modern.py:app", max_exampels=3)', "parity(): unknown fuzz setting 'max_exampels'"),
        ('parity("parity_legacy.py:app")', "parity(): give both OLD and NEW targets"),
    ],
)
def test_bad_input_is_a_one_line_collection_error(pytester: pytest.Pytester, suite_dir: Path, source: str, message: str) -> None:
    (suite_dir / "test_bad.py").write_text(f"from apiparity.pytest_plugin import parity\n\ntest_port = {source}\n")
    result = pytester.runpytest("suite", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # collection errors stop the run
    out = result.stdout.str()
    assert message in out
    assert "Traceback" not in out


def test_plain_modules_are_untouched(pytester: pytest.Pytester) -> None:
    # The plugin is loaded by every pytest run in an environment with apiparity installed.
    pytester.makepyfile("def test_one():\n    assert True\n\nparity_helper = object()\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
