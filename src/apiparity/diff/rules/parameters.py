"""Request parameters in path, query, header and cookie: presence, required, serialization.

Schema keyword changes of a parameter are in the `schemas` family (`request-<in>-parameter-...`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apiparity.diff.rules.base import OperationDetector, Rule, Severity
from apiparity.diff.rules.schemas import compare_schemas, parameter_location

if TYPE_CHECKING:
    from apiparity.diff.describe import DiffContext
    from apiparity.spec.normalize import Operation, Parameter

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
    Rule(parameter_rule(loc, kind), severity, "request", description.format(loc=loc), message.replace("{loc}", loc), F, parameter_location(loc), kind)
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
        parameter_location("header"),
        "alias-renamed",
    )
)

# In a webhook (apiparity.diff.rules.webhooks) the provider sends the parameters (headers, mostly)
# and consumers read them: each kind's severity there, for the rule's `webhook-` twin.
_WEBHOOK_KIND_SEVERITY: dict[str, Severity] = {
    ADDED: "info",
    ADDED_REQUIRED: "info",  # now always sent
    REMOVED: "breaking",  # consumers reading it get nothing
    BECAME_REQUIRED: "info",
    BECAME_OPTIONAL: "breaking",  # may be missing
    STYLE_CHANGED: "breaking",
    EXPLODE_CHANGED: "breaking",
    DEPRECATED: "info",
    UNDEPRECATED: "info",
    MEDIA_TYPE_CHANGED: "breaking",
}
WEBHOOK_SEVERITY: dict[str, Severity] = {
    **{parameter_rule(loc, kind): severity for loc in PARAMETER_LOCATIONS for kind, severity in _WEBHOOK_KIND_SEVERITY.items()
       if parameter_applies(loc, kind)},
    HEADER_ALIAS_RENAMED: "warning",
}

# How a parameter's schema is named in messages.
_PLACES = {"path": "path parameter", "query": "query parameter", "header": "header", "cookie": "cookie"}


def header_alias(name: str) -> str:
    """`X_Request_Id` and `x-request-id` name the same header once aliases are allowed."""
    return name.lower().replace("_", "-")


def detect(ctx: DiffContext, old: Operation, new: Operation) -> None:
    """Parameters matched by location and name (path parameters by position, header aliases paired)."""
    rename = dict(zip(old.path_param_names, new.path_param_names, strict=True))  # same canonical path: same count
    new_params = dict(new.parameters)
    aliases = {("header", header_alias(name)): key for key, p in new_params.items() for name in [p.name] if key[0] == "header"}
    pairs: list[tuple[Parameter, Parameter | None]] = []
    for (location, name), param in old.parameters.items():
        key = (location, rename.get(name, name)) if location == "path" else (location, name)
        match = new_params.pop(key, None)
        if match is None and location == "header" and ctx.match_header_aliases:
            alias_key = aliases.get(("header", header_alias(name)))
            if alias_key is not None and alias_key in new_params:
                match = new_params.pop(alias_key)
                ctx.add(HEADER_ALIAS_RENAMED, old, "request", old_pointer=param.pointer, new_pointer=match.pointer, old_value=param.name, new_value=match.name, name=param.name)
        pairs.append((param, match))
    for param, match in pairs:
        if match is None:
            ctx.add(parameter_rule(param.location, REMOVED), old, "request", old_pointer=param.pointer, name=param.name)
            continue
        _parameter(ctx, old, param, match)
    for param in new_params.values():
        kind = ADDED_REQUIRED if param.required else ADDED
        ctx.add(parameter_rule(param.location, kind), old, "request", new_pointer=param.pointer, name=param.name)


def _parameter(ctx: DiffContext, op: Operation, old: Parameter, new: Parameter) -> None:
    common = {"old_pointer": old.pointer, "new_pointer": new.pointer, "name": old.name}

    def rule(kind: str) -> str:
        return parameter_rule(old.location, kind)

    if old.required != new.required:
        ctx.add(rule(BECAME_REQUIRED if new.required else BECAME_OPTIONAL), op, "request", **common)
    if old.style != new.style:
        ctx.add(rule(STYLE_CHANGED), op, "request", old_value=old.style, new_value=new.style, **common)
    if old.explode != new.explode:
        ctx.add(rule(EXPLODE_CHANGED), op, "request", old_value=old.explode, new_value=new.explode, **common)
    if old.deprecated != new.deprecated:
        ctx.add(rule(DEPRECATED if new.deprecated else UNDEPRECATED), op, "request", **common)
    if old.media_type != new.media_type:
        ctx.add(rule(MEDIA_TYPE_CHANGED), op, "request", old_value=old.media_type, new_value=new.media_type, **common)
    compare_schemas(ctx, op, parameter_location(old.location), f"{_PLACES[old.location]} {old.name!r}", old.schema, new.schema)


DETECTORS = [OperationDetector(detect, order=20)]
