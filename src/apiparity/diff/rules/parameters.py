"""Request parameters in path, query, header and cookie: presence, required, serialization.

Schema keyword changes of a parameter are in the `schemas` family (`request-<in>-parameter-...`).
"""

from __future__ import annotations

from apiparity.diff.rules.base import Rule, Severity

F = "parameters"
PARAMETER_LOCATIONS = ("path", "query", "header", "cookie")

# Kinds of change of one parameter; the rule ID is `request-<location>-parameter-<kind>`.
ADDED = "added"
ADDED_REQUIRED = "added-required"
REMOVED = "removed"
BECAME_REQUIRED = "became-required"
BECAME_OPTIONAL = "became-optional"
STYLE_CHANGED = "style-changed"
EXPLODE_CHANGED = "explode-changed"
DEPRECATED = "deprecated"
UNDEPRECATED = "undeprecated"
MEDIA_TYPE_CHANGED = "media-type-changed"

# (kind, severity, description, message)
_KINDS: list[tuple[str, Severity, str, str]] = [
    (ADDED, "info", "An optional {loc} parameter was added.", "optional {loc} parameter {name!r} added"),
    (ADDED_REQUIRED, "breaking", "A required {loc} parameter was added; requests without it are rejected.", "required {loc} parameter {name!r} added"),
    (REMOVED, "warning", "A {loc} parameter was removed; clients still sending it are ignored or rejected.", "{loc} parameter {name!r} removed"),
    (BECAME_REQUIRED, "breaking", "An optional {loc} parameter became required.", "{loc} parameter {name!r} became required"),
    (BECAME_OPTIONAL, "info", "A required {loc} parameter became optional.", "{loc} parameter {name!r} became optional"),
    (STYLE_CHANGED, "breaking", "The serialization style of a {loc} parameter changed.", "{loc} parameter {name!r} style {old} -> {new}"),
    (EXPLODE_CHANGED, "breaking", "The explode flag of a {loc} parameter changed (arrays/objects serialize differently).", "{loc} parameter {name!r} explode {old} -> {new}"),
    (DEPRECATED, "info", "A {loc} parameter is now deprecated.", "{loc} parameter {name!r} is now deprecated"),
    (UNDEPRECATED, "info", "A {loc} parameter is no longer deprecated.", "{loc} parameter {name!r} is no longer deprecated"),
    (MEDIA_TYPE_CHANGED, "breaking", "The media type of a {loc} parameter's content changed.", "{loc} parameter {name!r} content {old} -> {new}"),
]

# A path parameter is always required (OpenAPI; the normalizer makes it so), so it can never be
# added optional nor change requiredness: those combinations are not rules. (It can be added or
# removed, required, by a document that declares a path parameter its template does not use.)
NEVER = {"path": frozenset({ADDED, BECAME_REQUIRED, BECAME_OPTIONAL})}


def parameter_applies(location: str, kind: str) -> bool:
    return kind not in NEVER.get(location, frozenset())


def parameter_rule(location: str, kind: str) -> str:
    """The rule ID of `kind` for a parameter in `location`; ValueError for a combination that is no rule."""
    if location not in PARAMETER_LOCATIONS or kind not in _KIND_NAMES or not parameter_applies(location, kind):
        raise ValueError(f"no parameter rule for a {location} parameter {kind}")
    return f"request-{location}-parameter-{kind}"


_KIND_NAMES = frozenset(kind for kind, _, _, _ in _KINDS)

HEADER_ALIAS_RENAMED = "request-header-parameter-alias-renamed"

RULES = [
    Rule(parameter_rule(loc, kind), severity, "request", description.format(loc=loc), message.replace("{loc}", loc), F)
    for loc in PARAMETER_LOCATIONS
    for kind, severity, description, message in _KINDS
    if parameter_applies(loc, kind)
]
RULES.append(
    Rule(
        HEADER_ALIAS_RENAMED,
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
