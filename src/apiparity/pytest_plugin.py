"""pytest plugin: OLD/NEW parity checks as ordinary pytest tests, one per operation.

In a test module::

    from apiparity.pytest_plugin import parity

    test_bookstore = parity("legacy_app.py:app", "modern_app.py:app", reset="legacy_app.py:reset", max_examples=10)

collects one test per operation of the contract, ``test_bookstore[GET /books/{book_id}]``, so
``pytest -k "GET and books"`` selects by operation and pytest-xdist distributes operations over
workers (each operation is fuzzed by exactly one worker). The tests are ordinary parametrized
functions, so marks (a module's ``pytestmark`` too), fixtures (autouse included), ``--lf``/``--ff``
and xdist apply as to any test. Each test runs the fuzz engine on its operation alone and fails
with the mismatch groups, both responses side by side and a curl command per side, in pytest's own
failure report (no traceback). ``spec_diff=True`` (or the ini key ``apiparity_spec_diff``) adds a
``[spec diff]`` test that fails on breaking changes between the documents.

Targets and file references given to ``parity()`` (``reset="file.py:func"``) are resolved from the
test file's folder, like imports next to it; ``[tool.apiparity]`` / ``apiparity.toml`` is found
from that folder up, its own targets and hooks resolve from the config file's folder, and its
``[fuzz]`` table gives the defaults. Precedence: config < ini keys (``apiparity_seed``,
``apiparity_max_examples``) < ``parity()`` keyword arguments < ``--apiparity-seed`` /
``--apiparity-max-examples``.

This module is imported by every pytest run in an environment where apiparity is installed (the
``pytest11`` entry point), so it imports nothing heavy at module level.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.model import FuzzResult
    from apiparity.targets import Target

__all__ = ["ParitySuite", "parity"]


@dataclass(slots=True, frozen=True)
class ParitySuite:
    """What `parity()` returns: a declaration the plugin turns into one test per operation."""

    old: str | None = None
    new: str | None = None
    config: str | None = None  # explicit config file; default: nearest apiparity.toml / pyproject.toml
    app_dir: str | None = None  # where targets are imported from; default: the test file's folder
    spec_path: str | None = None  # where ASGI/WSGI apps without a known framework serve their document
    settings: dict[str, Any] = field(default_factory=dict)  # FuzzSettings overrides
    spec_diff: bool | None = None  # add a `[spec diff]` test (None: the `apiparity_spec_diff` ini key)


def parity(
    old: str | None = None,
    new: str | None = None,
    *,
    config: str | None = None,
    app_dir: str | None = None,
    spec_path: str | None = None,
    spec_diff: bool | None = None,
    **settings: Any,
) -> ParitySuite:
    """Declare a parity suite for OLD and NEW; assign it to a ``test_*`` name in a test module.

    `old` / `new` are targets as the CLI takes them (``file.py:app``, ``pkg.mod:create_app()``,
    spec files or URLs); when omitted they come from ``old`` / ``new`` in the config. Keyword
    arguments are `apiparity.fuzz.settings.FuzzSettings` fields (``max_examples=5``, ``seed=1``,
    ``reset="app.py:reset"``, ``phases=("examples", "fuzzing")``, ...). ``spec_diff=True`` adds a
    ``[spec diff]`` test that fails on a breaking change between the two documents.
    """
    return ParitySuite(old=old, new=new, config=config, app_dir=app_dir, spec_path=spec_path, settings=dict(settings),
                       spec_diff=spec_diff)


# ----------------------------------------------------------------------------------- options

SPEC_DIFF_ID = "spec diff"
OPERATION_ARG = "apiparity_operation"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apiparity", "apiparity parity suites")
    group.addoption("--apiparity-seed", dest="apiparity_seed", type=int, default=None, metavar="N",
                    help="Seed of every parity() suite (overrides parity(seed=...), the ini key and the config).")
    group.addoption("--apiparity-max-examples", dest="apiparity_max_examples", type=int, default=None, metavar="N",
                    help="Cases per operation and phase for every parity() suite (overrides the rest).")
    parser.addini("apiparity_seed", "Default seed of parity() suites (below parity() keyword arguments).", default="")
    parser.addini("apiparity_max_examples", "Default max_examples of parity() suites.", default="")
    parser.addini("apiparity_spec_diff", "Add a `[spec diff]` test to every parity() suite.", type="bool", default=False)


def _overrides(config: pytest.Config, suite: ParitySuite) -> dict[str, Any]:
    """FuzzSettings values: ini keys under parity() keyword arguments, the command line over both."""
    from apiparity.errors import ConfigError

    values: dict[str, Any] = {}
    for key in ("seed", "max_examples"):
        raw = str(config.getini(f"apiparity_{key}") or "").strip()
        if raw:
            try:
                values[key] = int(raw)
            except ValueError:
                raise ConfigError(f"ini apiparity_{key} = {raw!r}: expected an integer") from None
    values.update(suite.settings)
    for key in ("seed", "max_examples"):
        option = config.getoption(f"apiparity_{key}", None)
        if option is not None:
            values[key] = option
    return values


# ----------------------------------------------------------------------------------- collection


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """Expand a `parity()` suite into ordinary parametrized test functions, right under the module,
    so node ids read ``test_file.py::test_bookstore[GET /books/{book_id}]`` and everything pytest
    does for a function applies: marks (module `pytestmark` included), fixtures (autouse too),
    `-k`, `--lf`/`--ff`, xdist."""
    if not isinstance(obj, ParitySuite) or not isinstance(collector, pytest.Module | pytest.Class):
        return None
    if not collector.funcnamefilter(name):
        return None
    from apiparity.errors import ApiparityError

    try:
        suite = dataclasses.replace(obj, settings=_overrides(collector.config, obj))
        loaded = load_suite(suite, base=collector.path.parent)
        operations = list_operations(loaded.old, loaded.new, loaded.settings)
    except ApiparityError as exc:
        raise collector.CollectError(f"{name}: apiparity: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - schemathesis refusing a document, an app failing to build
        raise collector.CollectError(f"{name}: apiparity: {type(exc).__name__}: {exc}") from None
    if not operations:
        raise collector.CollectError(f"{name}: apiparity: {loaded.old.ref} has no operations to compare")
    spec_diff = obj.spec_diff if obj.spec_diff is not None else bool(collector.config.getini("apiparity_spec_diff"))
    ids = ([SPEC_DIFF_ID] if spec_diff else []) + operations
    function = _suite_function(name, loaded, ids, place=_assignment_line(collector.path, name))
    # pytest finds a test function by its name on the module (or class): the suite is replaced by
    # the function it stands for, which keeps the suite as `.parity_suite`
    setattr(collector.obj, name, staticmethod(function) if isinstance(collector, pytest.Class) else function)
    return collector.ihook.pytest_pycollect_makeitem(collector=collector, name=name, obj=function)


def _suite_function(name: str, loaded: LoadedSuite, ids: list[str], *, place: Any) -> Any:
    def parity_test(apiparity_operation: str) -> None:
        __tracebackhide__ = True
        if apiparity_operation == SPEC_DIFF_ID:
            run_spec_diff(loaded)
        else:
            run_operation(loaded, apiparity_operation)

    parity_test.__name__ = parity_test.__qualname__ = name
    parity_test.__doc__ = f"apiparity: {loaded.old.ref} vs {loaded.new.ref}, one test per operation"
    parity_test.parity_suite = loaded  # type: ignore[attr-defined]
    if place is not None:
        parity_test.place_as = place  # type: ignore[attr-defined]  # pytest reports the test at the suite's line
    return pytest.mark.parametrize(OPERATION_ARG, ids, ids=ids)(parity_test)


def _assignment_line(path: Path, name: str) -> Any:
    """A stand-in function whose source location is the line `name = parity(...)` of the test
    module: pytest's `place_as` hook places the tests there (reports, `-rs` skip lines)."""
    import re

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*(?::[^=]*)?=")
    line = next((index for index, text in enumerate(lines) if pattern.match(text)), 0)
    namespace: dict[str, Any] = {}
    exec(compile("\n" * line + "def parity_suite_line():\n    pass\n", str(path), "exec"), namespace)  # noqa: S102 - a blank stub
    return namespace["parity_suite_line"]


