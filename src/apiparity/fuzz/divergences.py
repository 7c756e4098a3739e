"""Catalog of known Flask -> FastAPI runtime divergences (../shared/divergences.md, runtime table).

Each entry has a stable ID, a title, an explanation of why the frameworks differ, a fix hint for
the FastAPI side, its **preconditions** and a matcher. A precondition is a named fact about one
mismatch that must hold for the label to be true at all (the direction of the status pair, the
declared type of the path parameter, OLD's content type, whether NEW's document declares the
field, whether OLD crashed); the matcher is the judgement left once they hold. A label is given
only when every precondition holds and the matcher agrees, so a precondition that cannot be read
(no document to say a parameter's type) leaves the mismatch unlabelled rather than wrongly
labelled. `apiparity rules` and docs/rules.md list each label with its preconditions.

The catalog is this module's entries (most specific first) followed by those of each module of
`apiparity.fuzz.labels`, found by scanning that package: a new label is one module there.

A labelled group is still a mismatch, since clients see it; the label is its explanation and
fix. Entries marked `harmless` name a framework difference no client reads: their groups are of
tier `harmless` (apiparity.fuzz.tiers), shown without failing the gate.
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

from apiparity.fuzz.compare import ANY_INDEX, Change, Difference, FieldPath
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.spec.contract import Contract, OperationContract


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
    # the contract models of the two documents (spec/contract.py), built once by whoever groups a
    # run's cases; from `document`/`new_document` when not given
    contract: Contract | None = None
    new_contract: Contract | None = None
    # the request as OLD received it (-H headers, its own credentials), when it differs from
    # `request` (the case as generated): what preconditions about credentials read
    old_request: WireRequest | None = None

    def __post_init__(self) -> None:
        if self.contract is None and self.document is not None:
            object.__setattr__(self, "contract", Contract(self.document))
        if self.new_contract is None and self.new_document is not None:
            same = self.new_document is self.document
            object.__setattr__(self, "new_contract", self.contract if same else Contract(self.new_document))

    def old_operation(self) -> OperationContract | None:
        """The request's operation in OLD's document."""
        return self.contract.operation_of(self.request.operation) if self.contract is not None else None


@dataclass(slots=True, frozen=True)
class Precondition:
    """A named fact a label needs (listed by `apiparity rules`), checked on one mismatch."""

    name: str
    holds: Callable[[MismatchContext], bool]


@dataclass(slots=True, frozen=True)
class Divergence:
    id: str  # stable kebab-case, never renamed
    title: str
    explanation: str
    fix_hint: str
    matches: Callable[[MismatchContext], bool]
    requires: tuple[Precondition, ...] = ()
    harmless: bool = False  # a framework difference no client reads: tier `harmless`, not failing

    def applies(self, ctx: MismatchContext) -> bool:
        """Every precondition holds and the matcher agrees."""
        return all(p.holds(ctx) for p in self.requires) and self.matches(ctx)

    def failed_preconditions(self, ctx: MismatchContext) -> list[str]:
        """The names of the preconditions that do not hold on `ctx` (for tests and explanations)."""
        return [p.name for p in self.requires if not _safe(p.holds, ctx)]


CATALOG: list[Divergence] = []


def divergence(id: str, title: str, explanation: str, fix_hint: str, *, requires: tuple[Precondition, ...] = (),
               harmless: bool = False) -> Callable[[Callable[[MismatchContext], bool]], Callable[[MismatchContext], bool]]:
    def register(func: Callable[[MismatchContext], bool]) -> Callable[[MismatchContext], bool]:
        if by_id(id) is not None:
            raise ValueError(f"divergence label {id!r} is registered twice")
        CATALOG.append(Divergence(id, title, explanation, fix_hint, func, requires, harmless))
        return func

    return register


def _safe(func: Callable[[MismatchContext], bool], ctx: MismatchContext) -> bool:
    try:
        return bool(func(ctx))
    except Exception:  # noqa: BLE001 - a matcher must never break a run
        return False


def identify(ctx: MismatchContext) -> Divergence | None:
    """The first catalog entry whose preconditions all hold and whose matcher agrees (catalog
    order = most specific first)."""
    for entry in CATALOG:
        if _safe(entry.applies, ctx):
            return entry
    return None


def identify_case(request: WireRequest, old: WireResponse, new: WireResponse, differences: list[Difference], *,
                  document: dict[str, Any] | None = None, new_document: dict[str, Any] | None = None,
                  contract: Contract | None = None, new_contract: Contract | None = None,
                  old_request: WireRequest | None = None) -> Divergence | None:
    """The label of one case: the divergence that explains every one of its (root) differences,
    or None when one is unexplained or two are explained differently (a 405 with an Allow header
    and an HTML-vs-JSON body is not only an Allow header difference). `old_request`: the request as
    OLD received it (-H headers, its credentials), when it differs from `request`."""
    found: Divergence | None = None
    for difference in differences:
        entry = identify(MismatchContext(request, old, new, difference, document, new_document, contract, new_contract,
                                         old_request))
        if entry is None or (found is not None and entry.id != found.id):
            return None
        found = entry
    return found


def by_id(divergence_id: str) -> Divergence | None:
    return next((entry for entry in CATALOG if entry.id == divergence_id), None)


# ------------------------------------------------------------------ preconditions (shared)


_BARE_NAN = re.compile(r"[:\[,]\s*-?(NaN|Infinity)\s*[,\]}]")


def _pre(name: str) -> Callable[[Callable[[MismatchContext], bool]], Precondition]:
    def make(func: Callable[[MismatchContext], bool]) -> Precondition:
        return Precondition(name, func)

    return make


STATUS_DIFFERENCE = Precondition("the difference is the status code", lambda ctx: ctx.difference.kind == "status")
BODY_DIFFERENCE = Precondition("the difference is in the body", lambda ctx: ctx.difference.kind == "body")
SAME_STATUS = Precondition("both sides answered the same status", lambda ctx: ctx.old.status == ctx.new.status)
OLD_DID_NOT_CRASH = Precondition("OLD did not crash (below 500, no exception)", lambda ctx: ctx.old.status < 500 and not ctx.old.error)
NEW_DID_NOT_CRASH = Precondition("NEW did not crash (below 500, no exception)", lambda ctx: 0 < ctx.new.status < 500 and not ctx.new.error)
OLD_2XX = Precondition("OLD answered 2xx", lambda ctx: 200 <= ctx.old.status < 300)


def _new_routes(ctx: MismatchContext) -> bool:
    from apiparity.fuzz.routes import routes

    contract = ctx.new_contract if ctx.new_contract is not None else ctx.contract
    return routes(ctx.new.status, contract, ctx.request.method, ctx.request.path)


def _old_routes_path(ctx: MismatchContext) -> bool:
    from apiparity.fuzz.routes import path_declared

    return ctx.old.status != 404 or bool(path_declared(ctx.contract, ctx.request.path))


# a 404/405 from a router that has no such route is no handler's (or framework feature's) answer
NEW_ROUTES = Precondition("NEW routes the method and path (it answered other than 404/405, or its document declares them)",
                          _new_routes)
OLD_ROUTES_PATH = Precondition("OLD routes the path (it answered other than 404, or its document declares the path)",
                               _old_routes_path)


def status_pair(old: tuple[int, ...], new: tuple[int, ...]) -> Precondition:
    """Direction-aware: OLD answered one of `old` and NEW one of `new` (never the other way round)."""
    def holds(ctx: MismatchContext) -> bool:
        return ctx.old.status in old and ctx.new.status in new

    return Precondition(f"OLD {'/'.join(map(str, old))}, NEW {'/'.join(map(str, new))}", holds)


def header_is(name: str) -> Precondition:
    """The difference is the response header `name` (lower case)."""
    return Precondition(f"the difference is the header:{name} field",
                        lambda ctx: ctx.difference.kind == "header" and ctx.difference.header == name)


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
    requires=(
        Precondition("the request is HEAD or OPTIONS", lambda ctx: ctx.request.method in ("HEAD", "OPTIONS")),
        STATUS_DIFFERENCE,
        Precondition("NEW answered 405", lambda ctx: ctx.new.status == 405),
        OLD_DID_NOT_CRASH,
        OLD_ROUTES_PATH,
    ),
)
def _head_options(ctx: MismatchContext) -> bool:
    return True


@divergence(
    "trailing-slash-redirect",
    "Trailing-slash redirect: Flask 308/404, FastAPI 307",
    "Werkzeug redirects `/items` to `/items/` with 308 (or answers 404); Starlette redirects "
    "with 307 to the other spelling (redirect_slashes).",
    "Set `redirect_slashes=False` on the FastAPI app/router and declare the spelling clients use, "
    "or return the same 308 from a middleware.",
    requires=(
        STATUS_DIFFERENCE,
        Precondition("one side answered a redirect (301/307/308)",
                     lambda ctx: ctx.new.status in (301, 307, 308) or ctx.old.status in (301, 307, 308)),
    ),
)
def _trailing_slash(ctx: MismatchContext) -> bool:
    # every redirect of the pair points at the request's own path with the trailing slash toggled
    from urllib.parse import urlsplit

    redirects = [r for r in (ctx.old, ctx.new) if r.status in (301, 307, 308)]
    for redirect in redirects:
        location = urlsplit(redirect.header("location") or "").path
        if location == ctx.request.path or location.rstrip("/") != ctx.request.path.rstrip("/"):
            return False
    return bool(redirects)


@divergence(
    "int-path-negative",
    "Negative / non-int value in an <int:> path: Flask 404, FastAPI runs the handler or 422",
    "Werkzeug's `<int:id>` converter does not match negative numbers (or non-digits), so Flask "
    "answers its HTML 404 before the handler runs; FastAPI's `id: int` accepts -1 and calls the "
    "handler, or answers 422 for non-integers. When the FastAPI handler answers 404 itself (no "
    "record -1), only the body differs: the legacy app's not-found page or handler vs the "
    "handler's own message.",
    "Constrain the FastAPI parameter (`Path(ge=0)`) and map its validation error to 404, or raise "
    "HTTPException(404) for negative ids.",
    requires=(
        Precondition("the status differs, or both answered 404 and the body differs with NEW's route declared "
                     "(NEW's handler ran, OLD's router did not match)", lambda ctx: _int_path_difference(ctx)),
        Precondition("OLD answered 404", lambda ctx: ctx.old.status == 404),
        NEW_DID_NOT_CRASH,
        Precondition("a path parameter OLD's document declares integer holds a value that is not a non-negative integer",
                     lambda ctx: bool(_non_digit_integer_parameters(ctx))),
    ),
)
def _int_path(ctx: MismatchContext) -> bool:
    return True


def _int_path_difference(ctx: MismatchContext) -> bool:
    """A status difference, or the message-only variant: both 404, the body differs, and NEW's
    document declares the route (its 404 is the handler's, not its router's)."""
    if ctx.difference.kind == "status":
        return True
    if ctx.difference.kind != "body" or ctx.new.status != 404:
        return False
    from apiparity.fuzz.routes import declared

    contract = ctx.new_contract if ctx.new_contract is not None else ctx.contract
    return bool(declared(contract, ctx.request.method, ctx.request.path))


def _non_digit_integer_parameters(ctx: MismatchContext) -> list[str]:
    """Path parameters declared `integer` (OLD's document: a Flask `<int:>` converter, a pydantic
    int) whose value in this request is not all digits (-1, 1.5, abc)."""
    from urllib.parse import unquote

    _, _, path = ctx.request.operation.partition(" ")
    operation, contract = ctx.old_operation(), ctx.contract
    types: dict[str, Any] = {}
    if operation is not None and contract is not None:
        types = {p.name: _schema_type(contract, p.schema) for p in operation.parameters_in("path")}
    found = []
    for segment, pattern in zip(ctx.request.path.strip("/").split("/"), path.strip("/").split("/")):
        if pattern.startswith("{") and pattern.endswith("}") and types.get(pattern[1:-1]) == "integer" and not unquote(segment).isdigit():
            found.append(pattern[1:-1])
    return found


def _schema_type(contract: Contract, schema: Any) -> str | None:
    schema = contract.resolve(schema)
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None:
        branches = [_schema_type(contract, b) for key in ("anyOf", "oneOf", "allOf") for b in schema.get(key) or []]
        named = {b for b in branches if b not in (None, "null")}
        kind = named.pop() if len(named) == 1 else None
    return kind if isinstance(kind, str) else None


@divergence(
    "missing-auth-status",
    "Missing credentials: Flask 401 from the handler, FastAPI 422/403 from the dependency",
    "The Flask handler checks the header itself and answers 401; in FastAPI a required "
    "`Header()` parameter fails validation first (422), and security classes answer 403.",
    "Make the header optional in FastAPI and raise HTTPException(401) yourself, or use a security "
    "dependency with `auto_error=False` that raises 401 with WWW-Authenticate.",
    requires=(STATUS_DIFFERENCE, status_pair((401,), (403, 422)),
              Precondition("the request carried no credentials (no Authorization or Cookie header, no API key or "
                           "token header/query parameter)", lambda ctx: not credentials_sent(ctx))),
)
def _missing_auth(ctx: MismatchContext) -> bool:
    return True


# a header or query parameter that carries a credential, by its name (X-API-Key, X-Auth-Token, access_token)
_CREDENTIAL_NAME = re.compile(r"(^|[-_])(auth|authorization|token|access[-_]?token|api[-_]?key|apikey|secret|session|"
                              r"sessionid|jwt|bearer|password|passwd|credentials?)($|[-_])", re.IGNORECASE)
_BARE_SCHEMES = frozenset({"", "bearer", "basic", "token", "digest"})  # `Authorization: Bearer ` carries nothing


def credentials_sent(ctx: MismatchContext) -> list[str]:
    """The credentials the request carried as OLD received it (lower-case header names, query
    names): an Authorization or Cookie header, an API key an apiKey security scheme of either
    document names, or a header or query parameter named like one (X-Pharmacist-Token, api_key),
    whatever its value. An Authorization header or security-scheme API key that is empty or only a
    scheme word (`Bearer `) carries none: FastAPI's security classes read it as missing too."""
    request = ctx.old_request if ctx.old_request is not None else ctx.request
    scheme_names = _api_key_names(ctx.contract) | _api_key_names(ctx.new_contract)
    found = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered in ("authorization", *scheme_names) and value.strip().lower() in _BARE_SCHEMES:
            continue  # what FastAPI's security classes (HTTPBearer, APIKeyHeader) read as no credentials
        if lowered in ("authorization", "cookie") or lowered in scheme_names or _CREDENTIAL_NAME.search(lowered):
            found.append(lowered)
    for name, value in parse_qsl(request.query, keep_blank_values=True):
        if name.lower() in scheme_names and not value.strip():
            continue
        if name.lower() in scheme_names or _CREDENTIAL_NAME.search(name):
            found.append(name)
    return sorted(set(found))


