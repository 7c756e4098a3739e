"""Catalog of known Flask -> FastAPI runtime divergences (../shared/divergences.md, runtime table).

Each entry has a stable ID, a title, an explanation of why the frameworks differ, a fix hint for
the FastAPI side, and a matcher over one mismatch (request, both answers, the difference). A
labelled group is still a mismatch, since clients see it; the label is its explanation and fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from apiparity.fuzz.compare import Difference
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.spec.refs import follow_local_refs


@dataclass(slots=True, frozen=True)
class MismatchContext:
    request: WireRequest
    old: WireResponse
    new: WireResponse
    difference: Difference
    document: dict[str, Any] | None = None  # OLD's document, for matchers that need the contract
    # NEW's own document, when the run has one apart from OLD's (not with one --contract for both):
    # what NEW's response models declare
    new_document: dict[str, Any] | None = None


@dataclass(slots=True, frozen=True)
class Divergence:
    id: str  # stable kebab-case, never renamed
    title: str
    explanation: str
    fix_hint: str
    matches: Callable[[MismatchContext], bool]


CATALOG: list[Divergence] = []


def divergence(id: str, title: str, explanation: str, fix_hint: str) -> Callable[[Callable[[MismatchContext], bool]], Callable[[MismatchContext], bool]]:
    def register(func: Callable[[MismatchContext], bool]) -> Callable[[MismatchContext], bool]:
        CATALOG.append(Divergence(id, title, explanation, fix_hint, func))
        return func

    return register


def identify(ctx: MismatchContext) -> Divergence | None:
    """The first catalog entry that explains this mismatch (catalog order = most specific first)."""
    for entry in CATALOG:
        try:
            if entry.matches(ctx):
                return entry
        except Exception:  # noqa: BLE001 - a matcher must never break a run
            continue
    return None


def _status(ctx: MismatchContext) -> tuple[int, int]:
    return ctx.old.status, ctx.new.status


def _is_status_diff(ctx: MismatchContext) -> bool:
    return ctx.difference.kind == "status"


# ------------------------------------------------------------------ matchers, most specific first


@divergence(
    "head-options-405",
    "HEAD / OPTIONS answered automatically by Flask, 405 in FastAPI",
    "Flask adds HEAD and OPTIONS to every GET route and answers them itself; FastAPI routes only "
    "the methods declared, so HEAD/OPTIONS get 405 Method Not Allowed.",
    "Declare the method (`@app.api_route(path, methods=['GET', 'HEAD'])`) or add CORSMiddleware / a "
    "middleware answering OPTIONS with the Allow header.",
)
def _head_options(ctx: MismatchContext) -> bool:
    return ctx.request.method in ("HEAD", "OPTIONS") and _is_status_diff(ctx) and ctx.new.status == 405


@divergence(
    "trailing-slash-redirect",
    "Trailing-slash redirect: Flask 308/404, FastAPI 307",
    "Werkzeug redirects `/items` to `/items/` with 308 (or answers 404); Starlette redirects "
    "with 307 to the other spelling (redirect_slashes).",
    "Set `redirect_slashes=False` on the FastAPI app/router and declare the spelling clients use, "
    "or return the same 308 from a middleware.",
)
def _trailing_slash(ctx: MismatchContext) -> bool:
    if ctx.request.probe == "trailing-slash":
        return True  # the runner's own probe of the other spelling
    if not _is_status_diff(ctx):
        return False
    redirect = ctx.new if ctx.new.status in (307, 308) else ctx.old if ctx.old.status in (301, 308) else None
    if redirect is None:
        return False
    from urllib.parse import urlsplit

    location = urlsplit(redirect.header("location") or "").path
    return location != ctx.request.path and location.rstrip("/").endswith(ctx.request.path.rstrip("/"))


@divergence(
    "int-path-negative",
    "Negative / non-int value in an <int:> path: Flask 404, FastAPI runs the handler or 422",
    "Werkzeug's `<int:id>` converter does not match negative numbers (or non-digits), so Flask "
    "answers its HTML 404 before the handler runs; FastAPI's `id: int` accepts -1 and calls the "
    "handler, or answers 422 for non-integers.",
    "Constrain the FastAPI parameter (`Path(ge=0)`) and map its validation error to 404, or raise "
    "HTTPException(404) for negative ids.",
)
def _int_path(ctx: MismatchContext) -> bool:
    if not _is_status_diff(ctx) or ctx.old.status != 404 or ctx.new.status == 404:
        return False
    segments = ctx.request.path.strip("/").split("/")
    template = ctx.request.operation.split(" ", 1)[-1].strip("/").split("/")
    for segment, pattern in zip(segments, template):
        if pattern.startswith("{") and not segment.isdigit():
            return True
    return False


@divergence(
    "missing-auth-status",
    "Missing credentials: Flask 401 from the handler, FastAPI 422/403 from the dependency",
    "The Flask handler checks the header itself and answers 401; in FastAPI a required "
    "`Header()` parameter fails validation first (422), and security classes answer 403.",
    "Make the header optional in FastAPI and raise HTTPException(401) yourself, or use a security "
    "dependency with `auto_error=False` that raises 401 with WWW-Authenticate.",
)
def _missing_auth(ctx: MismatchContext) -> bool:
    return _is_status_diff(ctx) and ctx.old.status == 401 and ctx.new.status in (403, 422)


@divergence(
    "json-string-body",
    "A JSON body that is not an object: accepted by Flask, 422 in FastAPI",
    "`request.get_json()` returns whatever JSON was sent, so Flask handlers often accept a bare "
    "string or list; FastAPI validates the body against the model first.",
    "Keep the model (clients sending such bodies were relying on luck) or accept `Body()` of the "
    "loose type and validate in the handler like the old code did.",
)
def _json_string_body(ctx: MismatchContext) -> bool:
    body = (ctx.request.body or b"").lstrip()
    return _is_status_diff(ctx) and ctx.new.status == 422 and 200 <= ctx.old.status < 300 and body[:1] not in (b"{", b"")


@divergence(
    "repeated-query-param",
    "Repeated scalar query parameter: Flask takes the first value, FastAPI the last",
    "`request.args.get('a')` returns the first of `?a=1&a=2`; FastAPI/Starlette use the last one "
    "for a scalar parameter (or reject the value).",
    "Read `request.query_params.getlist(name)[0]` in FastAPI, or reject repeated scalars in both.",
)
def _repeated_query(ctx: MismatchContext) -> bool:
    names = [name for name, _ in parse_qsl(ctx.request.query, keep_blank_values=True)]
    repeated = {name for name in names if names.count(name) > 1}
    # a parameter the contract declares as an array is meant to repeat (form, explode): no scalar
    return bool(repeated - _array_query_parameters(ctx))


def _array_query_parameters(ctx: MismatchContext) -> set[str]:
    """Names of the operation's query parameters whose schema is an array in OLD's document."""
    document = ctx.document or {}
    method, _, path = ctx.request.operation.partition(" ")
    item = (document.get("paths") or {}).get(path) or {}
    operation = item.get(method.lower()) or {}
    found = set()
    for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter = follow_local_refs(document, parameter)
        if isinstance(parameter, dict) and parameter.get("in") == "query" and _is_array(document, parameter.get("schema")):
            found.add(str(parameter.get("name")))
    return found


def _is_array(document: dict[str, Any], schema: Any) -> bool:
    schema = follow_local_refs(document, schema)
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "array" or (isinstance(kind, list) and "array" in kind):
        return True
    return any(_is_array(document, option) for key in ("anyOf", "oneOf", "allOf") for option in schema.get(key) or [])


@divergence(
    "validation-status",
    "Validation error status: 400 in Flask, 422 in FastAPI",
    "Many Flask validation libraries (and flask-openapi3 when configured) answer invalid input "
    "with 400; FastAPI answers RequestValidationError with 422.",
    "Register an exception handler for RequestValidationError that returns 400 with the old body "
    "shape; or accept it with --equivalent-status 400=422 if clients only check 4xx.",
)
def _validation_status(ctx: MismatchContext) -> bool:
    return _is_status_diff(ctx) and _status(ctx) in ((400, 422), (422, 400))


@divergence(
    "validation-error-body",
    "Validation error body shape differs",
    "flask-openapi3 answers a bare list of pydantic errors (loc without location prefix); FastAPI "
    "answers `{\"detail\": [{\"loc\": [\"query\", ...], \"msg\", \"type\"}]}`.",
    "Add a RequestValidationError handler that renders the legacy shape (e.g. `exc.errors()` "
    "without the location prefix, as a bare list).",
)
def _validation_body(ctx: MismatchContext) -> bool:
    if ctx.difference.kind != "body" or ctx.old.status != ctx.new.status or ctx.old.status not in (400, 422):
        return False
    ok, new_json = ctx.new.json()
    return ok and isinstance(new_json, dict) and isinstance(new_json.get("detail"), list)


@divergence(
    "allow-header",
    "Allow header contents differ",
    "Flask lists HEAD and OPTIONS it adds automatically; Starlette lists only declared methods.",
    "Compare as a set is already applied; declare the same methods or ignore with --ignore header:allow.",
)
def _allow(ctx: MismatchContext) -> bool:
    return ctx.difference.field == "header:allow"


@divergence(
    "no-content-type-204",
    "204 response: Flask sends Content-Type text/html, FastAPI none",
    "Flask labels every response, even an empty 204, with its default mimetype; Starlette sends "
    "no Content-Type on an empty Response.",
    "Harmless for most clients; set `media_type='text/html'` on the 204 Response if one checks it, "
    "or ignore it with --ignore header:content-type.",
)
def _no_content(ctx: MismatchContext) -> bool:
    return ctx.difference.field == "header:content-type" and ctx.old.status == 204


@divergence(
    "html-error-page",
    "Error page: HTML from Flask, JSON from FastAPI",
    "Flask's abort()/404/405/500 answer an HTML page; FastAPI answers `{\"detail\": ...}` JSON "
    "(or plain text for unhandled errors).",
    "Add exception handlers for HTTPException/StarletteHTTPException rendering the legacy HTML, or "
    "accept the change if no client parses error pages.",
)
def _html_error(ctx: MismatchContext) -> bool:
    if ctx.old.media_type != "text/html" or ctx.new.media_type == "text/html":
        return False
    return ctx.old.status >= 400 or ctx.new.status >= 400


@divergence(
    "detail-error-body",
    "Error body: FastAPI's default `{\"detail\": ...}` instead of the legacy JSON error",
    "FastAPI renders every HTTPException, and Starlette's own 404/405 for unknown routes and "
    "methods, as `{\"detail\": <message>}` (`\"Not Found\"`, `\"Method Not Allowed\"`: the HTTP "
    "reason phrase when no detail is given); the legacy Flask app answered its own JSON error shape, "
    "which clients parse (an `error` key, a code, a message).",
    "Register `@app.exception_handler(StarletteHTTPException)` (`from starlette.exceptions import "
    "HTTPException as StarletteHTTPException`, which also catches FastAPI's HTTPException and the "
    "router's own 404/405) returning the legacy body, e.g. `JSONResponse({\"error\": \"not found\"}, "
    "status_code=exc.status_code)`; handlers that build the error JSONResponse themselves must "
    "write the legacy body too.",
)
def _detail_error_body(ctx: MismatchContext) -> bool:
    status = ctx.new.status
    if ctx.difference.kind != "body" or ctx.old.status != status or status < 400:
        return False
    new_ok, new_json = ctx.new.json()
    if not (new_ok and _is_detail_body(new_json)):
        return False
    old_ok, old_json = ctx.old.json()
    if not old_ok:
        return False  # a non-JSON legacy error page is html-error-page / a content-type difference
    if _is_detail_body(old_json):
        # both `{"detail": ...}`: FastAPI's default only when NEW's message is the bare reason phrase
        return new_json["detail"] == _reason_phrase(status) and old_json["detail"] != new_json["detail"]
    return True


def _is_detail_body(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"detail"}


def _reason_phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


def _changed_values(ctx: MismatchContext) -> tuple[Any, Any] | None:
    """(OLD's value, NEW's value) of a changed field: the difference's own, or read from its detail."""
    if ctx.difference.values is not None:
        return ctx.difference.values
    match = re.search(r'OLD "([^"]*)", NEW "([^"]*)"', ctx.difference.detail)
    return match.groups() if match else None


