"""OpenAPI 3.1 `webhooks`: the same findings as an operation's, with the directions reversed.

For a webhook the provider sends the request and the consumer answers it. A change to what the
provider sends (the webhook's request body and headers) is judged the way a response change is
(widening it may break consumers), and a change to the answer it expects (the webhook's responses)
the way a request change is (narrowing it rejects answers consumers give). Every rule an operation
can report has a `webhook-` twin here, its severity mirrored: from the other direction's column of
the schema table, and for the other families from the `WEBHOOK_SEVERITY` each declares next to its
rows (collected in `MIRRORED`; a meta-test keeps both complete). Adding a rule to a family is its
row and its webhook severity there, no edit here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from apiparity.diff.rules import documents, operations, parameters, request_bodies, responses
from apiparity.diff.rules.base import OperationSet, Perspective, Rule
from apiparity.diff.rules.schemas import (
    COMPARED_AS,
    NOT_ON_THE_WIRE,
    ONLY_AT,
    REQUEST_BODY,
    RESPONSE_BODY,
    RESPONSE_HEADER,
    SCHEMA_KINDS,
    SCHEMA_LOCATIONS,
    TEXT_LOCATIONS,
)

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import NormalizedDocument, Operation

F = "webhooks"
PREFIX = "webhook-"
ADDED = "webhook-added"
REMOVED = "webhook-removed"
Severity = Literal["breaking", "warning", "info"]

# Schema locations of an operation -> the direction a webhook's change there is judged in.
MIRRORED_LOCATIONS: dict[str, str] = {location: ("response" if direction == "request" else "request")
                                      for location, (direction, _) in SCHEMA_LOCATIONS.items()}

# Non-schema rules of an operation -> the severity of the same change in a webhook, as each family
# declares it next to its rows (`WEBHOOK_SEVERITY`); a meta-test keeps them complete.
MIRRORED: dict[str, Severity] = {
    **parameters.WEBHOOK_SEVERITY,
    **request_bodies.WEBHOOK_SEVERITY,  # the body the provider sends
    **responses.WEBHOOK_SEVERITY,  # the answer the provider expects from consumers
    **operations.WEBHOOK_SEVERITY,  # the webhook as a whole
    **documents.WEBHOOK_SEVERITY,
}

_SWAP = {"request": "response", "response": "request"}


def webhook_rule_id(rule_id: str) -> str:
    return PREFIX + rule_id


_BODY_MIRROR = {"request-body": "response-body", "response-body": "request-body"}


def webhook_schema_rule_applies(location: str, kind: str) -> bool:
    """Like `schema_rule_applies`, for the webhook twin of `location`: a oneOf overlap matters
    where a JSON body is sent to the provider (the webhook's answer, `response-body`); parameters
    and headers are text on the wire either way."""
    if kind in ONLY_AT:
        return location in {_BODY_MIRROR.get(place, place) for place in ONLY_AT[kind]}
    # the answer's headers are text a consumer sends, compared like request parameters
    return not (location in TEXT_LOCATIONS | {"response-header"} and kind in NOT_ON_THE_WIRE)


def _schema_rule(location: str, kind: str) -> Rule:
    request_severity, response_severity, description, message = SCHEMA_KINDS[kind]
    direction = MIRRORED_LOCATIONS[location]
    severity = request_severity if direction == "request" else response_severity
    place = SCHEMA_LOCATIONS[location][1]
    return Rule(f"{PREFIX}{location}-{kind}", severity, direction,  # type: ignore[arg-type]
                f"In a webhook's {place} (judged as a {direction}), {description}.", "{where}: " + message, F, PREFIX + location, kind)


def _mirror(rule: Rule) -> Rule:
    direction = _SWAP.get(rule.direction, rule.direction)
    location = PREFIX + rule.location if rule.location else ""
    return Rule(PREFIX + rule.id, MIRRORED[rule.id], direction, f"Webhook: {rule.description}", rule.message, F,  # type: ignore[arg-type]
                location, rule.kind)


def _operation_rules() -> list[Rule]:
    return [*parameters.RULES, *request_bodies.RULES, *responses.RULES,
            *(r for r in operations.RULES if r.id in MIRRORED),
            *(r for r in documents.RULES if r.id in MIRRORED)]


RULES = [
    Rule(ADDED, "info", "operation", "A webhook (or one of its methods) was added.", "webhook {where} added", F),
    Rule(REMOVED, "breaking", "operation", "A webhook (or one of its methods) was removed; consumers stop receiving it.", "webhook {where} removed", F),
    *(_schema_rule(location, kind) for location in SCHEMA_LOCATIONS for kind in SCHEMA_KINDS if webhook_schema_rule_applies(location, kind)),
    *(_mirror(rule) for rule in _operation_rules()),
]


# ------------------------------------------------------------------------------------- detection
# A matched webhook is handed to every operation detector (apiparity.diff.describe) seen through
# WEBHOOK: rule IDs take the `webhook-` prefix, request and response swap, and its schemas are
# compared in the mirrored direction (what the provider sends as a response, the consumers' answer
# as a request, the answer's headers as text like request parameters).
_MIRRORED_COMPARISON: dict[str, tuple[str, bool]] = {
    REQUEST_BODY: COMPARED_AS[RESPONSE_BODY],
    **{location: ("response", True) for location in TEXT_LOCATIONS},
    RESPONSE_BODY: COMPARED_AS[REQUEST_BODY],
    RESPONSE_HEADER: ("request", True),
}
WEBHOOK = Perspective("webhook", _MIRRORED_COMPARISON, webhook_schema_rule_applies, rule_prefix=PREFIX, mirrored=True)


def presence(ctx: DiffContext, old: Operation | None, new: Operation | None) -> None:
    """A webhook (matched by method and name) on one side only."""
    if old is not None and new is None:
        ctx.add(REMOVED, old, "operation", old_pointer=old.pointer, where=f"{old.method} {old.path}")
    elif new is not None and old is None:
        ctx.add(ADDED, new, "operation", new_pointer=new.pointer, where=f"{new.method} {new.path}")


def _webhooks(document: NormalizedDocument) -> dict[tuple[str, str], Operation]:
    return document.webhooks


DETECTORS = [OperationSet(_webhooks, presence, WEBHOOK, order=20)]
