"""`apiparity init`: find the Flask and FastAPI apps in this project and write a starter apiparity.toml.

Apps are found by reading the source (ast), never by importing it: `x = Flask(...)`,
`x = OpenAPI(...)` (flask-openapi3), `x = FastAPI(...)`, and factories `def create_app()` that
return one.
"""

from __future__ import annotations

from pathlib import Path

import click

SKIP_DIRS = {".git", ".venv", "venv", "env", "node_modules", "__pycache__", "build", "dist", ".tox", ".mypy_cache", ".pytest_cache", "site-packages"}
FLASK_CONSTRUCTORS = {"Flask": "flask", "OpenAPI": "flask-openapi3", "APIFlask": "flask"}
FASTAPI_CONSTRUCTORS = {"FastAPI": "fastapi"}


@click.command("init")
@click.option("--force", is_flag=True, help="Overwrite an existing apiparity.toml.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="apiparity.toml", show_default=True, help="Where to write the config.")
@click.option("--root", type=click.Path(file_okay=False, exists=True), default=".", show_default=True, help="Project folder to scan.")
def command(force: bool, output: str, root: str) -> None:
    """Detect the legacy (Flask) and replacement (FastAPI) apps and write a commented config."""
    from apiparity.errors import ApiparityError
    from apiparity.report import write_atomic

    target = Path(output)
    if target.exists() and not force:
        raise ApiparityError(f"{output} already exists; pass --force to overwrite it")
    found = find_apps(Path(root))
    text = starter_config(found, root=Path(root))
    write_atomic(target, text)
    flask_apps = [a for a in found if a.framework != "fastapi"]
    fastapi_apps = [a for a in found if a.framework == "fastapi"]
    click.echo(f"wrote {output}: {len(flask_apps)} Flask app(s), {len(fastapi_apps)} FastAPI app(s) found")
    for app in found:
        click.echo(f"  {app.framework:<15} {app.ref}")
    if not flask_apps or not fastapi_apps:
        click.echo("note: set `old` and `new` in the config by hand (no pair was found)", err=True)


class FoundApp:
    __slots__ = ("ref", "framework", "path")

    def __init__(self, ref: str, framework: str, path: Path) -> None:
        self.ref = ref
        self.framework = framework
        self.path = path

    def __repr__(self) -> str:
        return f"FoundApp({self.ref!r}, {self.framework!r})"


def find_apps(root: Path) -> list[FoundApp]:
    """Every module-level app or app factory under `root`, sorted by path (no import)."""
    found: list[FoundApp] = []
    for path in sorted(_python_files(root)):
        found += scan_file(path, root)
    return found


def _python_files(root: Path) -> list[Path]:
    files = []
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if any(part in SKIP_DIRS or part.startswith(".") for part in relative.parts[:-1]):
            continue
        if relative.parts and relative.parts[0] == "tests" or path.name.startswith("test_"):
            continue
        if not path.is_file():  # a FIFO or a device named app.py would block the read forever
            continue
        files.append(path)
    return files


def scan_file(path: Path, root: Path) -> list[FoundApp]:
    import ast

    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return []
    relative = path.relative_to(root).as_posix()
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            framework = _framework_of(node.value)
            if framework:
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.append(FoundApp(f"{relative}:{target.id}", framework, path))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Call) and isinstance(node.target, ast.Name):
            framework = _framework_of(node.value)
            if framework:
                found.append(FoundApp(f"{relative}:{node.target.id}", framework, path))
        elif isinstance(node, ast.FunctionDef) and node.name in ("create_app", "make_app", "app_factory") and not node.args.args:
            framework = next((_framework_of(n) for n in ast.walk(node) if isinstance(n, ast.Call) and _framework_of(n)), None)
            if framework:
                found.append(FoundApp(f"{relative}:{node.name}()", framework, path))
    return found


def _framework_of(call: object) -> str | None:
    import ast

    assert isinstance(call, ast.Call)
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name in FLASK_CONSTRUCTORS:
        return FLASK_CONSTRUCTORS[name]
    if name in FASTAPI_CONSTRUCTORS:
        return FASTAPI_CONSTRUCTORS[name]
    return None


def _pick(apps: list[FoundApp], words: tuple[str, ...]) -> FoundApp | None:
    if not apps:
        return None
    for word in words:
        for app in apps:
            if word in app.ref.lower():
                return app
    return apps[0]


def _reset_hook(app: FoundApp | None, root: Path) -> str | None:
    """A module-level `reset()` next to the app, if the module has one."""
    import ast

    if app is None:
        return None
    try:
        tree = ast.parse(app.path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return None
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and not node.args.args}
    for name in ("reset", "reset_state", "reset_db"):
        if name in names:
            return f"{app.path.relative_to(root).as_posix()}:{name}"
    return None


class FoundVenv:
    """A virtualenv in the project and the app frameworks installed in it (read from its dist-info folders)."""

    __slots__ = ("python", "frameworks")

    def __init__(self, python: Path, frameworks: dict[str, str]) -> None:
        self.python = python
        self.frameworks = frameworks  # "flask" -> "1.1.4"


VENV_FRAMEWORKS = {"flask": "flask", "flask_openapi3": "flask-openapi3", "fastapi": "fastapi"}