@divergence(
    "datetime-format",
    "Datetime format: RFC 1123 from Flask, ISO 8601 from FastAPI",
    "Flask's JSON provider renders datetime as `Tue, 01 Jan 2024 00:00:00 GMT` (microseconds lost, "
    "dates become datetimes); pydantic/FastAPI render ISO 8601.",
    "Serialize datetimes the legacy way in the response model (a `PlainSerializer` / "
    "`field_serializer` with `email.utils.format_datetime(..., usegmt=True)`), or migrate clients.",
)
def _datetime_format(ctx: MismatchContext) -> bool:
    if ctx.difference.kind != "body" or ctx.difference.change not in ("value changed", "format changed"):
        return False
    values = _changed_values(ctx)
    if values is None or not all(isinstance(v, str) for v in values):
        return False
    old_text, new_text = values
    try:
        parsedate_to_datetime(old_text)
    except (TypeError, ValueError, IndexError):
        return False
    return bool(re.match(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2})?", new_text))


_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.IGNORECASE)


def _iso_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@divergence(
    "datetime-offset-spelling",
    "Datetime spelling: the same ISO 8601 instant written differently (`+00:00` vs `Z`, offset, microseconds)",
    "Both sides write ISO 8601 and mean the same instant, but spell it differently: Python's "
    "`datetime.isoformat()` (what Flask handlers call by hand) writes UTC as `+00:00`, pydantic's "
    "serializer (FastAPI response models, `model_dump(mode='json')`) writes it as `Z`; a value "
    "converted to another timezone keeps the instant but not the offset; and a datetime stored or "
    "serialized without fractional seconds loses its microseconds. Parsers of ISO 8601 read both, "
    "but clients comparing the strings, parsing with a fixed format (`%z` on Python < 3.11, "
    "`strptime('...+00:00')`) or keying caches on them break.",
    "Serialize the datetime fields the legacy way on the FastAPI side: an annotated type "
    "`Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str)]` (or a "
    "`field_serializer`) in the response model, or return the handler's dict with `.isoformat()` "
    "values in a JSONResponse; keep the microseconds and the timezone the legacy app used.",
)
def _datetime_offset_spelling(ctx: MismatchContext) -> bool:
    if ctx.difference.kind != "body" or ctx.difference.change not in ("value changed", "format changed"):
        return False
    values = _changed_values(ctx)
    if values is None or values[0] == values[1]:
        return False
    old_at, new_at = (_iso_datetime(v) for v in values)
    if old_at is None or new_at is None or (old_at.tzinfo is None) != (new_at.tzinfo is None):
        return False  # naive vs aware is a different value, not another spelling of one
    if old_at == new_at:
        return True
    # microseconds lost on one side: the same instant to the second
    lost = old_at.microsecond == 0 or new_at.microsecond == 0
    return lost and old_at.replace(microsecond=0) == new_at.replace(microsecond=0)


