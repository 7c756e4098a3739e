"""No module imports another package's private names (`from apiparity.fuzz.runner import _side`):
what one package shares with another is public, so it can be found, typed and kept stable."""

from __future__ import annotations

import ast
from pathlib import Path

import apiparity

SRC = Path(apiparity.__file__).parent


def _package(module: str) -> str:
    """The first-level package of a dotted `apiparity...` module name ("apiparity.fuzz.runner" -> "fuzz")."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def private_cross_package_imports(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        module = ".".join(relative.parts)
        if relative.name == "__init__":
            module = ".".join(relative.parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or not (node.module or "").startswith("apiparity"):
                continue
            imported = node.module or ""
            private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            private += [part for part in imported.split(".") if part.startswith("_") and not part.startswith("__")]
            if private and _package(imported) != _package(module):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: from {imported} import {', '.join(private)}")
    return found


def test_no_private_cross_package_imports() -> None:
    assert private_cross_package_imports(SRC) == []


def test_the_check_sees_a_private_cross_package_import(tmp_path: Path) -> None:
    package = tmp_path / "apiparity"
    (package / "traffic").mkdir(parents=True)
    (package / "fuzz").mkdir()
    (package / "traffic" / "replay.py").write_text("def f():\n    from apiparity.fuzz.runner import _side, run_fuzz\n")
    (package / "fuzz" / "runner.py").write_text("from apiparity.fuzz.generate import _selects\n")  # same package: allowed
    assert private_cross_package_imports(package) == ["apiparity/traffic/replay.py:2: from apiparity.fuzz.runner import _side"]
