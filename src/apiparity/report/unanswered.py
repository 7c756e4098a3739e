"""How a request that tested nothing is written in a report: a side gave no answer (transport
error), or the HTTP client could not send it. No mismatch group lists such a request (both sides
failing alike is no mismatch), so the report names it here, with the headers that may be the cause."""

from __future__ import annotations

from urllib.parse import urlencode

from apiparity.model import OperationStats, UnansweredRequest


def describe(item: UnansweredRequest) -> str:
    """`GET /whoami?x=1 [Authorization: ...] -> OLD: timeout ..., NEW: transport: ...`."""
    request = item.request
    target = request.path + (f"?{urlencode(request.query)}" if request.query else "")
    headers = "; ".join(f"{name}: {value}" for name, value in request.headers.items() if name.lower() != "user-agent")
    sides = ", ".join(f"{label}: {error}" for label, error in (("OLD", item.old_error), ("NEW", item.new_error)) if error)
    return f"{request.method} {target}" + (f" [{headers}]" if headers else "") + f" -> {sides or 'no error recorded'}"


def unanswered_lines(operations: list[OperationStats], *, unsendable: bool) -> list[str]:
    """The kept requests of one kind (unsendable or transport error), in operation order."""
    return [describe(item) for stats in operations for item in stats.unanswered if item.unsendable == unsendable]
