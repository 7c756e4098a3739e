"""OLD of the added-route pair: the routes a client of the legacy service calls."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/orders/<int:order_id>")
def order(order_id: int):
    return jsonify({"id": order_id, "state": "open"})
