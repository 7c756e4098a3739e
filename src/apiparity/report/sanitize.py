"""Every report stays writable and readable whatever an app answered: the report model made
representable before any format renders it (`representable`), and text made safe for the reader
it goes to (`terminal_safe` for a terminal).

- a string with a lone surrogate (`"\\ud800"` in a JSON answer) cannot be encoded as UTF-8: the
  surrogate is written as the escape text `\\ud800`;
- NaN and +/-Infinity (Python's json reads them; strict JSON has no such tokens) become the
  strings "NaN", "Infinity", "-Infinity", so the JSON report is valid JSON;
- values nested deeper than MAX_DEPTH are cut there with a marker string.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Any

MAX_DEPTH = 100
DEPTH_MARKER = f"[nested deeper than {MAX_DEPTH} levels: cut]"
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls except tab and newline, and DEL: ESC/OSC/CSI sequences start with these
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def string(text: str) -> str:
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) if _SURROGATE.search(text) else text


def number(value: float) -> Any:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def value(obj: Any, depth: int = 0) -> Any:
    """A JSON-like value (a body, an extras section) made representable."""
    if isinstance(obj, str):
        return string(obj)
    if isinstance(obj, float):
        return number(obj)
    if isinstance(obj, (dict, list, tuple)) and depth >= MAX_DEPTH:
        return DEPTH_MARKER
    if isinstance(obj, dict):
        return {string(k) if isinstance(k, str) else k: value(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [value(v, depth + 1) for v in obj]
    if isinstance(obj, tuple):
        return tuple(value(v, depth + 1) for v in obj)
    return obj


def representable(report: Any) -> Any:
    """A copy of a report model every format can write: see the module docstring."""
    return _walk(report, 0)


def _walk(obj: Any, depth: int) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if depth >= MAX_DEPTH:
            return obj
        return dataclasses.replace(obj, **{f.name: _walk(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj) if f.init})
    if isinstance(obj, list):
        return [_walk(v, depth + 1) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_walk(v, depth + 1) for v in obj)
    if isinstance(obj, dict) and any(_is_model(v) for v in obj.values()):  # a section's mapping of sections (sides, handlers)
        return {string(k) if isinstance(k, str) else k: _walk(v, depth + 1) for k, v in obj.items()}
    return value(obj, 0) if isinstance(obj, (dict, str, float)) else obj


def _is_model(obj: Any) -> bool:
    return dataclasses.is_dataclass(obj) and not isinstance(obj, type)


def bounded_depth(obj: Any, limit: int = MAX_DEPTH) -> Any:
    """`obj` (parsed JSON) with everything deeper than `limit` replaced by the depth marker;
    `obj` itself when it is shallower (checked without recursion)."""
    stack = [(obj, 0)]
    deepest = 0
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return obj if deepest <= limit else value(obj)


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters (ESC, BEL, CR, C1 ...) shown as `\\x1b`-style
    escapes, so an operationId or a $ref from a document cannot move the cursor, retitle the
    window or hide lines. Tab and newline stay."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text) if _CONTROL.search(text) else text
