"""Responses: status codes, media types, headers (schema keywords are in the `schemas` family)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from apiparity.diff.rules.base import OperationDetector, Rule, Severity
from apiparity.diff.rules.schemas import RESPONSE_BODY, RESPONSE_HEADER, compare_schemas
from apiparity.spec.pointer import join as join_pointer

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import MediaType, Operation, Response

F = "responses"

SUCCESS_STATUS_ADDED = "response-success-status-added"
SUCCESS_STATUS_REMOVED = "response-success-status-removed"
NON_SUCCESS_STATUS_ADDED = "response-non-success-status-added"
NON_SUCCESS_STATUS_REMOVED = "response-non-success-status-removed"
STATUS_BECAME_RANGE = "response-status-became-range"
STATUS_RANGE_BECAME_SPECIFIC = "response-status-range-became-specific"
DEFAULT_ADDED = "response-default-added"
DEFAULT_REMOVED = "response-default-removed"
MEDIA_TYPE_ADDED = "response-media-type-added"
MEDIA_TYPE_REMOVED = "response-media-type-removed"
BODY_SCHEMA_ADDED = "response-body-schema-added"
BODY_SCHEMA_REMOVED = "response-body-schema-removed"
DESCRIPTION_CHANGED = "response-description-changed"
HEADER_ADDED = "response-header-added"
REQUIRED_HEADER_REMOVED = "response-required-header-removed"
OPTIONAL_HEADER_REMOVED = "response-optional-header-removed"
HEADER_BECAME_OPTIONAL = "response-header-became-optional"
HEADER_BECAME_REQUIRED = "response-header-became-required"

RULES = [
    Rule(SUCCESS_STATUS_ADDED, "info", "response", "A new success (2xx) status was added.", "success status {name} added", F),
    Rule(SUCCESS_STATUS_REMOVED, "breaking", "response", "A success (2xx) status was removed; clients expecting it fail.", "success status {name} removed", F),
    Rule(NON_SUCCESS_STATUS_ADDED, "info", "response", "A new non-success status was documented.", "status {name} added", F),
    Rule(NON_SUCCESS_STATUS_REMOVED, "info", "response", "A non-success status is no longer documented.", "status {name} removed", F),
    Rule(STATUS_BECAME_RANGE, "info", "response", "A status is now documented by its range (200 -> 2XX); the range's body is compared with the status's body.", "status {old} now documented as {new}", F),
    Rule(STATUS_RANGE_BECAME_SPECIFIC, "info", "response", "A status range is now documented by specific codes (2XX -> 200); each code's body is compared with the range's body.", "status range {old} now documented as {new}", F),
    Rule(DEFAULT_ADDED, "info", "response", "A default response was added.", "default response added", F),
    Rule(DEFAULT_REMOVED, "warning", "response", "The default response was removed.", "default response removed", F),
    Rule(MEDIA_TYPE_ADDED, "info", "response", "A response media type was added.", "response {status}: media type {name} added", F),
    Rule(MEDIA_TYPE_REMOVED, "breaking", "response", "A response media type was removed or changed; clients parsing it fail.", "response {status}: media type {name} removed", F),
    Rule(BODY_SCHEMA_ADDED, "info", "response", "A response media type now declares a schema.", "response {status} {name}: schema added", F),
    Rule(BODY_SCHEMA_REMOVED, "warning", "response", "A response media type no longer declares a schema.", "response {status} {name}: schema removed", F),
    Rule(DESCRIPTION_CHANGED, "info", "response", "A response description changed.", "response {status}: description {old!r} -> {new!r}", F),
    Rule(HEADER_ADDED, "info", "response", "A response header was added.", "response {status}: header {name!r} added", F),
    Rule(REQUIRED_HEADER_REMOVED, "breaking", "response", "A required response header was removed.", "response {status}: required header {name!r} removed", F),
    Rule(OPTIONAL_HEADER_REMOVED, "warning", "response", "An optional response header was removed.", "response {status}: optional header {name!r} removed", F),
    Rule(HEADER_BECAME_OPTIONAL, "breaking", "response", "A response header is no longer guaranteed.", "response {status}: header {name!r} became optional", F),
    Rule(HEADER_BECAME_REQUIRED, "info", "response", "A response header is now always sent.", "response {status}: header {name!r} became required", F),
]

# In a webhook (apiparity.diff.rules.webhooks) the responses are the answer the provider expects
# from consumers, judged like a request: each rule's severity there, for its `webhook-` twin.
WEBHOOK_SEVERITY: dict[str, Severity] = {
    SUCCESS_STATUS_ADDED: "info",
    SUCCESS_STATUS_REMOVED: "breaking",  # a consumer answering it is now a failed delivery
    NON_SUCCESS_STATUS_ADDED: "info",
    NON_SUCCESS_STATUS_REMOVED: "info",
    STATUS_BECAME_RANGE: "info",
    STATUS_RANGE_BECAME_SPECIFIC: "info",
    DEFAULT_ADDED: "info",
    DEFAULT_REMOVED: "info",
    MEDIA_TYPE_ADDED: "info",
    MEDIA_TYPE_REMOVED: "breaking",  # consumers answering in it are rejected
    BODY_SCHEMA_ADDED: "warning",  # answers are now constrained
    BODY_SCHEMA_REMOVED: "info",
    DESCRIPTION_CHANGED: "info",
    HEADER_ADDED: "info",
    REQUIRED_HEADER_REMOVED: "info",
    OPTIONAL_HEADER_REMOVED: "info",
    HEADER_BECAME_OPTIONAL: "info",
    HEADER_BECAME_REQUIRED: "breaking",  # consumers must now send it
}


def status_rule(status: str, change: Literal["added", "removed"]) -> str:
    """The rule of a documented status that appeared or disappeared: default, success (2xx) or other."""
    if status == "DEFAULT":
        return DEFAULT_ADDED if change == "added" else DEFAULT_REMOVED
    if status.startswith("2"):
        return SUCCESS_STATUS_ADDED if change == "added" else SUCCESS_STATUS_REMOVED
    return NON_SUCCESS_STATUS_ADDED if change == "added" else NON_SUCCESS_STATUS_REMOVED


def detect(ctx: DiffContext, old: Operation, new: Operation) -> None:
    """Statuses matched by code (or code and range), then each pair's description, content, headers."""
    pairs = [(status, status) for status in old.responses if status in new.responses]
    ranged = _range_pairs(old.responses, new.responses)
    paired_old = {o for o, _ in ranged}
    paired_new = {n for _, n in ranged}
    for status, response in old.responses.items():
        if status not in new.responses and status not in paired_old:
            ctx.add(status_rule(status, "removed"), old, "response", old_pointer=response.pointer, name=status, status=status)
    for status, response in new.responses.items():
        if status not in old.responses and status not in paired_new:
            ctx.add(status_rule(status, "added"), old, "response", new_pointer=response.pointer, name=status, status=status)
    for old_status, new_status in ranged:
        rule = STATUS_BECAME_RANGE if _is_range(new_status) else STATUS_RANGE_BECAME_SPECIFIC
        ctx.add(rule, old, "response", old_pointer=old.responses[old_status].pointer, new_pointer=new.responses[new_status].pointer, old_value=old_status, new_value=new_status, name=old_status, status=old_status)
    for old_status, new_status in pairs + ranged:
        _response(ctx, old, old_status, old.responses[old_status], new.responses[new_status])


