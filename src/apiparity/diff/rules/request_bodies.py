"""The request body: presence, required, media types (schema keywords are in the `schemas` family)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apiparity.diff.rules.base import OperationDetector, Rule, Severity
from apiparity.diff.rules.schemas import REQUEST_BODY, compare_schemas

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import Operation

F = "request-bodies"

ADDED_REQUIRED = "request-body-added-required"
ADDED_OPTIONAL = "request-body-added-optional"
REMOVED = "request-body-removed"
BECAME_REQUIRED = "request-body-became-required"
BECAME_OPTIONAL = "request-body-became-optional"
MEDIA_TYPE_ADDED = "request-body-media-type-added"
MEDIA_TYPE_REMOVED = "request-body-media-type-removed"
DESCRIPTION_CHANGED = "request-body-description-changed"

RULES = [
    Rule(ADDED_REQUIRED, "breaking", "request", "A required request body was added.", "required request body added", F),
    Rule(ADDED_OPTIONAL, "info", "request", "An optional request body was added.", "optional request body added", F),
    Rule(REMOVED, "warning", "request", "The request body was removed; clients still sending one are ignored or rejected.", "request body removed", F),
    Rule(BECAME_REQUIRED, "breaking", "request", "The request body became required.", "request body became required", F),
    Rule(BECAME_OPTIONAL, "info", "request", "The request body became optional.", "request body became optional", F),
    Rule(MEDIA_TYPE_ADDED, "info", "request", "A request media type was added.", "request media type {name} added", F),
    Rule(MEDIA_TYPE_REMOVED, "breaking", "request", "A request media type was removed; clients sending it are rejected.", "request media type {name} removed", F),
    Rule(DESCRIPTION_CHANGED, "info", "request", "The request body description changed.", "request body description changed", F),
]

# In a webhook (apiparity.diff.rules.webhooks) the provider sends the body and consumers read it:
# each rule's severity there, for its `webhook-` twin.
WEBHOOK_SEVERITY: dict[str, Severity] = {
    ADDED_REQUIRED: "info",
    ADDED_OPTIONAL: "info",
    REMOVED: "breaking",  # consumers reading it get nothing
    BECAME_REQUIRED: "info",
    BECAME_OPTIONAL: "breaking",  # may be missing
    MEDIA_TYPE_ADDED: "breaking",  # the provider may send what consumers cannot parse
    MEDIA_TYPE_REMOVED: "info",
    DESCRIPTION_CHANGED: "info",
}


def detect(ctx: DiffContext, old: Operation, new: Operation) -> None:
    old_body, new_body = old.request_body, new.request_body
    if old_body is None:
        if new_body is None:
            return
        ctx.add(ADDED_REQUIRED if new_body.required else ADDED_OPTIONAL, old, "request", new_pointer=new_body.pointer)
        return
    if new_body is None:
        ctx.add(REMOVED, old, "request", old_pointer=old_body.pointer)
        return
    common = {"old_pointer": old_body.pointer, "new_pointer": new_body.pointer}
    if old_body.required != new_body.required:
        ctx.add(BECAME_REQUIRED if new_body.required else BECAME_OPTIONAL, old, "request", **common)
    if (old_body.description or None) != (new_body.description or None):
        ctx.add(DESCRIPTION_CHANGED, old, "request", old_value=old_body.description, new_value=new_body.description, **common)
    old_content, new_content = old_body.content, new_body.content
    for media_type, media in old_content.items():
        if media_type not in new_content:
            ctx.add(MEDIA_TYPE_REMOVED, old, "request", old_pointer=media.pointer, name=media_type, status="")
    for media_type, media in new_content.items():
        if media_type not in old_content:
            ctx.add(MEDIA_TYPE_ADDED, old, "request", new_pointer=media.pointer, name=media_type, status="")
    several = len(old_content) > 1
    for media_type, old_media in old_content.items():
        new_media = new_content.get(media_type)
        if new_media is not None:
            place = f"request body ({media_type})" if several else "request body"
            compare_schemas(ctx, old, REQUEST_BODY, place, old_media.schema, new_media.schema, "", media_type)


DETECTORS = [OperationDetector(detect, order=30)]
