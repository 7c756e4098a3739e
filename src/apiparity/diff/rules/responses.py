"""Responses: status codes, media types, headers (schema keywords are in the `schemas` family)."""

from __future__ import annotations

from apiparity.diff.rules.base import Rule

F = "responses"

RULES = [
    Rule("response-success-status-added", "info", "response", "A new success (2xx) status was added.", "success status {name} added", F),
    Rule("response-success-status-removed", "breaking", "response", "A success (2xx) status was removed; clients expecting it fail.", "success status {name} removed", F),
    Rule("response-non-success-status-added", "info", "response", "A new non-success status was documented.", "status {name} added", F),
    Rule("response-non-success-status-removed", "info", "response", "A non-success status is no longer documented.", "status {name} removed", F),
    Rule("response-status-became-range", "info", "response", "A status is now documented by its range (200 -> 2XX); the range's body is compared with the status's body.", "status {old} now documented as {new}", F),
    Rule("response-status-range-became-specific", "info", "response", "A status range is now documented by specific codes (2XX -> 200); each code's body is compared with the range's body.", "status range {old} now documented as {new}", F),
    Rule("response-default-added", "info", "response", "A default response was added.", "default response added", F),
    Rule("response-default-removed", "warning", "response", "The default response was removed.", "default response removed", F),
    Rule("response-media-type-added", "info", "response", "A response media type was added.", "response {status}: media type {name} added", F),
    Rule("response-media-type-removed", "breaking", "response", "A response media type was removed or changed; clients parsing it fail.", "response {status}: media type {name} removed", F),
    Rule("response-body-schema-added", "info", "response", "A response media type now declares a schema.", "response {status} {name}: schema added", F),
    Rule("response-body-schema-removed", "warning", "response", "A response media type no longer declares a schema.", "response {status} {name}: schema removed", F),
    Rule("response-description-changed", "info", "response", "A response description changed.", "response {status}: description {old!r} -> {new!r}", F),
    Rule("response-header-added", "info", "response", "A response header was added.", "response {status}: header {name!r} added", F),
    Rule("response-required-header-removed", "breaking", "response", "A required response header was removed.", "response {status}: required header {name!r} removed", F),
    Rule("response-optional-header-removed", "warning", "response", "An optional response header was removed.", "response {status}: optional header {name!r} removed", F),
    Rule("response-header-became-optional", "breaking", "response", "A response header is no longer guaranteed.", "response {status}: header {name!r} became optional", F),
    Rule("response-header-became-required", "info", "response", "A response header is now always sent.", "response {status}: header {name!r} became required", F),
]
