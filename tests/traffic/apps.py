"""Small OLD/NEW pairs for the replay tests: a Flask app and its FastAPI port with a noisy
`served_at` field (different on every call), a seeded difference on GET /items/{item_id} for id 3,
and a hanging ASGI app for the shadow tests."""

from __future__ import annotations

import asyncio
import time

from fastapi import FastAPI
from flask import Flask, jsonify, request

flask_app = Flask("traffic_old")


@flask_app.get("/items/<int:item_id>")
def flask_item(item_id: int):
    return jsonify({"id": item_id, "name": f"item {item_id}", "served_at": time.perf_counter_ns()})


@flask_app.get("/items")
def flask_items():
    limit = int(request.args.get("limit", "2"))
    return jsonify([{"id": i} for i in range(limit)])


@flask_app.post("/items")
def flask_create():
    return jsonify({"created": True}), 201


fastapi_app = FastAPI()


@fastapi_app.get("/items/{item_id}")
def fastapi_item(item_id: int):
    name = "item three" if item_id == 3 else f"item {item_id}"  # the seeded difference
    return {"id": item_id, "name": name, "served_at": time.perf_counter_ns()}


@fastapi_app.get("/items")
def fastapi_items(limit: int = 2):
    return [{"id": i} for i in range(limit)]


@fastapi_app.post("/items", status_code=201)
def fastapi_create():
    return {"created": True}


async def hanging_app(scope, receive, send):
    """An ASGI app that accepts every request and never answers (a wedged candidate)."""
    if scope["type"] != "http":
        return
    await asyncio.sleep(3600)
