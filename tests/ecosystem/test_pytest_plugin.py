"""The pytest plugin: `parity()` suites become one test per operation, failing with the report."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

APPS = Path(__file__).parent / "apps"
ALL_IDS = ["test_port[GET /items]", "test_port[POST /echo]", "test_port[GET /health]"]
# the probes of before the framework probes: these apps are faithful in what schemathesis generates,
# not in HEAD/OPTIONS/repeated-query behaviour (tests/pairs covers those)
PROBES = "('trailing-slash', 'if-none-match', 'no-credentials')"
FAST = f"max_examples=3, seed=7, phases=('examples', 'coverage', 'fuzzing'), probes={PROBES}"


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
    # in-process apps: each side's reproducer is its framework's test client (no server listens)
    assert "run OLD: python -c" in out and "# OLD: in-process WSGI" in out and "# NEW: in-process ASGI" in out
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
            probes = ["trailing-slash", "if-none-match", "no-credentials"]
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


# ---------------------------------------------------------------------------------------- pytest conventions


def test_module_skip_mark_skips_every_parity_test(pytester: pytest.Pytester, suite_dir: Path) -> None:
    """A module-level pytestmark applies to the parity tests (it used to crash with INTERNALERROR)."""
    path = write_test(suite_dir, "parity_regressed.py")
    path.write_text("import pytest\n\npytestmark = pytest.mark.skip(reason='not today')\n" + path.read_text())
    result = pytester.runpytest("suite", "-rs", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    result.assert_outcomes(skipped=3)
    assert "INTERNALERROR" not in result.stdout.str()
    # skips are reported at the suite's line in the test module
    assert any("test_parity_suite.py:" in line and "not today" in line for line in result.outlines)


def test_autouse_fixtures_apply_to_parity_tests(pytester: pytest.Pytester, suite_dir: Path) -> None:
    log = pytester.path / "fixture.log"
    (suite_dir / "conftest.py").write_text(textwrap.dedent(f"""
        import pytest

        @pytest.fixture(autouse=True)
        def recorded(request):
            with open({str(log)!r}, "a") as handle:
                handle.write(request.node.name + "\\n")
            yield
    """))
    write_test(suite_dir, "parity_modern.py")
    pytester.runpytest("suite", "-p", "no:cacheprovider").assert_outcomes(passed=3)
    assert log.read_text().splitlines() == ALL_IDS


def test_last_failed_reruns_only_the_failed_operations(pytester: pytest.Pytester, suite_dir: Path) -> None:
    write_test(suite_dir, "parity_regressed.py")
    pytester.runpytest("suite").assert_outcomes(passed=1, failed=2)
    again = pytester.runpytest("suite", "--lf", "-rf")
    again.assert_outcomes(failed=2)  # POST /echo, which passed, is not run again
    assert "run-last-failure" in again.stdout.str()
    assert outcome_ids(again, "FAILED") == {"test_port[GET /items]", "test_port[GET /health]"}
    first = pytester.runpytest("suite", "--ff", "-v")
    import re

    order = [m[1] for line in first.outlines if (m := re.search(r"::(test_port\[[^\]]*\]) (PASSED|FAILED)", line))]
    assert len(order) == 3, first.outlines
    assert order[-1] == "test_port[POST /echo]"  # the failed ones ran first


def test_seed_and_max_examples_from_the_command_line_and_ini(pytester: pytest.Pytester, suite_dir: Path) -> None:
    (suite_dir / "test_settings.py").write_text(textwrap.dedent("""
        from apiparity.pytest_plugin import parity

        test_port = parity("parity_legacy.py:app", "parity_modern.py:app", phases=("examples",), include=("GET /items",),
                           probes=("trailing-slash",))

        def test_zz_settings(request):
            settings = request.module.test_port.parity_suite.settings
            print(f"SETTINGS seed={settings.seed} max_examples={settings.max_examples}")
    """))
    (pytester.path / "pytest.ini").write_text("[pytest]\napiparity_seed = 11\napiparity_max_examples = 4\n")
    result = pytester.runpytest("suite", "-s", "-p", "no:cacheprovider")
    assert "SETTINGS seed=11 max_examples=4" in result.stdout.str()
    result = pytester.runpytest("suite", "-s", "-p", "no:cacheprovider", "--apiparity-seed", "5", "--apiparity-max-examples", "2")
    assert "SETTINGS seed=5 max_examples=2" in result.stdout.str()
    result.assert_outcomes(passed=2)


def test_config_at_the_root_resolves_its_targets_from_its_own_folder(pytester: pytest.Pytester, suite_dir: Path) -> None:
    """parity() in tests/ with [tool.apiparity] at the project root: the config's targets and hooks
    are relative to the config file, not to the test file or the working directory."""
    (pytester.path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.apiparity]
        old = "suite/parity_legacy.py:app"
        new = "suite/parity_regressed.py:app"
        reset = ["suite/parity_legacy.py:reset", "suite/parity_regressed.py:reset"]

        [tool.apiparity.fuzz]
        max-examples = 2
        phases = ["examples"]
        include = ["GET /health"]
        probes = ["trailing-slash"]
    """))
    tests = pytester.path / "tests"
    tests.mkdir()
    (tests / "test_root_config.py").write_text("from apiparity.pytest_plugin import parity\n\ntest_port = parity(spec_diff=True)\n")
    result = pytester.runpytest("tests", "-rf", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    assert outcome_ids(result, "FAILED") == {"test_port[GET /health]"}
    collected = pytester.runpytest("tests", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert [line.split("::", 1)[1] for line in collected.outlines if "::" in line] == ["test_port[spec diff]", "test_port[GET /health]"]


def test_spec_diff_test_fails_on_breaking_changes(pytester: pytest.Pytester, suite_dir: Path) -> None:
    (suite_dir / "test_diff.py").write_text(textwrap.dedent("""
        from apiparity.pytest_plugin import parity

        test_port = parity("parity_legacy.py:app", "parity_modern.py:app", spec_diff=True, include=("GET /health",),
                           max_examples=1, phases=("examples",), probes=("trailing-slash",))
    """))
    spec = pytester.runpytest("suite", "-k", "spec", "-rf", "-p", "no:cacheprovider")
    # the faithful port's document breaks nothing
    spec.assert_outcomes(passed=1, deselected=1)