# ------------------------------------------------------------------ a key missing in NEW


_ANY_INDEX = object()  # `[*]` in a field path


def _field_tokens(path: str) -> list[Any] | None:
    """`$.items[*].tags` -> ["items", _ANY_INDEX, "tags"]; `$["a b"]` -> ["a b"]; None if unreadable."""
    if not path.startswith("$"):
        return None
    tokens: list[Any] = []
    i = 1
    while i < len(path):
        if path.startswith("[*]", i):
            tokens.append(_ANY_INDEX)
            i += 3
        elif path[i] == ".":
            match = re.match(r"\.([A-Za-z_][\w-]*)", path[i:])
            if match is None:
                return None
            tokens.append(match.group(1))
            i += len(match.group(0))
        elif path.startswith('["', i):
            try:
                key, end = json.JSONDecoder().raw_decode(path, i + 1)
            except ValueError:
                return None
            if not path.startswith("]", end):
                return None
            tokens.append(key)
            i = end + 1
        else:
            return None
    return tokens


def _paired(old: Any, new: Any, tokens: list[Any]) -> list[tuple[Any, Any]]:
    """The (OLD, NEW) values at a field path in both bodies, list elements paired by index."""
    level = [(old, new)]
    for token in tokens:
        following: list[tuple[Any, Any]] = []
        for o, n in level:
            if token is _ANY_INDEX:
                if isinstance(o, list) and isinstance(n, list):
                    following.extend(zip(o, n))
            elif isinstance(o, dict) and isinstance(n, dict) and token in o and token in n:
                following.append((o[token], n[token]))
        level = following
    return level


