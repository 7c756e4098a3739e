"""Validate an OpenAPI document with openapi-spec-validator; every error with its JSON pointer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True, frozen=True)
class ValidationProblem:
    pointer: str  # JSON pointer into the document, "" for the root
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


def validate_document(document: dict[str, Any], *, limit: int = 200) -> list[ValidationProblem]:
    """All problems openapi-spec-validator finds (at most `limit`), sorted by pointer."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(document.get("openapi", ""))
    validator_cls = OpenAPIV30SpecValidator if version.startswith("3.0") else OpenAPIV31SpecValidator
    problems: list[ValidationProblem] = []
    try:
        for error in validator_cls(document).iter_errors():
            error = _most_specific(error)
            path = getattr(error, "absolute_path", None) or getattr(error, "path", None) or []
            problems.append(ValidationProblem(_pointer(path), _message(error)))
            if len(problems) >= limit:
                break
    except RecursionError:
        problems.append(ValidationProblem("", "the document is nested too deeply (or has a $ref cycle) to validate"))
    except Exception as exc:  # noqa: BLE001 - the validator itself failed on this document; report, don't crash
        problems.append(ValidationProblem("", f"validator failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"))
    return sorted(set(problems), key=lambda p: (p.pointer, p.message))


def _most_specific(error: Any) -> Any:
    """For oneOf/anyOf failures, the sub-error jsonschema judges most relevant: it names the
    deepest pointer and the actual problem instead of "not valid under any of the schemas"."""
    from jsonschema.exceptions import best_match

    while getattr(error, "context", None):
        deeper = best_match(error.context)
        if deeper is None or deeper is error:
            break
        error = deeper
    return error


def _pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _message(error: Any) -> str:
    text = getattr(error, "message", None) or str(error)
    text = text.splitlines()[0]
    return text if len(text) <= 300 else text[:297] + "..."
