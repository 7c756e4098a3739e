"""Map a JSON pointer into a spec file to the line it starts on (JSON or YAML source).

SARIF results and GitHub annotations point at lines; the diff knows JSON pointers. yaml.compose
keeps the position of every node and reads JSON too, so one walker serves both formats.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from apiparity.spec.pointer import split


def pointer_line(path: str | Path, pointer: str | None) -> int | None:
    """1-based line of the node at `pointer` in the file (of its deepest existing ancestor), or None."""
    if pointer is None:
        return None
    file = Path(path)
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:
        return None
    root = _compose(str(file), stamp)
    if root is None:
        return None
    return _walk(root, _tokens(pointer))


def _tokens(pointer: str) -> list[str]:
    return split(pointer)


@lru_cache(maxsize=8)
def _compose(path: str, stamp: int) -> Any:  # stamp: re-read when the file changes
    import yaml

    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.compose(handle, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _walk(node: Any, tokens: list[str]) -> int:
    import yaml

    line = node.start_mark.line + 1
    for token in tokens:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == token:
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value):
            node = node.value[int(token)]
            line = node.start_mark.line + 1
        else:
            return line
    return line
