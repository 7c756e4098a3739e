"""Stateful sequences from OpenAPI links, with identifiers mapped across sides.

A link says "the `id` in POST /items' 201 answer is the `item_id` of GET /items/{item_id}". Each
side creates its own resource and numbers it its own way (OLD answers `id: 7`, NEW `id: 12`), so a
follow-up step sends OLD's 7 to OLD and NEW's 12 to NEW, and the pair (7, 12) is recorded in an
`IdentityMap`: wherever OLD says 7 and NEW says 12 afterwards, that is the same thing, not a
difference. The same goes for slugs and tokens a link carries.

Runtime expressions (`$response.body#/id`, `$response.header.Location`, `$request.path.id`) are
evaluated by schemathesis' own evaluator.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.spec import pointer
from apiparity.spec.contract import Contract



@dataclass(slots=True)
class Link:
    name: str
    source: str  # "POST /items"
    status: str  # the response key the link hangs on: "201", "2XX", "default"
    target: str  # "GET /items/{item_id}"
    parameters: dict[str, tuple[str | None, Any]] = field(default_factory=dict)  # name -> (location or None, expression)
    inferred: bool = False  # not in the document: apiparity.fuzz.links inferred it

    def applies_to(self, status: int) -> bool:
        """Whether the source's answer `status` makes the link fire: a link on any success answer
        (`201`, `2XX`, `default`) fires on every 2XX, since an app that answers 200 where its
        document says 201 still created the thing (the status difference is reported on its own)."""
        key = self.status.upper()
        if key == "DEFAULT" or (key[:1] == "2" and 200 <= status < 300):
            return 200 <= status < 300
        if key.endswith("XX"):
            return str(status)[0] == key[0]
        return key == str(status)

    @property
    def response_expressions(self) -> list[str]:
        """The expressions that read the source's answer: they name what identifies the created thing."""
        return [expr for _, expr in self.parameters.values() if isinstance(expr, str) and expr.startswith("$response.")]


def collect_links(document: Contract | dict[str, Any]) -> list[Link]:
    """Every usable link of the document (or its contract model), in document order; links to
    unknown operations are dropped."""
    operations = {operation.label: operation for operation in Contract.of(document).operations()}
    by_id = {str(op.raw["operationId"]): label for label, op in operations.items() if op.raw.get("operationId")}
    links: list[Link] = []
    for label, operation in operations.items():
        for status, response in operation.responses.items():
            for name, raw in response.links.items():
                target = by_id.get(str(raw.get("operationId"))) if raw.get("operationId") else _operation_ref(raw.get("operationRef"))
                if target is None or target not in operations:
                    continue
                parameters: dict[str, tuple[str | None, Any]] = {}
                for key, expression in (raw.get("parameters") or {}).items():
                    location, dot, name_only = str(key).partition(".")
                    if dot and location in ("path", "query", "header", "cookie"):
                        parameters[name_only] = (location, expression)
                    else:
                        parameters[str(key)] = (None, expression)
                links.append(Link(str(name), label, str(status), target, parameters))
    return links


def infer_links(document: Contract | dict[str, Any]) -> list[Link]:
    """Links a document that declares none implies: see `apiparity.fuzz.links.infer_links`."""
    from apiparity.fuzz.links import infer_links as infer

    return infer(document)


def _operation_ref(ref: Any) -> str | None:
    """`#/paths/~1items~1{item_id}/get` -> "GET /items/{item_id}" (local references only)."""
    if not isinstance(ref, str) or not ref.startswith("#/paths/"):
        return None
    parts = pointer.split(ref[1:])  # ["paths", path, method]
    if len(parts) != 3:
        return None
    return f"{parts[2].upper()} {parts[1]}"


