"""Walk two normalized documents side by side and describe every difference (no judging here).

Operations are matched by method and canonical path template, so `/books/{id}` and
`/books/{book_id}` are one operation and their path parameters are matched by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apiparity.diff.model import RawDiff, SchemaDiff
from apiparity.diff.rules import documents, operations, parameters, request_bodies, responses, security, webhooks
from apiparity.diff.rules.schemas import REQUEST_BODY, RESPONSE_BODY, RESPONSE_HEADER, parameter_location, schema_rule_id
from apiparity.diff.schemas import Fingerprints, SchemaComparer, summarize
from apiparity.spec.normalize import MediaType, NormalizedDocument, Operation, Parameter
from apiparity.spec.refs import join_pointer

_PLACES = {
    REQUEST_BODY: "request body",
    parameter_location("path"): "path parameter",
    parameter_location("query"): "query parameter",
    parameter_location("header"): "header",
    parameter_location("cookie"): "cookie",
    RESPONSE_BODY: "response body",
    RESPONSE_HEADER: "response header",
}


@dataclass(slots=True)
class Description:
    diffs: list[RawDiff] = field(default_factory=list)
    renamed_paths: list[tuple[str, str]] = field(default_factory=list)


def header_alias(name: str) -> str:
    """`X_Request_Id` and `x-request-id` name the same header once aliases are allowed."""
    return name.lower().replace("_", "-")


def rel_text(rel: tuple[str, ...]) -> str:
    text = ""
    for part in rel:
        text += part if part.startswith("[") or not text else f".{part}"
    return text


class Describer:
    def __init__(self, old: NormalizedDocument, new: NormalizedDocument, *, match_header_aliases: bool = True) -> None:
        self.old = old
        self.new = new
        self.match_header_aliases = match_header_aliases
        fingerprints = (Fingerprints(old.ref_targets), Fingerprints(new.ref_targets))
        self.comparers = {direction: SchemaComparer(old, new, direction, fingerprints) for direction in ("request", "response")}
        self.comparers["parameter"] = SchemaComparer(old, new, "request", fingerprints, textual=True)
        self.result = Description()
        self.scheme_renames = scheme_renames(old.security_schemes, new.security_schemes)
        # While a webhook is described: its findings take the `webhook-` rules (apiparity.diff.rules.webhooks)
        # and its schemas are compared in the mirrored direction (the provider sends the request).
        self._webhook = False
        self._operation_comparers = self.comparers
        self.comparers["header"] = self.comparers["response"]
        self._webhook_comparers = {
            "request": self.comparers["response"],
            "response": self.comparers["request"],
            "parameter": SchemaComparer(old, new, "response", fingerprints, textual=True),
            "header": SchemaComparer(old, new, "request", fingerprints, textual=True),  # the answer's headers: text
        }

    def run(self) -> Description:
        self._document()
        self._security_schemes()
        old_paths = {op.canonical_path for op in self.old.operations.values()}
        new_paths = {op.canonical_path for op in self.new.operations.values()}
        keys = sorted(set(self.old.operations) | set(self.new.operations), key=lambda k: (k[1], k[0]))
        renamed: set[tuple[str, str]] = set()
        for key in keys:
            old_op, new_op = self.old.operations.get(key), self.new.operations.get(key)
            if old_op is not None and new_op is None:
                rule = operations.OPERATION_REMOVED if old_op.canonical_path in new_paths else operations.PATH_REMOVED
                self._add(rule, old_op, "operation", old_pointer=old_op.pointer, where=f"{old_op.method} {old_op.path}")
            elif new_op is not None and old_op is None:
                rule = operations.OPERATION_ADDED if new_op.canonical_path in old_paths else operations.PATH_ADDED
                self._add(rule, new_op, "operation", new_pointer=new_op.pointer, where=f"{new_op.method} {new_op.path}")
            elif old_op is not None and new_op is not None:
                if old_op.path != new_op.path and (old_op.path, new_op.path) not in renamed:
                    renamed.add((old_op.path, new_op.path))
                    self.result.renamed_paths.append((old_op.path, new_op.path))
                if old_op.path != new_op.path:
                    self._add(operations.PATH_PARAMETER_RENAMED, old_op, "operation", old_pointer=old_op.pointer, new_pointer=new_op.pointer, old_value=old_op.path, new_value=new_op.path)
                self._operation(old_op, new_op)
        self._webhooks()
        return self.result

    def _webhooks(self) -> None:
        """Webhooks: matched by method and name, compared like operations with directions reversed."""
        keys = sorted(set(self.old.webhooks) | set(self.new.webhooks), key=lambda k: (k[1], k[0]))
        for key in keys:
            old_op, new_op = self.old.webhooks.get(key), self.new.webhooks.get(key)
            if old_op is not None and new_op is None:
                self._add(webhooks.REMOVED, old_op, "operation", old_pointer=old_op.pointer, where=f"{old_op.method} {old_op.path}")
            elif new_op is not None and old_op is None:
                self._add(webhooks.ADDED, new_op, "operation", new_pointer=new_op.pointer, where=f"{new_op.method} {new_op.path}")
            elif old_op is not None and new_op is not None:
                self._webhook, self.comparers = True, self._webhook_comparers
                try:
                    self._operation(old_op, new_op)
                finally:
                    self._webhook, self.comparers = False, self._operation_comparers

    # ------------------------------------------------------------------ emitting

    def _add(self, rule_id: str, op: Operation | None, direction: str, **fields: Any) -> None:
        if self._webhook:
            from apiparity.diff.rules.webhooks import webhook_rule_id

            rule_id = webhook_rule_id(rule_id)
            direction = {"request": "response", "response": "request"}.get(direction, direction)
            if "location" in fields:
                fields["location"] = webhook_rule_id(fields["location"])
        self.result.diffs.append(
            RawDiff(rule_id=rule_id, method=op.method if op else "", path=op.path if op else "", direction=direction, **fields)
        )

    def _schema_diffs(self, op: Operation, location: str, place: str, old: Any, new: Any, status: str = "", media_type: str = "") -> None:
        direction = "request" if location.startswith("request") else "response"
        comparer = self.comparers["parameter" if location.endswith("-parameter") else "header" if location == RESPONSE_HEADER else direction]
        xml = "xml" in media_type
        for diff in comparer.compare(old, new):
            if diff.kind == "xml-changed" and not xml:
                continue  # the XML object only shapes an XML body
            self._add_schema_diff(op, location, place, diff, direction, status)

    def _add_schema_diff(self, op: Operation, location: str, place: str, diff: SchemaDiff, direction: str, status: str) -> None:
        rel = rel_text(diff.rel)
        where = f"{place} `{rel}`" if rel else place
        if diff.kind in documents.SCHEMA_ANNOTATIONS:
            rule_id = diff.kind
        elif self._webhook:  # `_add` names its webhook- twin, which exists where the webhook family says
            from apiparity.diff.rules.webhooks import webhook_schema_rule_applies

            rule_id = schema_rule_id(location, diff.kind, webhook_schema_rule_applies)
        else:
            rule_id = schema_rule_id(location, diff.kind)
        self._add(
            rule_id,
            op,
            direction,
            old_pointer=diff.old_pointer,
            new_pointer=diff.new_pointer,
            old_value=diff.old_value,
            new_value=diff.new_value,
            where=where,
            name=diff.name,
            status=status,
            kind=diff.kind,
            location=location,
            old_schema=diff.old_schema,
            new_schema=diff.new_schema,
            rel=rel,
        )

    # ------------------------------------------------------------------ document level

    def _document(self) -> None:
        if self.old.openapi != self.new.openapi:
            self._add(documents.OPENAPI_VERSION_CHANGED, None, "document", old_pointer="/openapi", new_pointer="/openapi", old_value=self.old.openapi, new_value=self.new.openapi)
        if self.old.title != self.new.title:
            self._add(documents.INFO_TITLE_CHANGED, None, "document", old_pointer="/info/title", new_pointer="/info/title", old_value=self.old.title, new_value=self.new.title)
        if self.old.version != self.new.version:
            self._add(documents.INFO_VERSION_CHANGED, None, "document", old_pointer="/info/version", new_pointer="/info/version", old_value=self.old.version, new_value=self.new.version)
        for index, url in enumerate(self.old.servers):
            if url not in self.new.servers:
                self._add(documents.SERVER_REMOVED, None, "document", old_pointer=f"/servers/{index}", name=url)
        for index, url in enumerate(self.new.servers):
            if url not in self.old.servers:
                self._add(documents.SERVER_ADDED, None, "document", new_pointer=f"/servers/{index}", name=url)

    def _security_schemes(self) -> None:
        old_schemes, new_schemes = self.old.security_schemes, self.new.security_schemes
        base = "/components/securitySchemes"
        renames = self.scheme_renames
        for name in old_schemes:
            if name not in new_schemes and name not in renames:
                self._add(security.SCHEME_REMOVED, None, "security", old_pointer=join_pointer(base, name), name=name)
        renamed_to = set(renames.values())
        for name in new_schemes:
            if name not in old_schemes and name not in renamed_to:
                self._add(security.SCHEME_ADDED, None, "security", new_pointer=join_pointer(base, name), name=name)
        for old_name, new_name in renames.items():
            self._add(security.SCHEME_RENAMED, None, "security", old_pointer=join_pointer(base, old_name), new_pointer=join_pointer(base, new_name), old_value=old_name, new_value=new_name, name=old_name)
        for name in old_schemes:
            new_name = renames.get(name, name)
            if new_name not in new_schemes:
                continue
            old, new = old_schemes[name], new_schemes[new_name]
            pointer = join_pointer(base, name)
            new_base = join_pointer(base, new_name)

            def emit(rule: str, key: str, old_value: Any, new_value: Any, detail: str = "", pointer: str = pointer, new_base: str = new_base, name: str = name) -> None:
                self._add(rule, None, "security", old_pointer=f"{pointer}/{key}", new_pointer=f"{new_base}/{key}", old_value=old_value, new_value=new_value, name=name, detail=detail)

            if old.get("type") != new.get("type"):
                emit(security.SCHEME_TYPE_CHANGED, "type", old.get("type"), new.get("type"))
                continue
            kind = old.get("type")
            if kind == "apiKey":
                if _api_key_name(old, new.get("in")) != _api_key_name(new, old.get("in")):
                    emit(security.API_KEY_NAME_CHANGED, "name", old.get("name"), new.get("name"))
                if old.get("in") != new.get("in"):
                    emit(security.API_KEY_LOCATION_CHANGED, "in", old.get("in"), new.get("in"))
            elif kind == "http":
                if str(old.get("scheme", "")).lower() != str(new.get("scheme", "")).lower():
                    emit(security.HTTP_SCHEME_CHANGED, "scheme", old.get("scheme"), new.get("scheme"))
                if old.get("bearerFormat") != new.get("bearerFormat"):
                    emit(security.BEARER_FORMAT_CHANGED, "bearerFormat", old.get("bearerFormat"), new.get("bearerFormat"))
            elif kind == "openIdConnect":
                if old.get("openIdConnectUrl") != new.get("openIdConnectUrl"):
                    emit(security.OPENID_URL_CHANGED, "openIdConnectUrl", old.get("openIdConnectUrl"), new.get("openIdConnectUrl"))
            elif kind == "oauth2":
                old_flows, new_flows = old.get("flows") or {}, new.get("flows") or {}
                for flow in old_flows:
                    if flow not in new_flows:
                        emit(security.OAUTH_FLOW_REMOVED, f"flows/{flow}", flow, None, flow)
                for flow in new_flows:
                    if flow not in old_flows:
                        emit(security.OAUTH_FLOW_ADDED, f"flows/{flow}", None, flow, flow)
                for flow in old_flows:
                    if flow not in new_flows:
                        continue
                    old_flow, new_flow = old_flows[flow] or {}, new_flows[flow] or {}
                    for url in ("tokenUrl", "authorizationUrl", "refreshUrl"):
                        if old_flow.get(url) != new_flow.get(url):
                            emit(security.OAUTH_URL_CHANGED, f"flows/{flow}/{url}", old_flow.get(url), new_flow.get(url), f"{flow}.{url}")
                    old_scopes, new_scopes = set(old_flow.get("scopes") or {}), set(new_flow.get("scopes") or {})
                    for scope in sorted(old_scopes - new_scopes):
                        emit(security.OAUTH_SCOPE_REMOVED, f"flows/{flow}/scopes", scope, None, scope)
                    for scope in sorted(new_scopes - old_scopes):
                        emit(security.OAUTH_SCOPE_ADDED, f"flows/{flow}/scopes", None, scope, scope)

    # ------------------------------------------------------------------ operation level

    def _operation(self, old: Operation, new: Operation) -> None:
        if old.deprecated != new.deprecated:
            self._add(operations.DEPRECATED if new.deprecated else operations.UNDEPRECATED, old, "operation", old_pointer=old.pointer, new_pointer=join_pointer(new.pointer, "deprecated"), where=f"{old.method} {old.path}")
        for attribute, rule, key in (("operation_id", operations.OPERATION_ID_CHANGED, "operationId"), ("summary", operations.SUMMARY_CHANGED, "summary"), ("description", operations.DESCRIPTION_CHANGED, "description")):
            old_value, new_value = getattr(old, attribute), getattr(new, attribute)
            if old_value != new_value:
                self._add(rule, old, "operation", old_pointer=join_pointer(old.pointer, key), new_pointer=join_pointer(new.pointer, key), old_value=old_value, new_value=new_value)
        if sorted(old.tags) != sorted(new.tags):
            self._add(operations.TAGS_CHANGED, old, "operation", old_pointer=join_pointer(old.pointer, "tags"), new_pointer=join_pointer(new.pointer, "tags"), old_value=old.tags, new_value=new.tags)
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)
        if not self._webhook:  # a webhook's security is how the provider signs its call: not compared
            self._security(old, new)

    def _parameters(self, old: Operation, new: Operation) -> None:
        rename = dict(zip(old.path_param_names, new.path_param_names, strict=True))  # same canonical path: same count
        new_params = dict(new.parameters)
        aliases = {("header", header_alias(name)): key for key, p in new_params.items() for name in [p.name] if key[0] == "header"}
        pairs: list[tuple[Parameter, Parameter | None]] = []
        for (location, name), param in old.parameters.items():
            key = (location, rename.get(name, name)) if location == "path" else (location, name)
            match = new_params.pop(key, None)
            if match is None and location == "header" and self.match_header_aliases:
                alias_key = aliases.get(("header", header_alias(name)))
                if alias_key is not None and alias_key in new_params:
                    match = new_params.pop(alias_key)
                    self._add(parameters.HEADER_ALIAS_RENAMED, old, "request", old_pointer=param.pointer, new_pointer=match.pointer, old_value=param.name, new_value=match.name, name=param.name)
            pairs.append((param, match))
        for param, match in pairs:
            if match is None:
                self._add(parameters.parameter_rule(param.location, parameters.REMOVED), old, "request", old_pointer=param.pointer, name=param.name)
                continue
            self._parameter(old, param, match)
        for param in new_params.values():
            kind = parameters.ADDED_REQUIRED if param.required else parameters.ADDED
            self._add(parameters.parameter_rule(param.location, kind), old, "request", new_pointer=param.pointer, name=param.name)

    def _parameter(self, op: Operation, old: Parameter, new: Parameter) -> None:
        common = {"old_pointer": old.pointer, "new_pointer": new.pointer, "name": old.name}

        def rule(kind: str) -> str:
            return parameters.parameter_rule(old.location, kind)

        if old.required != new.required:
            self._add(rule(parameters.BECAME_REQUIRED if new.required else parameters.BECAME_OPTIONAL), op, "request", **common)
        if old.style != new.style:
            self._add(rule(parameters.STYLE_CHANGED), op, "request", old_value=old.style, new_value=new.style, **common)
        if old.explode != new.explode:
            self._add(rule(parameters.EXPLODE_CHANGED), op, "request", old_value=old.explode, new_value=new.explode, **common)
        if old.deprecated != new.deprecated:
            self._add(rule(parameters.DEPRECATED if new.deprecated else parameters.UNDEPRECATED), op, "request", **common)
        if old.media_type != new.media_type:
            self._add(rule(parameters.MEDIA_TYPE_CHANGED), op, "request", old_value=old.media_type, new_value=new.media_type, **common)
        location = parameter_location(old.location)
        self._schema_diffs(op, location, f"{_PLACES[location]} {old.name!r}", old.schema, new.schema)

    def _request_body(self, old: Operation, new: Operation) -> None:
        old_body, new_body = old.request_body, new.request_body
        if old_body is None:
            if new_body is None:
                return
            rule = request_bodies.ADDED_REQUIRED if new_body.required else request_bodies.ADDED_OPTIONAL
            self._add(rule, old, "request", new_pointer=new_body.pointer)
            return
        if new_body is None:
            self._add(request_bodies.REMOVED, old, "request", old_pointer=old_body.pointer)
            return
        common = {"old_pointer": old_body.pointer, "new_pointer": new_body.pointer}
        if old_body.required != new_body.required:
            self._add(request_bodies.BECAME_REQUIRED if new_body.required else request_bodies.BECAME_OPTIONAL, old, "request", **common)
        if (old_body.description or None) != (new_body.description or None):
            self._add(request_bodies.DESCRIPTION_CHANGED, old, "request", old_value=old_body.description, new_value=new_body.description, **common)
        self._content(old, old_body.content, new_body.content, "request", "")

    def _content(self, op: Operation, old: dict[str, MediaType], new: dict[str, MediaType], direction: str, status: str) -> None:
        request = direction == "request"
        location = REQUEST_BODY if request else RESPONSE_BODY
        for media_type, media in old.items():
            if media_type not in new:
                rule = request_bodies.MEDIA_TYPE_REMOVED if request else responses.MEDIA_TYPE_REMOVED
                self._add(rule, op, direction, old_pointer=media.pointer, name=media_type, status=status)
        for media_type, media in new.items():
            if media_type not in old:
                rule = request_bodies.MEDIA_TYPE_ADDED if request else responses.MEDIA_TYPE_ADDED
                self._add(rule, op, direction, new_pointer=media.pointer, name=media_type, status=status)
        several = len(old) > 1
        for media_type, old_media in old.items():
            new_media = new.get(media_type)
            if new_media is None:
                continue
            place = _PLACES[location] if direction == "request" else f"response {status} body"
            if several:
                place += f" ({media_type})"
            if direction == "response" and (old_media.schema is None) != (new_media.schema is None):
                rule = responses.BODY_SCHEMA_REMOVED if new_media.schema is None else responses.BODY_SCHEMA_ADDED
                self._add(rule, op, direction, old_pointer=old_media.pointer, new_pointer=new_media.pointer, name=media_type, status=status)
                continue
            self._schema_diffs(op, location, place, old_media.schema, new_media.schema, status, media_type)

    def _responses(self, old: Operation, new: Operation) -> None:
        pairs = [(status, status) for status in old.responses if status in new.responses]
        ranged = _range_pairs(old.responses, new.responses)
        paired_old = {o for o, _ in ranged}
        paired_new = {n for _, n in ranged}
        for status, response in old.responses.items():
            if status not in new.responses and status not in paired_old:
                self._add(responses.status_rule(status, "removed"), old, "response", old_pointer=response.pointer, name=status, status=status)
        for status, response in new.responses.items():
            if status not in old.responses and status not in paired_new:
                self._add(responses.status_rule(status, "added"), old, "response", new_pointer=response.pointer, name=status, status=status)
        for old_status, new_status in ranged:
            rule = responses.STATUS_BECAME_RANGE if _is_range(new_status) else responses.STATUS_RANGE_BECAME_SPECIFIC
            self._add(rule, old, "response", old_pointer=old.responses[old_status].pointer, new_pointer=new.responses[new_status].pointer, old_value=old_status, new_value=new_status, name=old_status, status=old_status)
        for old_status, new_status in pairs + ranged:
            status = old_status
            old_response, new_response = old.responses[old_status], new.responses[new_status]
            if (old_response.description or "") != (new_response.description or ""):
                pointers = {"old_pointer": join_pointer(old_response.pointer, "description"), "new_pointer": join_pointer(new_response.pointer, "description")}
                self._add(responses.DESCRIPTION_CHANGED, old, "response", old_value=old_response.description, new_value=new_response.description, status=status, **pointers)
            self._content(old, old_response.content, new_response.content, "response", status)
            for name, header in old_response.headers.items():
                match = new_response.headers.get(name)
                if match is None:
                    rule = responses.REQUIRED_HEADER_REMOVED if header.required else responses.OPTIONAL_HEADER_REMOVED
                    self._add(rule, old, "response", old_pointer=header.pointer, name=header.name, status=status)
                    continue
                if header.required != match.required:
                    rule = responses.HEADER_BECAME_REQUIRED if match.required else responses.HEADER_BECAME_OPTIONAL
                    self._add(rule, old, "response", old_pointer=header.pointer, new_pointer=match.pointer, name=header.name, status=status)
                self._schema_diffs(old, RESPONSE_HEADER, f"response {status} header {header.name!r}", header.schema, match.schema, status)
            for name, header in new_response.headers.items():
                if name not in old_response.headers:
                    self._add(responses.HEADER_ADDED, old, "response", new_pointer=header.pointer, name=header.name, status=status)

    def _security(self, old: Operation, new: Operation) -> None:
        def alternatives(requirements: list[dict[str, list[str]]]) -> dict[frozenset[str], dict[str, list[str]]]:
            return {frozenset(r): r for r in requirements}

        renames = self.scheme_renames
        old_security = [{renames.get(scheme, scheme): scopes for scheme, scopes in r.items()} for r in old.security]
        old_alts, new_alts = alternatives(old_security), alternatives(new.security)
        old_open = not old_alts or frozenset() in old_alts  # `{}` means anonymous access is allowed
        new_open = not new_alts or frozenset() in new_alts
        pointers = {"old_pointer": join_pointer(old.pointer, "security"), "new_pointer": join_pointer(new.pointer, "security")}
        if old_open and not new_open:
            self._add(security.SECURITY_ADDED, old, "security", new_value=_requirements_text(new.security), **pointers)
            return
        if new_open and not old_open:
            self._add(security.SECURITY_REMOVED, old, "security", old_value=_requirements_text(old.security), **pointers)
            return
        for key, requirement in old_alts.items():
            if not key:
                continue
            if key not in new_alts:
                self._add(security.REQUIREMENT_REMOVED, old, "security", name=_requirements_text([requirement]), **pointers)
                continue
            for scheme in sorted(key):
                old_scopes = set(requirement.get(scheme) or [])
                new_scopes = set(new_alts[key].get(scheme) or [])
                for scope in sorted(new_scopes - old_scopes):
                    self._add(security.SCOPE_ADDED, old, "security", name=scope, detail=scheme, **pointers)
                for scope in sorted(old_scopes - new_scopes):
                    self._add(security.SCOPE_REMOVED, old, "security", name=scope, detail=scheme, **pointers)
        for key, requirement in new_alts.items():
            if key and key not in old_alts:
                self._add(security.REQUIREMENT_ADDED, old, "security", name=_requirements_text([requirement]), **pointers)


def _api_key_name(scheme: dict[str, Any], other_location: Any = "header") -> str:
    """The name an API key is sent under; header names are case-insensitive, query/cookie names are
    not (a key moved from a header to the query compares its name exactly)."""
    name = str(scheme.get("name", ""))
    return name.lower() if scheme.get("in") == "header" and other_location == "header" else name


def _scheme_identity(scheme: dict[str, Any]) -> tuple[Any, ...]:
    """What a client must do to use a scheme, without its component name."""
    kind = scheme.get("type")
    if kind == "apiKey":
        return (kind, scheme.get("in"), _api_key_name(scheme))
    if kind == "http":
        return (kind, str(scheme.get("scheme", "")).lower())
    if kind == "oauth2":
        flows = scheme.get("flows") or {}
        return (kind, tuple(sorted((flow, str((flows[flow] or {}).get("tokenUrl") or (flows[flow] or {}).get("authorizationUrl"))) for flow in flows)))
    if kind == "openIdConnect":
        return (kind, scheme.get("openIdConnectUrl"))
    return (kind,)


def scheme_renames(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Security schemes present on one side only, paired when exactly one scheme on each side
    asks the client for the same thing (FastAPI names schemes after classes, `APIKeyHeader`,
    where flask-openapi3 keeps the name the app gave)."""
    old_only = {name: _scheme_identity(s) for name, s in old.items() if name not in new}
    new_only = {name: _scheme_identity(s) for name, s in new.items() if name not in old}
    renames = {}
    for name, identity in old_only.items():
        old_matches = [n for n, i in old_only.items() if i == identity]
        new_matches = [n for n, i in new_only.items() if i == identity]
        if len(old_matches) == 1 and len(new_matches) == 1:
            renames[name] = new_matches[0]
    return renames


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


def _requirements_text(requirements: list[dict[str, list[str]]]) -> str:
    return " or ".join(" + ".join(sorted(r)) or "anonymous" for r in requirements) or "none"


__all__ = ["Describer", "Description", "header_alias", "summarize"]