def _missing_key(ctx: MismatchContext) -> tuple[str, list[tuple[dict[str, Any], dict[str, Any]]]] | None:
    """For a `$.a.b missing in NEW`: the key and every (OLD object, NEW object) pair where OLD has
    the key and NEW has not. None when the bodies do not show it (not JSON, unreadable path)."""
    tokens = _field_tokens(ctx.difference.field)
    if not tokens or tokens[-1] is _ANY_INDEX:
        return None
    old_ok, old_json = ctx.old.json()
    new_ok, new_json = ctx.new.json()
    if not (old_ok and new_ok):
        return None
    key = tokens[-1]
    parents = [(o, n) for o, n in _paired(old_json, new_json, tokens[:-1])
               if isinstance(o, dict) and isinstance(n, dict) and key in o and key not in n]
    return (key, parents) if parents else None


def _renamed(key: str, parents: list[tuple[dict[str, Any], dict[str, Any]]]) -> bool:
    """NEW added a sibling beside the missing key: a rename (`email` -> `email_address`), which
    no response-model filtering does. A sibling NEW adds as null is a default response_model
    filled in, not a rename - unless the missing key was null too."""
    for old, new in parents:
        for name, value in new.items():
            if name not in old and (value is not None or old[key] is None):
                return True
    return False


