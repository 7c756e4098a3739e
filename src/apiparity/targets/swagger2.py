"""Swagger 2.0 -> OpenAPI 3.0.3, so legacy Flask services documented with flask-restx, flasgger or
a hand-kept swagger.json are read like any other target.

The conversion follows the mapping of the OpenAPI 3.0 specification's "changes from 2.0" (the same
one swagger2openapi implements): definitions/parameters/responses/securityDefinitions move under
`components`; `body` and `formData` parameters become a `requestBody` whose media types come from
`consumes`; response schemas get one `content` entry per `produces` media type; parameter types
move into `schema`; `collectionFormat` becomes `style`/`explode`; `host`/`basePath`/`schemes`
become `servers`; `x-nullable` becomes `nullable`; `type: file` becomes a binary string.
Vendor extensions are kept. The result carries `x-apiparity-converted-from: "2.0"`.
"""

from __future__ import annotations

import copy
from typing import Any

from apiparity.errors import SpecError
from apiparity.spec.methods import SWAGGER2_METHODS

DEFAULT_MEDIA_TYPE = "application/json"
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Swagger 2.0 keywords of a non-body parameter that describe its value: they move into `schema`.
_VALUE_KEYWORDS = (
    "type", "format", "items", "default", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum", "multipleOf",
)
_COLLECTION_FORMATS = {  # collectionFormat -> (style, explode)
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}
_REF_PREFIXES = {
    "#/definitions/": "#/components/schemas/",
    "#/parameters/": "#/components/parameters/",
    "#/responses/": "#/components/responses/",
}
_OAUTH2_FLOWS = {"implicit": "implicit", "password": "password", "application": "clientCredentials",
                 "accessCode": "authorizationCode"}


def convert_swagger2(document: dict[str, Any], source: str) -> dict[str, Any]:
    """The OpenAPI 3.0.3 equivalent of a Swagger 2.0 document (the input is left untouched)."""
    if str(document.get("swagger")) != "2.0":
        raise SpecError(f"{source}: unsupported Swagger version {document.get('swagger')!r}; apiparity reads 2.0, 3.0.x and 3.1.x")
    if not isinstance(document.get("paths", {}), dict):
        raise SpecError(f"{source}: `paths` is not a mapping")
    try:
        return _Converter(copy.deepcopy(document)).convert()
    except RecursionError:
        raise SpecError(f"{source}: nested too deeply to convert from Swagger 2.0") from None