def _api_key_names(contract: Contract | None) -> set[str]:
    """The header/query names of the apiKey security schemes a document declares (lower case)."""
    components = contract.document.get("components") if contract is not None else None
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if not isinstance(schemes, dict) or contract is None:
        return set()
    names = set()
    for raw in schemes.values():
        scheme = contract.resolve(raw)
        if isinstance(scheme, dict) and scheme.get("type") == "apiKey" and scheme.get("name"):
            names.add(str(scheme["name"]).lower())
    return names


@divergence(
    "json-string-body",
    "A JSON body that is not an object: accepted by Flask, 422 in FastAPI",
    "`request.get_json()` returns whatever JSON was sent, so Flask handlers often accept a bare "
    "string or list; FastAPI validates the body against the model first.",
    "Keep the model (clients sending such bodies were relying on luck) or accept `Body()` of the "
    "loose type and validate in the handler like the old code did.",
    requires=(
        STATUS_DIFFERENCE,
        Precondition("OLD 2xx, NEW 422", lambda ctx: 200 <= ctx.old.status < 300 and ctx.new.status == 422),
        Precondition("the request body is JSON and not an object", lambda ctx: _json_non_object_body(ctx)),
    ),
)
def _json_string_body(ctx: MismatchContext) -> bool:
    return True


