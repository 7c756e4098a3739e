"""The request body: presence, required, media types (schema keywords are in the `schemas` family)."""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

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
