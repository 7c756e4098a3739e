"""Request parameters in path, query, header and cookie: presence, required, serialization.

Schema keyword changes of a parameter are in the `schemas` family (`request-<in>-parameter-...`).
"""

from __future__ import annotations

from apiparity.diff.rules.base import Rule, Severity

F = "parameters"
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")

# (suffix, severity, description, message)
_KINDS: list[tuple[str, Severity, str, str]] = [
    ("added", "info", "An optional {loc} parameter was added.", "optional {loc} parameter {name!r} added"),
    ("added-required", "breaking", "A required {loc} parameter was added; requests without it are rejected.", "required {loc} parameter {name!r} added"),
    ("removed", "warning", "A {loc} parameter was removed; clients still sending it are ignored or rejected.", "{loc} parameter {name!r} removed"),
    ("became-required", "breaking", "An optional {loc} parameter became required.", "{loc} parameter {name!r} became required"),
    ("became-optional", "info", "A required {loc} parameter became optional.", "{loc} parameter {name!r} became optional"),
    ("style-changed", "breaking", "The serialization style of a {loc} parameter changed.", "{loc} parameter {name!r} style {old} -> {new}"),
    ("explode-changed", "breaking", "The explode flag of a {loc} parameter changed (arrays/objects serialize differently).", "{loc} parameter {name!r} explode {old} -> {new}"),
    ("deprecated", "info", "A {loc} parameter is now deprecated.", "{loc} parameter {name!r} is now deprecated"),
    ("undeprecated", "info", "A {loc} parameter is no longer deprecated.", "{loc} parameter {name!r} is no longer deprecated"),
    ("media-type-changed", "breaking", "The media type of a {loc} parameter's content changed.", "{loc} parameter {name!r} content {old} -> {new}"),
]

RULES = [
    Rule(f"request-{loc}-parameter-{suffix}", severity, "request", description.format(loc=loc), message.replace("{loc}", loc), F)
    for loc in PARAMETER_LOCATIONS
    for suffix, severity, description, message in _KINDS
]
RULES.append(
    Rule(
        "request-header-parameter-alias-renamed",
        "warning",
        "request",
        (
            "A header parameter is named with underscores on one side and dashes on the other (x_y vs x-y): compared as one"
            " parameter, but clients sending the old spelling may be ignored (ASGI servers keep the raw name, many proxies"
            " drop underscore headers); framework noise under the flask-fastapi profile, where `x_y` is a leaked Python name."
        ),
        "header parameter {old!r} -> {new!r}",
        F,
    )
)
RULES.extend(
    [
        Rule("request-body-added-required", "breaking", "request", "A required request body was added.", "required request body added", "request-bodies"),
        Rule("request-body-added-optional", "info", "request", "An optional request body was added.", "optional request body added", "request-bodies"),
        Rule("request-body-removed", "warning", "request", "The request body was removed; clients still sending one are ignored or rejected.", "request body removed", "request-bodies"),
        Rule("request-body-became-required", "breaking", "request", "The request body became required.", "request body became required", "request-bodies"),
        Rule("request-body-became-optional", "info", "request", "The request body became optional.", "request body became optional", "request-bodies"),
        Rule("request-body-media-type-added", "info", "request", "A request media type was added.", "request media type {name} added", "request-bodies"),
        Rule("request-body-media-type-removed", "breaking", "request", "A request media type was removed; clients sending it are rejected.", "request media type {name} removed", "request-bodies"),
        Rule("request-body-description-changed", "info", "request", "The request body description changed.", "request body description changed", "request-bodies"),
    ]
)