@dataclass(slots=True)
class LoadedSuite:
    """Both targets and the settings, loaded once per suite and shared by its items."""

    old: Target
    new: Target
    settings: FuzzSettings
    diff: dict[str, Any] = field(default_factory=dict)  # [diff] table of the config, for the spec-diff test


class ParityWarning(UserWarning):
    """Something about an operation's run that did not fail it (e.g. a phase generated no cases)."""


class ParityMismatch(AssertionError):
    """The failure of a parity test whose operation answers differently on NEW (kept for callers
    that catch it; the tests themselves fail with pytest.fail so the report has no traceback)."""

    def __init__(self, message: str, result: FuzzResult) -> None:
        super().__init__(message)
        self.result = result


def run_operation(loaded: LoadedSuite, operation: str) -> FuzzResult:
    """Fuzz one operation on both sides: fail with the report on mismatches, skip when no case was sent."""
    __tracebackhide__ = True
    from apiparity.pipeline import fuzz_targets

    result = fuzz_targets(loaded.old, loaded.new, loaded.settings, operations_filter=lambda label: label == operation)
    failure = failure_message(result, operation)
    if failure:
        pytest.fail(failure, pytrace=False)  # the report is the explanation: no traceback into the plugin
    for problem in operation_errors(result, operation):
        # partial coverage (a phase could not generate cases) is worth seeing, not failing
        warnings.warn(ParityWarning(problem), stacklevel=1)
    mine = [stats for stats in result.operations if stats.operation == operation]
    if mine and mine[0].cases == 0:
        pytest.skip(f"{operation}: {mine[0].skipped_reason or 'no cases were sent'}")
    return result


