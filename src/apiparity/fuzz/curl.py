"""A curl command that replays one request against one side."""

from __future__ import annotations

import shlex

from apiparity.fuzz.redact import redact_pairs, redact_query
from apiparity.fuzz.wire import WireRequest


def curl_command(request: WireRequest, base_url: str, *, base_path: str = "", redact: bool = True) -> str:
    """`curl -X METHOD 'URL' -H ... --data-binary ...`, shell-quoted, secrets redacted."""
    path = (base_path.rstrip("/") + request.path) if base_path not in ("", "/") and not request.absolute else request.path
    query = redact_query(request.query) if redact else request.query
    url = base_url.rstrip("/") + path + (f"?{query}" if query else "")
    parts = ["curl", "-sS", "-i", "-X", request.method]
    parts.append(shlex.quote(url))
    headers = redact_pairs(request.headers) if redact else request.headers
    for name, value in headers:
        if name.lower() in ("content-length", "host"):
            continue  # curl computes both
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    if request.body is None:
        return " ".join(parts)
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and redact:
        from apiparity.redact import current

        form = "form" in (request.header("content-type") or "")
        text = current().query(text) if form else current().text(text)
    if text is not None and "\x00" not in text:
        return " ".join([*parts, "--data-binary", shlex.quote(text)])
    # not text: pipe the exact bytes in through printf's escapes
    escaped = "".join(f"\\x{b:02x}" for b in request.body)
    return f"printf '{escaped}' | " + " ".join([*parts, "--data-binary", "@-"])
