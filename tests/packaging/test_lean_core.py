"""The core install is what apiparity itself imports: the frameworks of the apps under test and the
load/shadow servers are not dependencies, and a command whose extra is missing says which to install."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.load.conftest import free_port

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# What apps and optional commands bring, never the core.
NOT_CORE = ("flask", "flask-openapi3", "fastapi", "starlette", "pydantic", "locust", "gevent", "uvicorn")


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].strip().lower().replace("_", "-") for r in requirements}


def test_core_dependencies_leave_frameworks_and_servers_to_extras():
    core = _names(PYPROJECT["project"]["dependencies"])
    assert not core & set(NOT_CORE), core & set(NOT_CORE)
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert _names(extras["load"]) == {"locust", "gevent"}
    assert _names(extras["shadow"]) == {"uvicorn"}
    assert extras["all"] == ["apiparity[load,shadow]"]
    # the test extra still pulls everything the tests import (README: `bash scripts/test.sh`)
    assert any(r.startswith("apiparity[") and {"load", "shadow", "examples"} <= set(r[10:-1].split(",")) for r in extras["test"])
    assert {"flask", "flask-openapi3", "fastapi"} <= _names(extras["examples"])


def test_every_third_party_module_apiparity_imports_is_a_core_dependency():
    """Walk apiparity's own imports (AST): each top-level module outside the standard library is
    declared in `dependencies` (or is one of the extras' modules, imported only by its command)."""
    import ast

    distributions = {"yaml": "pyyaml", "openapi_spec_validator": "openapi-spec-validator", "jsonschema_rs": "jsonschema-rs"}
    optional = {"locust", "gevent", "uvicorn"}
    declared = _names(PYPROJECT["project"]["dependencies"]) | {"tomli"}
    imported: dict[str, str] = {}
    for path in (ROOT / "src" / "apiparity").rglob("*.py"):
        if path.name == "bootstrap.py":  # runs in the app's interpreter, standard library only (own test)
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                imported.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    third_party = {m: p for m, p in imported.items() if m not in sys.stdlib_module_names and m not in ("apiparity", "pytest")}
    undeclared = {m: p for m, p in third_party.items() if distributions.get(m, m).replace("_", "-") not in declared and m not in optional}
    assert not undeclared, undeclared


BLOCKER = textwrap.dedent("""
    import importlib.abc, sys
    BLOCKED = {blocked!r}
    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}} (blocked by the test)", name=name)
            return None
    sys.meta_path.insert(0, Block())
""")


def _run_without(modules: tuple[str, ...], code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    script = BLOCKER.format(blocked=set(modules)) + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, cwd=cwd, timeout=300)


def test_every_module_imports_and_diff_runs_without_any_framework_or_extra():
    """Apps are detected by class name: nothing of apiparity imports Flask, FastAPI, pydantic or an
    extra at module level (locust_user and worker run in Locust's own subprocess)."""
    done = _run_without(NOT_CORE_MODULES, """
        import importlib, pkgutil, apiparity
        for info in pkgutil.walk_packages(apiparity.__path__, "apiparity."):
            if info.name in ("apiparity.load.locust_user", "apiparity.sides.bootstrap"):
                continue
            importlib.import_module(info.name)
        from apiparity.cli import main
        try:
            main(["diff", "examples/bookstore/legacy_openapi.json", "examples/bookstore/legacy_openapi.json"])
        except SystemExit as exc:
            print("exit", exc.code)
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("exit 0"), done.stdout[-500:]


NOT_CORE_MODULES = ("flask", "flask_openapi3", "fastapi", "starlette", "pydantic", "locust", "gevent", "uvicorn")


def test_load_without_its_extra_names_the_extra(monkeypatch, tmp_path):
    mix = tmp_path / "mix.jsonl"
    mix.write_text('{"method": "GET", "path": "/items"}\n')
    monkeypatch.setitem(sys.modules, "locust", None)  # what `import locust` sees when it is not installed
    port = free_port()  # nothing listens: the extra is checked before any connection
    result = run_cli("load", f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}", "--requests", str(mix))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "pip install 'apiparity[load]'" in result.stderr and "'locust'" in result.stderr


def test_check_load_duration_without_the_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "gevent", None)
    from apiparity.options import GateOptions
    from apiparity.pipeline import plan_load
    from apiparity.errors import ApiparityError
    from apiparity.fuzz.settings import FuzzSettings
    from apiparity.targets.model import Target

    side = Target(ref="http://127.0.0.1:9", kind="url", framework="url", document={"paths": {}}, base_url="http://127.0.0.1:9")
    with pytest.raises(ApiparityError, match=r"check --load-duration needs .*pip install 'apiparity\[load\]'"):
        plan_load(side, side, FuzzSettings(), GateOptions(load_duration=1.0))


def test_shadow_without_its_extra_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    port = free_port()
    result = run_cli("shadow", "--listen", f"127.0.0.1:{port}", "--primary", f"http://127.0.0.1:{port}",
                     "--candidate", f"http://127.0.0.1:{port}")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "pip install 'apiparity[shadow]'" in result.stderr


# ------------------------------------------------------------------------------ resolution (network)


_PIP_ENV = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout built once (`pip wheel`, isolated like a user's install) for every resolution below."""
    folder = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(folder), str(ROOT)],
                           check=False, capture_output=True, text=True, timeout=900, env=_PIP_ENV)
    assert built.returncode == 0, built.stderr[-3000:]
    (found,) = folder.glob("apiparity-*.whl")
    return found


