"""The benchmark endpoint in Flask: a 5 ms database query and a 200 ms third-party call, both
blocking. Under gunicorn's sync workers each request holds its worker for ~205 ms; under the gevent
worker the same blocking calls yield (gevent patches `time.sleep` and sockets)."""

from __future__ import annotations

import json
import os
import time
import urllib.request

from flask import Flask, jsonify

STUB_URL = os.environ.get("STUB_URL", "http://127.0.0.1:18300/rate")
DB_QUERY_S = 0.005

app = Flask(__name__)


def query_database() -> dict:
    time.sleep(DB_QUERY_S)  # stands in for a 5 ms query through a blocking driver
    return {"order_id": 42, "amount": 100.0}


@app.get("/order")
def order():
    row = query_database()
    with urllib.request.urlopen(STUB_URL, timeout=10) as response:
        rate = json.load(response)
    return jsonify(order_id=row["order_id"], amount_eur=row["amount"] * rate["rate"])