def _json_non_object_body(ctx: MismatchContext) -> bool:
    if "json" not in (ctx.request.header("content-type") or "").lower() or not ctx.request.body:
        return False
    try:
        return not isinstance(json.loads(ctx.request.body), dict)
    except ValueError:
        return False


@divergence(
    "repeated-query-param",
    "Repeated scalar query parameter: Flask takes the first value, FastAPI the last",
    "`request.args.get('a')` returns the first of `?a=1&a=2`; FastAPI/Starlette use the last one "
    "for a scalar parameter (or reject the value).",
    "Read `request.query_params.getlist(name)[0]` in FastAPI, or reject repeated scalars in both.",
    requires=(
        Precondition("a query parameter OLD's document declares scalar is repeated in the request",
                     lambda ctx: bool(_repeated_scalar_parameters(ctx))),
        OLD_DID_NOT_CRASH,
    ),
)
def _repeated_query(ctx: MismatchContext) -> bool:
    return True


def _repeated_scalar_parameters(ctx: MismatchContext) -> set[str]:
    """Query parameters repeated in the request that OLD's document declares scalar (a parameter
    declared an array is meant to repeat: form, explode; an undeclared one says nothing)."""
    names = [name for name, _ in parse_qsl(ctx.request.query, keep_blank_values=True)]
    repeated = {name for name in names if names.count(name) > 1}
    declared = _query_parameters(ctx)
    return {name for name in repeated if name in declared and not declared[name]}