def _resolve(wheel: Path, *requirements: str, report: bool = True) -> subprocess.CompletedProcess[str]:
    """`pip install --dry-run` of this checkout's wheel next to `requirements` (`report`: the JSON
    installation report on stdout; else pip's own messages, conflicts included).

    The resolution starts from the test environment: pip prefers what is installed and fetches only
    the rest (a fresh `--ignore-installed` resolution costs ~5 times the CPU, most of it reading the
    index). Installed versions are preferred, never forced: a set pip finds is a consistent set, so
    one exists next to these requirements, and a conflict it reports is one every environment has."""
    output = ["--quiet", "--report", "-"] if report else []
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", *output, str(wheel), *requirements],
        check=False, capture_output=True, text=True, timeout=900, env=_PIP_ENV,
    )


def _pypi_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


network = pytest.mark.skipif(not _pypi_reachable(), reason="needs the PyPI index (pip resolution)")


@pytest.mark.slow
@pytest.mark.timeout(1200)
@network
@pytest.mark.parametrize("requirements, pinned", [
    (("flask==2.3.3",), {"flask": "2.3.3"}),  # a Flask 2 legacy app: apiparity in the same virtualenv
    (("fastapi<0.100", "pydantic<2"), {}),  # a pydantic 1 port
])
def test_apiparity_resolves_next_to_older_app_stacks(wheel, requirements, pinned):
    done = _resolve(wheel, *requirements)
    assert done.returncode == 0, done.stderr[-3000:]
    installed = {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in json.loads(done.stdout)["install"]}
    assert installed["apiparity"]
    for name, version in pinned.items():
        assert installed[name] == version
    if "pydantic<2" in requirements:
        assert installed["pydantic"].startswith("1.")


@pytest.mark.slow
@pytest.mark.timeout(1200)
@network
def test_flask_1_cannot_share_apiparitys_interpreter_only_because_of_click(wheel):
    """Flask 1.1.4 pins click<8, which schemathesis (apiparity's engine) cannot run on: this stack
    runs in its own interpreter (--old-python, tests/sides). The conflict must be that one only,
    never a framework apiparity declares."""
    done = _resolve(wheel, "flask==1.1.4", "werkzeug==1.0.1", report=False)
    assert done.returncode != 0
    causes = [line.strip() for line in (done.stdout + done.stderr).splitlines() if " depends on " in line]
    assert causes and all("click" in line for line in causes), causes
