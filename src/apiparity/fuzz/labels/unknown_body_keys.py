"""`unknown-body-keys`: a JSON body with a key the API does not declare, refused by the legacy
Flask app and accepted by the FastAPI port.

marshmallow 3 schemas (webargs, flask-smorest) raise on unknown fields by default (`unknown=RAISE`),
and a flask-openapi3 model may forbid extras (`extra="forbid"`): OLD answers 400/422 naming the key.
pydantic models ignore unknown keys by default (`extra="ignore"`), so the FastAPI port drops the key
and answers 2xx. A client that relied on the 4xx to catch a typo (`emial`) now has it silently
ignored.
"""

from __future__ import annotations

import json
from typing import Any

from apiparity.fuzz.divergences import STATUS_DIFFERENCE, MismatchContext, Precondition, divergence
from apiparity.spec.contract import Contract


def _body_object(ctx: MismatchContext) -> dict[str, Any] | None:
    """The request's body when it is a JSON object, else None."""
    if "json" not in (ctx.request.header("content-type") or "").lower() or not ctx.request.body:
        return None
    try:
        body = json.loads(ctx.request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _declared_properties(contract: Contract, schema: Any, depth: int = 0) -> set[str] | None:
    """The property names an object schema declares (every allOf/anyOf/oneOf branch together);
    None when it declares none (no properties to tell an unknown key by)."""
    schema = contract.resolve(schema)
    if not isinstance(schema, dict) or depth > 16:
        return None
    found: set[str] | None = set(schema["properties"]) if isinstance(schema.get("properties"), dict) else None
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            names = _declared_properties(contract, branch, depth + 1)
            if names is not None:
                found = (found or set()) | names
    return found


def request_body_properties(source: Contract | dict[str, Any] | None, operation: str) -> set[str] | None:
    """The top-level properties a document (or its contract model) declares for the JSON request
    body of `operation` ("POST /users"); None when it declares no such body or no properties."""
    if source is None:
        return None
    contract = Contract.of(source)
    found = contract.operation_of(operation)
    media = found.request_body.json_media() if found is not None and found.request_body is not None else None
    return _declared_properties(contract, media.schema) if media is not None else None


def undeclared_keys(ctx: MismatchContext) -> list[str]:
    """Keys of the request's JSON object body that NEW's document (its own, else the shared one)
    does not declare for the body; [] when the document declares no properties to judge by."""
    body = _body_object(ctx)
    contract = ctx.new_contract if ctx.new_contract is not None else ctx.contract
    declared = request_body_properties(contract, ctx.request.operation)
    if body is None or declared is None:
        return []
    return [key for key in body if key not in declared]


def _names(value: Any, key: str) -> bool:
    """`key` appears in OLD's error JSON as a key, a string (a `loc` entry, a field name) or inside a
    message in quotes."""
    if isinstance(value, dict):
        return key in value or any(_names(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_names(v, key) for v in value)
    if isinstance(value, str):
        return value == key or f"'{key}'" in value or f'"{key}"' in value
    return False


def _old_names_an_undeclared_key(ctx: MismatchContext) -> bool:
    keys = undeclared_keys(ctx)
    ok, body = ctx.old.json()
    if ok:
        return any(_names(body, key) for key in keys)
    text = ctx.old.text()
    return any(f"'{key}'" in text or f'"{key}"' in text for key in keys)


@divergence(
    "unknown-body-keys",
    "Unknown key in a JSON body: refused by Flask (marshmallow/extra=forbid), ignored by FastAPI",
    "marshmallow 3 schemas (webargs, flask-smorest) raise on unknown fields by default (`unknown=RAISE`), "
    "and a flask-openapi3 model may forbid extras: the legacy app answers 400/422 naming the key. pydantic "
    "models ignore unknown keys by default (`extra='ignore'`), so the FastAPI port drops the key and "
    "succeeds: a client's misspelt field is silently ignored instead of refused.",
    "Forbid extras on the FastAPI body model (`model_config = ConfigDict(extra='forbid')`; pydantic 1: "
    "`class Config: extra = 'forbid'`) and map the 422 to the legacy status and body, or accept the "
    "widening (no client is refused now) and accept the label with a reason.",
    requires=(
        STATUS_DIFFERENCE,
        Precondition("OLD refused (400/422), NEW answered 2xx",
                     lambda ctx: ctx.old.status in (400, 422) and 200 <= ctx.new.status < 300),
        Precondition("the JSON object body has a key NEW's document does not declare for it",
                     lambda ctx: bool(undeclared_keys(ctx))),
        Precondition("OLD's answer names such a key", _old_names_an_undeclared_key),
    ),
)
def _unknown_body_keys(ctx: MismatchContext) -> bool:
    return True
