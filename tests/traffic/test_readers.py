"""The traffic readers (HAR, JSONL, access log), format detection, the JSONL recorder round trip,
and the operation matcher that finds undocumented traffic."""

from __future__ import annotations

import json

import pytest

from apiparity.errors import ApiparityError
from apiparity.traffic import detect_format, read_traffic
from apiparity.traffic.jsonl import JsonlRecorder, read_jsonl
from apiparity.traffic.operations import OperationIndex
from tests.conftest import EXAMPLES, run_cli

TRAFFIC = EXAMPLES / "traffic"


def test_har_fixture_reads_every_request_in_order_without_hop_by_hop_headers():
    traffic = read_traffic(TRAFFIC / "bookstore.har")
    assert traffic.format == "har"
    assert len(traffic.requests) == 19
    first = traffic.requests[2]
    assert (first.method, first.path, first.query) == ("GET", "/books", "page=2&per_page=5")
    names = {k.lower() for k, _ in first.headers}
    assert "user-agent" in names and not names & {"host", "connection", "accept-encoding"}
    post = next(r for r in traffic.requests if r.method == "POST" and r.path == "/authors")
    assert json.loads(post.body) == {"name": "Ada Palmer", "country": "US"}
    assert post.header("content-type") == "application/json"


def test_har_host_filter_keeps_only_that_host(tmp_path):
    har = json.loads((TRAFFIC / "bookstore.har").read_text())
    har["log"]["entries"][0]["request"]["url"] = "https://fonts.example.net/font.woff2"
    path = tmp_path / "mixed.har"
    path.write_text(json.dumps(har))
    kept = read_traffic(path, host="bookstore.internal").requests
    assert len(kept) == 18 and all(r.path != "/font.woff2" for r in kept)


def test_jsonl_accepts_every_documented_query_and_body_shape(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join([
        json.dumps({"method": "get", "path": "/a?x=1", "query": [["tag", "a"], ["tag", "b"]]}),
        json.dumps({"method": "GET", "path": "/b", "query": {"tag": ["a", "b"], "flag": True}}),
        json.dumps({"method": "GET", "path": "/c", "query": "q=z%20y"}),
        "",
        json.dumps({"method": "POST", "path": "/d", "body": {"k": [1, 2]}, "media_type": "application/json"}),
        json.dumps({"method": "PUT", "path": "/e", "body": "plain text", "media_type": "text/plain", "status": 200}),
        json.dumps({"method": "PUT", "path": "/f", "body_base64": "AAEC", "headers": [["X-A", "1"], ["X-A", "2"]]}),
        json.dumps({"method": "POST", "path": "/g", "body": {"name": "nut"}}),
        json.dumps({"method": "POST", "path": "/h", "body": {"k": 1}, "headers": {"Content-Type": "application/vnd.x+json"}}),
    ]) + "\n")
    a, b, c, d, e, f, g, h = read_jsonl(path)
    # a JSON body with no media type is sent as JSON, and says so (a JSON-reading server rejects it otherwise)
    assert g.header("content-type") == "application/json" and json.loads(g.body) == {"name": "nut"}
    assert h.header("content-type") == "application/vnd.x+json"
    assert (a.method, a.path, a.query) == ("GET", "/a", "x=1&tag=a&tag=b")
    assert b.query == "tag=a&tag=b&flag=true"
    assert c.query == "q=z%20y"
    assert json.loads(d.body) == {"k": [1, 2]} and d.header("content-type") == "application/json"
    assert e.body == b"plain text" and e.header("content-type") == "text/plain"
    assert f.body == b"\x00\x01\x02" and f.headers == [("X-A", "1"), ("X-A", "2")]


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "t.jsonl:2: not JSON"),
    ('{"path": "/a"}', "t.jsonl:2: 'method' and 'path'"),
    ('{"method": "GET", "path": "/a", "query": 5}', "t.jsonl:2: 'query' must be"),
    ('{"method": "GET", "path": "/a", "body_base64": "***"}', "t.jsonl:2: 'body_base64' is not base64"),
])
def test_jsonl_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "t.jsonl"
    path.write_text('{"method": "GET", "path": "/ok"}\n' + line + "\n")
    with pytest.raises(ApiparityError, match=message.replace("?", r"\?")):
        read_jsonl(path)


def test_recorder_round_trip_keeps_what_replay_sends_and_redacts_secrets(tmp_path):
    path = tmp_path / "rec.jsonl"
    with JsonlRecorder(path) as recorder:
        recorder.write("POST", "/api/items", "a=1&token=abc", [("Content-Type", "application/json"), ("Authorization", "Bearer xyz"),
                                                              ("Host", "h"), ("Content-Length", "9")], b'{"n": 1}')
        recorder.write("PUT", "/blob", "", [("Content-Type", "application/octet-stream")], b"\xff\x00")
        recorder.write("PUT", "/broken", "", [("Content-Type", "application/json")], b'{"n": ')
    first, blob, broken = read_jsonl(path)
    assert (first.method, first.path, first.query) == ("POST", "/api/items", "a=1&token=%5Bredacted%5D")
    assert first.headers == [("Content-Type", "application/json"), ("Authorization", "Bearer [redacted]")]
    assert json.loads(first.body) == {"n": 1}
    assert blob.body == b"\xff\x00"
    assert broken.body == b'{"n": '  # malformed JSON replays byte for byte


