"""Framework noise: differences between a flask-openapi3 document and a FastAPI document of the
same API that no client can observe. Each noise rule is named, switchable, and counted.

A noise rule is a predicate over a raw difference (see `apiparity.diff.model.RawDiff`); the engine
drops what a rule matches and reports how many it dropped per rule. Rules are general (they look
at shapes and framework defaults), never at the names of one application's models. They name the
diff rules they apply to by the families' constants, or by what the registry's `Rule` records say
(family, location, kind), never by the spelling of rule IDs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from apiparity.diff.rules import documents, operations, parameters, responses
from apiparity.diff.rules.schemas import RESPONSE_BODY, parameter_location, schema_rule_id

if TYPE_CHECKING:
    from apiparity.diff.model import RawDiff
    from apiparity.spec.normalize import NormalizedDocument, Operation


@dataclass(slots=True)
class NoiseContext:
    old: NormalizedDocument
    new: NormalizedDocument
    folded_base_paths: set[str] = field(default_factory=set)  # server base paths moved into the paths
    _old_ops: dict[tuple[str, str], Operation] | None = None
    _new_ops: dict[tuple[str, str], Operation] | None = None
    _validated: set[tuple[str, str, str]] | None = None

    def request_constraints(self) -> set[tuple[str, str, str]]:
        """(property tail, keyword, value) of every validation keyword on a property of NEW's request
        bodies (`tags[]` for the items of `tags`), computed once."""
        if self._validated is None:
            from apiparity.diff.rules.schemas import VALIDATION_REMOVALS

            keywords = {*VALIDATION_REMOVALS.values(), "exclusiveMinimum", "exclusiveMaximum"}
            found: set[tuple[str, str, str]] = set()
            seen: set[tuple[int, str]] = set()
            work = [(media.schema, "") for op in self.new.operations.values() if op.request_body is not None
                    for media in op.request_body.content.values() if isinstance(media.schema, dict)]
            while work:
                schema, tail = work.pop()
                if (id(schema), tail) in seen or len(seen) > 100_000:
                    continue
                seen.add((id(schema), tail))
                if tail:
                    found.update((tail, keyword, repr(schema[keyword])) for keyword in keywords if keyword in schema)
                for name, sub in (schema.get("properties") or {}).items():
                    if isinstance(sub, dict):
                        work.append((sub, name))
                if isinstance(schema.get("items"), dict):
                    work.append((schema["items"], f"{tail}[]" if tail else ""))
                for combinator in ("allOf", "anyOf", "oneOf"):
                    work.extend((branch, tail) for branch in schema.get(combinator) or [] if isinstance(branch, dict))
            self._validated = found
        return self._validated

    def operations(self, diff: RawDiff) -> tuple[Operation | None, Operation | None]:
        """The OLD and NEW operation a difference belongs to (by method and raw path of either side)."""
        if self._old_ops is None:
            self._old_ops = {(op.method, op.path): op for op in self.old.operations.values()}
            self._new_ops = {(op.method, op.path): op for op in self.new.operations.values()}
        assert self._new_ops is not None
        old = self._old_ops.get((diff.method, diff.path))
        new = self._new_ops.get((diff.method, diff.path))
        if old is not None and new is None:
            new = self.new.operations.get(old.key)
        if new is not None and old is None:
            old = self.old.operations.get(new.key)
        return old, new


@dataclass(frozen=True, slots=True)
class NoiseRule:
    id: str
    description: str
    matches: Callable[[RawDiff, NoiseContext], bool]
    switchable: bool = True


# Titles and versions the frameworks write when the app does not set them.
_DEFAULT_INFO = {("title", "OpenAPI"), ("title", "FastAPI"), ("version", "1.0.0"), ("version", "0.1.0")}


def _is_validation_error_items(schema: Any) -> bool:
    properties = (schema or {}).get("properties") or {}
    return {"loc", "msg"} <= set(properties)


def is_framework_validation_schema(schema: Any) -> bool:
    """flask-openapi3's bare array of ValidationErrorModel, or FastAPI's HTTPValidationError."""
    if not isinstance(schema, dict):
        return False
    if "array" in (schema.get("type") or []) and _is_validation_error_items(schema.get("items")):
        return True
    detail = (schema.get("properties") or {}).get("detail")
    return isinstance(detail, dict) and "array" in (detail.get("type") or []) and _is_validation_error_items(detail.get("items"))


def _framework_422(operation: Operation | None) -> bool:
    """The operation has no 422 response, or one whose schema is a framework validation error."""
    if operation is None:
        return True
    response = operation.responses.get("422")
    if response is None:
        return True
    schemas = [media.schema for media in response.content.values()]
    return bool(schemas) and all(is_framework_validation_schema(s) for s in schemas)


def _validation_response(diff: RawDiff, ctx: NoiseContext) -> bool:
    if diff.status != "422":
        return False
    old, new = ctx.operations(diff)
    return (_framework_422(old) and _framework_422(new)) or _blanket_422(ctx.old)


def _blanket_422(document: NormalizedDocument) -> bool:
    """flask-openapi3 writes one 422 on every operation, an array of its `validation_error_model`,
    whatever the app's `validation_error_callback` really answers: a blanket the framework wrote, not
    the team (every operation, one and the same array item schema)."""
    items: list[Any] = []
    for operation in document.operations.values():
        response = operation.responses.get("422")
        if response is None or not response.content:
            return False
        for media in response.content.values():
            schema = media.schema or {}
            if "array" not in (schema.get("type") or []) or not isinstance(schema.get("items"), dict):
                return False
            items.append(schema["items"])
    return len(items) > 1 and all(item is items[0] for item in items)


def _default_tag(diff: RawDiff, ctx: NoiseContext) -> bool:
    if diff.rule_id != operations.TAGS_CHANGED:
        return False
    return set(diff.old_value or []) ^ set(diff.new_value or []) <= {"default"}


@cache
def _header_parameter_rules() -> frozenset[str]:
    """Every rule about a request header parameter: its own (parameters family) and its schema's."""
    from apiparity.diff.registry import RULES

    return frozenset(rule.id for rule in RULES.values() if rule.location == parameter_location("header"))


