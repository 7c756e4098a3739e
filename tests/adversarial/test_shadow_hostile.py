"""The shadow proxy against a hostile primary and hostile clients (issue 14, item 6): a primary
slower than --primary-timeout gets the client a 502, a large answer is streamed through whole while
only --max-body-bytes of it are kept to compare, and a request target that is not a path is a 400,
never a traceback."""

from __future__ import annotations

import socket
import time
from http.server import BaseHTTPRequestHandler

import httpx

from tests.adversarial.corpus import case
from tests.adversarial.servers import http_server, send_json
from tests.traffic import servers

BIG = 8 * 1024 * 1024


def _primary(handler: BaseHTTPRequestHandler) -> None:
    try:
        _answer(handler)
    except (BrokenPipeError, ConnectionResetError):  # the proxy gave up on /slow: expected, and never printed
        pass


def _answer(handler: BaseHTTPRequestHandler) -> None:
    if handler.path.startswith("/slow"):
        time.sleep(3)
        send_json(handler, 200, b'{"late": true}')
    elif handler.path.startswith("/big"):
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(BIG))
        handler.end_headers()
        chunk = bytes(range(256)) * 256
        for _ in range(BIG // len(chunk)):
            handler.wfile.write(chunk)
    else:
        send_json(handler, 200, b'{"ok": true}')


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and len(data) > 200:
                break
        return data


@case("shadow-hostile-primary-and-targets")
def test_shadow_times_out_streams_and_refuses_bad_targets(tmp_path) -> None:
    with http_server(_primary) as primary, http_server(lambda h: send_json(h, 200, b'{"ok": true}')) as candidate:
        port = servers.free_port()
        with servers.shadow(port, primary.url, candidate.url, "-o", str(tmp_path / "r.json"), "--primary-timeout", "1",
                            "--max-body-bytes", "1000", "--flush-interval", "0.1") as proxy:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                slow = client.get("/slow")  # 200 if the proxy waited for the primary's late answer
                big = client.get("/big")
                fine = client.get("/fine")
            absolute = _raw(port, b"GET http://127.0.0.1:1/steal HTTP/1.1\r\nHost: x\r\n\r\n")
            at_host = _raw(port, b"GET @127.0.0.1:1/steal HTTP/1.1\r\nHost: x\r\n\r\n")
            servers.stop(proxy)
            stderr = proxy.stderr.read() if proxy.stderr else ""
    assert slow.status_code == 502 and "timeout" in slow.text
    assert big.status_code == 200 and len(big.content) == BIG and big.content[:512] == bytes(range(256)) * 2
    assert fine.status_code == 200
    assert absolute.startswith(b"HTTP/1.1 400") and at_host.startswith(b"HTTP/1.1 400"), (absolute[:80], at_host[:80])
    assert not any("/steal" in hit for hit in primary.hits)
    assert "Traceback" not in stderr, stderr[-2000:]
