"""Recorded traffic as a second source of cases (`apiparity replay`), and the shadow proxy.

`read_traffic(path)` reads a HAR file, a JSONL file (the format `--record` writes, see
`apiparity.traffic.jsonl`), an access log or a GoReplay capture (`apiparity.traffic.gor`, streamed:
`Traffic.stream`), by extension or by sniffing the first bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.errors import ApiparityError
from apiparity.traffic.records import RecordedRequest

__all__ = ["FORMATS", "RecordedRequest", "Traffic", "read_traffic"]

FORMATS = ("har", "jsonl", "access-log", "gor")


@dataclass(slots=True)
class Traffic:
    path: str
    format: str
    requests: list[RecordedRequest] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines that could not be replayed, and why
    # a format read as a stream (GoReplay captures of any size): the requests, consumed once
    stream: Iterable[RecordedRequest] | None = None
    stream_stats: Any = None  # apiparity.traffic.gor.GorStats, filled while the stream is consumed

    def iter_requests(self) -> Iterable[RecordedRequest]:
        return self.stream if self.stream is not None else self.requests


def read_traffic(path: str | Path, *, fmt: str | None = None, host: str | None = None, start: int = 0) -> Traffic:
    """The requests recorded in `path`; ApiparityError (exit 2, one line) for a missing or malformed file."""
    from apiparity.traffic.accesslog import read_access_log
    from apiparity.traffic.har import read_har
    from apiparity.traffic.jsonl import read_jsonl

    name = str(path)
    if fmt is not None and fmt not in FORMATS:
        raise ApiparityError(f"traffic format {fmt!r}: choose one of {', '.join(FORMATS)}")
    try:
        fmt = fmt or detect_format(name)
        traffic = Traffic(name, fmt)
        if fmt == "gor":
            from apiparity.traffic.gor import GorStats, iter_requests

            traffic.stream_stats = GorStats()
            traffic.stream = iter_requests(name, start=start, stats=traffic.stream_stats)
        elif fmt == "har":
            traffic.requests = read_har(name, host=host)
        elif fmt == "jsonl":
            traffic.requests = read_jsonl(name)
        else:
            log = read_access_log(name)
            traffic.requests = log.records
            for method, count in sorted(log.skipped.items()):
                traffic.notes.append(f"{count} {method} line(s) not replayed: an access log holds no request body")
            if log.unparsed:
                traffic.notes.append(f"{log.unparsed} line(s) not in the Common/Combined Log Format were skipped")
            if log.control:
                traffic.notes.append(f"{log.control} line(s) with a control character were skipped")
    except FileNotFoundError:
        raise ApiparityError(f"{name}: no such traffic file") from None
    except IsADirectoryError:
        raise ApiparityError(f"{name}: is a folder, not a traffic file") from None
    except UnicodeDecodeError as exc:
        raise ApiparityError(f"{name}: not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise ApiparityError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if host is not None and fmt != "har":
        traffic.notes.append("--host applies to HAR files only")
    return traffic


def detect_format(path: str) -> str:
    """By extension (.har, .jsonl/.ndjson, .gor/.gor.gz), else by the first bytes: a GoReplay meta
    line ("1 <id> <ns>"), a HAR is one JSON object with a "log" key, JSONL is one object per line,
    anything else an access log."""
    suffix = Path(path).suffix.lower()
    if suffix == ".har":
        return "har"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".gor" or str(path).lower().endswith(".gor.gz"):
        return "gor"
    from apiparity.traffic.gor import looks_like_gor

    with open(path, "rb") as raw:
        if looks_like_gor(raw.read(256)):
            return "gor"
    with open(path, encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith("{"):
        first_line = head.split("\n", 1)[0]
        return "jsonl" if first_line.rstrip().endswith("}") and '"log"' not in first_line else "har"
    return "access-log"