def _declared_in(document: dict[str, Any] | None, ctx: MismatchContext) -> bool:
    """The missing field is a property of the operation's response schema in `document` (any
    branch of an anyOf/oneOf/allOf). False when the document does not say."""
    tokens = _field_tokens(ctx.difference.field)
    if not document or not tokens:
        return False
    method, _, path = ctx.request.operation.partition(" ")
    operation = ((document.get("paths") or {}).get(path) or {}).get(method.lower()) or {}
    responses = operation.get("responses") or {}
    status = ctx.new.status
    response = follow_local_refs(document, responses.get(str(status)) or responses.get(f"{status // 100}XX") or responses.get("default"))
    if not isinstance(response, dict):
        return False
    content = response.get("content") or {}
    schemas = [media.get("schema") for name, media in content.items() if "json" in name and isinstance(media, dict)]
    return any(_schema_declares(document, schema, tokens, 0) for schema in schemas)


def _schema_declares(document: dict[str, Any], schema: Any, tokens: list[Any], depth: int) -> bool:
    schema = follow_local_refs(document, schema)
    if not isinstance(schema, dict) or depth > 32:
        return False
    if any(_schema_declares(document, branch, tokens, depth + 1) for key in ("allOf", "anyOf", "oneOf") for branch in schema.get(key) or []):
        return True
    token, rest = tokens[0], tokens[1:]
    if token is _ANY_INDEX:
        items = [schema.get("items"), *(schema.get("prefixItems") or [])]
        return any(_schema_declares(document, item, rest, depth + 1) for item in items if item is not None)
    properties = schema.get("properties")
    if not isinstance(properties, dict) or token not in properties:
        return False
    return not rest or _schema_declares(document, properties[token], rest, depth + 1)


def _is_missing_field(ctx: MismatchContext) -> bool:
    return ctx.difference.kind == "body" and ctx.difference.change == "missing in NEW" and not ctx.difference.field.endswith("[*]")


@divergence(
    "null-field-omitted",
    "Null field left out: OLD writes `null`, NEW omits the key",
    "The legacy handler writes every field, unset ones as `null`; the FastAPI side leaves a key out "
    "when its value is None: `response_model_exclude_none=True` (or `exclude_unset` / "
    "`exclude_defaults`) on the route, `model_dump(exclude_none=True)`, or a handler filtering "
    "None out of the dict it returns. Clients reading `obj[\"field\"]`, or a schema that requires "
    "the key (nullable, but present), break.",
    "Write the null: drop `response_model_exclude_none` / `response_model_exclude_unset` from the "
    "route (FastAPI writes a declared `X | None = None` field as null by default), dump with "
    "`exclude_none=False`, or keep the None values in the dict the handler returns. The field "
    "is there already, so declaring it in the response model is not the fix.",
)
def _null_omitted(ctx: MismatchContext) -> bool:
    if not _is_missing_field(ctx):
        return False
    found = _missing_key(ctx)
    if found is None:
        return False
    key, parents = found
    return all(old[key] is None for old, _ in parents) and not _renamed(key, parents)


@divergence(
    "response-model-drops-keys",
    "Key missing in NEW: FastAPI's response_model drops undeclared keys",
    "Flask returns every key the handler built; FastAPI filters the answer through `response_model`, "
    "dropping keys the model does not declare (and filling defaults).",
    "Declare the field in the response model (or `model_config = ConfigDict(extra='allow')`), or "
    "confirm no client reads it and waive the group.",
)
def _response_model(ctx: MismatchContext) -> bool:
    if not (_is_missing_field(ctx) and 200 <= ctx.old.status < 300):
        return False
    found = _missing_key(ctx)
    if found is not None:
        key, parents = found
        if _renamed(key, parents):
            return False  # a sibling added in NEW: a rename, not a filter
        if all(old[key] is None for old, _ in parents):
            return False  # null written vs key omitted: null-field-omitted
    # response_model only drops what NEW's model does not declare (read only from NEW's own
    # document: with one contract for both sides there is none, and OLD's says nothing of NEW)
    return not (ctx.new_document is not None and ctx.new_document is not ctx.document and _declared_in(ctx.new_document, ctx))


@divergence(
    "nan-infinity",
    "NaN / Infinity in a float field",
    "Flask's json emits the invalid JSON tokens NaN/Infinity; FastAPI renders null or fails.",
    "Decide on one representation (null) and make both sides produce it; strict JSON parsers reject NaN.",
)
def _nan(ctx: MismatchContext) -> bool:
    return b"NaN" in ctx.old.body or b"Infinity" in ctx.old.body
