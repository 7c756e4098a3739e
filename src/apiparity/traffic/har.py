"""HAR 1.2 (browser dev tools, mitmproxy, Charles, Fiddler exports): `log.entries[].request`.

Only the request is read; the recorded response is not an oracle (OLD is asked again, twice, so
that today's OLD and noise cancellation decide). `har_document` writes one, for fixtures.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apiparity.errors import ApiparityError
from apiparity.traffic.records import RecordedRequest, clean_headers, split_target


def read_har(path: str | Path, *, host: str | None = None) -> list[RecordedRequest]:
    """The requests of a HAR file in recorded order; `host` keeps only entries sent to that host
    (a browser HAR also holds fonts and CDNs)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as exc:
        raise ApiparityError(f"{path}: not a HAR file: line {exc.lineno}: {exc.msg}") from None
    entries = data.get("log", {}).get("entries") if isinstance(data, dict) and isinstance(data.get("log"), dict) else None
    if not isinstance(entries, list):
        raise ApiparityError(f"{path}: not a HAR file: no log.entries list")
    records = []
    for index, entry in enumerate(entries):
        where = f"{path} entry {index}"
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str) or not isinstance(request.get("url"), str):
            raise ApiparityError(f"{where}: no request with method and url")
        if host is not None and (urlsplit(request["url"]).hostname or "") != host:
            continue
        records.append(_record(request, where))
    return records


def _record(request: dict[str, Any], where: str) -> RecordedRequest:
    path, query = split_target(request["url"])
    if not query and request.get("queryString"):
        from urllib.parse import urlencode

        query = urlencode([(q.get("name", ""), q.get("value", "")) for q in request["queryString"] if isinstance(q, dict)])
    headers = [(h.get("name", ""), h.get("value", "")) for h in request.get("headers") or [] if isinstance(h, dict)]
    body = None
    post = request.get("postData")
    if isinstance(post, dict):
        if post.get("text") is not None:
            text = str(post["text"])
            # HAR 1.2 has no encoding field on postData; some tools add one for binary uploads
            body = base64.b64decode(text) if post.get("encoding") == "base64" else text.encode("utf-8")
        elif post.get("params"):
            from urllib.parse import urlencode

            body = urlencode([(p.get("name", ""), p.get("value", "")) for p in post["params"] if isinstance(p, dict)]).encode()
        mime = post.get("mimeType")
        if body is not None and mime and not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", str(mime)))
    return RecordedRequest(request["method"].strip().upper(), path, query, clean_headers(headers), body, where)


def har_document(exchanges: list[dict[str, Any]], *, creator: str = "apiparity") -> dict[str, Any]:
    """A HAR 1.2 document from exchanges `{url, method, headers, body, status, response_headers,
    response_body, started, time_ms}` (bodies as text)."""
    entries = []
    for item in exchanges:
        parts = urlsplit(item["url"])
        request: dict[str, Any] = {
            "method": item["method"],
            "url": item["url"],
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": k, "value": v} for k, v in item.get("headers", [])],
            "queryString": [{"name": k, "value": v} for k, v in _pairs(parts.query)],
            "headersSize": -1,
            "bodySize": len(item["body"].encode()) if item.get("body") is not None else 0,
        }
        if item.get("body") is not None:
            mime = next((v for k, v in item.get("headers", []) if k.lower() == "content-type"), "application/octet-stream")
            request["postData"] = {"mimeType": mime, "text": item["body"]}
        response_body = item.get("response_body") or ""
        response_headers = item.get("response_headers", [])
        entries.append({
            "startedDateTime": item["started"],
            "time": item.get("time_ms", 0),
            "request": request,
            "response": {
                "status": item["status"],
                "statusText": "",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": [{"name": k, "value": v} for k, v in response_headers],
                "content": {
                    "size": len(response_body.encode()),
                    "mimeType": next((v for k, v in response_headers if k.lower() == "content-type"), ""),
                    "text": response_body,
                },
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(response_body.encode()),
            },
            "cache": {},
            "timings": {"send": 0, "wait": item.get("time_ms", 0), "receive": 0},
        })
    return {"log": {"version": "1.2", "creator": {"name": creator, "version": "1"}, "entries": entries}}


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(query, keep_blank_values=True)