def test_access_log_replays_get_and_head_and_counts_the_rest(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(
        '127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /books?page=2 HTTP/1.1" 200 512 "-" "curl/8.5"\n'
        '10.0.0.2 - bob [10/Oct/2024:13:55:37 +0000] "POST /orders HTTP/1.1" 201 40\n'
        'garbage line\n'
        '10.0.0.3 - - [10/Oct/2024:13:55:38 +0000] "HEAD /health HTTP/1.0" 200 - "http://x/" "probe/1"\n'
    )
    traffic = read_traffic(path)
    assert traffic.format == "access-log"
    assert [(r.method, r.path, r.query) for r in traffic.requests] == [("GET", "/books", "page=2"), ("HEAD", "/health", "")]
    assert traffic.requests[0].headers == [("User-Agent", "curl/8.5")]
    assert any("1 POST line(s) not replayed" in note for note in traffic.notes)
    assert any("1 line(s) not in the Common/Combined" in note for note in traffic.notes)


def test_format_is_sniffed_without_a_telling_extension(tmp_path):
    har = tmp_path / "export.json"
    har.write_text((TRAFFIC / "bookstore.har").read_text())
    jsonl = tmp_path / "corpus.txt"
    jsonl.write_text((TRAFFIC / "bookstore.jsonl").read_text())
    log = tmp_path / "access"
    log.write_text('1.2.3.4 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 1\n')
    assert [detect_format(str(p)) for p in (har, jsonl, log)] == ["har", "jsonl", "access-log"]


def test_operation_index_prefers_concrete_paths_and_names_what_is_undocumented():
    document = {
        "servers": [{"url": "/api"}],
        "paths": {
            "/books/{book_id}": {"get": {"parameters": [{"name": "book_id", "in": "path"}]}},
            "/books/search": {"parameters": [{"$ref": "#/components/parameters/q"}], "get": {}},
            "/filter": {"get": {"parameters": [{"name": "f", "in": "query", "style": "deepObject",
                                                "schema": {"type": "object"}}]}},
        },
        "components": {"parameters": {"q": {"name": "q", "in": "query"}}},
    }
    index = OperationIndex(document, "/api")
    assert index.match("GET", "/api/books/search", "q=x").operation == "GET /books/search"
    detail = index.match("GET", "/api/books/7", "")
    assert (detail.operation, detail.api_path, detail.undocumented) == ("GET /books/{book_id}", "/books/7", None)
    assert index.match("GET", "/api/books/search", "query=x").undocumented == "undocumented query parameter 'query'"
    assert index.match("GET", "/api/filter", "f[a]=1&f[b]=2").undocumented is None
    wrong_method = index.match("DELETE", "/api/books/7", "")
    assert wrong_method.operation == "DELETE /books/{book_id} (undocumented)"
    assert wrong_method.undocumented == "method DELETE not documented for /books/{book_id}"
    outside = index.match("GET", "/v1/books/12", "")
    assert (outside.operation, outside.under_base_path) == ("GET /v1/books/{n} (undocumented)", False)


def test_bad_traffic_file_is_one_line_exit_2(tmp_path):
    missing = run_cli("replay", str(tmp_path / "nope.har"), "a.py:app", "b.py:app")
    assert missing.exit_code == 2 and missing.stderr.strip() == f"error: {tmp_path / 'nope.har'}: no such traffic file"
    broken = tmp_path / "broken.har"
    broken.write_text('{"log": {"entries": [{"request": {"url": "/x"}}]}}')
    result = run_cli("replay", str(broken), "a.py:app", "b.py:app")
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {broken} entry 0: no request with method and url")
    assert "Traceback" not in result.stderr


def test_recorded_fuzz_case_replays_as_the_same_request(tmp_path):
    """`fuzz --record` calls JsonlRecorder.write_wire with OLD's base path; replay must read back the
    request the client-facing side got."""
    from apiparity.fuzz.wire import WireRequest

    path = tmp_path / "fuzz.jsonl"
    case = WireRequest("PATCH", "/books/7", "fields=a%2Cb", [("Content-Type", "application/json")], b'{"price": 1.5}',
                       operation="PATCH /books/{book_id}")
    with JsonlRecorder(path) as recorder:
        recorder.write_wire(case, base_path="/api")
        recorder.write_wire(WireRequest("POST", "/reset", absolute=True), base_path="/api")
    replayed, reset = read_traffic(path).requests
    assert (replayed.method, replayed.path, replayed.query, replayed.body) == ("PATCH", "/api/books/7", "fields=a%2Cb", b'{"price":1.5}')
    assert reset.path == "/reset"
    index = OperationIndex({"servers": [{"url": "/api"}], "paths": {"/books/{book_id}": {"patch": {
        "parameters": [{"name": "fields", "in": "query"}]}}}}, "/api")
    match = index.match(replayed.method, replayed.path, replayed.query)
    assert (match.operation, match.api_path, match.undocumented) == ("PATCH /books/{book_id}", "/books/7", None)


def test_traffic_with_nothing_replayable_is_bad_input_not_a_pass(tmp_path):
    log = tmp_path / "access.log"
    log.write_text('1.2.3.4 - - [10/Oct/2024:13:55:36 +0000] "POST /orders HTTP/1.1" 201 10\n')
    result = run_cli("replay", str(log), "a.py:app", "b.py:app")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"note: {log}: 1 POST line(s) not replayed: an access log holds no request body",
                                          f"error: {log}: no replayable requests"]