@cache
def _header_parameter_presence_rules() -> frozenset[str]:
    """A request header parameter added or removed, or something added to or removed from its schema."""
    from apiparity.diff.registry import RULES
    from apiparity.diff.rules import schemas

    presence = {parameters.ADDED, parameters.ADDED_REQUIRED, parameters.REMOVED}
    return frozenset(
        rule_id for rule_id in _header_parameter_rules()
        if (rule := RULES[rule_id]).family == parameters.F and rule.kind in presence
        or rule.family == schemas.F and rule.kind.endswith(("-added", "-removed"))
    )


def _api_key_header(diff: RawDiff, ctx: NoiseContext) -> bool:
    if diff.rule_id not in _header_parameter_presence_rules():
        return False
    names = {
        str(scheme.get("name", "")).lower()
        for doc in (ctx.old, ctx.new)
        for scheme in doc.security_schemes.values()
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header"
    }
    return diff.name.lower() in names


def _fields_mask_header(diff: RawDiff, ctx: NoiseContext) -> bool:
    """flask-restx adds an optional `X-Fields` header (`format: mask`) to every marshalled operation."""
    if diff.rule_id not in _header_parameter_rules() or diff.name.lower() != "x-fields":
        return False
    for operation in ctx.operations(diff):
        parameter = operation.parameters.get(("header", "x-fields")) if operation else None
        if parameter is not None and not parameter.required and (parameter.schema or {}).get("format") == "mask":
            return True
    return False


def _folded_server(diff: RawDiff, ctx: NoiseContext) -> bool:
    """A server whose base path was folded into the paths: every URL a client calls is unchanged."""
    if diff.rule_id not in (documents.SERVER_ADDED, documents.SERVER_REMOVED) or not ctx.folded_base_paths:
        return False
    from urllib.parse import urlsplit

    return urlsplit(diff.name).path.rstrip("/") in ctx.folded_base_paths | {""}


def _documents_field_masks(document: NormalizedDocument) -> bool:
    """A flask-restx document: its marshalled operations take the `X-Fields` mask header."""
    return any(
        (parameter := operation.parameters.get(("header", "x-fields"))) is not None
        and (parameter.schema or {}).get("format") == "mask"
        for operation in document.operations.values()
    )


_RESTX_NULL_RULE = schema_rule_id(RESPONSE_BODY, "nullable-added")


def _restx_marshal_null(diff: RawDiff, ctx: NoiseContext) -> bool:
    """flask-restx's marshal_with writes null for a field the object lacks, documented as its type."""
    return diff.rule_id == _RESTX_NULL_RULE and _documents_field_masks(ctx.old)


def _default_info(diff: RawDiff, ctx: NoiseContext) -> bool:
    field = {documents.INFO_TITLE_CHANGED: "title", documents.INFO_VERSION_CHANGED: "version"}.get(diff.rule_id)
    return field is not None and ((field, diff.old_value) in _DEFAULT_INFO or (field, diff.new_value) in _DEFAULT_INFO)


