"""GoReplay capture files (`gor --input-raw :80 --output-file requests.gor`), read as a stream.

The format, as GoReplay writes it (protocol.go, output_file.go): payloads separated by the line
"🐵🙈🙉" (`"\\n🐵🙈🙉\\n"`); each payload is one meta line then the raw HTTP message:

    1 <id> <start, ns since epoch> [<latency>]      a request, as the client sent it
    2 <id> <round-trip, ns> [<latency>]             the original response
    3 <id> <round-trip, ns> [<latency>]             a response GoReplay got when replaying

A `.gz` name is gzip-compressed (`--output-file requests_%Y%m%d.gor.gz`). Only requests (type 1)
are replayed; OLD's live answers replace the recorded responses. The file is read in chunks, one
payload at a time, so a capture of any size is replayed in constant memory; `offset` is the byte
position after each payload (of the uncompressed stream), which is what `--resume` seeks to.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from apiparity.errors import ApiparityError
from apiparity.traffic.records import RecordedRequest, clean_headers, split_target

SEPARATOR = "\n🐵🙈🙉\n".encode()
REQUEST, RESPONSE, REPLAYED_RESPONSE = "1", "2", "3"
META = re.compile(rb"^([123]) ([0-9A-Za-z]+) (\d+)(?: (-?\d+))?$")
CHUNK = 1 << 20
_PLAIN_TARGET = re.compile(r"^/[A-Za-z0-9/%:@!$&'()*+,;=._~?-]*$")  # no byte that needs percent-encoding
MAX_PAYLOAD = 64 << 20  # a payload larger than this is not a capture: refuse rather than fill memory


class GorFormatError(ApiparityError):
    """The file is not a GoReplay capture (or a payload in it is broken beyond skipping)."""


@dataclass(slots=True, frozen=True)
class Payload:
    kind: str  # "1" request, "2" response, "3" replayed response
    id: str
    timestamp_ns: int
    latency: int | None
    data: bytes  # the raw HTTP message
    offset: int  # byte offset just after this payload's separator


def looks_like_gor(head: bytes) -> bool:
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return bool(META.match(first))


def open_capture(path: str | Path) -> IO[bytes]:
    name = str(path)
    if name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(name, "rb"))
    return open(name, "rb")  # noqa: SIM115 - closed by the caller's with


def iter_payloads(path: str | Path, *, start: int = 0, kinds: frozenset[int] | None = None,
                  skipped: list[int] | None = None) -> Iterator[Payload]:
    """Every payload of the capture, in file order, from byte `start` of the uncompressed stream;
    with `kinds` (first bytes, e.g. {ord("1")}) only those, the others counted in `skipped[0]`."""
    with open_capture(path) as handle:
        if start:
            handle.seek(start)
        buffer = b""
        base = start  # file offset of buffer[0]
        seen = False
        while True:
            chunk = handle.read(CHUNK)
            if chunk:
                buffer += chunk
            cut = 0
            while True:
                found = buffer.find(SEPARATOR, cut)
                if found < 0:
                    break
                if kinds is not None and seen and buffer[cut] not in kinds and found > cut:
                    if skipped is not None:
                        skipped[0] += 1
                    cut = found + len(SEPARATOR)
                    continue
                payload = _payload(buffer[cut:found], base + found + len(SEPARATOR))
                if payload is not None:
                    seen = True
                    yield payload
                elif not seen and not start:
                    raise GorFormatError(f"{path}: not a GoReplay capture (first line {buffer[cut:found][:60]!r})")
                cut = found + len(SEPARATOR)
            buffer = buffer[cut:]
            base += cut
            if not chunk:
                if buffer.strip():  # GoReplay ends every payload with the separator; a cut-off last one is still read
                    payload = _payload(buffer.rstrip(b"\n"), base + len(buffer))
                    if payload is not None:
                        yield payload
                    elif not seen and not start:
                        raise GorFormatError(f"{path}: not a GoReplay capture (first line {buffer[:60]!r})")
                return
            if len(buffer) > MAX_PAYLOAD:
                raise GorFormatError(f"{path}: no payload separator in {MAX_PAYLOAD >> 20} MiB: not a GoReplay capture")


def _payload(raw: bytes, offset: int) -> Payload | None:
    meta, newline, data = raw.partition(b"\n")
    match = META.match(meta.rstrip(b"\r"))
    if not newline or match is None:
        return None
    kind, ident, timestamp, latency = match.groups()
    return Payload(kind.decode(), ident.decode(), int(timestamp), int(latency) if latency else None, data, offset)


def parse_request(payload: Payload, source: str) -> RecordedRequest | None:
    """The HTTP/1.x request in a type-1 payload, or None when it is not one."""
    head, sep, body = payload.data.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = payload.data.partition(b"\n\n")
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) < 2 or not parts[0].isalpha():
        return None
    method, target = parts[0].upper(), parts[1]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            headers.append((name.strip(), value.strip()))
    if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        body = _dechunk(body)
    if target.startswith("/") and _PLAIN_TARGET.match(target):
        path, _, query = target.partition("?")  # the common origin form, already encoded
    else:
        path, query = split_target(target)
    return RecordedRequest(method=method, path=path, query=query, headers=clean_headers(headers),
                           body=body or None, source=source)


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    rest = body
    while rest:
        size_line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        try:
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        except ValueError:
            return body
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)


@dataclass(slots=True)
class GorStats:
    """What a pass over the capture skipped, for the notes of the replay."""

    responses: int = 0
    unparsed: int = 0
    offset: int = 0  # byte offset after the last payload read


def iter_requests(path: str | Path, *, start: int = 0, stats: GorStats | None = None) -> Iterator[RecordedRequest]:
    """The recorded requests of a capture, streamed; `stats` counts what was not a request."""
    stats = stats if stats is not None else GorStats()
    skipped = [0]
    for payload in iter_payloads(path, start=start, kinds=frozenset({ord(REQUEST)}), skipped=skipped):
        stats.offset = payload.offset
        stats.responses = skipped[0]
        if payload.kind != REQUEST:
            stats.responses += 1
            continue
        request = parse_request(payload, f"{path} request {payload.id}")
        if request is None:
            stats.unparsed += 1
            continue
        yield request
    stats.responses = skipped[0]


def write_capture(handle: IO[bytes], requests: list[tuple[str, bytes, bytes]], *, start_ns: int = 1_700_000_000_000_000_000) -> None:
    """Write (id, raw request, raw response) triples as GoReplay does (request payload, then the
    response payload): for fixtures and benchmarks, in the format GoReplay's own reader accepts."""
    for number, (ident, request, response) in enumerate(requests):
        timestamp = start_ns + number * 1_000_000
        handle.write(f"1 {ident} {timestamp} 0\n".encode() + request + SEPARATOR)
        if response:
            handle.write(f"2 {ident} {timestamp + 500_000} 500000\n".encode() + response + SEPARATOR)
