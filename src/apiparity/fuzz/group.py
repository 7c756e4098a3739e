"""Grouping mismatches by operation and set of root differences, keeping the smallest examples with a
curl reproducer for each side, and labelling each group with a known divergence when one fits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from apiparity.fuzz.compare import Difference
from apiparity.fuzz.curl import curl_command
from apiparity.fuzz.divergences import MismatchContext, identify
from apiparity.fuzz.redact import redact_headers, redact_query
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import HttpRequest, HttpResponse, MismatchExample, MismatchGroup


@dataclass(slots=True)
class SideView:
    """What a reproducer needs to know about one side."""

    base_url: str
    base_path: str = ""


@dataclass(slots=True)
class _Candidate:
    order: tuple[bool, int, int]  # (a probe?, request size, arrival): generated cases first, smallest first
    request: WireRequest
    old: WireResponse
    new: WireResponse
    differences: list[Difference]
    old_request: WireRequest | None = None
    new_request: WireRequest | None = None
    steps: tuple[tuple[WireRequest, WireRequest], ...] = ()


@dataclass(slots=True)
class _Pending:
    """The cases of one operation that showed exactly one set of root differences."""

    operation: str
    differences: dict[str, Difference]  # root signature -> its first difference (the group key)
    arrival: int
    context: tuple[WireRequest, WireResponse, WireResponse]  # the first case, for the label
    count: int = 0
    candidates: list[_Candidate] = field(default_factory=list)
    seen: dict[str, Difference] = field(default_factory=dict)  # every signature of its cases, folded ones too
    statuses: set[tuple[int, int]] = field(default_factory=set)  # (OLD's, NEW's) status of its cases


_KIND_RANK = {"transport": 0, "timeout": 0, "status": 1, "header": 2, "order": 3, "body": 4}


def lead_order(difference: Difference) -> tuple[int, int, str]:
    """Which of one case's differences names its group: the most basic kind first (no answer,
    status, headers, order, body), then the shallowest field ($.total before $.items[*].id),
    then by name - so a list that lost items reads "$.total value changed", not one of its fields."""
    depth = difference.field.count(".") + difference.field.count("[") if difference.field.startswith("$") else 0
    return _KIND_RANK.get(difference.kind, 5), depth, difference.signature


ELEMENT_FOLD = 3  # this many changed fields in the elements of one list read as "its elements changed"


def root_signatures(differences: list[Difference]) -> dict[str, Difference]:
    """One case's differences minus the ones that only follow from another. Signature -> first
    difference.

    - When a list gained or lost elements (`$.items[*] missing in NEW`), every field under
      `$.items[*]` shifted with it: `$.items[*].id value changed` says nothing more.
    - When many fields of a list's elements changed at once (a page that starts one element
      late, another sort key), that is one change of the elements, not one per field:
      `body $.items[*] elements changed`.
    """
    resized = {d.field for d in differences if d.kind == "body" and d.field.endswith("[*]") and d.change in ("missing in NEW", "added in NEW")}
    kept = [d for d in differences if not (d.kind == "body" and any(d.field.startswith((f"{r}.", f"{r}[")) for r in resized))]
    by_element: dict[str, set[str]] = {}
    for difference in kept:
        element = _outer_element(difference)
        if element is not None:
            by_element.setdefault(element, set()).add(difference.signature)
    folded = {element for element, signatures in by_element.items() if len(signatures) >= ELEMENT_FOLD}
    roots: dict[str, Difference] = {}
    for difference in kept:
        element = _outer_element(difference)
        if element in folded:
            difference = Difference("body", element, "elements changed", difference.detail)
        roots.setdefault(difference.signature, difference)
    return roots


_LIST_CHANGES = ("missing in NEW", "added in NEW", "elements changed")


def root_cause(difference: Difference) -> str:
    """What groups are merged by: a root signature, with the ways one list can differ read as one
    root `$.items`. A list one element short is `$.items[*] missing in NEW` on a full page but
    `$.items[*] elements changed` on `?limit=1` (same length, every element shifted): one cause."""
    if difference.kind == "body" and difference.field.endswith("[*]") and difference.change in _LIST_CHANGES:
        return f"body {difference.field[:-3]} list changed"
    return difference.signature


def _belongs_to(entry: tuple[_Pending, frozenset[str], frozenset[str]], other: tuple[_Pending, frozenset[str], frozenset[str]]) -> bool:
    """A group (pending, root signatures, root causes) is the same cause as `other`, seen with
    fewer fields: its root signatures are a subset of the other's, or its root causes are the
    other's exactly (a list that lost items on one page and shifted on another); and its cases
    were answered with statuses the other's were. A list change alone is not folded into a group
    that has it beside another field: `$.per_page` 10 instead of 20 (one book short) and page 2
    starting a book late (shifted) are two regressions of one list."""
    pending, signatures, causes = entry
    other_pending, other_signatures, other_causes = other
    if _same_routing_answer(pending, other_pending):
        return True
    if not pending.statuses <= other_pending.statuses:
        return False
    return signatures <= other_signatures or causes == other_causes


def _same_routing_answer(pending: _Pending, other: _Pending) -> bool:
    status_only = all(d.kind == "status" for group in (pending, other) for d in group.differences.values())
    return status_only and same_routing_answer(pending.statuses | other.statuses)


def same_routing_answer(statuses: set[tuple[int, int]]) -> bool:
    """(OLD, NEW) statuses of two status-only groups: NEW answers every case with one and the same
    redirect, 400, 404, 405 or 422, whatever OLD answered (200 with a token, 401 without; 404 or
    409 past validation): NEW never reached the handler, one cause (a route declared `/me/`
    answering `/me` with 307, a method not routed at all, a bound narrowed in NEW's validation)."""
    new_statuses = {new for _, new in statuses}
    if len(new_statuses) != 1:
        return False
    (status,) = new_statuses
    return 300 <= status < 400 or status in (400, 404, 405, 422)


def _outer_element(difference: Difference) -> str | None:
    """`$.items[*].tags[*]` -> `$.items[*]`: the outermost list element a body field is under."""
    if difference.kind != "body" or "[*]" not in difference.field:
        return None
    element = difference.field[: difference.field.index("[*]") + 3]
    return element if element != difference.field else None


class Grouper:
    """One group per operation and set of root differences (Diffy's "group by the set of differing
    fields"): one case is in one group, whatever number of fields it changed, and a list that lost
    an item (or whose elements all shifted) is one cause, not one group per field
    (`root_signatures`). The signature is the set's, most basic difference first (`lead_order`):
    "body $.total value changed + body $.items[*] missing in NEW"; the folded differences are
    listed in `related`.

    When the groups are read (`groups()`), a group of one operation whose root signatures are a
    subset of another group's, or whose root causes (`root_cause`) are the other's, answered with
    statuses the other group's cases have too, is merged into it (`_belongs_to`): one cause shows
    up with more or fewer fields depending on the data (a datetime field differs only where it is
    not null; a list differs as missing items on a full page and as shifted elements on a short
    one), and that is still one cause. Another status is another kind of answer (an HTML 404 page
    vs the 405 of a method probe, both `header:content-type`), not the same one with fewer
    fields. The merged group keeps the larger group's signature and label; counts add up, and the
    examples are the smallest of all its cases."""

    def __init__(self, *, old_side: SideView, new_side: SideView, redact: bool, max_examples: int = 5, max_body_chars: int = 2000,
                 document: dict[str, Any] | None = None, new_document: dict[str, Any] | None = None) -> None:
        self._document = document  # OLD's, so known-divergence labels can read the contract
        self._new_document = new_document  # NEW's own (None with one contract for both sides)
        self._pending: dict[tuple[str, frozenset[str]], _Pending] = {}
        self._arrivals = 0
        self._old_side = old_side
        self._new_side = new_side
        self._redact = redact
        self._max_examples = max_examples
        self._max_body_chars = max_body_chars

    def add(self, request: WireRequest, old: WireResponse, new: WireResponse, differences: list[Difference], *,
            old_request: WireRequest | None = None, new_request: WireRequest | None = None,
            steps: tuple[tuple[WireRequest, WireRequest], ...] = ()) -> None:
        """Record one case's differences (one case, one group). `old_request`/`new_request` are
        what each side really received (its own auth, its own ids); `steps` the (OLD, NEW)
        requests of a stateful sequence that came before, replayed first by the reproducers."""
        if not differences:
            return
        self._arrivals += 1
        roots = root_signatures(differences)
        key = (request.operation, frozenset(roots))
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(request.operation, roots, self._arrivals, (request, old, new))
        pending.count += 1
        pending.statuses.add((old.status, new.status))
        for difference in differences:
            pending.seen.setdefault(difference.signature, difference)
        # smallest first, the runner's own probes (no credentials, other slash) after generated cases
        pending.candidates.append(_Candidate((bool(request.probe), request.size, self._arrivals), request, old, new, differences, old_request, new_request, steps))
        if len(pending.candidates) > self._max_examples * 4:
            pending.candidates.sort(key=lambda c: c.order)
            del pending.candidates[self._max_examples:]

    def groups(self) -> list[MismatchGroup]:
        result = []
        for pending, members in self._merged():
            roots = sorted(pending.differences.values(), key=lead_order)
            lead = roots[0]
            request, old, new = pending.context
            label = identify(MismatchContext(request, old, new, lead, self._document, self._new_document))
            candidates = sorted((c for member in members for c in member.candidates), key=lambda c: c.order)
            seen: dict[str, Difference] = {}
            for member in members:
                for signature, difference in member.seen.items():
                    seen.setdefault(signature, difference)
            result.append(
                MismatchGroup(
                    operation=pending.operation,
                    signature=" + ".join(d.signature for d in roots),
                    kind=lead.kind,  # type: ignore[arg-type]
                    count=sum(member.count for member in members),
                    examples=[self.example(c.request, c.old, c.new, c.differences, old_request=c.old_request, new_request=c.new_request, steps=c.steps)
                              for c in candidates[: self._max_examples]],
                    divergence=label.id if label else None,
                    explanation=f"{label.title}. {label.explanation}" if label else None,
                    fix_hint=label.fix_hint if label else None,
                    related=[d.signature for d in sorted(seen.values(), key=lead_order) if d.signature not in pending.differences],
                )
            )
        result.sort(key=lambda g: (g.operation, g.signature))
        return result

    def _merged(self) -> list[tuple[_Pending, list[_Pending]]]:
        """Each kept group with the groups merged into it (itself first). Per operation, largest
        group first (most root causes, then most cases, then first seen); a group merges into the
        first kept group that has a member it `_belongs_to`, otherwise it is kept. Comparing with
        every member, not only the kept one, makes a chain merge whole. Reads the pending groups,
        never changes them."""
        by_operation: dict[str, list[tuple[_Pending, frozenset[str], frozenset[str]]]] = {}
        for pending in self._pending.values():
            causes = frozenset(root_cause(d) for d in pending.differences.values())
            by_operation.setdefault(pending.operation, []).append((pending, frozenset(pending.differences), causes))
        merged: list[tuple[_Pending, list[_Pending]]] = []
        for entries in by_operation.values():
            entries.sort(key=lambda e: (-len(e[2]), -len(e[1]), -e[0].count, e[0].arrival))
            kept: list[list[tuple[_Pending, frozenset[str], frozenset[str]]]] = []
            for entry in entries:
                host = next((members for members in kept if any(_belongs_to(entry, member) for member in members)), None)
                if host is None:
                    kept.append([entry])
                else:
                    host.append(entry)
            merged.extend((members[0][0], [m[0] for m in members]) for members in kept)
        return merged

    def example(self, request: WireRequest, old: WireResponse, new: WireResponse, differences: list[Difference], *,
                old_request: WireRequest | None = None, new_request: WireRequest | None = None,
                steps: tuple[tuple[WireRequest, WireRequest], ...] = ()) -> MismatchExample:
        def curl(side: SideView, sent: WireRequest, earlier: list[WireRequest]) -> str:
            return " && ".join(
                curl_command(r, side.base_url, base_path=side.base_path, redact=self._redact) for r in [*earlier, sent]
            )

        return MismatchExample(
            request=http_request(_sent_to_both(request, old_request, new_request), redact=self._redact),
            old=http_response(old, redact=self._redact, max_chars=self._max_body_chars),
            new=http_response(new, redact=self._redact, max_chars=self._max_body_chars),
            curl_old=curl(self._old_side, old_request or request, [o for o, _ in steps]),
            curl_new=curl(self._new_side, new_request or request, [n for _, n in steps]),
            differences=[d.detail or d.signature for d in differences],
        )


def _sent_to_both(request: WireRequest, old_request: WireRequest | None, new_request: WireRequest | None) -> WireRequest:
    """The request as both sides received it: -H overrides included, each side's own credentials
    (--old-header/--new-header, logins) left to its curl line."""
    if old_request is None or new_request is None:
        return request
    shared = set(new_request.headers)
    return replace(request, headers=[pair for pair in old_request.headers if pair in shared])


def http_request(request: WireRequest, *, redact: bool) -> HttpRequest:
    headers = dict(request.headers)
    query = redact_query(request.query) if redact else request.query
    media_type = (request.header("content-type") or "").split(";", 1)[0].strip() or None
    body: Any = None
    if request.body is not None:
        text = request.body.decode("utf-8", errors="replace")
        try:
            body = json.loads(text) if media_type and "json" in media_type else text
        except ValueError:
            body = text
    return HttpRequest(
        method=request.method,
        path=request.path,
        query=[(k, v) for k, v in parse_qsl(query, keep_blank_values=True)],
        headers=redact_headers(headers) if redact else headers,
        body=body,
        media_type=media_type,
    )


def http_response(response: WireResponse, *, redact: bool, max_chars: int) -> HttpResponse:
    headers: dict[str, str] = {}
    for name, value in response.headers:
        key = name.lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    ok, parsed = response.json()
    body: Any
    if ok and len(response.body) <= max_chars:
        body = parsed
    elif response.truncated:
        body = response.body[:max_chars].decode("utf-8", errors="replace") + (
            f"… (truncated: larger than the {response.read_cap}-byte read cap, not read further)")
    else:
        text = response.text()
        body = text if len(text) <= max_chars else text[:max_chars] + f"… ({len(text)} chars)"
    return HttpResponse(
        status=response.status,
        headers=redact_headers(headers) if redact else headers,
        body=body,
        body_is_json=ok,
        elapsed_ms=round(response.elapsed_ms, 3),
        error=response.error,
    )
