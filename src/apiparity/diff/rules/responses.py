"""Responses: status codes, media types, headers (schema keywords are in the `schemas` family)."""

from __future__ import annotations

from typing import Literal

from apiparity.diff.rules.base import Rule

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


def status_rule(status: str, change: Literal["added", "removed"]) -> str:
    """The rule of a documented status that appeared or disappeared: default, success (2xx) or other."""
    if status == "DEFAULT":
        return DEFAULT_ADDED if change == "added" else DEFAULT_REMOVED
    if status.startswith("2"):
        return SUCCESS_STATUS_ADDED if change == "added" else SUCCESS_STATUS_REMOVED
    return NON_SUCCESS_STATUS_ADDED if change == "added" else NON_SUCCESS_STATUS_REMOVED