def find_virtualenvs(root: Path) -> list[FoundVenv]:
    """Virtualenvs up to two levels under `root` (hidden ones too: `.venv-legacy/legacy`), except the
    one running apiparity, with the frameworks each holds. Nothing is run or imported."""
    import re
    import sys

    running = Path(sys.prefix).resolve()
    found = []
    for cfg in sorted({*root.glob("*/pyvenv.cfg"), *root.glob("*/*/pyvenv.cfg")}):
        venv = cfg.parent
        python = venv / "bin" / "python"
        if venv.resolve() == running or not python.exists():
            continue
        frameworks: dict[str, str] = {}
        for dist in venv.glob("lib/python*/site-packages/*.dist-info"):
            match = re.match(r"^(?P<name>[A-Za-z0-9_.-]+?)-(?P<version>\d[^-]*)\.dist-info$", dist.name)
            if match:
                name = VENV_FRAMEWORKS.get(match["name"].lower().replace("-", "_").replace(".", "_"))
                if name:
                    frameworks[name] = match["version"]
        if frameworks:
            found.append(FoundVenv(python, frameworks))
    return found


def side_interpreter_lines(old: FoundApp | None, new: FoundApp | None, venvs: list[FoundVenv], *, root: Path) -> list[str]:
    """`old_python` / `new_python`: the virtualenv holding a side's framework when one is found (set
    when apiparity's own interpreter lacks that framework, else suggested), the settings explained."""
    import importlib.util

    lines = ["", "# A side whose stack cannot share apiparity's interpreter (Flask 1.1, pydantic 1, ...) runs in its own:",
             "# old_python / new_python import and serve the app there (nothing of apiparity installed in it);",
             "# old_cmd / new_cmd start its server instead, e.g. \"gunicorn -b 127.0.0.1:{port} legacy_app:app\"."]
    for side, app in (("old", old), ("new", new)):
        framework = app.framework if app else None
        candidates = [v for v in venvs if framework in v.frameworks]
        if app is None or len(candidates) != 1:
            lines.append(f'# {side}_python = "path/to/{side}-env/bin/python"')
            continue
        venv = candidates[0]
        module = framework.replace("-", "_") if framework else ""
        here = importlib.util.find_spec(module) is not None
        path = venv.python.relative_to(root).as_posix() if venv.python.is_relative_to(root) else str(venv.python)
        why = f"{framework} {venv.frameworks.get(framework or '', '?')} is installed there"
        lines.append(f'{"# " if here else ""}{side}_python = "{path}"  # {why}' + ("" if here else "; not in apiparity's interpreter"))
    return lines


def starter_config(found: list[FoundApp], *, root: Path) -> str:
    flask_apps = [a for a in found if a.framework != "fastapi"]
    fastapi_apps = [a for a in found if a.framework == "fastapi"]
    old = _pick(flask_apps, ("legacy", "old", "flask"))
    new = _pick(fastapi_apps, ("modern", "new", "fastapi", "api"))
    resets = [hook for hook in (_reset_hook(old, root), _reset_hook(new, root)) if hook]

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "# apiparity configuration: `apiparity check` reads it from here (or [tool.apiparity] in pyproject.toml).",
        "# Command-line options override every value. Docs: README.md, sections `check` and Configuration.",
        "",
        "# The legacy app (OLD) and its replacement (NEW): module:app, path/file.py:app, factory(), a spec file or a URL.",
        f"old = {quoted(old.ref)}" if old else '# old = "legacy_app.py:app"',
        f"new = {quoted(new.ref)}" if new else '# new = "modern_app.py:app"',
    ]
    others = [a.ref for a in found if a is not old and a is not new]
    if others:
        lines.append("# other apps found: " + ", ".join(others))
    lines += side_interpreter_lines(old, new, find_virtualenvs(root), root=root)
    lines += [
        "",
        "# Same seed, same requests, same report.",
        "seed = 0",
        "# Fuzzing-phase cases per operation (the examples and coverage phases add their own).",
        "max_examples = 20",
        "",
        "# Called before every call to either side so each case starts from the same state.",
        f"reset = [{', '.join(quoted(h) for h in resets)}]" if resets else '# reset = ["app_module.py:reset"]',
        "",
        "# Headers sent to both sides (each side's own auth goes in old_headers / new_headers).",
        '# headers = { "X-Api-Key" = "test-key" }',
        "",
        "# Response fields that may differ: body fields by JSONPath-like pattern, headers by name.",
        '# ignore = ["$.generated_at", "header:etag"]',
        "",
        "# Statuses that count as the same answer (OLD=NEW).",
        '# status_equivalences = ["400=422"]',
        "",
        "[gates]",
        "# Share of OLD operations that must be exercised, and cases each needs to count.",
        "min_operations_share = 1.0",
        "min_cases_per_operation = 1",
        "# Conformance issues (NEW's answers against OLD's document) and new 5xx allowed.",
        "max_conformance_issues = 0",
        "max_new_5xx = 0",
        "# Requests a side gave no answer to (connection refused or reset, timeout).",
        "max_transport_errors = 0",
        "# HTTP targets only: NEW p95 <= OLD p95 x factor (false turns the gate off).",
        "latency_factor = 1.5",
        "",
        "# [reports]",
        '# html = "apiparity-report.html"',
        '# json = "apiparity-report.json"',
        "",
        "# Accept a known finding for a while: rule ID (or a mismatch's divergence ID / kind), method, path glob.",
        "# [[waivers]]",
        '# rule = "response-body-property-removed"',
        '# method = "GET"',
        '# path = "/books/*"',
        '# reason = "field dropped on purpose, clients updated in 2.3"',
        "# expires = 2030-12-31",
        "",
    ]
    return "\n".join(lines)
