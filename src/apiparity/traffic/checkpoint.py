"""Resuming a long replay: `apiparity replay --checkpoint FILE [--resume]`.

The checkpoint is a JSON file written atomically every few thousand requests and at the end: which
traffic file (path, size, modification time), how many of its records were read, for a GoReplay
capture the byte offset to seek to, and the findings so far (the fuzz result and the undocumented
traffic). `--resume` checks it names the same file, skips what was read (seeking in an uncompressed
capture, else reading past the records) and reports both parts as one run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.errors import ConfigError
from apiparity.model_sections import UndocumentedRequest

VERSION = 1


@dataclass(slots=True)
class Checkpoint:
    path: str | None = None
    traffic: str = ""
    done: int = 0  # records read in earlier segments
    offset: int = 0  # byte offset after them (GoReplay captures, uncompressed), 0 when unknown
    result: Any = None  # FuzzResult of earlier segments
    undocumented: list[UndocumentedRequest] = field(default_factory=list)
    resumed_from: int | None = None
    total_read: int = 0

    @classmethod
    def open(cls, path: str | None, traffic: str, *, resume: bool) -> Checkpoint:
        if resume and not path:
            raise ConfigError("--resume: name the checkpoint with --checkpoint FILE")
        checkpoint = cls(path=path, traffic=traffic)
        if not (resume and path and Path(path).exists()):
            return checkpoint
        from apiparity.model import FuzzResult, from_dict

        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            fingerprint = data["fingerprint"]
            done, offset = int(data["done"]), int(data.get("offset") or 0)
            result = from_dict(FuzzResult, data["result"])
            undocumented = [UndocumentedRequest.from_dict(item) for item in data.get("undocumented") or []]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not an apiparity replay checkpoint ({type(exc).__name__}: {exc})") from None
        if fingerprint != _fingerprint(traffic):
            raise ConfigError(f"{path}: checkpoint of {fingerprint.get('path')} (size {fingerprint.get('size')}), "
                              f"not of {traffic}: replay it from the start or name its own checkpoint")
        checkpoint.done, checkpoint.offset, checkpoint.result, checkpoint.undocumented = done, offset, result, undocumented
        checkpoint.resumed_from = done
        return checkpoint

    def seekable(self, traffic: str) -> bool:
        """Resume by seeking: an uncompressed GoReplay capture with a known offset."""
        return self.offset > 0 and not traffic.endswith(".gz")

    def saver(self, recorded: Any) -> Callable[[int, Any, list[UndocumentedRequest]], None]:
        def save(position: int, result: Any, undocumented: list[UndocumentedRequest]) -> None:
            stats = getattr(recorded, "stream_stats", None)
            combined, merged = self._with_earlier(result, undocumented)
            self._write(position, stats.offset if stats is not None and stats.offset else 0, combined, merged)

        return save

    def combined(self, outcome: Any) -> Any:
        """The outcome of this segment with the earlier ones folded in."""
        self.total_read = outcome.read
        if self.result is None:
            return outcome
        outcome.result, outcome.undocumented = self._with_earlier(outcome.result, outcome.undocumented)
        return outcome

    def _with_earlier(self, result: Any, undocumented: list[UndocumentedRequest]) -> tuple[Any, list[UndocumentedRequest]]:
        if self.result is None:
            return result, undocumented
        from apiparity.report.merge import merge_undocumented_requests
        from apiparity.traffic.replay import combine_results

        merged = merge_undocumented_requests([self.undocumented, undocumented])
        return combine_results(self.result, result, merged), merged

    def _write(self, done: int, offset: int, result: Any, undocumented: list[UndocumentedRequest]) -> None:
        if not self.path:
            return
        from apiparity.report import write_atomic

        data = {"version": VERSION, "fingerprint": _fingerprint(self.traffic), "done": done, "offset": offset,
                "result": result.to_dict() if hasattr(result, "to_dict") else _to_dict(result), "undocumented": [item.to_dict() for item in undocumented]}
        write_atomic(self.path, json.dumps(data, default=str))


def _to_dict(value: Any) -> Any:
    from apiparity.model import to_dict

    return to_dict(value)


def _fingerprint(traffic: str) -> dict[str, Any]:
    try:
        stat = os.stat(traffic)
    except OSError:
        return {"path": os.path.abspath(traffic), "size": None, "mtime_ns": None}
    return {"path": os.path.abspath(traffic), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