class IdentityMap:
    """Pairs (OLD's value, NEW's value) that stand for the same created thing on each side."""

    __slots__ = ("pairs",)

    def __init__(self) -> None:
        self.pairs: set[tuple[str, str]] = set()

    def record(self, old_value: Any, new_value: Any) -> None:
        from apiparity.fuzz.noise import shape

        # a uuid on OLD and a number on NEW is no renumbering but a changed id format: never equal
        if _is_identifier(old_value) and _is_identifier(new_value) and old_value != new_value and shape(old_value) == shape(new_value):
            self.pairs.add((_key(old_value), _key(new_value)))

    def same(self, old_value: Any, new_value: Any) -> bool:
        if not self.pairs or not (_is_identifier(old_value) and _is_identifier(new_value)):
            return False
        return (_key(old_value), _key(new_value)) in self.pairs

    def same_text(self, old_text: Any, new_text: Any) -> bool:
        """Two paths (a Location header) equal once each side's identifiers are mapped segment by segment."""
        if not self.pairs or not isinstance(old_text, str) or not isinstance(new_text, str):
            return False
        old_parts, new_parts = old_text.split("/"), new_text.split("/")
        if len(old_parts) != len(new_parts):
            return False
        return all(a == b or (_key(a), _key(b)) in self.pairs or (_key(_number(a)), _key(_number(b))) in self.pairs
                   for a, b in zip(old_parts, new_parts))


def _is_identifier(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool) and value != ""


def _number(text: str) -> Any:
    return int(text) if text.isdigit() else text


def _key(value: Any) -> str:
    return json.dumps(value)


# --------------------------------------------------------------------------- runtime expressions


def evaluate(expression: Any, case: Any, request: WireRequest, response: WireResponse) -> Any:
    """The value of a link expression against one side's step; None when it does not resolve."""
    if not isinstance(expression, str) or "$" not in expression:
        return expression  # a constant
    from schemathesis.core.transforms import Unresolvable
    from schemathesis.generation.stateful.state_machine import StepOutput
    from schemathesis.specs.openapi.expressions import evaluate as schemathesis_evaluate

    try:
        value = schemathesis_evaluate(expression, StepOutput(_schemathesis_response(request, response), case))
    except Exception:  # noqa: BLE001 - an expression that does not fit this answer resolves to nothing
        return None
    return None if isinstance(value, Unresolvable) else value


def _schemathesis_response(request: WireRequest, response: WireResponse) -> Any:
    import requests
    from schemathesis.core.transport import Response

    prepared = requests.Request(request.method, "http://localhost" + request.target, headers=dict(request.headers), data=request.body).prepare()
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), []).append(value)
    return Response(status_code=response.status, headers=headers, content=response.body, request=prepared,
                    elapsed=response.elapsed_ms / 1000, verify=False)


def record_identities(links: list[Link], case: Any, old_request: WireRequest, old: WireResponse, new_request: WireRequest,
                      new: WireResponse, identities: IdentityMap) -> None:
    """After a source step answered with success on both sides: remember OLD's and NEW's values of
    everything its links carry forward."""
    if not (200 <= old.status < 300 and 200 <= new.status < 300):
        return
    for link in links:
        for expression in link.response_expressions:
            identities.record(evaluate(expression, case, old_request, old), evaluate(expression, case, new_request, new))


# --------------------------------------------------------------------------- binding a follow-up step


def parameter_location(document: Contract | dict[str, Any], label: str, name: str) -> str | None:
    """Where operation `label` takes parameter `name` (path, query, header, cookie)."""
    operation = Contract.of(document).operation_of(label)
    found = next((p for p in operation.parameters if p.raw["name"] == name), None) if operation is not None else None
    return str(found.raw.get("in")) if found is not None else None


_KEEP = object()


def bind(case: Any, values: dict[str, tuple[str, Any]], body: Any = _KEEP) -> Any:
    """A new schemathesis case like `case` with the linked parameters set to one side's values
    (and `body` instead of its body, when given)."""
    from schemathesis.core import NOT_SET

    parts: dict[str, dict[str, Any]] = {
        "path": dict(case.path_parameters or {}),
        "query": dict(case.query or {}),
        "header": dict(case.headers or {}),
        "cookie": dict(case.cookies or {}),
    }
    for name, (location, value) in values.items():
        if location in parts:
            parts[location][name] = value if location in ("path", "query") or isinstance(value, str) else json.dumps(value)
    kwargs: dict[str, Any] = {
        "operation": case.operation,
        "method": case.method,
        "path_parameters": parts["path"],
        "query": parts["query"],
        "headers": parts["header"],
        "cookies": parts["cookie"],
        "media_type": case.media_type,
        "meta": case.meta,
    }
    if body is not _KEEP:
        kwargs["body"] = body
    elif case.body is not NOT_SET:
        kwargs["body"] = copy.deepcopy(case.body)
    return case.operation.schema.make_case(**kwargs)