def _query_parameters(ctx: MismatchContext) -> dict[str, bool]:
    """The operation's query parameters in OLD's document: name -> declared an array."""
    operation, contract = ctx.old_operation(), ctx.contract
    if operation is None or contract is None:
        return {}
    return {p.name: _is_array(contract, p.schema) for p in operation.parameters_in("query")}


def _is_array(contract: Contract, schema: Any) -> bool:
    schema = contract.resolve(schema)
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind == "array" or (isinstance(kind, list) and "array" in kind):
        return True
    return any(_is_array(contract, option) for key in ("anyOf", "oneOf", "allOf") for option in schema.get(key) or [])


@divergence(
    "validation-status",
    "Validation error status: 400 in Flask, 422 in FastAPI",
    "Many Flask validation libraries (and flask-openapi3 when configured) answer invalid input "
    "with 400; FastAPI answers RequestValidationError with 422.",
    "Register an exception handler for RequestValidationError that returns 400 with the old body "
    "shape; or accept it with --equivalent-status 400=422 if clients only check 4xx.",
    requires=(STATUS_DIFFERENCE, status_pair((400,), (422,))),
)
def _validation_status(ctx: MismatchContext) -> bool:
    return True


@divergence(
    "validation-error-body",
    "Validation error body shape differs",
    "flask-openapi3 answers a bare list of pydantic errors (loc without location prefix); FastAPI "
    "answers `{\"detail\": [{\"loc\": [\"query\", ...], \"msg\", \"type\"}]}`.",
    "Add a RequestValidationError handler that renders the legacy shape (e.g. `exc.errors()` "
    "without the location prefix, as a bare list).",
    requires=(
        BODY_DIFFERENCE,
        SAME_STATUS,
        Precondition("both answered 400 or 422", lambda ctx: ctx.old.status in (400, 422)),
        Precondition("OLD's body is JSON", lambda ctx: ctx.old.json()[0]),
    ),
)
def _validation_body(ctx: MismatchContext) -> bool:
    ok, new_json = ctx.new.json()
    old_ok, old_json = ctx.old.json()
    fastapi = ok and isinstance(new_json, dict) and isinstance(new_json.get("detail"), list)
    return fastapi and old_ok and not (isinstance(old_json, dict) and isinstance(old_json.get("detail"), list))


