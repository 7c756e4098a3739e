"""Framework noise: differences between a flask-openapi3 document and a FastAPI document of the
same API that no client can observe. Each noise rule is named, switchable, and counted.

A noise rule is a predicate over a raw difference (see `apiparity.diff.model.RawDiff`); the engine
drops what a rule matches and reports how many it dropped per rule. Rules are general (they look
at shapes and framework defaults), never at the names of one application's models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
    if diff.rule_id != "api-tags-changed":
        return False
    return set(diff.old_value or []) ^ set(diff.new_value or []) <= {"default"}


def _api_key_header(diff: RawDiff, ctx: NoiseContext) -> bool:
    if not diff.rule_id.startswith("request-header-parameter-") or not diff.rule_id.endswith(("-removed", "-added", "-added-required")):
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
    if not diff.rule_id.startswith("request-header-parameter-") or diff.name.lower() != "x-fields":
        return False
    for operation in ctx.operations(diff):
        parameter = operation.parameters.get(("header", "x-fields")) if operation else None
        if parameter is not None and not parameter.required and (parameter.schema or {}).get("format") == "mask":
            return True
    return False


def _folded_server(diff: RawDiff, ctx: NoiseContext) -> bool:
    """A server whose base path was folded into the paths: every URL a client calls is unchanged."""
    if diff.rule_id not in ("server-added", "server-removed") or not ctx.folded_base_paths:
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


def _restx_marshal_null(diff: RawDiff, ctx: NoiseContext) -> bool:
    """flask-restx's marshal_with writes null for a field the object lacks, documented as its type."""
    return diff.rule_id == "response-body-nullable-added" and _documents_field_masks(ctx.old)


def _default_info(diff: RawDiff, ctx: NoiseContext) -> bool:
    field = {"api-info-title-changed": "title", "api-info-version-changed": "version"}.get(diff.rule_id)
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


# What a skeleton inferred from a plain Flask url_map invents rather than knows (see
# apiparity.targets.flask_infer): document metadata, operation annotations, schema annotations.
_SKELETON_INVENTED_RULES = frozenset(
    {
        "api-info-title-changed",
        "api-info-version-changed",
        "openapi-version-changed",
        "server-added",
        "server-removed",
        "api-operation-id-changed",
        "api-summary-changed",
        "api-description-changed",
        "api-tags-changed",
        "api-deprecated",
        "api-undeprecated",
        "schema-title-changed",
        "schema-description-changed",
        "request-path-parameter-deprecated",
        "request-path-parameter-undeprecated",
    }
)
# What the skeleton leaves open because Flask's url_map cannot tell: responses (it writes one
# `default` "any response"), query/header/cookie parameters, request bodies, security.
_SKELETON_UNKNOWN_PREFIXES = (
    "response-",
    "request-body-",
    "request-query-parameter-",
    "request-header-parameter-",
    "request-cookie-parameter-",
    "api-security-",
    "security-scheme-",
)
# Details flask_infer adds to a path parameter from the converter's defaults, not from the app:
# `int`/`float` match unsigned digits (`minimum: 0`), `string` matches one segment (`^[^/]+$`).
_CONVERTER_DEFAULTS = {"min": "0", "pattern": "^[^/]+$"}


def _inferred_skeleton(diff: RawDiff, ctx: NoiseContext) -> bool:
    """On a side inferred from a url_map, only paths, methods and path parameter types are known."""
    if not (ctx.old.inferred or ctx.new.inferred):
        return False
    if diff.rule_id in _SKELETON_INVENTED_RULES or diff.rule_id.startswith(_SKELETON_UNKNOWN_PREFIXES):
        return True
    if diff.location != "request-path-parameter":
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


def _rule_is(*rule_ids: str) -> Callable[[RawDiff, NoiseContext], bool]:
    return lambda diff, ctx: diff.rule_id in rule_ids


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
        NoiseRule("operation-id", "operationId is generated differently (function name + path vs func_path_method).", _rule_is("api-operation-id-changed")),
        NoiseRule("operation-summary", "Summary/description are generated differently (docstring line vs title-cased function name).", _rule_is("api-summary-changed", "api-description-changed")),
        NoiseRule("default-tag", "flask-openapi3 tags untagged operations `default`; FastAPI leaves them untagged.", _default_tag),
        NoiseRule("framework-validation-response", "The frameworks' own 422 validation responses (bare ValidationErrorModel list vs HTTPValidationError, on every operation vs only with inputs), and flask-openapi3's blanket 422 (one array of its validation_error_model on every operation, whatever the app's validation_error_callback answers).", _validation_response),
        NoiseRule("response-description", "Response descriptions are framework text (`OK` vs `Successful Response`).", _rule_is("response-description-changed")),
        NoiseRule("schema-title", "Schema titles are generated from Python names and differ between generators.", _rule_is("schema-title-changed")),
        NoiseRule("header-alias", "A header parameter named `x_y` (Python name) on one side and `x-y` (alias) on the other is one parameter.", _rule_is("request-header-parameter-alias-renamed")),
        NoiseRule("api-key-header-parameter", "flask-openapi3 duplicates an API-key security scheme as a header parameter.", _api_key_header),
        NoiseRule("restx-fields-mask", "flask-restx documents its optional `X-Fields` response-mask header (`format: mask`) on every marshalled operation; a port without field masks answers the full object, as flask-restx does when the header is absent.", _fields_mask_header),
        NoiseRule("restx-marshal-null", "flask-restx's `marshal_with` answers null for any field the object lacks, yet documents the field as its plain type; a port declaring `X | None` documents what the legacy already sent (OLD's document is flask-restx's: it has `X-Fields` masks).", _restx_marshal_null),
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
