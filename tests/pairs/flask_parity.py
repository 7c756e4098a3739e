"""What a careful FastAPI port adds so requests outside the contract are answered the way Flask
answers them by itself (the framework probes send them by default; examples/bookstore/modern_app.py
PARITY 6 and 10 do the same):

- HEAD runs the GET handler and drops the body; OPTIONS answers 200 with an Allow header listing the
  route's methods plus HEAD and OPTIONS (FastAPI answers 405 to both);
- a repeated scalar query parameter (`?limit=1&limit=2`) means its first value, as
  `request.args.get` reads it (Starlette reads the last); parameters the document declares as
  arrays keep every value (`no_head=(path, ...)`: paths whose HEAD is left to the app);
- with `werkzeug_errors=True` (a legacy app without its own error handlers): Werkzeug's HTML 405
  page for a method the path does not have, and its HTML 404 page for a non-digit value of an
  integer path parameter (`<int:id>` does not match it), where FastAPI answers JSON 405 / 422.

    app.add_middleware(FlaskDefaults, document=app.openapi())  # the last line: every route declared
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any
from urllib.parse import unquote_plus

from starlette.responses import HTMLResponse, Response

_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})
WERKZEUG_404 = ("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was "
                "not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n")
WERKZEUG_405 = ("<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n"
                "<p>The method is not allowed for the requested URL.</p>\n")


class FlaskDefaults:
    def __init__(self, inner: Any, document: dict[str, Any], werkzeug_errors: bool = False, no_head: tuple[str, ...] = ()) -> None:
        self.inner = inner
        # paths whose HEAD the port routes itself (or, in a regressed port, lost): left to the app
        self.no_head = [re.compile(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path))) for path in no_head]
        self.werkzeug_errors = werkzeug_errors
        self.document = document  # the app's own, built at import: building it while answering blocks the event loop
        self._list_params: set[str] | None = None
        self._paths: list[tuple[re.Pattern[str], set[str], tuple[str, set[str]]]] | None = None

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        """Not a coroutine: it returns the awaitable that answers, so this frame is off the stack
        while the app runs (the event-loop monitor blames the innermost app frame on the stack)."""
        if scope["type"] != "http":
            return self.inner(scope, receive, send)
        if scope.get("query_string"):
            scope = {**scope, "query_string": self._first_values(scope["query_string"])}
        if scope["method"] == "HEAD" and not any(p.fullmatch(scope["path"]) for p in self.no_head):

            async def send_without_body(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)

            return self.inner({**scope, "method": "GET"}, receive, send_without_body)
        matching = [(match, declared) for pattern, declared, _ in self._routes() if (match := pattern.fullmatch(scope["path"]))]
        if any(not match.groupdict() for match, _ in matching):  # Werkzeug: a static rule wins over /{param}
            matching = [(match, declared) for match, declared in matching if not match.groupdict()]
        if self.werkzeug_errors and matching:
            page = self._werkzeug_error(scope, matching)
            if page is not None:
                return page(scope, receive, send)
        if scope["method"] == "OPTIONS":
            methods = {m for _, declared in matching for m in declared}
            if methods:
                methods |= {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
                return Response(status_code=200, headers={"Allow": ", ".join(sorted(methods))})(scope, receive, send)
        return self.inner(scope, receive, send)

    def _first_values(self, query: bytes) -> bytes:
        lists = self._lists()
        seen: set[str] = set()
        kept = []
        for pair in query.split(b"&"):
            name = unquote_plus(pair.split(b"=", 1)[0].decode("latin-1"))
            if name in seen and name not in lists:
                continue
            seen.add(name)
            kept.append(pair)
        return b"&".join(kept)

    def _werkzeug_error(self, scope: dict[str, Any], matching: list[tuple[re.Match[str], set[str]]]) -> Response | None:
        integers = {path: names for _, _, (path, names) in self._routes()}
        for match, _ in matching:
            names = integers.get(match.re.pattern, set())
            if any(not match.group(name).isdigit() for name in names if name in match.groupdict()):
                return HTMLResponse(WERKZEUG_404, status_code=404)
        methods = {m for _, declared in matching for m in declared}
        if scope["method"] not in methods | {"HEAD", "OPTIONS"}:
            allow = methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
            return HTMLResponse(WERKZEUG_405, status_code=405, headers={"Allow": ", ".join(sorted(allow))})
        return None

    def _routes(self) -> list[tuple[re.Pattern[str], set[str], tuple[str, set[str]]]]:
        """(path pattern, methods, (pattern text, names of integer path parameters)) of every path
        of the app's document."""
        if self._paths is None:
            self._paths = []
            for path, item in (self.document.get("paths") or {}).items():
                pattern = re.compile(re.sub(r"\\{([^}]+)\\}", r"(?P<\1>[^/]+)", re.escape(path)))
                operations = {m: o for m, o in item.items() if m.upper() in _METHODS and isinstance(o, dict)}
                declared = list(item.get("parameters") or []) + [p for o in operations.values() for p in o.get("parameters") or []]
                integers = {str(p["name"]) for p in declared if p.get("in") == "path" and (p.get("schema") or {}).get("type") == "integer"}
                self._paths.append((pattern, {m.upper() for m in operations}, (pattern.pattern, integers)))
        return self._paths

    def _lists(self) -> set[str]:
        """Names of query parameters any operation of the app's document declares as an array."""
        if self._list_params is None:
            found: set[str] = set()
            for item in (self.document.get("paths") or {}).values():
                for operation in item.values():
                    for parameter in (operation.get("parameters") or []) if isinstance(operation, dict) else []:
                        if parameter.get("in") == "query" and _is_array(parameter.get("schema") or {}):
                            found.add(parameter["name"])
            self._list_params = found
        return self._list_params


def _is_array(schema: dict[str, Any]) -> bool:
    if schema.get("type") == "array":
        return True
    return any(_is_array(branch) for key in ("anyOf", "oneOf") for branch in schema.get(key) or [])
