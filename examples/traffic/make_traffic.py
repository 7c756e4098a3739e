"""Record the traffic fixtures `bookstore.har` and `bookstore.jsonl` by driving the legacy
bookstore app (examples/bookstore/legacy_app.py) the way its clients do.

    python examples/traffic/make_traffic.py          # rewrites both files next to this script

- bookstore.har: a session of the web shop front end, exported from the browser's dev tools:
  browsing, searching, an order, an author added by an editor, the admin dashboard.
- bookstore.jsonl: a partner integration's requests in apiparity's JSONL format (what
  `--record` writes), the corpus a CI job replays.

Both hold requests OLD's document does not describe, as real traffic does: a query parameter under
an old name (`perPage`, `page_size`), a field selector nobody documented (`include`), and the
pre-v2 path `/api/v1/books`. Output is deterministic (fixed timestamps, state reset first).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BOOKSTORE = HERE.parent / "bookstore"
ROOT = HERE.parent.parent
HOST = "http://bookstore.internal:8000"
API_KEY = "secret-key"  # the example app's demo key

BROWSER = [
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    ("Accept", "application/json"),
    ("Accept-Language", "en-GB,en;q=0.8"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Connection", "keep-alive"),
    ("Referer", "http://shop.internal/"),
]
PARTNER = [("User-Agent", "partner-sync/2.3 (python-requests/2.31)"), ("Accept", "*/*")]
JSON_BODY = [("Content-Type", "application/json")]

# (method, target, extra headers, JSON body)
HAR_SESSION = [
    ("GET", "/health", [], None),
    ("GET", "/books", [], None),
    ("GET", "/books?page=2&per_page=5", [], None),
    ("GET", "/books/1", [], None),
    ("GET", "/books/1?include=author", [], None),  # undocumented field selector
    ("GET", "/books/search?q=the&sort=year", [], None),
    ("GET", "/books/search?tags=classic&sort=price", [], None),
    ("GET", "/books/42", [], None),
    ("GET", "/authors", [], None),
    ("GET", "/authors/2", [], None),
    ("GET", "/authors/2/books", [], None),
    ("POST", "/authors", JSON_BODY, {"name": "Ada Palmer", "country": "US"}),
    ("GET", "/orders", [], None),
    ("GET", "/orders/1", [], None),
    ("GET", "/orders/99", [], None),
    ("POST", "/orders", JSON_BODY, {"customer": "dora@example.com", "lines": [{"book_id": 2, "quantity": 1}]}),
    ("GET", "/books?perPage=5", [], None),  # the v1 spelling of per_page, still sent by an old bundle
    ("GET", "/api/v1/books", [], None),  # the pre-v2 path, still bookmarked
    ("GET", "/admin/stats", [("X-API-Key", API_KEY)], None),
]

JSONL_CORPUS = [
    ("GET", "/health", [], None),
    ("GET", "/books?per_page=50", [], None),
    ("GET", "/books?page_size=5", [], None),  # an old parameter name: ignored by the server
    ("GET", "/books/2", [], None),
    ("GET", "/books/7", [], None),
    ("GET", "/books/search?q=dune&sort=title", [], None),
    ("GET", "/authors/1", [], None),
    ("GET", "/authors/1/books", [], None),
    ("GET", "/orders/2", [], None),
    ("GET", "/orders/404", [], None),
    ("POST", "/orders", JSON_BODY, {"customer": "partner@example.com", "lines": [{"book_id": 5, "quantity": 2}], "note": "sync"}),
    ("PATCH", "/orders/3", JSON_BODY, {"status": "paid"}),
    ("GET", "/api/v1/books/3", [], None),
]


def load_app():
    sys.path.insert(0, str(BOOKSTORE))
    sys.path.insert(0, str(ROOT / "src"))
    import legacy_app

    return legacy_app


def drive(module, session, base_headers, start):
    """Send each request to the legacy app in-process; the exchanges as har_document wants them."""
    client = module.app.test_client()
    module.reset()
    exchanges = []
    for index, (method, target, extra, body) in enumerate(session):
        headers = list(base_headers) + list(extra)
        data = json.dumps(body) if body is not None else None
        response = client.open(target, method=method, headers=headers, data=data)
        exchanges.append({
            "url": HOST + target,
            "method": method,
            "headers": [("Host", HOST.split("//", 1)[1]), *headers],
            "body": data,
            "status": response.status_code,
            "response_headers": list(response.headers.items()),
            "response_body": response.get_data(as_text=True),
            "started": (start + dt.timedelta(seconds=3 * index)).isoformat().replace("+00:00", "Z"),
            "time_ms": 4,
        })
    return exchanges


def main() -> None:
    module = load_app()
    from apiparity.traffic.har import har_document
    from apiparity.traffic.jsonl import record_to_json
    from apiparity.traffic.records import split_target

    start = dt.datetime(2024, 11, 5, 9, 30, tzinfo=dt.timezone.utc)
    har = har_document(drive(module, HAR_SESSION, BROWSER, start), creator="Firefox")
    (HERE / "bookstore.har").write_text(json.dumps(har, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    lines = []
    for exchange in drive(module, JSONL_CORPUS, PARTNER, start + dt.timedelta(hours=1)):
        path, query = split_target(exchange["url"])
        line = record_to_json(exchange["method"], path, query, exchange["headers"],
                              exchange["body"].encode() if exchange["body"] is not None else None)
        line["time"] = exchange["started"]
        line["status"] = exchange["status"]  # what OLD answered then: a note, not an oracle
        lines.append(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
    (HERE / "bookstore.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(HAR_SESSION)} HAR entries and {len(lines)} JSONL lines to {HERE}")


if __name__ == "__main__":
    main()
