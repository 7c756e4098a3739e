"""Committed-spec drift: does the document an app generates still match the file in the repository?

Teams commit `openapi.json` so reviewers see contract changes in pull requests. The check compares
parsed documents, so key order and whitespace never count, and explains a mismatch twice: as a
short list of changed JSON pointers (what changed) and as a unified diff of canonical JSON (sorted
keys, 2-space indent) that reads like the pull-request diff the reviewer will see.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from apiparity.spec.pointer import from_parts

ChangeKind = Literal["added", "removed", "changed"]

# deepdiff report type -> our three words; anything else (e.g. set changes) reads as "changed".
_DEEPDIFF_KINDS: dict[str, ChangeKind] = {
    "dictionary_item_added": "added",
    "iterable_item_added": "added",
    "dictionary_item_removed": "removed",
    "iterable_item_removed": "removed",
    "values_changed": "changed",
    "type_changes": "changed",
}


@dataclass(slots=True)
class PointerChange:
    """One difference, located by a JSON pointer (RFC 6901) into the documents."""

    kind: ChangeKind
    pointer: str
    committed: Any = None
    generated: Any = None

    def describe(self, width: int = 60) -> str:
        where = self.pointer or "/"
        if self.kind == "added":
            return f"+ {where}: {_short(self.generated, width)}"
        if self.kind == "removed":
            return f"- {where}: {_short(self.committed, width)}"
        return f"~ {where}: {_short(self.committed, width)} -> {_short(self.generated, width)}"


@dataclass(slots=True)
class DriftResult:
    committed_label: str
    generated_label: str
    changes: list[PointerChange] = field(default_factory=list)
    unified_diff: str = ""

    @property
    def up_to_date(self) -> bool:
        return not self.unified_diff

    def render(self, *, max_pointers: int = 50) -> str:
        """The readable report printed by `apiparity spec --check`."""
        if self.up_to_date:
            return f"{self.committed_label} is up to date with {self.generated_label}\n"
        lines = [
            f"{self.committed_label} is out of date: {self.generated_label} generates a different document "
            f"({len(self.changes)} change(s); key order and whitespace are ignored).",
            "",
        ]
        lines += [f"  {change.describe()}" for change in self.changes[:max_pointers]]
        if len(self.changes) > max_pointers:
            lines.append(f"  ... and {len(self.changes) - max_pointers} more")
        lines += ["", self.unified_diff.rstrip("\n"), ""]
        return "\n".join(lines) + "\n"


def canonical_json(document: Any) -> str:
    """One text per document: sorted keys, 2-space indent, UTF-8 kept, trailing newline.

    Comparing this text (not `==` on dicts) keeps `1` and `1.0`, or `true` and `1`, apart, as JSON
    readers and reviewers see them.
    """
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def as_json_data(document: Any) -> Any:
    """The document as a JSON reader would get it back (tuples become lists, keys strings)."""
    return json.loads(json.dumps(document, ensure_ascii=False))


def compare_documents(
    committed: Any,
    generated: Any,
    *,
    committed_label: str = "committed",
    generated_label: str = "generated",
) -> DriftResult:
    """Compare two parsed documents, ignoring key order and formatting."""
    committed = as_json_data(committed)
    generated = as_json_data(generated)
    committed_text = canonical_json(committed)
    generated_text = canonical_json(generated)
    result = DriftResult(committed_label=committed_label, generated_label=generated_label)
    if committed_text == generated_text:
        return result
    result.unified_diff = "".join(
        difflib.unified_diff(
            committed_text.splitlines(keepends=True),
            generated_text.splitlines(keepends=True),
            fromfile=f"{committed_label} (committed)",
            tofile=f"{generated_label} (generated)",
            n=3,
        )
    )
    result.changes = pointer_changes(committed, generated)
    return result


def pointer_changes(committed: Any, generated: Any) -> list[PointerChange]:
    """Changed JSON pointers between two JSON documents, sorted by pointer."""
    from deepdiff import DeepDiff

    tree = DeepDiff(committed, generated, view="tree", ignore_order=False, verbose_level=2)
    changes: list[PointerChange] = []
    for report_type, levels in tree.items():
        kind = _DEEPDIFF_KINDS.get(report_type, "changed")
        for level in levels:
            changes.append(
                PointerChange(
                    kind=kind,
                    pointer=from_parts(level.path(output_format="list")),
                    committed=None if kind == "added" else level.t1,
                    generated=None if kind == "removed" else level.t2,
                )
            )
    changes.sort(key=lambda change: change.pointer)
    return changes


def check_file(path: str | Path, generated: dict[str, Any], *, generated_label: str) -> DriftResult:
    """Compare the committed document at `path` (JSON or YAML) with `generated`.

    A missing or unreadable file raises SpecError naming it (exit 2 in the CLI).
    """
    from apiparity.targets.documents import read_document_file

    committed = read_document_file(Path(path))
    return compare_documents(committed, generated, committed_label=str(path), generated_label=generated_label)


def _short(value: Any, width: int) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."
