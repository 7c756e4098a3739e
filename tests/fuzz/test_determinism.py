"""Same seed, same requests: whatever else the process has imported. Hypothesis draws some values
from the literals of every local module loaded so far; apiparity generates without that pool."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.conftest import EXAMPLES, run_cli

LEGACY = f"{EXAMPLES / 'bookstore' / 'legacy_app.py'}:app"
MODERN = f"{EXAMPLES / 'bookstore' / 'modern_app.py'}:app"


def _recorded(tmp_path: Path, name: str) -> str:
    # 5 examples per operation: without apiparity's empty constants pool (fuzz/generate.py) the two
    # runs differ at 3, 5 and 15 alike
    corpus = tmp_path / f"{name}.jsonl"
    result = run_cli("fuzz", LEGACY, MODERN, "--seed", "3", "--max-examples", "5", "--phases", "fuzzing",
                     "--record", str(corpus))
    assert result.exit_code in (0, 1), result.stderr
    return corpus.read_text(encoding="utf-8")


def test_a_newly_imported_module_does_not_change_the_cases(tmp_path: Path) -> None:
    before = _recorded(tmp_path, "before")
    module_file = tmp_path / "lots_of_literals.py"
    lines = [f"NAME_{i} = 'literal-{i}-{'x' * (i % 7)}'\nNUMBER_{i} = {i * 7919}" for i in range(300)]
    module_file.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("lots_of_literals", module_file)
    module = importlib.util.module_from_spec(spec)
    sys.modules["lots_of_literals"] = module
    try:
        spec.loader.exec_module(module)
        after = _recorded(tmp_path, "after")
    finally:
        sys.modules.pop("lots_of_literals", None)
    assert before == after
    assert before.count("\n") > 20
