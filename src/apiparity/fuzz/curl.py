"""A curl command that replays one request against one side."""

from __future__ import annotations

import json
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


def test_client_snippet(requests: list[WireRequest], target: str, interface: str, *, base_path: str = "", redact: bool = True,
                        label: str = "") -> str:
    """A one-line `python -c` that sends `requests` to an in-process app through its framework's
    test client (no server listens for an in-process side, so a curl to localhost reproduces
    nothing): Flask's `app.test_client()` for WSGI, Starlette's `TestClient` for ASGI. The app is
    loaded the way apiparity loaded it (`load_target`), so `file.py:app` and `pkg.mod:create_app()`
    both work. `label` (OLD/NEW) is added as a trailing shell comment. Strings are written with
    double quotes, so the shell's single quotes around the code need no escaping."""
    lines = ["from apiparity.targets import load_target", f"app = load_target({_py(target)}).app"]
    if interface == "asgi":
        lines += ["from starlette.testclient import TestClient", "client = TestClient(app)"]
    else:
        lines += ["client = app.test_client()"]
    for request in requests:
        path = (base_path.rstrip("/") + request.path) if base_path not in ("", "/") and not request.absolute else request.path
        query = redact_query(request.query) if redact else request.query
        url = path + (f"?{query}" if query else "")
        pairs = redact_pairs(request.headers) if redact else request.headers
        headers = {k: v for k, v in pairs if k.lower() not in ("content-length", "host")}
        body = _py_bytes(request.body) if request.body else ""
        if interface == "asgi":
            call = f"r = client.request({_py(request.method)}, {_py(url)}, headers={_py(headers)}" + (f", content={body}" if body else "") + ")"
            show = "print(r.status_code, dict(r.headers), r.text)"
        else:
            call = f"r = client.open({_py(url)}, method={_py(request.method)}, headers={_py(headers)}" + (f", data={body}" if body else "") + ")"
            show = "print(r.status_code, dict(r.headers), r.get_data(as_text=True))"
        lines += [call, show]
    code = "; ".join(lines)
    note = f"  # {label}: in-process {interface.upper()} app {target} (no server listening)" if label else ""
    return f"python -c {shlex.quote(code)}{note}"


def _py(value: object) -> str:
    """A Python literal of a str or a dict of str written with double quotes (JSON's spelling)."""
    return json.dumps(value, ensure_ascii=True)


def _py_bytes(body: bytes) -> str:
    try:
        return f"{_py(body.decode('utf-8'))}.encode()"
    except UnicodeDecodeError:
        return f"bytes.fromhex({_py(body.hex())})"