@divergence(
    "allow-header",
    "Allow header contents differ",
    "Flask lists HEAD and OPTIONS it adds automatically; Starlette lists only declared methods.",
    "Compare as a set is already applied; declare the same methods or ignore with --ignore header:allow.",
    requires=(
        header_is("allow"),
        Precondition("the two Allow sets differ only by HEAD and OPTIONS", lambda ctx: bool(_allow_sets(ctx))),
    ),
    harmless=True,
)
def _allow(ctx: MismatchContext) -> bool:
    return True


def _allow_sets(ctx: MismatchContext) -> bool:
    def methods(response: WireResponse) -> set[str]:
        return {m.strip().upper() for value in response.header_values("allow") for m in value.split(",") if m.strip()}

    old, new = methods(ctx.old), methods(ctx.new)
    return old != new and bool(old & new) and (old ^ new) <= {"HEAD", "OPTIONS"}


@divergence(
    "no-content-type-204",
    "204 response: Flask sends Content-Type text/html, FastAPI none",
    "Flask labels every response, even an empty 204, with its default mimetype; Starlette sends "
    "no Content-Type on an empty Response.",
    "Harmless for most clients; set `media_type='text/html'` on the 204 Response if one checks it, "
    "or ignore it with --ignore header:content-type.",
    requires=(
        header_is("content-type"),
        status_pair((204,), (204,)),
        Precondition("both bodies are empty", lambda ctx: not ctx.old.body and not ctx.new.body),
        Precondition("NEW sent no Content-Type", lambda ctx: ctx.new.header("content-type") is None),
    ),
    harmless=True,
)
def _no_content(ctx: MismatchContext) -> bool:
    return True