class _Converter:
    def __init__(self, swagger: dict[str, Any]) -> None:
        self.swagger = _rewrite_refs(swagger)
        self.consumes = _media_types(swagger.get("consumes"))
        self.produces = _media_types(swagger.get("produces"))
        # global body/formData parameters are no parameters in 3.0: references to them are inlined
        self.body_parameters = {
            name: parameter for name, parameter in (self.swagger.get("parameters") or {}).items()
            if isinstance(parameter, dict) and parameter.get("in") in ("body", "formData")
        }

    def convert(self) -> dict[str, Any]:
        swagger = self.swagger
        result: dict[str, Any] = {"openapi": "3.0.3", "info": swagger.get("info") or {"title": "", "version": ""}}
        servers = _servers(swagger)
        if servers:
            result["servers"] = servers
        for key in ("tags", "externalDocs", "security"):
            if key in swagger:
                result[key] = swagger[key]
        result["paths"] = {path: self._path_item(item) for path, item in (swagger.get("paths") or {}).items()}
        components = self._components()
        if components:
            result["components"] = components
        result.update({key: value for key, value in swagger.items() if key.startswith("x-")})
        result["x-apiparity-converted-from"] = "2.0"
        return result

    def _components(self) -> dict[str, Any]:
        swagger = self.swagger
        components: dict[str, Any] = {}
        schemas = {name: _schema(schema) for name, schema in (swagger.get("definitions") or {}).items()}
        if schemas:
            components["schemas"] = schemas
        parameters = {
            name: self._parameter(parameter) for name, parameter in (swagger.get("parameters") or {}).items()
            if name not in self.body_parameters
        }
        if parameters:
            components["parameters"] = parameters
        responses = {name: self._response(response, self.produces) for name, response in (swagger.get("responses") or {}).items()}
        if responses:
            components["responses"] = responses
        schemes = {name: _security_scheme(scheme) for name, scheme in (swagger.get("securityDefinitions") or {}).items()}
        if schemes:
            components["securitySchemes"] = schemes
        return components

    def _path_item(self, item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        converted: dict[str, Any] = {}
        shared_body = self._body_of(item.get("parameters") or [], self.consumes)
        for key, value in item.items():
            if key in SWAGGER2_METHODS and isinstance(value, dict):
                converted[key] = self._operation(value)
            elif key == "parameters":
                plain = [self._parameter(p) for p in self._non_body(value or [])]
                if plain:
                    converted["parameters"] = plain
            else:
                converted[key] = value
        if shared_body is not None:  # a path-level body parameter applies to every operation
            for key in SWAGGER2_METHODS:
                if isinstance(converted.get(key), dict):
                    converted[key].setdefault("requestBody", shared_body)
        return converted

    def _operation(self, operation: dict[str, Any]) -> dict[str, Any]:
        consumes = _media_types(operation.get("consumes")) or self.consumes
        produces = _media_types(operation.get("produces")) or self.produces
        converted: dict[str, Any] = {}
        for key, value in operation.items():
            if key in ("consumes", "produces", "schemes"):
                continue
            if key == "parameters":
                plain = [self._parameter(p) for p in self._non_body(value or [])]
                if plain:
                    converted["parameters"] = plain
                body = self._body_of(value or [], consumes)
                if body is not None:
                    converted["requestBody"] = body
            elif key == "responses" and isinstance(value, dict):
                converted["responses"] = {status: self._response(r, produces) for status, r in value.items()}
            else:
                converted[key] = value
        if "schemes" in operation and operation["schemes"] != self.swagger.get("schemes"):
            converted["x-schemes"] = operation["schemes"]
        return converted

    def _resolved(self, parameter: Any) -> Any:
        if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
            name = parameter["$ref"].rsplit("/", 1)[-1]
            if parameter["$ref"].startswith("#/components/parameters/") and name in self.body_parameters:
                return self.body_parameters[name]
        return parameter

    def _non_body(self, parameters: list[Any]) -> list[Any]:
        return [p for p in parameters if not (isinstance(p, dict) and self._resolved(p).get("in") in ("body", "formData"))]

    def _body_of(self, parameters: list[Any], consumes: list[str]) -> dict[str, Any] | None:
        """The requestBody for the body or formData parameters among `parameters`, if any."""
        resolved = [self._resolved(p) for p in parameters]
        body = next((p for p in resolved if isinstance(p, dict) and p.get("in") == "body"), None)
        form = [p for p in resolved if isinstance(p, dict) and p.get("in") == "formData"]
        if body is not None:
            media_types = [m for m in consumes if m not in FORM_MEDIA_TYPES] or [DEFAULT_MEDIA_TYPE]
            request_body: dict[str, Any] = {
                "content": {media_type: {"schema": _schema(body.get("schema") or {})} for media_type in media_types},
            }
            if body.get("description"):
                request_body["description"] = body["description"]
            if body.get("required"):
                request_body["required"] = True
            _copy_extensions(body, request_body)
            return request_body
        if form:
            has_file = any(p.get("type") == "file" for p in form)
            media_types = [m for m in consumes if m in FORM_MEDIA_TYPES] or (
                ["multipart/form-data"] if has_file else ["application/x-www-form-urlencoded"])
            schema: dict[str, Any] = {"type": "object", "properties": {}}
            for parameter in form:
                schema["properties"][parameter.get("name")] = _schema(_value_schema(parameter), keep_description=parameter)
            required = [p.get("name") for p in form if p.get("required")]
            if required:
                schema["required"] = required
            encoding = {
                p.get("name"): {"style": _COLLECTION_FORMATS[p["collectionFormat"]][0], "explode": _COLLECTION_FORMATS[p["collectionFormat"]][1]}
                for p in form if p.get("collectionFormat") in _COLLECTION_FORMATS and p.get("type") == "array"
            }
            content: dict[str, Any] = {}
            for media_type in media_types:
                content[media_type] = {"schema": schema}
                if encoding and media_type == "application/x-www-form-urlencoded":
                    content[media_type]["encoding"] = encoding
            return {"content": content, **({"required": True} if required else {})}
        return None

    def _parameter(self, parameter: Any) -> Any:
        if not isinstance(parameter, dict) or "$ref" in parameter:
            return parameter
        converted = {key: value for key, value in parameter.items() if key not in (*_VALUE_KEYWORDS, "collectionFormat")}
        converted["schema"] = _schema(_value_schema(parameter))
        collection = parameter.get("collectionFormat")
        if parameter.get("type") == "array":
            style, explode = _COLLECTION_FORMATS.get(collection or "csv", ("form", False))
            if parameter.get("in") in ("path", "header"):
                style = "simple"
            converted["style"], converted["explode"] = style, explode
        if parameter.get("in") == "path":
            converted["required"] = True
        return converted

    def _response(self, response: Any, produces: list[str]) -> Any:
        if not isinstance(response, dict) or "$ref" in response:
            return response
        converted = {key: value for key, value in response.items() if key not in ("schema", "examples", "headers")}
        converted.setdefault("description", "")
        if "schema" in response:
            schema = _schema(response["schema"])
            media_types = produces or [DEFAULT_MEDIA_TYPE]
            converted["content"] = {media_type: {"schema": schema} for media_type in media_types}
            for media_type, example in (response.get("examples") or {}).items():
                if media_type in converted["content"]:
                    converted["content"][media_type]["example"] = example
        if response.get("headers"):
            converted["headers"] = {
                name: {**({"description": h["description"]} if h.get("description") else {}), "schema": _schema(_value_schema(h))}
                for name, h in response["headers"].items() if isinstance(h, dict)
            }
        return converted


def _value_schema(parameter: dict[str, Any]) -> dict[str, Any]:
    schema = {key: parameter[key] for key in _VALUE_KEYWORDS if key in parameter}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _value_schema(schema["items"])
    return schema


def _schema(schema: Any, keep_description: dict[str, Any] | None = None) -> Any:
    """A 2.0 schema as a 3.0 schema: `x-nullable`, `type: file`, string discriminators."""
    if isinstance(schema, list):
        return [_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "x-nullable":
            if value is True:
                converted["nullable"] = True
        elif key == "type" and value == "file":
            converted["type"], converted["format"] = "string", "binary"
        elif key == "discriminator" and isinstance(value, str):
            converted["discriminator"] = {"propertyName": value}
        elif key in ("properties", "patternProperties", "definitions") and isinstance(value, dict):
            converted[key] = {name: _schema(item) for name, item in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            converted[key] = _schema(value)
        else:
            converted[key] = value
    if keep_description and keep_description.get("description") and "description" not in converted:
        converted["description"] = keep_description["description"]
    return converted


def _security_scheme(scheme: Any) -> Any:
    if not isinstance(scheme, dict):
        return scheme
    kind = scheme.get("type")
    extras = {key: value for key, value in scheme.items() if key == "description" or key.startswith("x-")}
    if kind == "basic":
        return {"type": "http", "scheme": "basic", **extras}
    if kind == "oauth2":
        flow: dict[str, Any] = {"scopes": scheme.get("scopes") or {}}
        for key in ("authorizationUrl", "tokenUrl"):
            if key in scheme:
                flow[key] = scheme[key]
        return {"type": "oauth2", "flows": {_OAUTH2_FLOWS.get(str(scheme.get("flow")), "implicit"): flow}, **extras}
    return scheme  # apiKey has the same shape in both versions


def _servers(swagger: dict[str, Any]) -> list[dict[str, str]]:
    base_path = swagger.get("basePath") or ""
    host = swagger.get("host")
    if not host:
        return [{"url": base_path}] if base_path and base_path != "/" else []
    schemes = swagger.get("schemes") or ["https"]
    return [{"url": f"{scheme}://{host}{base_path.rstrip('/')}"} for scheme in schemes]


def _media_types(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _copy_extensions(source: dict[str, Any], target: dict[str, Any]) -> None:
    target.update({key: value for key, value in source.items() if key.startswith("x-")})


def _rewrite_refs(value: Any) -> Any:
    """Point every local `$ref` at its 3.0 home (`#/definitions/X` -> `#/components/schemas/X`)."""
    if isinstance(value, dict):
        rewritten = {key: _rewrite_refs(item) for key, item in value.items()}
        ref = rewritten.get("$ref")
        if isinstance(ref, str):
            for old, new in _REF_PREFIXES.items():
                if ref.startswith(old):
                    rewritten["$ref"] = new + ref[len(old):]
                    break
        return rewritten
    if isinstance(value, list):
        return [_rewrite_refs(item) for item in value]
    return value
