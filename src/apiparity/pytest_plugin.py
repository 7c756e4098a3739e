"""pytest plugin: OLD/NEW parity checks as ordinary pytest tests, one per operation.

In a test module::

    from apiparity.pytest_plugin import parity

    test_bookstore = parity("legacy_app.py:app", "modern_app.py:app", reset="store.py:reset", max_examples=10)

collects one test per operation of the contract, ``test_bookstore[GET /books/{book_id}]``, so
``pytest -k "GET and books"`` selects by operation and pytest-xdist distributes operations over
workers (each operation is fuzzed by exactly one worker). Each test runs the fuzz engine on its
operation alone and fails with the mismatch groups, both responses side by side and a curl command
per side, in pytest's own failure report.

Targets and file references (``reset="file.py:func"``) are resolved from the test file's folder,
like imports next to it; ``[tool.apiparity]`` / ``apiparity.toml`` is found from that folder up and
its ``[fuzz]`` table gives the defaults that keyword arguments override.

This module is imported by every pytest run in an environment where apiparity is installed (the
``pytest11`` entry point), so it imports nothing heavy at module level.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.model import FuzzResult
    from apiparity.targets import Target

__all__ = ["ParitySuite", "parity"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# settings whose values are references to Python callables in files, resolved from the test's folder
_REFERENCE_SETTINGS = ("reset", "reset_old", "reset_new")


@dataclass(slots=True, frozen=True)
class ParitySuite:
    """What `parity()` returns: a declaration the plugin turns into one test per operation."""

    old: str | None = None
    new: str | None = None
    config: str | None = None  # explicit config file; default: nearest apiparity.toml / pyproject.toml
    app_dir: str | None = None  # where targets are imported from; default: the test file's folder
    spec_path: str | None = None  # where ASGI/WSGI apps without a known framework serve their document
    settings: dict[str, Any] = field(default_factory=dict)  # FuzzSettings overrides


def parity(
    old: str | None = None,
    new: str | None = None,
    *,
    config: str | None = None,
    app_dir: str | None = None,
    spec_path: str | None = None,
    **settings: Any,
) -> ParitySuite:
    """Declare a parity suite for OLD and NEW; assign it to a ``test_*`` name in a test module.

    `old` / `new` are targets as the CLI takes them (``file.py:app``, ``pkg.mod:create_app()``,
    spec files or URLs); when omitted they come from ``old`` / ``new`` in the config. Keyword
    arguments are `apiparity.fuzz.settings.FuzzSettings` fields (``max_examples=5``, ``seed=1``,
    ``reset="app.py:reset"``, ``phases=("examples", "fuzzing")``, ...).
    """
    return ParitySuite(old=old, new=new, config=config, app_dir=app_dir, spec_path=spec_path, settings=dict(settings))


# ----------------------------------------------------------------------------------- collection


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    if isinstance(obj, ParitySuite) and isinstance(collector, pytest.Module | pytest.Class):
        if collector.funcnamefilter(name):
            return ParityCollector.from_parent(collector, name=name, suite=obj)
    return None


@dataclass(slots=True)
class _LoadedSuite:
    old: Target
    new: Target
    settings: FuzzSettings


class ParityCollector(pytest.Collector):
    """Loads both targets once and yields one `ParityItem` per operation."""

    def __init__(self, *, suite: ParitySuite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite
        self.loaded: _LoadedSuite | None = None

    def collect(self) -> list[ParityItem]:
        from apiparity.errors import ApiparityError

        try:
            self.loaded = load_suite(self.suite, base=self.path.parent)
            operations = list_operations(self.loaded.old, self.loaded.new, self.loaded.settings)
        except ApiparityError as exc:
            raise self.CollectError(f"apiparity: {exc}") from None
        if not operations:
            raise self.CollectError(f"apiparity: {self.loaded.old.ref} has no operations to compare")
        return [ParityItem.from_parent(self, name=f"{self.name}[{operation}]", operation=operation) for operation in operations]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, self.CollectError):
            return str(excinfo.value.args[0])
        return super().repr_failure(excinfo)


class ParityMismatch(AssertionError):
    """Raised by a parity test whose operation answers differently on NEW."""

    def __init__(self, message: str, result: FuzzResult) -> None:
        super().__init__(message)
        self.result = result


class ParityItem(pytest.Item):
    """One operation's parity check: fuzz OLD and NEW with the same cases, fail on mismatches."""

    def __init__(self, *, operation: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.operation = operation
        self.result: FuzzResult | None = None

    def runtest(self) -> None:
        from apiparity.fuzz.runner import run_fuzz

        parent = self.parent
        assert isinstance(parent, ParityCollector) and parent.loaded is not None
        loaded = parent.loaded
        operation = self.operation
        self.result = result = run_fuzz(
            loaded.old, loaded.new, loaded.settings, operations_filter=lambda label: label == operation
        )
        failure = failure_message(result, operation)
        if failure:
            raise ParityMismatch(failure, result)
        skipped = [stats.skipped_reason for stats in result.operations if stats.skipped_reason]
        if skipped and result.cases == 0:
            pytest.skip(f"{operation}: {skipped[0]}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, ParityMismatch):
            # The report is the explanation: no traceback into the plugin.
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.name} (apiparity)"


# ----------------------------------------------------------------------------------- loading


def load_suite(suite: ParitySuite, *, base: Path) -> _LoadedSuite:
    """Read the config, build the fuzz settings and load both targets (ApiparityError on bad input)."""
    from apiparity.config import find_config_file, load_config
    from apiparity.errors import ConfigError
    from apiparity.targets import load_target

    config_file = Path(suite.config) if suite.config else find_config_file(base)
    if config_file is not None and not config_file.is_absolute():
        config_file = base / config_file
    raw = load_config(config_file, search=False) if config_file else load_config(search=False)
    old_ref = suite.old or raw.get("old")
    new_ref = suite.new or raw.get("new")
    if not old_ref or not new_ref:
        where = f" or in {raw.path}" if raw.path else ""
        raise ConfigError(f"parity(): give both OLD and NEW targets (as arguments{where}: old = ..., new = ...)")
    app_dir = Path(suite.app_dir) if suite.app_dir else base
    if not app_dir.is_absolute():
        app_dir = base / app_dir
    settings = build_settings(raw.section("fuzz"), suite.settings, base=app_dir, config_label=str(raw.path or "config"))
    old = load_target(str(old_ref), app_dir=app_dir, spec_path=suite.spec_path)
    new = load_target(str(new_ref), app_dir=app_dir, spec_path=suite.spec_path)
    return _LoadedSuite(old=old, new=new, settings=settings)


def build_settings(from_config: dict[str, Any], overrides: dict[str, Any], *, base: Path, config_label: str) -> FuzzSettings:
    """FuzzSettings from the config's [fuzz] table, then `parity()` keyword arguments on top.

    Config keys may be kebab-case (``max-examples``) as in TOML or snake_case; lists become tuples.
    """
    from apiparity.errors import ConfigError
    from apiparity.fuzz.settings import FuzzSettings

    known = {f.name for f in dataclasses.fields(FuzzSettings)}
    values: dict[str, Any] = {}
    for source, label in ((from_config, f"{config_label} [fuzz]"), (overrides, "parity()")):
        for key, value in source.items():
            name = key.replace("-", "_")
            if name not in known:
                raise ConfigError(f"{label}: unknown fuzz setting {key!r}; known: {', '.join(sorted(known))}")
            values[name] = value
    for name, value in list(values.items()):
        if name in _REFERENCE_SETTINGS:
            refs = (value,) if isinstance(value, str) else tuple(value)
            values[name] = tuple(resolve_reference(ref, base) for ref in refs)
        elif name == "equivalent_status":
            values[name] = tuple(tuple(pair) for pair in value)
        elif isinstance(value, list):
            values[name] = tuple(value)
    try:
        return FuzzSettings(**values)
    except TypeError as exc:
        raise ConfigError(f"parity(): {exc}") from None


def resolve_reference(ref: str, base: Path) -> str:
    """Make ``file.py:func`` absolute against `base` so it does not depend on pytest's cwd."""
    module, sep, attribute = ref.rpartition(":")
    if sep and (module.endswith(".py") or "/" in module) and not Path(module).is_absolute():
        return f"{(base / module).resolve()}:{attribute}"
    return ref


def list_operations(old: Target, new: Target, settings: FuzzSettings) -> list[str]:
    """Labels ("GET /books/{book_id}") of the operations cases come from, in document order."""
    documents = {"old": [old.document], "new": [new.document], "both": [old.document, new.document]}[settings.spec]
    labels: list[str] = []
    for document in documents:
        paths = document.get("paths") or {}
        for path, item in paths.items() if isinstance(paths, dict) else ():
            if not isinstance(item, dict):
                continue
            for method in item:
                label = f"{method.upper()} {path}"
                if method in HTTP_METHODS and label not in labels:
                    labels.append(label)
    return labels


# ----------------------------------------------------------------------------------- reporting


def failure_message(result: FuzzResult, operation: str) -> str:
    """The failure report of one operation, or "" when it passed."""
    groups = [group for group in result.groups if not group.waived_by]
    errors = list(result.errors)
    if not groups and not errors:
        return ""
    lines = [f"{operation}: NEW answers differently from OLD ({len(groups)} mismatch group(s), {result.cases} case(s), seed {result.seed})"]
    lines += [f"  could not exercise: {error}" for error in errors]
    lines += [f"  - {group.signature} ({group.count} case(s))" for group in groups]
    return "\n".join(lines) + "\n\n" + render_result(result)


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
            lines.append(f"  curl OLD: {example.curl_old}")
            lines.append(f"  curl NEW: {example.curl_new}")
    return "\n".join(lines) + "\n"