def _response(ctx: DiffContext, op: Operation, status: str, old: Response, new: Response) -> None:
    if (old.description or "") != (new.description or ""):
        pointers = {"old_pointer": join_pointer(old.pointer, "description"), "new_pointer": join_pointer(new.pointer, "description")}
        ctx.add(DESCRIPTION_CHANGED, op, "response", old_value=old.description, new_value=new.description, status=status, **pointers)
    _content(ctx, op, status, old.content, new.content)
    for name, header in old.headers.items():
        match = new.headers.get(name)
        if match is None:
            rule = REQUIRED_HEADER_REMOVED if header.required else OPTIONAL_HEADER_REMOVED
            ctx.add(rule, op, "response", old_pointer=header.pointer, name=header.name, status=status)
            continue
        if header.required != match.required:
            rule = HEADER_BECAME_REQUIRED if match.required else HEADER_BECAME_OPTIONAL
            ctx.add(rule, op, "response", old_pointer=header.pointer, new_pointer=match.pointer, name=header.name, status=status)
        compare_schemas(ctx, op, RESPONSE_HEADER, f"response {status} header {header.name!r}", header.schema, match.schema, status)
    for name, header in new.headers.items():
        if name not in old.headers:
            ctx.add(HEADER_ADDED, op, "response", new_pointer=header.pointer, name=header.name, status=status)


def _content(ctx: DiffContext, op: Operation, status: str, old: dict[str, MediaType], new: dict[str, MediaType]) -> None:
    for media_type, media in old.items():
        if media_type not in new:
            ctx.add(MEDIA_TYPE_REMOVED, op, "response", old_pointer=media.pointer, name=media_type, status=status)
    for media_type, media in new.items():
        if media_type not in old:
            ctx.add(MEDIA_TYPE_ADDED, op, "response", new_pointer=media.pointer, name=media_type, status=status)
    several = len(old) > 1
    for media_type, old_media in old.items():
        new_media = new.get(media_type)
        if new_media is None:
            continue
        if (old_media.schema is None) != (new_media.schema is None):
            rule = BODY_SCHEMA_REMOVED if new_media.schema is None else BODY_SCHEMA_ADDED
            ctx.add(rule, op, "response", old_pointer=old_media.pointer, new_pointer=new_media.pointer, name=media_type, status=status)
            continue
        place = f"response {status} body ({media_type})" if several else f"response {status} body"
        compare_schemas(ctx, op, RESPONSE_BODY, place, old_media.schema, new_media.schema, status, media_type)


def _is_range(status: str) -> bool:
    return len(status) == 3 and status[0] in "12345" and status[1:] == "XX"


def _range_pairs(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """Statuses present on one side only that the other side covers with a range: `200` -> `2XX`
    (the range now documents what 200 did) and `2XX` -> `200`, `201` (the codes now named). The
    pair's bodies and headers are compared like one response."""
    pairs = []
    for status in old:
        if status in new:
            continue
        if status.isdigit() and len(status) == 3:
            family = f"{status[0]}XX"
            if family in new and family not in old:
                pairs.append((status, family))
        elif _is_range(status):
            pairs.extend((status, code) for code in new if code not in old and code.isdigit() and code[0] == status[0])
    return pairs


DETECTORS = [OperationDetector(detect, order=40)]
