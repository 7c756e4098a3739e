"""What a label test needs: a legacy app and its port served in-process, and one request sent to
both, compared and labelled exactly as a run labels a case (`root_signatures` + `identify_case`
with both documents), with the preconditions of the label under test that fail on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apiparity.fuzz.compare import CompareOptions, compare_responses
from apiparity.fuzz.divergences import MismatchContext, by_id, identify_case
from apiparity.fuzz.group import root_signatures
from apiparity.fuzz.transports import ASGITransport, WSGITransport
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.targets.apps import target_from_app
from apiparity.targets.model import Target


@dataclass(slots=True)
class Sides:
    old: Target
    new: Target
    old_transport: WSGITransport
    new_transport: ASGITransport


def serve(legacy: Any, modern: Any) -> Iterator[Sides]:
    """A module fixture's body: the WSGI legacy app and the ASGI port, closed afterwards."""
    old, new = target_from_app("legacy", legacy), target_from_app("modern", modern)
    sides = Sides(old, new, WSGITransport(old.app), ASGITransport(new.app))
    yield sides
    sides.old_transport.close()
    sides.new_transport.close()


@dataclass(slots=True)
class Judged:
    label: str | None  # the label the case gets
    failed: list[str]  # the preconditions of the label under test that fail on its roots
    old: WireResponse
    new: WireResponse


def judge(sides: Sides, request: WireRequest, label: str, *, kinds: tuple[str, ...] | None = None) -> Judged:
    """`request` sent to both sides and labelled; `kinds`: only roots of these kinds are asked
    for the label's failing preconditions (all roots when None)."""
    old_answer, new_answer = sides.old_transport.send(request), sides.new_transport.send(request)
    differences = compare_responses(old_answer, new_answer, CompareOptions(compare_headers=("content-type",)))
    assert differences, f"{request.operation}: the apps answer alike ({old_answer.status}, {new_answer.status})"
    roots = list(root_signatures(differences).values())
    found = identify_case(request, old_answer, new_answer, roots, document=sides.old.document, new_document=sides.new.document)
    entry = by_id(label)
    assert entry is not None
    failed = sorted({name for d in roots if kinds is None or d.kind in kinds for name in entry.failed_preconditions(
        MismatchContext(request, old_answer, new_answer, d, sides.old.document, sides.new.document))})
    return Judged(found.id if found else None, failed, old_answer, new_answer)