@divergence(
    "html-error-page",
    "Error page: HTML from Flask, JSON from FastAPI",
    "Flask's abort()/404/405/500 answer an HTML page; FastAPI answers `{\"detail\": ...}` JSON "
    "(or plain text for unhandled errors).",
    "Add exception handlers for HTTPException/StarletteHTTPException rendering the legacy HTML, or "
    "accept the change if no client parses error pages.",
    requires=(
        Precondition("the difference is the content type or the body", lambda ctx: ctx.difference.kind in ("header", "body")
                     and (ctx.difference.kind == "body" or (ctx.difference.kind == "header" and ctx.difference.header == "content-type"))),
        SAME_STATUS,
        Precondition("both answered 4xx (an error page, not a crash)", lambda ctx: 400 <= ctx.old.status < 500),
        Precondition("OLD's content type is text/html", lambda ctx: ctx.old.media_type == "text/html"),
        Precondition("NEW's content type is not text/html", lambda ctx: ctx.new.media_type != "text/html"),
    ),
)
def _html_error(ctx: MismatchContext) -> bool:
    return True


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
    requires=(
        BODY_DIFFERENCE,
        SAME_STATUS,
        Precondition("both answered 4xx", lambda ctx: 400 <= ctx.old.status < 500),
        Precondition("OLD's body is JSON (a non-JSON page is html-error-page)", lambda ctx: ctx.old.json()[0]),
        Precondition("NEW's body is FastAPI's `{\"detail\": ...}`", lambda ctx: _is_detail_body(ctx.new.json()[1])),
    ),
)
def _detail_error_body(ctx: MismatchContext) -> bool:
    status = ctx.new.status
    new_ok, new_json = ctx.new.json()
    if not (new_ok and _is_detail_body(new_json)):
        return False
    _, old_json = ctx.old.json()
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
    """(OLD's value, NEW's value) of a changed field, as the comparison found them (never read back
    from the human detail)."""
    return ctx.difference.values


_VALUE_CHANGES = (Change.VALUE_CHANGED, Change.FORMAT_CHANGED)


@divergence(
    "datetime-format",
    "Datetime format: RFC 1123 from Flask, ISO 8601 from FastAPI",
    "Flask's JSON provider renders datetime as `Tue, 01 Jan 2024 00:00:00 GMT` (microseconds lost, "
    "dates become datetimes); pydantic/FastAPI render ISO 8601.",
    "Serialize datetimes the legacy way in the response model (a `PlainSerializer` / "
    "`field_serializer` with `email.utils.format_datetime(..., usegmt=True)`), or migrate clients.",
    requires=(BODY_DIFFERENCE, Precondition("a field's value changed", lambda ctx: ctx.difference.change in _VALUE_CHANGES),
              Precondition("OLD's value is an RFC 1123 date, NEW's an ISO 8601 date(-time)", lambda ctx: _rfc1123_vs_iso(ctx))),
)
def _datetime_format(ctx: MismatchContext) -> bool:
    return True