def run_spec_diff(loaded: LoadedSuite) -> None:
    """The suite's `[spec diff]` test: fails on an unwaived breaking change between the documents."""
    __tracebackhide__ = True
    from apiparity.diff.engine import DiffOptions, diff_documents

    options = DiffOptions(profile=str(loaded.diff.get("profile", "flask-fastapi")),
                          disabled_noise_rules=set(loaded.diff.get("disabled_noise_rules", ())),
                          old_label=loaded.old.ref, new_label=loaded.new.ref)
    result = diff_documents(loaded.old.document, loaded.new.document, options=options)
    breaking = [c for c in result.changes if c.severity == "breaking" and not c.waived_by]
    if breaking:
        lines = [f"{len(breaking)} breaking change(s) between the documents of {loaded.old.ref} and {loaded.new.ref}:"]
        lines += [f"  {c.rule_id} {c.method} {c.path}: {c.message}".replace("  ", "  ", 1) for c in breaking]
        pytest.fail("\n".join(lines), pytrace=False)


# ----------------------------------------------------------------------------------- loading


def load_suite(suite: ParitySuite, *, base: Path) -> LoadedSuite:
    """Read the config the way `apiparity check` does, build the fuzz settings (`options.fuzz_settings`)
    and load both targets (`pipeline.load_targets`, what every run loads them with); ApiparityError on bad input."""
    from apiparity.config import find_config_file, load_config, settings_from_raw
    from apiparity.errors import ConfigError

    config_file = Path(suite.config) if suite.config else find_config_file(base)
    if config_file is not None and not config_file.is_absolute():
        config_file = base / config_file
    project = settings_from_raw(load_config(config_file, search=False) if config_file else load_config(search=False))
    old_ref = suite.old or project.old
    new_ref = suite.new or project.new
    if not old_ref or not new_ref:
        where = f" or in {project.path}" if project.path else ""
        raise ConfigError(f"parity(): give both OLD and NEW targets (as arguments{where}: old = ..., new = ...)")
    # Relative paths: from the test file for parity() arguments; the config's own (targets, reset
    # hooks, app_dir) are already made absolute from the config file's folder by apiparity.config.
    if suite.app_dir:
        app_dir = base / suite.app_dir
    elif project.app_dir:
        app_dir = Path(project.app_dir)
    elif project.path is not None and not (suite.old and suite.new):
        app_dir = project.path.resolve().parent  # module targets (pkg.mod:app) named by the config
    else:
        app_dir = base
    settings = build_settings(project.fuzz, suite.settings, app_dir=app_dir)
    from apiparity.pipeline import load_targets

    # the pipeline's loading, once per suite (each xdist worker collects, so once per worker); sides
    # started for old_python / old_cmd (keywords or config) run until the pytest session ends
    # (pytest_unconfigure), their interpreter looked up from the test file's folder first
    old, new = load_targets(str(old_ref), str(new_ref), settings, contract=None, app_dir=app_dir,
                            spec_path=suite.spec_path or project.spec_path, interpreters_from=base)
    return LoadedSuite(old=old, new=new, settings=settings, diff=dict(project.diff))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the servers parity() suites started for their sides (--old-python, --old-cmd)."""
    import sys

    if "apiparity.sides" in sys.modules:
        from apiparity.sides import stop_started_sides

        stop_started_sides()


def build_settings(from_config: dict[str, Any], overrides: dict[str, Any], *, app_dir: Path) -> FuzzSettings:
    """FuzzSettings from the config's checked `[fuzz]` values, then `parity()` keyword arguments
    (over the ini keys) on top: `apiparity.options.fuzz_settings`, the loader the commands use.

    Reset hooks and module targets resolve from `app_dir` (the test file's folder by default).
    """
    from apiparity.options import fuzz_settings

    return fuzz_settings(from_config, overrides=overrides, app_dir=app_dir, source="parity()")


def list_operations(old: Target, new: Target, settings: FuzzSettings) -> list[str]:
    """Labels ("GET /books/{book_id}") of the operations the engine would fuzz, in document order.

    The engine's own planner names them, so a label always matches its `operations_filter`;
    operations that `include` / `exclude` leave out get no test at all (like deselected tests).
    """
    from apiparity.fuzz.generate import load_schema, plan_operations
    from apiparity.fuzz.settings import resolve_spec_source

    spec, _ = resolve_spec_source(settings.spec, old, new)
    documents = {"old": [old.document], "new": [new.document], "both": [old.document, new.document]}[spec]
    labels: list[str] = []
    for document in documents:
        for planned in plan_operations(load_schema(document), settings):
            deselected = planned.skipped_reason and planned.skipped_reason.startswith(("not selected", "excluded"))
            if not deselected and planned.label not in labels:
                labels.append(planned.label)
    return labels


# ----------------------------------------------------------------------------------- reporting


def failure_message(result: FuzzResult, operation: str) -> str:
    """The failure report of one operation, or "" when it passed.

    Unwaived mismatch groups fail it, and so does a reset hook that raised: the comparison would
    then be between states, not between implementations.
    """
    groups = [group for group in result.groups if not group.waived_by and group.operation == operation]
    broken_hooks = [error for error in result.errors if error.startswith("reset hook")]
    if not groups and not broken_hooks:
        return ""
    lines = [
        f"{operation}: NEW answers differently from OLD "
        f"({len(groups)} mismatch group(s) in {result.cases} case(s), seed {result.seed})"
    ]
    lines += [f"  {error}" for error in broken_hooks]
    lines += [f"  - {group.signature} ({group.count} case(s))" for group in groups]
    # The report of this operation only: the engine lists every other one as "not in this shard".
    own = dataclasses.replace(
        result,
        groups=groups,
        operations=[stats for stats in result.operations if stats.operation == operation],
        conformance=[issue for issue in result.conformance if issue.operation == operation],
        noise=[noise for noise in result.noise if noise.operation == operation],
        operations_total=1,
    )
    return "\n".join(lines) + "\n\n" + render_result(own)


def operation_errors(result: FuzzResult, operation: str) -> list[str]:
    """Problems the engine reported for this operation (e.g. a phase that generated nothing)."""
    return [error for error in result.errors if error.startswith(f"{operation}:")]


def render_result(result: FuzzResult) -> str:
    """The text report of the fuzz result when the text renderer exists, else a minimal one."""
    from apiparity.model import Report
    from apiparity.report import available_formats, render

    if "text" in available_formats():
        return render(Report(command="fuzz", fuzz=result), "text")
    return _minimal_text(result)


def _minimal_text(result: FuzzResult) -> str:
    import json

    def show(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True, default=str)

    lines: list[str] = []
    for group in result.groups:
        lines.append(f"{group.operation} | {group.signature} ({group.count} case(s))")
        if group.explanation:
            lines.append(f"  why: {group.explanation}")
        if group.fix_hint:
            lines.append(f"  fix: {group.fix_hint}")
        for example in group.examples[:2]:
            lines += [f"  {line}" for line in example.differences]
            lines.append(f"  OLD {example.old.status}: {show(example.old.body)}")
            lines.append(f"  NEW {example.new.status}: {show(example.new.body)}")
            for side, command in (("OLD", example.curl_old), ("NEW", example.curl_new)):
                # a live side's curl, or an in-process app's test-client snippet
                lines.append(f"  {'curl' if command.startswith('curl') else 'run'} {side}: {command}")
    return "\n".join(lines) + "\n"