def _null_default(diff: RawDiff, ctx: NoiseContext) -> bool:
    """`default: null` beside an optional field is what omitting it means anyway."""
    if diff.kind == "default-removed":
        return diff.old_value is None
    if diff.kind == "default-added":
        return diff.new_value is None
    return False


def _empty_container_default(diff: RawDiff, ctx: NoiseContext) -> bool:
    """pydantic writes `= []`/`= {}` as `default: []`/`{}` and `default_factory=list/dict` as nothing."""
    if diff.kind == "default-removed":
        return diff.old_value in ([], {})
    if diff.kind == "default-added":
        return diff.new_value in ([], {})
    return False


@cache
def _skeleton_rules() -> frozenset[str]:
    """The rules a skeleton inferred from a plain Flask url_map (apiparity.targets.flask_infer) cannot
    be judged on: what it invents (document metadata, operation annotations, schema annotations) and
    what it leaves open because Flask's url_map cannot tell (responses: it writes one `default` "any
    response"; query/header/cookie parameters, request bodies, security)."""
    from apiparity.diff.registry import RULES
    from apiparity.diff.rules import request_bodies, schemas, security

    invented = {
        documents.INFO_TITLE_CHANGED, documents.INFO_VERSION_CHANGED, documents.OPENAPI_VERSION_CHANGED,
        documents.SERVER_ADDED, documents.SERVER_REMOVED, *documents.SCHEMA_ANNOTATIONS,
        operations.OPERATION_ID_CHANGED, operations.SUMMARY_CHANGED, operations.DESCRIPTION_CHANGED,
        operations.TAGS_CHANGED, operations.DEPRECATED, operations.UNDEPRECATED,
        parameters.parameter_rule("path", parameters.DEPRECATED), parameters.parameter_rule("path", parameters.UNDEPRECATED),
    }
    unknown_families = {responses.F, request_bodies.F, security.F}
    unknown_locations = {schemas.REQUEST_BODY, schemas.RESPONSE_BODY, schemas.RESPONSE_HEADER,
                         *(schemas.parameter_location(where) for where in ("query", "header", "cookie"))}
    return frozenset(invented) | frozenset(
        rule.id for rule in RULES.values() if rule.family in unknown_families or rule.location in unknown_locations
    )


# Details flask_infer adds to a path parameter from the converter's defaults, not from the app:
# `int`/`float` match unsigned digits (`minimum: 0`), `string` matches one segment (`^[^/]+$`).
_CONVERTER_DEFAULTS = {"min": "0", "pattern": "^[^/]+$"}
_PATH_PARAMETER = parameter_location("path")


def _inferred_skeleton(diff: RawDiff, ctx: NoiseContext) -> bool:
    """On a side inferred from a url_map, only paths, methods and path parameter types are known."""
    if not (ctx.old.inferred or ctx.new.inferred):
        return False
    if diff.rule_id in _skeleton_rules():
        return True
    if diff.location != _PATH_PARAMETER:
        return False
    keyword, _, change = diff.kind.rpartition("-")
    if keyword not in _CONVERTER_DEFAULTS:
        return False
    # Only the converter default present on the inferred side and absent on the other is noise:
    # a real bound or pattern on both sides (`minimum: 1`, `^[a-z]+$`) is still compared.
    if change == "removed":
        return ctx.old.inferred and diff.old_value == _CONVERTER_DEFAULTS[keyword]
    if change == "added":
        return ctx.new.inferred and diff.new_value == _CONVERTER_DEFAULTS[keyword]
    return False


def _output_model_constraints(diff: RawDiff, ctx: NoiseContext) -> bool:
    """A validation constraint OLD documented on a response property and NEW does not, where NEW's
    request bodies validate a property of that name with the same constraint (the values NEW
    returns came in through it): the output model of an Input/Output split documents none."""
    from apiparity.diff.rules.schemas import VALIDATION_REMOVALS

    keyword = VALIDATION_REMOVALS.get(diff.kind)
    if keyword is None or diff.location != RESPONSE_BODY or not isinstance(diff.old_schema, dict):
        return False
    values = {keyword: diff.old_schema.get(keyword)}
    if keyword in ("minimum", "maximum"):  # the bound may be written exclusive
        exclusive = "exclusiveMinimum" if keyword == "minimum" else "exclusiveMaximum"
        values[exclusive] = diff.old_schema.get(exclusive)
    validated = ctx.request_constraints()
    tail = _property_tail(diff.rel)
    return bool(tail) and any(value is not None and (tail, name, repr(value)) in validated for name, value in values.items())


def _property_tail(rel: str) -> str:
    """`items[].tags[]` -> `tags[]`: the last property name and the array steps under it."""
    return rel.rsplit(".", 1)[-1]


