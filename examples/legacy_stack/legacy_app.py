"""Legacy parts service: Flask 1.1 + webargs/marshmallow, the way services were written in 2019.

No spec library: apiparity infers a skeleton from `url_map` and takes the bodies and query
parameters from the FastAPI port's document (`--spec auto`). It runs unchanged on Flask 1.1.4 /
Werkzeug 1.0.1 / webargs 6 (requirements-legacy.txt) and on Flask 2.3 / webargs 8
(requirements-legacy-flask2.txt); neither stack can share an interpreter with apiparity, so
apiparity runs it in its own (`--old-python .venv-legacy/legacy/bin/python`).

- validation errors (webargs) are 422 {"error": "invalid request", "fields": {location: {field: [messages]}}};
- unknown ids and routes are 404 {"error": "not found"}, wrong methods 405 {"error": "method not allowed"};
- `reset()` restores the seed data (apiparity calls it in this process before every request).
"""

import copy

from flask import Flask, jsonify
from marshmallow import EXCLUDE, Schema, fields, validate
from webargs.flaskparser import parser, use_args
from werkzeug.exceptions import HTTPException

app = Flask(__name__)

_SEED = {
    1: {"id": 1, "name": "bolt", "qty": 120, "unit_price": 0.25, "tags": ["metal"]},
    2: {"id": 2, "name": "washer", "qty": 0, "unit_price": 0.05, "tags": ["metal", "small"]},
    3: {"id": 3, "name": "gasket", "qty": 7, "unit_price": 1.5, "tags": []},
}
parts = {}
_next_id = [4]


def reset():
    parts.clear()
    parts.update(copy.deepcopy(_SEED))
    _next_id[0] = 4


reset()


class PageArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0))
    tag = fields.Str()


class PartIn(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.Str(required=True, validate=validate.Length(min=1, max=50))
    qty = fields.Int(required=True, validate=validate.Range(min=0))
    unit_price = fields.Float(load_default=0.0, validate=validate.Range(min=0))
    tags = fields.List(fields.Str(), load_default=list)


class PartPatch(Schema):
    class Meta:
        unknown = EXCLUDE

    qty = fields.Int(validate=validate.Range(min=0))
    unit_price = fields.Float(validate=validate.Range(min=0))


class InvalidRequest(Exception):
    def __init__(self, messages):
        super().__init__("invalid request")
        self.messages = messages


@parser.error_handler
def _invalid(error, req, schema, **kwargs):
    raise InvalidRequest(error.messages)


@app.errorhandler(InvalidRequest)
def _invalid_response(error):
    return jsonify({"error": "invalid request", "fields": error.messages}), 422


@app.errorhandler(HTTPException)
def _http_error(error):
    names = {404: "not found", 405: "method not allowed"}
    return jsonify({"error": names.get(error.code, error.name.lower())}), error.code


def _part_or_404(part_id):
    part = parts.get(part_id)
    if part is None:
        raise InvalidId()
    return part


class InvalidId(Exception):
    pass


@app.errorhandler(InvalidId)
def _unknown_id(error):
    return jsonify({"error": "not found"}), 404


@app.route("/health", methods=["GET"])
def health():
    return jsonify({"status": "ok"})


@app.route("/parts", methods=["GET"])
@use_args(PageArgs(), location="query")
def list_parts(args):
    rows = [p for _, p in sorted(parts.items()) if "tag" not in args or args["tag"] in p["tags"]]
    page = rows[args["offset"]: args["offset"] + args["limit"]]
    return jsonify({"items": page, "total": len(rows)})


@app.route("/parts", methods=["POST"])
@use_args(PartIn(), location="json")
def create_part(args):
    part = {"id": _next_id[0], "name": args["name"], "qty": args["qty"], "unit_price": args["unit_price"],
            "tags": list(args["tags"])}
    parts[part["id"]] = part
    _next_id[0] += 1
    return jsonify(part), 201


@app.route("/parts/<int:part_id>", methods=["GET"])
def get_part(part_id):
    return jsonify(_part_or_404(part_id))


@app.route("/parts/<int:part_id>", methods=["PATCH"])
@use_args(PartPatch(), location="json")
def update_part(args, part_id):
    part = _part_or_404(part_id)
    part.update(args)
    return jsonify(part)


@app.route("/parts/<int:part_id>", methods=["DELETE"])
def delete_part(part_id):
    _part_or_404(part_id)
    del parts[part_id]
    return jsonify({"deleted": part_id})
