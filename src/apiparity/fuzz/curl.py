"""A reproducer of one request against one side: a curl command (a server listens) or a
`python -c` through the framework's test client (an in-process app).

A reproducer must reproduce: what it cannot show as it was sent is a shell placeholder that stops
with a message saying what to substitute, never a literal that changes the request.

- a header the user passed with `-H`/`--old-header`/`--new-header`, hidden by redaction, is
  `${APIPARITY_H_<NAME>:?...}` (curl) or read from that environment variable (python); `[redacted]`
  in its place sent another credential and showed another difference (401 instead of 409);
- a side apiparity served on a temporary port (`--new-python`, `--new-cmd`) has
  `${APIPARITY_NEW_URL:?...}` as its URL (`placeholder_url`): the port is gone after the run;
- HEAD is `curl -I` (`curl -X HEAD` waits for a body that never comes).
"""

from __future__ import annotations

import json
import re
import shlex

from apiparity.fuzz.redact import redact_pairs, redact_query
from apiparity.fuzz.wire import WireRequest


def header_variable(name: str) -> str:
    """The environment variable a reproducer reads the value of the user's `-H name: ...` from."""
    return "APIPARITY_H_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def placeholder_url(side: str, why: str) -> str:
    """The base URL a reproducer shows for a side that listened only during the run: the shell stops
    with `why` until APIPARITY_<SIDE>_URL is set."""
    return f"${{APIPARITY_{side.upper()}_URL:?{_message(why)}}}"


def _message(text: str) -> str:
    """Text safe in `${VAR:?text}` inside double quotes (no quote, dollar, backquote, backslash, brace)."""
    return re.sub(r"[\"$`\\{}']", "", text)


def _double_quoted(text: str) -> str:
    return '"' + re.sub(r'(["$`\\])', r"\\\1", text) + '"'


def _supplied(name: str, value: str, redact: bool) -> bool:
    from apiparity.redact import current

    return redact and current().hides_supplied(name, value)


def _header_argument(name: str, value: str, redact: bool) -> str:
    if _supplied(name, value, redact):
        why = _message(f"set it to the value you passed with -H {name}")
        return '"' + _double_quoted(f"{name}: ")[1:-1] + f"${{{header_variable(name)}:?{why}}}" + '"'
    shown = redact_pairs([(name, value)])[0][1] if redact else value
    return shlex.quote(f"{name}: {shown}")


def curl_command(request: WireRequest, base_url: str, *, base_path: str = "", redact: bool = True) -> str:
    """`curl -X METHOD 'URL' -H ... --data-binary ...`, shell-quoted, secrets redacted (a `-H`
    value is a placeholder to substitute), HEAD as `curl -I`."""
    path = (base_path.rstrip("/") + request.path) if base_path not in ("", "/") and not request.absolute else request.path
    query = redact_query(request.query) if redact else request.query
    rest = path + (f"?{query}" if query else "")
    if base_url.startswith("${"):  # placeholder_url: expanded by the shell
        url = '"' + base_url + _double_quoted(rest)[1:]
    else:
        url = shlex.quote(base_url.rstrip("/") + rest)
    head = request.method.upper() == "HEAD"
    parts = ["curl", "-sS", "-I"] if head else ["curl", "-sS", "-i", "-X", request.method]
    parts.append(url)
    for name, value in request.headers:
        if name.lower() in ("content-length", "host"):
            continue  # curl computes both
        parts += ["-H", _header_argument(name, value, redact)]
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
    supplied = any(_supplied(k, v, redact) for request in requests for k, v in request.headers)
    if supplied:  # a -H value: read from the environment, the run stops saying which one is missing
        lines += ["import os, sys",
                  '_h = lambda n, h: os.environ.get(n) or sys.exit("set " + n + " to the value you passed with -H " + h)']
    if interface == "asgi":
        lines += ["from starlette.testclient import TestClient", "client = TestClient(app)"]
    else:
        lines += ["client = app.test_client()"]
    for request in requests:
        path = (base_path.rstrip("/") + request.path) if base_path not in ("", "/") and not request.absolute else request.path
        query = redact_query(request.query) if redact else request.query
        url = path + (f"?{query}" if query else "")
        headers = _py_headers([(k, v) for k, v in request.headers if k.lower() not in ("content-length", "host")], redact)
        body = _py_bytes(request.body) if request.body else ""
        if interface == "asgi":
            call = f"r = client.request({_py(request.method)}, {_py(url)}, headers={headers}" + (f", content={body}" if body else "") + ")"
            show = "print(r.status_code, dict(r.headers), r.text)"
        else:
            call = f"r = client.open({_py(url)}, method={_py(request.method)}, headers={headers}" + (f", data={body}" if body else "") + ")"
            show = "print(r.status_code, dict(r.headers), r.get_data(as_text=True))"
        lines += [call, show]
    code = "; ".join(lines)
    note = f"  # {label}: in-process {interface.upper()} app {target} (no server listening)" if label else ""
    return f"python -c {shlex.quote(code)}{note}"


def _py_headers(headers: list[tuple[str, str]], redact: bool) -> str:
    """A dict literal of the headers: redacted, a -H value read from its environment variable."""
    items: dict[str, str] = {}
    for name, value in headers:
        if _supplied(name, value, redact):
            items[name] = f"_h({_py(header_variable(name))}, {_py(name)})"
        else:
            items[name] = _py(redact_pairs([(name, value)])[0][1] if redact else value)
    return "{" + ", ".join(f"{_py(name)}: {expression}" for name, expression in items.items()) + "}"


def _py(value: object) -> str:
    """A Python literal of a str or a dict of str written with double quotes (JSON's spelling)."""
    return json.dumps(value, ensure_ascii=True)


def _py_bytes(body: bytes) -> str:
    try:
        return f"{_py(body.decode('utf-8'))}.encode()"
    except UnicodeDecodeError:
        return f"bytes.fromhex({_py(body.hex())})"
