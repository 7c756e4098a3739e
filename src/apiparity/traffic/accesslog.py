"""Access logs in the Common / Combined Log Format (nginx, Apache, gunicorn, waitress defaults):

    127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /books?page=2 HTTP/1.1" 200 512 "-" "curl/8.5"

A log holds no headers beyond the user agent and no bodies, so only GET and HEAD lines can be
replayed; the other lines are counted and reported, never guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from apiparity.errors import ApiparityError
from apiparity.traffic.records import RecordedRequest, split_target

LINE = re.compile(
    r'^(?P<host>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+)(?: HTTP/[\d.]+)?" '
    r'(?P<status>\d{3}|-) (?P<size>\d+|-)(?: "(?P<referer>[^"]*)" "(?P<agent>[^"]*)")?'
)
REPLAYABLE = frozenset({"GET", "HEAD"})
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")  # tab is a separator some formats use


@dataclass(slots=True)
class AccessLog:
    records: list[RecordedRequest] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # method -> lines not replayable (no body in a log)
    unparsed: int = 0
    control: int = 0  # lines with a control character (NUL, ESC, CR, DEL ...): a forged or corrupt line, skipped


def read_access_log(path: str | Path) -> AccessLog:
    """GET/HEAD requests of an access log; ApiparityError when no line at all looks like one."""
    log = AccessLog()
    first_bad: int | None = None
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if _CONTROL.search(line.rstrip("\r\n")):
                log.control += 1
                continue
            match = LINE.match(line.strip())
            if match is None:
                log.unparsed += 1
                first_bad = first_bad or number
                continue
            method = match["method"]
            if method not in REPLAYABLE:
                log.skipped[method] = log.skipped.get(method, 0) + 1
                continue
            request_path, query = split_target(match["target"])
            headers = [("User-Agent", match["agent"])] if match["agent"] and match["agent"] != "-" else []
            log.records.append(RecordedRequest(method, request_path, query, headers, None, f"{path}:{number}"))
    if not log.records and not log.skipped and (log.unparsed or log.control):
        raise ApiparityError(f"{path}:{first_bad}: not an access log line (Common or Combined Log Format expected)")
    return log