def _rfc1123_vs_iso(ctx: MismatchContext) -> bool:
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
    requires=(BODY_DIFFERENCE, Precondition("a field's value changed", lambda ctx: ctx.difference.change in _VALUE_CHANGES),
              Precondition("both values are ISO 8601 date-times of the same instant (to the second when one lost its microseconds)",
                           lambda ctx: _same_instant(ctx))),
)
def _datetime_offset_spelling(ctx: MismatchContext) -> bool:
    return True


def _same_instant(ctx: MismatchContext) -> bool:
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


def _paired(old: Any, new: Any, tokens: FieldPath) -> list[tuple[Any, Any]]:
    """The (OLD, NEW) values at a field path in both bodies, list elements paired by index."""
    level = [(old, new)]
    for token in tokens:
        following: list[tuple[Any, Any]] = []
        for o, n in level:
            if token is ANY_INDEX:
                if isinstance(o, list) and isinstance(n, list):
                    following.extend(zip(o, n))
            elif isinstance(o, dict) and isinstance(n, dict) and token in o and token in n:
                following.append((o[token], n[token]))
        level = following
    return level


def _missing_key(ctx: MismatchContext) -> tuple[str, list[tuple[dict[str, Any], dict[str, Any]]]] | None:
    """For a `$.a.b missing in NEW`: the key and every (OLD object, NEW object) pair where OLD has
    the key and NEW has not. None when the bodies do not show it (not JSON, unreadable path)."""
    tokens = ctx.difference.path
    if not tokens or not isinstance(tokens[-1], str):
        return None  # the body itself, or a list's elements
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


def _declared_in(contract: Contract | None, ctx: MismatchContext) -> bool:
    """The missing field is a property of the operation's response schema in `contract` (any
    branch of an anyOf/oneOf/allOf). False when the document does not say."""
    tokens = ctx.difference.path
    if contract is None or not tokens:
        return False
    return any(_schema_declares(contract, schema, tokens, 0) for schema in _response_schemas(contract, ctx))


def _schema_declares(contract: Contract, schema: Any, tokens: FieldPath, depth: int) -> bool:
    schema = contract.resolve(schema)
    if not isinstance(schema, dict) or depth > 32:
        return False
    if any(_schema_declares(contract, branch, tokens, depth + 1) for key in ("allOf", "anyOf", "oneOf") for branch in schema.get(key) or []):
        return True
    token, rest = tokens[0], tokens[1:]
    if token is ANY_INDEX:
        items = [schema.get("items"), *(schema.get("prefixItems") or [])]
        return any(_schema_declares(contract, item, rest, depth + 1) for item in items if item is not None)
    properties = schema.get("properties")
    if not isinstance(properties, dict) or token not in properties:
        return False
    return not rest or _schema_declares(contract, properties[token], rest, depth + 1)


def _is_missing_field(ctx: MismatchContext) -> bool:
    return ctx.difference.kind == "body" and ctx.difference.change is Change.MISSING and not ctx.difference.is_list_element


def _new_contract(ctx: MismatchContext) -> Contract | None:
    """What NEW promises: its own document, or the one contract both sides share (--contract)."""
    return ctx.new_contract if ctx.new_contract is not None else ctx.contract


def _own_new_contract(ctx: MismatchContext) -> Contract | None:
    """NEW's own document, when the run has one apart from OLD's (FastAPI's `app.openapi()`):
    the only place NEW's response models can be read."""
    if ctx.new_contract is None or ctx.new_contract is ctx.contract or (ctx.new_document is not None and ctx.new_document is ctx.document):
        return None
    return ctx.new_contract


def _response_schemas(contract: Contract, ctx: MismatchContext) -> list[Any]:
    """The JSON schemas `contract` declares for NEW's answer (its status, else range, else default)."""
    operation = contract.operation_of(ctx.request.operation)
    response = operation.response_for(ctx.new.status) if operation is not None else None
    return [schema for schema in response.json_schemas() if schema] if response is not None else []


def _declares_parent_model(ctx: MismatchContext) -> bool:
    """NEW's own document declares a response model for this answer whose object holding the
    missing field lists its properties (a response_model that can filter)."""
    contract = _own_new_contract(ctx)
    tokens = ctx.difference.path
    if contract is None or not tokens:
        return False
    parent = tokens[:-1]
    return any(_schema_has_properties(contract, schema, parent, 0) for schema in _response_schemas(contract, ctx))


