"""Recorded traffic as a second source of cases (`apiparity replay`), and the shadow proxy.

`read_traffic(path)` reads a HAR file, a JSONL file (the format `--record` writes, see
`apiparity.traffic.jsonl`) or an access log, by extension or by sniffing the first bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from apiparity.errors import ApiparityError
from apiparity.traffic.records import RecordedRequest

__all__ = ["FORMATS", "RecordedRequest", "Traffic", "read_traffic"]

FORMATS = ("har", "jsonl", "access-log")


@dataclass(slots=True)
class Traffic:
    path: str
    format: str
    requests: list[RecordedRequest] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines that could not be replayed, and why


def read_traffic(path: str | Path, *, fmt: str | None = None, host: str | None = None) -> Traffic:
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
        if fmt == "har":
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
    """By extension (.har, .jsonl/.ndjson, .log), else by the first non-blank character: a HAR is
    one JSON object with a "log" key, JSONL is one object per line, anything else an access log."""
    suffix = Path(path).suffix.lower()
    if suffix == ".har":
        return "har"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    with open(path, encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith("{"):
        first_line = head.split("\n", 1)[0]
        return "jsonl" if first_line.rstrip().endswith("}") and '"log"' not in first_line else "har"
    return "access-log"
