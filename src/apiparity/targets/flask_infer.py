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
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods or ()))):
        if rule.endpoint == "static":
            continue
        template = _RULE_VARIABLE.sub(r"{\1}", rule.rule)
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": _converter_schema(converter)}
            for name, converter in rule._converters.items()  # noqa: SLF001 - werkzeug exposes no public view
        ]
        view = app.view_functions.get(rule.endpoint)
        summary = (view.__doc__ or "").strip().splitlines()[0] if view is not None and view.__doc__ else None
        for method in sorted((rule.methods or set()) - _SKIPPED_METHODS):
            operation: dict[str, Any] = {
                "operationId": f"{rule.endpoint}_{method.lower()}",
                "responses": {"default": {"description": "inferred: any response"}},
            }
            if summary:
                operation["summary"] = summary
            if parameters:
                operation["parameters"] = [dict(p) for p in parameters]
            paths.setdefault(template, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{_app_name(app)} (inferred from url_map)", "version": "0"},
        "paths": paths,
        "x-apiparity-inferred": True,
    }


def _converter_schema(converter: Any) -> dict[str, Any]:
    kind = type(converter).__name__
    schema = dict(_CONVERTER_SCHEMAS.get(kind, {"type": "string"}))
    if kind in ("IntegerConverter", "FloatConverter"):
        if getattr(converter, "signed", False):
            schema.pop("minimum", None)
        if getattr(converter, "min", None) is not None:
            schema["minimum"] = converter.min
        if getattr(converter, "max", None) is not None:
            schema["maximum"] = converter.max
    elif kind == "AnyConverter":
        # werkzeug keeps the choices only inside its regex: (?:a|b|c)
        match = re.fullmatch(r"\(\?:(.*)\)", getattr(converter, "regex", ""))
        if match:
            schema["enum"] = sorted(re.sub(r"\\(.)", r"\1", item) for item in match.group(1).split("|"))
    elif kind == "UnicodeConverter":
        schema["pattern"] = "^[^/]+$"
    return schema


def _app_name(app: Any) -> str:
    # apiparity imports file targets under a unique module name; show the file's own name.
    return re.sub(r"^_apiparity_app_(.+)_[0-9a-f]{8}$", r"\1", str(app.name))
