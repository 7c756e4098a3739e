"""What a validation error names: the fields one side rejected a request for.

A status difference where one side answers 400/422 and the other accepted the request is one
cause per thing that side rejects: NEW narrowing the `sort` enum and NEW raising the `year_from`
bound are two causes with one status pair (200 != 422). The rejecting side's error body names them.
Read from the shapes frameworks write:

- FastAPI / pydantic: `{"detail": [{"loc": ["query", "sort"], "type": ...}]}`, or the list bare;
- hand-written lists: `[{"field": "limit", ...}]`, `[{"loc": ["priority"], ...}]`;
- flask-restx / marshmallow style: `{"errors": {"days": "..."}}` or `{"errors": [...]}`;
- a list of names: `{"error": "validation_error", "fields": ["email", "firstName"]}`.

A location with no name (`[]`, `["body", 0]` for a JSON decode error) is the body itself: `body`.
An answer that names nothing (an empty HEAD, a plain message) gives the empty set: unknown, never
a cause of its own.
"""

from __future__ import annotations

from typing import Any

from apiparity.fuzz.wire import WireResponse

VALIDATION_STATUSES = frozenset({400, 422})
_LOCATIONS = ("loc", "field", "param", "name", "path")


def rejected_fields(response: WireResponse) -> frozenset[str]:
    """The fields `response` (a 400/422) says were rejected; empty when it names none."""
    if response.status not in VALIDATION_STATUSES:
        return frozenset()
    ok, body = response.json()
    if not ok:
        return frozenset()
    return frozenset(_from_body(body))


def rejecting_side(old: WireResponse, new: WireResponse) -> str | None:
    """Which side refused the request as invalid ("new" | "old"), None when neither did (NEW's
    answer is read when both did: its validation is the one clients now meet)."""
    if new.status in VALIDATION_STATUSES:
        return "new"
    if old.status in VALIDATION_STATUSES:
        return "old"
    return None


def _from_body(body: Any) -> set[str]:
    if isinstance(body, list):
        return _from_list(body)
    if not isinstance(body, dict):
        return set()
    found: set[str] = set()
    for key in ("detail", "errors"):
        value = body.get(key)
        if isinstance(value, list):
            found |= _from_list(value)
        elif isinstance(value, dict) and key == "errors":
            found |= {str(name) for name in value}
    fields = body.get("fields")
    if isinstance(fields, list):
        found |= {str(name) for name in fields if isinstance(name, (str, int))}
    return found


def _from_list(items: list[Any]) -> set[str]:
    found: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        location = next((item[key] for key in _LOCATIONS if key in item), None)
        if isinstance(location, list):
            parts = [str(part) for part in location if not isinstance(part, int)]
            found.add(".".join(parts) if parts and parts != ["body"] else "body")
        elif isinstance(location, str):
            found.add(location or "body")
    return found