def _rule_is(*rule_ids: str) -> Callable[[RawDiff, NoiseContext], bool]:
    """Matches the differences of these rules (the families' constants)."""
    chosen = frozenset(rule_ids)
    return lambda diff, ctx: diff.rule_id in chosen


PROFILES: dict[str, list[NoiseRule]] = {
    "none": [],
    "flask-fastapi": [
        # First, so what an inferred skeleton cannot know is counted under its real cause.
        NoiseRule(
            "inferred-skeleton",
            (
                "A side inferred from a plain Flask url_map (`x-apiparity-inferred: true`) knows paths, methods and path"
                " parameter types only: its responses (the `default` \"any response\"), query/header/cookie parameters, request"
                " bodies, security, summaries, operationIds, info and the converter defaults `minimum: 0` / `^[^/]+$` are not"
                " compared; removed operations and path parameter type changes still are."
            ),
            _inferred_skeleton,
        ),
        NoiseRule("operation-id", "operationId is generated differently (function name + path vs func_path_method).", _rule_is(operations.OPERATION_ID_CHANGED)),
        NoiseRule("operation-summary", "Summary/description are generated differently (docstring line vs title-cased function name).", _rule_is(operations.SUMMARY_CHANGED, operations.DESCRIPTION_CHANGED)),
        NoiseRule("default-tag", "flask-openapi3 tags untagged operations `default`; FastAPI leaves them untagged.", _default_tag),
        NoiseRule("framework-validation-response", "The frameworks' own 422 validation responses (bare ValidationErrorModel list vs HTTPValidationError, on every operation vs only with inputs), and flask-openapi3's blanket 422 (one array of its validation_error_model on every operation, whatever the app's validation_error_callback answers).", _validation_response),
        NoiseRule("response-description", "Response descriptions are framework text (`OK` vs `Successful Response`).", _rule_is(responses.DESCRIPTION_CHANGED)),
        NoiseRule("schema-title", "Schema titles are generated from Python names and differ between generators.", _rule_is(documents.SCHEMA_TITLE_CHANGED)),
        NoiseRule("header-alias", "A header parameter named `x_y` (Python name) on one side and `x-y` (alias) on the other is one parameter.", _rule_is(parameters.HEADER_ALIAS_RENAMED)),
        NoiseRule("api-key-header-parameter", "flask-openapi3 duplicates an API-key security scheme as a header parameter.", _api_key_header),
        NoiseRule("restx-fields-mask", "flask-restx documents its optional `X-Fields` response-mask header (`format: mask`) on every marshalled operation; a port without field masks answers the full object, as flask-restx does when the header is absent.", _fields_mask_header),
        NoiseRule("restx-marshal-null", "flask-restx's `marshal_with` answers null for any field the object lacks, yet documents the field as its plain type; a port declaring `X | None` documents what the legacy already sent (OLD's document is flask-restx's: it has `X-Fields` masks).", _restx_marshal_null),
        NoiseRule("output-model-constraints", "A length, bound, pattern, multipleOf, item-count or uniqueItems constraint OLD documented on a response property and NEW does not, where NEW's request bodies validate a property of that name with the same constraint: NEW's output model (FastAPI's Item/ItemIn split; flask-restx documents one model both ways) carries no validation constraints, and the values it returns were validated on the way in. With `--profile none` such a removal is breaking, judged by the witness search.", _output_model_constraints),
        NoiseRule("null-default", "`default: null` on an optional field is emitted by pydantic for flask-openapi3 and omitted by FastAPI; omitting the field means null either way.", _null_default),
        NoiseRule("empty-container-default", "pydantic documents `= []` / `= {}` as `default: []` / `{}` but `Field(default_factory=list/dict)` with no default; the field is filled with the same empty value either way.", _empty_container_default),
        NoiseRule("server-base-path", "One side mounts the API with `servers: [{url: /api}]` and `/items`, the other writes `/api/items`: the base path is folded into the paths (operations pair by the URL a client calls) and the server entry is not a change.", _folded_server),
        NoiseRule("framework-default-info", "info.title/version left at a framework default (OpenAPI 1.0.0 / FastAPI 0.1.0).", _default_info),
    ],
}


def noise_rules(profile: str) -> list[NoiseRule]:
    from apiparity.errors import ConfigError

    if profile not in PROFILES:
        raise ConfigError(f"unknown noise profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return PROFILES[profile]


def all_noise_rules() -> list[NoiseRule]:
    seen: dict[str, NoiseRule] = {}
    for rules in PROFILES.values():
        for rule in rules:
            seen.setdefault(rule.id, rule)
    return list(seen.values())
