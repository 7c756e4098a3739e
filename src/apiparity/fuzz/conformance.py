"""Each side's answers checked against its own document (and NEW's against OLD's) with
schemathesis' own checks; reported apart from mismatches."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apiparity.fuzz.wire import WireRequest, WireResponse

if sys.version_info < (3, 11):  # hypothesis depends on the backport there
    from exceptiongroup import BaseExceptionGroup

CHECK_NAMES = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance")


def _checks() -> list[Callable[..., Any]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass(slots=True)
class Finding:
    check: str
    message: str  # title and first line of the reason, the offending value left out where it can be
    # what makes two findings the same issue: the check plus, for a schema violation, where it is
    # (schema path and instance path, indexes folded) - never the offending value, so one broken
    # field on random values is one issue however many cases hit it
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            self.key = self.message


@dataclass(slots=True)
class CaseTranslator:
    """Rebuilds a case of one document as a case of the other (same parameters and body), so an
    answer can be judged by either document."""

    schema: Any
    _cache: dict[str, Any] = field(default_factory=dict)

    def operation_for(self, method: str, path: str) -> Any:
        key = f"{method} {path}"
        if key not in self._cache:
            try:
                self._cache[key] = self.schema[path][method]
            except (KeyError, LookupError):
                self._cache[key] = None
        return self._cache[key]

    def translate(self, case: Any) -> Any:
        operation = self.operation_for(case.method.upper(), case.operation.path)
        if operation is None:
            return None
        if operation is case.operation:
            return case
        kwargs: dict[str, Any] = {
            "operation": operation,
            "method": case.method,
            "path_parameters": dict(case.path_parameters or {}),
            "query": dict(case.query or {}),
            "headers": dict(case.headers or {}),
            "cookies": dict(case.cookies or {}),
            "media_type": case.media_type,
            "meta": case.meta,
        }
        from schemathesis.core import NOT_SET

        if case.body is not NOT_SET:
            kwargs["body"] = case.body
        return self.schema.make_case(**kwargs)


def check_response(case: Any, request: WireRequest, response: WireResponse) -> list[Finding]:
    """Run the four conformance checks on one answer; [] when it conforms (or did not arrive)."""
    if response.error or case is None:
        return []
    import requests
    from schemathesis.core.transport import Response

    prepared = requests.Request(
        request.method, "http://localhost" + request.target, headers=dict(request.headers), data=request.body
    ).prepare()
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), []).append(value)
    wrapped = Response(
        status_code=response.status,
        headers=headers,
        content=response.body,
        request=prepared,
        elapsed=response.elapsed_ms / 1000,
        verify=False,
    )
    findings: list[Finding] = []
    for check in _checks():  # one at a time: a check that wanted to send a request is skipped alone
        findings.extend(_run_check(case, wrapped, check))
    return findings


def _run_check(case: Any, wrapped: Any, check: Callable[..., Any]) -> list[Finding]:
    """One schemathesis check on one answer. Some checks re-send the request on their own (the
    content-type probe's control request, to a base URL they make up): that request goes through a
    session that sends nothing (`apiparity.outbound`), and the check is skipped for this answer -
    apiparity sends every request itself, paired, to the sides the user named."""
    from apiparity.outbound import TrafficRefused

    try:
        case.validate_response(wrapped, checks=[check], transport_kwargs={"session": _refusing_session()})
    except BaseExceptionGroup as group:  # schemathesis' FailureGroup
        return [_finding(failure) for failure in group.exceptions]
    except TrafficRefused:
        return []
    except AssertionError as exc:
        return [Finding("unknown", str(exc).splitlines()[0][:200] if str(exc) else "assertion failed")]
    except Exception as exc:  # noqa: BLE001 - a check crashing on odd input is not the app's fault
        return [Finding("check-error", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}")]
    return []


_SESSION: list[Any] = []


def _refusing_session() -> Any:
    if not _SESSION:
        from apiparity.outbound import refusing_session

        _SESSION.append(refusing_session())
    return _SESSION[0]


def _finding(failure: BaseException) -> Finding:
    checks = getattr(failure, "checks", None) or ("unknown",)
    title = getattr(failure, "title", None) or type(failure).__name__
    schema_path = getattr(failure, "schema_path", None)
    instance_path = getattr(failure, "instance_path", None)
    if schema_path is not None and instance_path is not None:  # schemathesis' JsonSchemaError
        where = instance_pointer(instance_path)
        reason = _without_value(str(getattr(failure, "_raw_message", "") or ""), getattr(failure, "instance", None))
        key = f"{'/'.join(map(str, schema_path))} @ {where}"
        return Finding(checks[0], f"{title} at {where}: {reason}"[:300] if reason else f"{title} at {where}", key)
    message = str(getattr(failure, "message", "") or "").strip().splitlines()
    first = message[0] if message else ""
    return Finding(checks[0], f"{title}: {first}"[:300] if first else title)


def instance_pointer(path: Any) -> str:
    """['items', 0, 'id'] -> $.items[*].id (indexes folded: every element is the same field), in the
    one path syntax of differences and `--ignore` (`format_path`)."""
    from apiparity.fuzz.compare import fold_indexes, format_path

    return format_path(fold_indexes(tuple(path)))


def _without_value(message: str, instance: Any) -> str:
    """jsonschema's message starts with the offending value ('"0a33..." is not a "uuid"'): say
    'value' instead, so the issue reads the same for every case (the example keeps the value)."""
    import json

    for shown in (json.dumps(instance, ensure_ascii=False, separators=(",", ":")), json.dumps(instance, ensure_ascii=False)):
        if message.startswith(shown) and len(message) > len(shown):
            return "value" + message[len(shown):]
    return message