def _schema_has_properties(contract: Contract, schema: Any, tokens: FieldPath, depth: int) -> bool:
    schema = contract.resolve(schema)
    if not isinstance(schema, dict) or depth > 32:
        return False
    if any(_schema_has_properties(contract, branch, tokens, depth + 1) for key in ("allOf", "anyOf", "oneOf") for branch in schema.get(key) or []):
        return True
    if not tokens:
        return isinstance(schema.get("properties"), dict) and schema.get("additionalProperties") in (None, False)
    token, rest = tokens[0], tokens[1:]
    if token is ANY_INDEX:
        items = [schema.get("items"), *(schema.get("prefixItems") or [])]
        return any(_schema_has_properties(contract, item, rest, depth + 1) for item in items if item is not None)
    properties = schema.get("properties")
    return isinstance(properties, dict) and token in properties and _schema_has_properties(contract, properties[token], rest, depth + 1)


def _null_everywhere(ctx: MismatchContext) -> bool:
    found = _missing_key(ctx)
    if found is None:
        return False
    key, parents = found
    return all(old[key] is None for old, _ in parents)


def _not_renamed(ctx: MismatchContext) -> bool:
    found = _missing_key(ctx)
    return found is not None and not _renamed(*found)


MISSING_FIELD = Precondition("a JSON field is missing in NEW", _is_missing_field)
NOT_RENAMED = Precondition("NEW added no sibling beside it (no rename)", _not_renamed)


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
    requires=(
        MISSING_FIELD,
        Precondition("OLD wrote null wherever NEW left the key out", _null_everywhere),
        NOT_RENAMED,
        Precondition("NEW's document (its own, or the shared contract) declares the field",
                     lambda ctx: _declared_in(_new_contract(ctx), ctx)),
    ),
)
def _null_omitted(ctx: MismatchContext) -> bool:
    return True


@divergence(
    "response-model-drops-keys",
    "Key missing in NEW: FastAPI's response_model drops undeclared keys",
    "Flask returns every key the handler built; FastAPI filters the answer through `response_model`, "
    "dropping keys the model does not declare (and filling defaults).",
    "Declare the field in the response model (or `model_config = ConfigDict(extra='allow')`), or "
    "confirm no client reads it and waive the group.",
    requires=(
        MISSING_FIELD,
        OLD_2XX,
        NOT_RENAMED,
        # OLD's value may be null: a model that does not declare the key drops it whatever its value
        # (null-field-omitted needs NEW's document to declare the field, so the two never overlap)
        # read only from NEW's own document: with one contract for both sides there is none,
        # and OLD's says nothing of NEW's models
        Precondition("NEW's own document declares a response model (listed properties) for this answer",
                     _declares_parent_model),
        Precondition("NEW's response model does not declare the field (a handler that removes a declared key is no filter)",
                     lambda ctx: not _declared_in(_own_new_contract(ctx), ctx)),
    ),
)
def _response_model(ctx: MismatchContext) -> bool:
    return True


@divergence(
    "nan-infinity",
    "NaN / Infinity in a float field",
    "Flask's json emits the invalid JSON tokens NaN/Infinity; FastAPI renders null or fails.",
    "Decide on one representation (null) and make both sides produce it; strict JSON parsers reject NaN.",
    requires=(
        Precondition("the difference is in the body", lambda ctx: ctx.difference.kind == "body"),
        Precondition("OLD's body holds a bare NaN/Infinity token (not inside a string)",
                     lambda ctx: bool(_BARE_NAN.search(ctx.old.text()))),
    ),
)
def _nan(ctx: MismatchContext) -> bool:
    return True



# ------------------------------------------------------------------ labels registered by their own module


def _discover_labels() -> None:
    """Import every module of `apiparity.fuzz.labels` (name order): each registers its entries."""
    import importlib
    import pkgutil

    from apiparity.fuzz import labels

    for info in sorted(pkgutil.iter_modules(labels.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{labels.__name__}.{info.name}")


_discover_labels()
