"""The HTTP methods a path item can hold: the one list every stage reads operations with."""

from __future__ import annotations

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""OpenAPI 3.0/3.1 path-item methods, in the specification's order (lower case, as documents spell them)."""

SWAGGER2_METHODS = tuple(method for method in HTTP_METHODS if method != "trace")
"""Swagger 2.0 path items have no `trace`: a `trace` key there is an extension-less unknown field."""

HTTP_METHODS_UPPER = frozenset(method.upper() for method in HTTP_METHODS)
