"""A skeleton document for a plain Flask app, inferred from its url_map.

Flask knows paths, methods and typed path parameters (from converters); it knows nothing of
query parameters, bodies or response schemas, so those stay open and the document is marked
`x-apiparity-inferred: true`.
"""

from __future__ import annotations

import re
from typing import Any

_CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "IntegerConverter": {"type": "integer", "minimum": 0},
    "FloatConverter": {"type": "number", "minimum": 0},
    "UUIDConverter": {"type": "string", "format": "uuid"},
    "PathConverter": {"type": "string"},
    "UnicodeConverter": {"type": "string"},
    "AnyConverter": {"type": "string"},
}
_RULE_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def infer_flask_document(app: Any) -> dict[str, Any]:
    """Build an OpenAPI 3.1 skeleton from `app.url_map`."""
    return skeleton_from_rules(url_map_rules(app), _app_name(app))


def url_map_rules(app: Any) -> list[dict[str, Any]]:
    """The url_map as plain JSON records, made by the same function as for an app in its own
    interpreter (apiparity.sides.bootstrap is stdlib only, so it runs in both)."""
    from apiparity.sides.bootstrap import url_map_rules as records

    return records(app)


def skeleton_from_rules(rules: list[dict[str, Any]], app_name: str) -> dict[str, Any]:
    """An OpenAPI 3.1 skeleton from url_map records (`url_map_rules`)."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(rules, key=lambda r: (r["rule"], sorted(r["methods"]))):
        if rule["endpoint"] == "static":
            continue
        template = _RULE_VARIABLE.sub(r"{\1}", rule["rule"])
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": _converter_schema(converter)}
            for name, converter in rule["converters"].items()
        ]
        summary = rule.get("summary")
        for method in sorted(set(rule["methods"]) - _SKIPPED_METHODS):
            operation: dict[str, Any] = {
                "operationId": f"{rule['endpoint']}_{method.lower()}",
                "responses": {"default": {"description": "inferred: any response"}},
            }
            if summary:
                operation["summary"] = summary
            if parameters:
                operation["parameters"] = [dict(p) for p in parameters]
            paths.setdefault(template, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{app_name} (inferred from url_map)", "version": "0"},
        "paths": paths,
        "x-apiparity-inferred": True,
    }


def _converter_schema(converter: dict[str, Any]) -> dict[str, Any]:
    kind = converter["kind"]
    schema = dict(_CONVERTER_SCHEMAS.get(kind, {"type": "string"}))
    if kind in ("IntegerConverter", "FloatConverter"):
        if converter.get("signed"):
            schema.pop("minimum", None)
        if converter.get("min") is not None:
            schema["minimum"] = converter["min"]
        if converter.get("max") is not None:
            schema["maximum"] = converter["max"]
    elif kind == "AnyConverter":
        # werkzeug keeps the choices only inside its regex: (?:a|b|c)
        match = re.fullmatch(r"\(\?:(.*)\)", converter.get("regex") or "")
        if match:
            schema["enum"] = sorted(re.sub(r"\\(.)", r"\1", item) for item in match.group(1).split("|"))
    elif kind == "UnicodeConverter":
        schema["pattern"] = "^[^/]+$"
    return schema


def _app_name(app: Any) -> str:
    return display_name(str(app.name))


def display_name(name: str) -> str:
    # apiparity imports file targets under a unique module name; show the file's own name.
    return re.sub(r"^_apiparity_app_(.+)_[0-9a-f]{8}$", r"\1", name)
