"""A plain Flask app (no spec library): apiparity infers its skeleton from the url_map.

Every kind of werkzeug converter is used, plus what a url_map cannot show: query arguments, a
JSON body checked by hand, an API key checked by hand, statuses other than 200.
`create_app(regressed=True)` is the same app with two seeded regressions, for when the inferred
side is NEW: DELETE /api/items/<item_id> is gone and `name` only matches integers.
"""

from __future__ import annotations

from flask import Flask, abort, jsonify, request

_ITEMS = {1: {"id": 1, "name": "lamp", "size": "small"}, 2: {"id": 2, "name": "desk", "size": "large"}}


def create_app(*, regressed: bool = False) -> Flask:
    app = Flask("shelf")

    @app.get("/api/health")
    def health():
        """Liveness probe."""
        return jsonify({"status": "ok"})

    @app.get("/api/items")
    def list_items():
        page = request.args.get("page", 1, type=int)
        query = request.args.get("q", "")
        items = [i for i in _ITEMS.values() if query in i["name"]]
        return jsonify({"page": page, "items": items})

    @app.post("/api/items")
    def create_item():
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return jsonify({"error": "name is required"}), 400
        return jsonify({"id": 3, "name": data["name"], "size": data.get("size", "small")}), 201

    @app.get("/api/items/<int:item_id>")
    def get_item(item_id: int):
        return jsonify(_ITEMS.get(item_id) or abort(404))

    @app.put("/api/items/<int:item_id>")
    def replace_item(item_id: int):
        data = request.get_json(silent=True) or {}
        return jsonify({"id": item_id, "name": str(data.get("name", "")), "size": "small"})

    if not regressed:

        @app.delete("/api/items/<int:item_id>")
        def delete_item(item_id: int):
            return "", 204

    owner_rule = "/api/owners/<int:name>" if regressed else "/api/owners/<name>"

    @app.get(owner_rule)
    def get_owner(name):
        return jsonify({"name": str(name)})

    @app.get("/api/tokens/<uuid:token>")
    def get_token(token):
        return jsonify({"token": str(token)})

    @app.get("/api/files/<path:subpath>")
    def get_file(subpath: str):
        return jsonify({"path": subpath})

    @app.get("/api/sizes/<any(small, large):size>")
    def get_size(size: str):
        return jsonify({"size": size})

    @app.get("/api/ratios/<float:ratio>")
    def get_ratio(ratio: float):
        return jsonify({"ratio": ratio})

    @app.get("/api/admin/stats")
    def admin_stats():
        if request.headers.get("X-Api-Key") != "s3cret":
            return jsonify({"error": "unauthorized"}), 401
        return jsonify({"items": len(_ITEMS)})

    return app


app = create_app()
regressed = create_app(regressed=True)
