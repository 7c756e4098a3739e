"""`json-body-content-type`: a body not sent as JSON, refused by Flask's `request.get_json()` with
415 Unsupported Media Type, answered by FastAPI's body model with its own validation error.

Flask 2.3+ (Werkzeug 2.3+) raises 415 from `request.get_json()` / `request.json` when the request's
Content-Type is not `application/json` (before 2.3 it returned None, or answered 400). A FastAPI
body model never answers 415: a missing body is a 422 `body` "Field required", a JSON body sent
without a Content-Type is parsed and accepted, and a body sent as another media type is a 422 too.
A client that sends no body or forgets the header sees another status (and a JSON body instead of
Werkzeug's HTML page). Only where NEW routes the request: a 404/405 from NEW's router (a path or
method its document does not declare) says the route is gone, not how its body is read.
"""

from __future__ import annotations

from apiparity.fuzz.divergences import NEW_ROUTES, STATUS_DIFFERENCE, MismatchContext, Precondition, divergence


def _not_sent_as_json(ctx: MismatchContext) -> bool:
    content_type = (ctx.request.header("content-type") or "").split(";", 1)[0].strip().lower()
    return not (content_type == "application/json" or content_type.endswith("+json"))


@divergence(
    "json-body-content-type",
    "Body not sent as JSON: Flask's get_json() answers 415, FastAPI 422 (or accepts it)",
    "Flask 2.3+ raises 415 Unsupported Media Type from `request.get_json()` / `request.json` when the "
    "request's Content-Type is not application/json, before the handler's own checks run. A FastAPI body "
    "model never answers 415: no body is a 422 (`body` field required), a JSON body without a "
    "Content-Type is parsed and accepted, another media type is a 422.",
    "If clients rely on the 415, add a dependency on the FastAPI route that answers 415 when the "
    "Content-Type is not application/json (before the body model runs); otherwise accept the label: the "
    "415 was Werkzeug's, not the API's, and no client sending JSON is affected.",
    requires=(
        STATUS_DIFFERENCE,
        Precondition("OLD answered 415 Unsupported Media Type, NEW did not",
                     lambda ctx: ctx.old.status == 415 and ctx.new.status != 415),
        Precondition("the request's Content-Type is not JSON (or there is none)", _not_sent_as_json),
        # a 404 for a path NEW no longer has is its router's: the route was removed, not its body checks changed
        NEW_ROUTES,
    ),
)
def _json_body_content_type(ctx: MismatchContext) -> bool:
    return True
