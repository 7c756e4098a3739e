"""Grouping mismatches by cause, keeping the examples that show it with a reproducer for each side,
labelling each group with a known divergence when one fits, and giving it a tier and a rank.

The rule (docs/grouping.md):

1. **One case, its root differences, its label.** A case's differences minus the ones that only
   follow from another (`root_signatures`: fields under a list that gained or lost elements, or
   many fields of shifted elements read as one) are its roots; its label is the known divergence
   that explains every root (`identify_case`), or none. A case is keyed by (operation, roots,
   label): the same request gets the same label whatever mode or phase sent it.
2. **Same cause with fewer fields, or two causes?** On one operation, a key whose roots are a
   subset of another's, answered with statuses the other's cases have too, is compared with it
   (`_relation`): when the extra roots are the same kind of change as the subset's (the same
   label, or the same change of fields of one object) it is the same cause seen with fewer
   fields (a datetime differs only where it is not null) and is folded in; when they are another
   kind of change (a count on `$.meta` beside shifted `$.data` elements), the larger key is two
   causes and its cases count in both groups, each showing its own differences. A list that only
   changed size is ambiguous (a page boundary makes every list cause look like missing items) and
   is always folded. A list that lost items on one page and shifted on another is one cause
   (`root_cause`), and so is NEW answering one routing status whatever OLD answered
   (`same_routing_answer`), and so are the bodies one not-found handler wrote on both sides: one
   404/405 pair, only body fields differing (`one_not_found_body`). A status-only key where one side answered 400/422 and the other
   accepted also holds the fields rejected (`apiparity.fuzz.rejections`): overlapping fields are
   one cause, disjoint ones two (a `sort` enum narrowed and a `year_from` bound raised), titled apart.
   A group's label holds for every case in it (`_may_share`): two labels are never one group, and
   a labelled key folds with an unlabelled one only as one handler's status answer or beside
   generated cases, keeping no label; an unlabelled field difference of error answers is also keyed
   by their status (`error_status_of`).
3. **One cause on several operations is one group.** Groups of other operations with the same
   roots, label and kind of answer (success or error) are one group when the cause is not the
   handler's own: a known divergence (a framework's), or body/header fields (one model, one
   serializer, one error envelope). Its `operations` lists each with its count. Status
   differences without a label stay per operation (each handler its own cause).
4. **Title from the examples.** The first example is the worst case (rank, see
   apiparity.fuzz.tiers), and the group's signature is that example's roots; the other examples
   are chosen so that every status pair and every root of the group is shown by one; the group's
   other roots are listed in `related`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from apiparity.fuzz.compare import ANY_INDEX, Change, Difference, FieldPath, format_path
from apiparity.fuzz.curl import curl_command
from apiparity.fuzz.divergences import Divergence, by_id, identify_case
from apiparity.fuzz.redact import redact_headers, redact_query
from apiparity.fuzz.rejections import rejected_fields, rejecting_side
from apiparity.fuzz.routes import NOT_FOUND_STATUSES, declared, path_declared, router_not_found
from apiparity.fuzz.tiers import case_rank, crashed, intrinsic_tier
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import (
    GroupOperation,
    HttpRequest,
    HttpResponse,
    MismatchExample,
    MismatchGroup,
)
from apiparity.spec.contract import Contract


@dataclass(slots=True)
class SideView:
    """What a reproducer needs to know about one side."""

    base_url: str
    base_path: str = ""
    # an in-process app (no server listening at base_url): its target reference ("legacy.py:app")
    # and framework, for a reproducer that runs there (the framework's test client)
    in_process: str | None = None
    framework: str | None = None  # the in-process interface: "wsgi" or "asgi"

    @classmethod
    def of(cls, target: Any, side: Any) -> SideView:
        """The view of a runner side (`transport`, `base_path`) over `target` (its `ref`)."""
        interface = getattr(side.transport, "name", "")
        in_process = getattr(target, "ref", None) if interface in ("wsgi", "asgi") else None
        return cls(side.transport.base_url(), side.base_path, in_process, interface if in_process else None)


@dataclass(slots=True)
class _Candidate:
    order: tuple[bool, int, int]  # (a probe?, request size, arrival): generated cases first, smallest first
    request: WireRequest
    old: WireResponse
    new: WireResponse
    differences: list[Difference]
    by_root: dict[str, list[Difference]]  # root signature -> the differences it stands for (itself first)
    rank: int
    old_request: WireRequest | None = None
    new_request: WireRequest | None = None
    steps: tuple[tuple[WireRequest, WireRequest], ...] = ()

    def within(self, roots: frozenset[str] | set[str]) -> list[Difference]:
        """This case's differences that fall under `roots` (a case split between two causes shows
        each group its own)."""
        return [d for root, members in self.by_root.items() if root in roots for d in members]


@dataclass(slots=True)
class _Pending:
    """The cases of one operation that showed exactly one set of root differences and one label."""

    operation: str
    differences: dict[str, Difference]  # root signature -> its first difference (the group key)
    label: str | None
    arrival: int
    context: tuple[WireRequest, WireResponse, WireResponse]  # the first case
    count: int = 0
    candidates: list[_Candidate] = field(default_factory=list)  # the smallest, bounded
    cover: dict[str, _Candidate] = field(default_factory=dict)  # status pair / root -> its best case
    seen: dict[str, Difference] = field(default_factory=dict)  # every signature of its cases, folded ones too
    statuses: set[tuple[int, int]] = field(default_factory=set)  # (OLD's, NEW's) status of its cases
    outcomes: set[tuple[int, int, bool]] = field(default_factory=set)  # (OLD, NEW, OLD raised) for the tier
    rank: int = 99
    # a status-only key: the fields the side that answered 400/422 rejected (apiparity.fuzz.rejections),
    # and that side; empty when its answer names none
    rejected: frozenset[str] = frozenset()
    rejected_by: str | None = None
    # every field NEW's 400/422 answers named in these cases, whatever OLD answered
    named_by_new: set[str] = field(default_factory=set)
    # OLD crashed in a case sent after the run had changed OLD's state (no reset between cases)
    crash_after_writes: bool = False
    # `operation` is a method the document does not declare on the path, sent by a probe (HEAD,
    # OPTIONS, an undeclared method): see `sent_operation`
    off_contract: bool = False
    # every case was on a route only NEW's document declares (`Grouper._only_in_new`)
    only_in_new: bool = True
    # NEW answered a case 404/405 from its router (its document has no such method and path)
    new_unrouted: bool = False
    # the error status both sides answered, for an unlabelled field difference (`error_status_of`)
    error_status: int | None = None
    # some case was generated, not a probe's (a probe asks one question; generated cases ask none)
    generated: bool = False

    @property
    def roots(self) -> frozenset[str]:
        return frozenset(self.differences)


def sent_operation(request: WireRequest, contract: Contract | None = None) -> str:
    """The operation a case is grouped and titled under: the method actually sent on the path's
    template, when the document (`contract`, OLD's) does not declare that method there. A probe
    sends another method than the operation it was built from (HEAD, OPTIONS or an undeclared
    method from a GET case): its answers are that method's, so `HEAD /users`, never `GET /users`
    over an example that is a HEAD request. A probe sending a declared operation as part of its
    question (read-back's GET after a PUT) stays under the operation it asks about."""
    method, _, template = request.operation.partition(" ")
    if not template or request.method.upper() == method.upper():
        return request.operation
    sent = f"{request.method.upper()} {template}"
    if contract is not None and contract.operation_of(sent) is not None:
        return request.operation
    return sent


_KIND_RANK = {"transport": 0, "timeout": 0, "status": 1, "header": 2, "order": 3, "body": 4}


def lead_order(difference: Difference) -> tuple[int, int, str]:
    """Which of one case's differences names its group: the most basic kind first (no answer,
    status, headers, order, body), then the shallowest field ($.total before $.items[*].id),
    then by name - so a list that lost items reads "$.total value changed", not one of its fields."""
    depth = len(difference.path) if difference.path is not None else 0
    return _KIND_RANK.get(difference.kind, 5), depth, difference.signature


ELEMENT_FOLD = 3  # this many changed fields in the elements of one list read as "its elements changed"


def root_map(differences: list[Difference]) -> dict[str, list[Difference]]:
    """One case's root differences, each with the differences that only follow from it (itself
    first). Signature -> differences.

    - When a list gained or lost elements (`$.items[*] missing in NEW`), every field under
      `$.items[*]` shifted with it: `$.items[*].id value changed` says nothing more.
    - When many fields of a list's elements changed at once (a page that starts one element
      late, another sort key), that is one change of the elements, not one per field:
      `body $.items[*] elements changed`.
    """
    resized = {d.path for d in differences if d.is_list_element and d.change in (Change.MISSING, Change.ADDED) and d.path is not None}
    followers: dict[FieldPath, list[Difference]] = {}
    kept = []
    for difference in differences:
        owner = next((r for r in sorted(resized, key=format_path) if difference.kind == "body" and _strictly_under(difference.path, r)), None)
        if owner is None:
            kept.append(difference)
        else:
            followers.setdefault(owner, []).append(difference)
    by_element: dict[FieldPath, set[str]] = {}
    for difference in kept:
        element = _outer_element(difference)
        if element is not None:
            by_element.setdefault(element, set()).add(difference.signature)
    folded = {element for element, signatures in by_element.items() if len(signatures) >= ELEMENT_FOLD}
    roots: dict[str, list[Difference]] = {}
    for difference in kept:
        element = _outer_element(difference)
        root = Difference("body", Change.ELEMENTS_CHANGED, element, difference.detail) if element in folded else difference
        roots.setdefault(root.signature, [root] if root is not difference else []).append(difference)
    for owner, members in followers.items():
        for group in roots.values():
            if group and group[0].kind == "body" and group[0].path == owner:
                group.extend(members)
                break
    return roots


def root_signatures(differences: list[Difference]) -> dict[str, Difference]:
    """One case's differences minus the ones that only follow from another (see `root_map`).
    Signature -> first difference."""
    return {signature: members[0] for signature, members in root_map(differences).items()}


def _strictly_under(path: FieldPath | None, parent: FieldPath) -> bool:
    return path is not None and len(path) > len(parent) and path[: len(parent)] == parent


_LIST_CHANGES = frozenset({Change.MISSING, Change.ADDED, Change.ELEMENTS_CHANGED})


def root_cause(difference: Difference, changed_lists: frozenset[FieldPath] = frozenset()) -> str:
    """What groups are merged by: a root signature, with the ways one list can differ read as one
    root `$.items`. A list one element short is `$.items[*] missing in NEW` on a full page but
    `$.items[*] elements changed` on `?limit=1` (same length, every element shifted): one cause.
    A field of the elements of a list that changed as a whole elsewhere on the operation
    (`changed_lists`) is that list's change seen through a projection (`?fields=id`)."""
    if _is_list_change(difference) and difference.path is not None:
        return f"body {format_path(difference.path[:-1])} list changed"
    element = _outer_element(difference)
    if element is not None and element[:-1] in changed_lists:
        return f"body {format_path(element[:-1])} list changed"
    return difference.signature


def _is_list_change(difference: Difference) -> bool:
    return difference.is_list_element and difference.change in _LIST_CHANGES


def same_routing_answer(statuses: set[tuple[int, int]]) -> bool:
    """(OLD, NEW) statuses of two status-only groups: NEW answers every case with one and the same
    redirect, 400, 404, 405 or 422, whatever OLD answered (200 with a token, 401 without; 404 or
    409 past validation): NEW never reached the handler, one cause (a route declared `/me/`
    answering `/me` with 307, a method not routed at all, a bound narrowed in NEW's validation).
    A case where OLD crashed is not part of it: NEW answering it deliberately is a legacy bug fixed."""
    if any(old >= 500 for old, _ in statuses):
        return False
    new_statuses = {new for _, new in statuses}
    if len(new_statuses) != 1:
        return False
    (status,) = new_statuses
    return 300 <= status < 400 or status in (400, 404, 405, 422)




def one_not_found_body(statuses: set[tuple[int, int]], differences: Iterable[Difference]) -> bool:
    """Two keys of one operation whose cases both sides answered with one and the same 404 (or 405),
    differing only in the body: the app's not-found handler wrote every one of those bodies, on
    each side, so whatever fields differ (`$.detail` added everywhere, `$.error` changed only where
    OLD's handler named the record and not on an unknown route) are one cause. Headers (an HTML
    routing page beside a handler's JSON) and other statuses stay apart."""
    if len(statuses) != 1:
        return False
    ((old, new),) = statuses
    return old == new and old in NOT_FOUND_STATUSES and all(d.kind == "body" for d in differences)


def _outer_element(difference: Difference) -> FieldPath | None:
    """`$.items[*].tags[*]` -> `$.items[*]`: the outermost list element a body field is under."""
    path = difference.path
    if difference.kind != "body" or path is None or ANY_INDEX not in path:
        return None
    element = path[: path.index(ANY_INDEX) + 1]
    return element if element != path else None


FOLD, SPLIT, APART = "fold", "split", "apart"


def _relation(small: _Pending, large: _Pending, changed_lists: frozenset[FieldPath]) -> str:
    """How `small` relates to `large` on one operation: FOLD (the same cause, seen with fewer
    fields), SPLIT (`large` is `small`'s cause plus another one), or APART. A FOLD only between
    keys that may share a group (`_may_share`); a SPLIT gives each part its own label."""
    found = _fields_relation(small, large, changed_lists)
    return APART if found == FOLD and not _may_share([small, large]) else found


def _fields_relation(small: _Pending, large: _Pending, changed_lists: frozenset[FieldPath]) -> str:
    if _status_only(small) and _status_only(large) and small.rejected and large.rejected and not small.rejected & large.rejected:
        return APART  # the same status pair for rejecting other fields: another validation cause
    if (_status_only(small) and _status_only(large) and small.named_by_new and large.named_by_new
            and not small.named_by_new & large.named_by_new and {o for o, _ in small.statuses} != {o for o, _ in large.statuses}):
        return APART  # NEW rejects other fields past other OLD answers (no body past a 415, an email past a 409)
    if _status_only(small) and _status_only(large) and same_routing_answer(small.statuses | large.statuses):
        return FOLD
    if not small.statuses <= large.statuses:
        return APART  # another status is another kind of answer, not the same one with fewer fields
    if one_not_found_body(small.statuses | large.statuses, [*small.differences.values(), *large.differences.values()]):
        return FOLD  # one not-found handler's body: its message where OLD named the record, its envelope everywhere
    causes_small = {root_cause(d, changed_lists) for d in small.differences.values()}
    causes_large = {root_cause(d, changed_lists) for d in large.differences.values()}
    if causes_small == causes_large:
        return FOLD  # a list that lost items on one page and shifted on another
    if not small.roots < large.roots:
        return APART
    if all(_is_list_change(d) for d in small.differences.values()):
        return FOLD  # a list that only changed size: ambiguous evidence, folded where it is held
    if small.label is not None and small.label == large.label:
        return FOLD  # one known divergence on more or fewer fields
    def changes(differences: Iterable[Difference]) -> set[str | Change]:
        return {"list changed" if root_cause(d, changed_lists).endswith(" list changed") else d.change for d in differences}

    rest = [d for signature, d in large.differences.items() if signature not in small.roots]
    if changes(rest) <= changes(small.differences.values()):
        return FOLD  # more fields changed the same way (a rename of more keys, more datetimes spelled alike)
    return SPLIT


def error_status_of(old: WireResponse, new: WireResponse, roots: Iterable[Difference], label: Divergence | None) -> int | None:
    """The error status both sides answered, for an unlabelled case whose differences are all
    fields (body, headers, order): that status's code path is its cause (a 405's message is not a
    400's validation message, though both are `$.error value changed`). None otherwise: a label
    names the cause itself, and 2xx bodies of one model are one cause whatever their status."""
    kinds = {d.kind for d in roots}
    if label is not None or not kinds or not kinds <= {"body", "header", "order"}:
        return None
    return old.status if old.status == new.status and old.status >= 400 else None


def _may_share(keys: list[_Pending]) -> bool:
    """Whether keys of one operation may be one group, so that a group's label holds for every case
    in it (the group keeps a label only when all its keys carry it, `_Cause.label`):

    - never with two error statuses of unlabelled keys (`error_status_of`) or two different labels;
    - labelled keys with unlabelled ones: when all are status differences only (one handler's
      answer: a port answering 403 to a missing and to a wrong token is one cause, the label that
      explains only the missing one is dropped), or when the unlabelled keys hold generated cases
      (the same fields change on requests that ask nothing special: the label, claimed from the
      request's shape, is not the explanation). Unlabelled keys of probes only (a filter made
      case-sensitive) beside a labelled one (a repeated parameter read otherwise) are another cause.
    """
    if len({k.error_status for k in keys if k.label is None}) > 1:
        return False  # (a labelled key has none: its label names its cause)
    labels = {k.label for k in keys}
    if len(labels) == 1:
        return True
    if len(labels - {None}) > 1:
        return False
    if all(_status_only(k) for k in keys):
        return True
    return any(k.generated for k in keys if k.label is None)


def _title_note(cause: _Cause, siblings: list[_Cause]) -> str:
    """What tells `cause` from the other causes of one operation with its title (`siblings`, itself
    among them). Validation causes with one status pair: each its rejected fields (`_rejection_note`).
    Otherwise the first cause with no label keeps the plain title (it may merge with the same cause
    on other operations) and each other says what sets it apart: ' (known divergence X)' for a
    label, ' (probe filter-case)' for probes' cases, ' (status 405)' for an error status."""
    if any(m.rejected for sibling in siblings for m in sibling.members):
        return _rejection_note(cause)
    unlabelled = [c for c in siblings if not c.label]
    plain = next((c for c in unlabelled if any(m.generated for m in c.members)), unlabelled[0] if unlabelled else None)
    if cause is plain:
        return ""
    probe = cause.lead.context[0].probe
    if not cause.label and probe and not any(m.generated for m in cause.members):
        return f" (probe {probe})"
    if cause.label:
        return f" (known divergence {cause.label})"
    return f" (status {cause.lead.error_status})" if cause.lead.error_status is not None else " (other)"


def _rejection_note(cause: _Cause) -> str:
    """' (NEW rejects path.ticket_id)': what tells a validation cause from another with its status pair."""
    fields = sorted({f for member in cause.members for f in member.rejected})
    side = next((m.rejected_by for m in cause.members if m.rejected_by), None)
    if not fields or side is None:
        return " (other)"
    return f" ({side.upper()} rejects {', '.join(fields[:4])}{' ...' if len(fields) > 4 else ''})"


def _status_only(pending: _Pending) -> bool:
    return all(d.kind == "status" for d in pending.differences.values())


@dataclass(slots=True)
class _Cause:
    """A group being built: the keys (or parts of split keys) whose cases show its cause."""

    members: list[_Pending]
    label: str | None

    @property
    def lead(self) -> _Pending:
        return self.members[0]


class Grouper:
    """Groups a run's mismatching cases by cause (see the module doc). Reading the groups
    (`groups()`) never changes what was added."""

    def __init__(self, *, old_side: SideView, new_side: SideView, redact: bool, max_examples: int = 5, max_body_chars: int = 2000,
                 document: dict[str, Any] | None = None, new_document: dict[str, Any] | None = None,
                 on_open: Callable[[str, tuple[str, ...]], None] | None = None,
                 contract: Contract | None = None, new_contract: Contract | None = None) -> None:
        self._on_open = on_open  # called with (operation, root signatures) when a case opens a new cause
        self._document = document  # OLD's, so known-divergence labels can read the contract
        self._new_document = new_document  # NEW's own (None with one contract for both sides)
        # their contract models, built once for the run (the runner passes its own)
        self._contract = contract if contract is not None else None if document is None else Contract(document)
        self._new_contract = new_contract if new_contract is not None else None if new_document is None else (
            self._contract if new_document is document else Contract(new_document))
        self._pending: dict[tuple[str, frozenset[str], str | None, frozenset[str], int | None], _Pending] = {}
        self._arrivals = 0
        self._old_side = old_side
        self._new_side = new_side
        self._redact = redact
        self._max_examples = max_examples
        self._max_body_chars = max_body_chars

    def add(self, request: WireRequest, old: WireResponse, new: WireResponse, differences: list[Difference], *,
            old_request: WireRequest | None = None, new_request: WireRequest | None = None,
            steps: tuple[tuple[WireRequest, WireRequest], ...] = (), old_state_changed: bool = False) -> None:
        """Record one case's differences (one case, one key). `old_request`/`new_request` are
        what each side really received (its own auth, its own ids); `steps` the (OLD, NEW)
        requests of a stateful sequence that came before, replayed first by the reproducers;
        `old_state_changed`: the run had already changed OLD's state (see ComparisonSession)."""
        if not differences:
            return
        self._arrivals += 1
        by_root = root_map(differences)
        roots = {signature: members[0] for signature, members in by_root.items()}
        label = identify_case(request, old, new, list(roots.values()), document=self._document, new_document=self._new_document,
                              contract=self._contract, new_contract=self._new_contract, old_request=old_request)
        error_status = error_status_of(old, new, roots.values(), label)
        rejected: frozenset[str] = frozenset()
        side = rejecting_side(old, new) if all(d.kind == "status" for d in roots.values()) else None
        if side is not None and 200 <= (old if side == "new" else new).status < 400:
            # one side rejects what the other accepted: each field rejected is a contract change of
            # its own; when both refused (404 vs 422), it is one cause whatever field was invalid
            # (which check runs first: validation or the handler's lookup)
            rejected = rejected_fields(new if side == "new" else old)
        operation = sent_operation(request, self._contract)
        key = (operation, frozenset(roots), label.id if label else None, rejected, error_status)
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(operation, roots, key[2], self._arrivals, (request, old, new),
                                                    rejected=rejected, rejected_by=side if rejected else None,
                                                    off_contract=operation != request.operation, error_status=error_status)
            if self._on_open is not None:
                self._on_open(operation, tuple(sorted(roots)))
        pending.count += 1
        pending.only_in_new = pending.only_in_new and self._only_in_new(request, operation)
        pending.generated = pending.generated or not request.probe
        if side == "new":
            pending.named_by_new |= rejected_fields(new)
        pending.statuses.add((old.status, new.status))
        pending.outcomes.add((old.status, new.status, crashed(old.status, old.error)))
        if old_state_changed and crashed(old.status, old.error):
            pending.crash_after_writes = True
        if router_not_found(new.status, self._new_contract or self._contract, request.method, request.path):
            pending.new_unrouted = True
        rank = case_rank(old.status, new.status, new.error, roots.values())
        pending.rank = min(pending.rank, rank)
        for difference in differences:
            pending.seen.setdefault(difference.signature, difference)
        # smallest first, the runner's own probes (no credentials, other slash) after generated cases
        candidate = _Candidate((bool(request.probe), request.size, self._arrivals), request, old, new, differences, by_root, rank,
                               old_request, new_request, steps)
        for cover in (f"status {old.status} {new.status}", *roots):
            best = pending.cover.get(cover)
            if best is None or (candidate.rank, candidate.order) < (best.rank, best.order):
                pending.cover[cover] = candidate
        pending.candidates.append(candidate)
        if len(pending.candidates) > self._max_examples * 4:
            pending.candidates.sort(key=lambda c: (c.rank, c.order))
            del pending.candidates[self._max_examples:]

    def _only_in_new(self, request: WireRequest, operation: str) -> bool:
        """The case's route is NEW's alone: NEW's document declares the method sent on a template the
        request's path matches and OLD's does not, or, for a method the documents do not declare (a
        probe's HEAD or OPTIONS), NEW's document has the path and OLD's has none it matches."""
        old_contract, new_contract = self._contract, self._new_contract
        if old_contract is None or new_contract is None or new_contract is old_contract:
            return False
        method, path = operation.partition(" ")[0], request.path
        if declared(new_contract, method, path):
            return not declared(old_contract, method, path)
        return not path_declared(old_contract, path) and bool(declared(new_contract, request.operation.partition(" ")[0], path))

    # ------------------------------------------------------------------ reading the groups

    def groups(self) -> list[MismatchGroup]:
        by_operation: dict[str, list[_Pending]] = {}
        for pending in self._pending.values():
            by_operation.setdefault(pending.operation, []).append(pending)
        per_operation: list[MismatchGroup] = []
        for pendings in by_operation.values():
            built = [(self._group(cause), cause) for cause in self._operation_causes(pendings)]
            titles: dict[str, list[_Cause]] = {}
            for group, cause in built:
                titles.setdefault(group.signature, []).append(cause)
            notes = {id(cause): _title_note(cause, siblings) for siblings in titles.values() if len(siblings) > 1 for cause in siblings}
            for group, cause in built:
                group.signature += notes.get(id(cause), "")  # two causes with one title: named apart
                per_operation.append(group)
        off_contract = {p.operation for p in self._pending.values() if p.off_contract}
        return merge_across_operations(per_operation, self._max_examples, off_contract=off_contract)

    def _operation_causes(self, pendings: list[_Pending]) -> list[_Cause]:
        changed_lists = frozenset(d.path[:-1] for p in pendings for d in p.differences.values() if _is_list_change(d) and d.path is not None)
        # a key that is two causes is replaced by its two parts, each showing its own roots
        smallest_first = sorted(pendings, key=lambda p: (len(p.roots), -p.count, p.arrival))
        units: list[_Pending] = []
        for pending in pendings:
            small = next((s for s in smallest_first if len(s.roots) < len(pending.roots)
                          and _relation(s, pending, changed_lists) == SPLIT), None)
            if small is None:
                units.append(pending)
            else:
                units += [self._part(pending, small.roots), self._part(pending, pending.roots - small.roots)]
        # largest first (most root causes, then most cases, then first seen); a unit goes to the
        # first kept cause with a member it folds into
        units.sort(key=lambda p: (-len(p.roots), -p.count, p.arrival))
        kept: list[_Cause] = []
        for unit in units:
            host = next((cause for cause in kept if any(_relation(unit, member, changed_lists) == FOLD for member in cause.members)
                         and _may_share([*cause.members, unit])), None)
            if host is None:
                kept.append(_Cause([unit], unit.label))
            else:
                host.members.append(unit)
                if host.label != unit.label:
                    host.label = None  # a label holds for every case of its group, or the group has none
        return kept

    def _part(self, pending: _Pending, roots: frozenset[str]) -> _Pending:
        """The cases of a key that is two causes, as a key of `roots` only (the cases show each
        group its own differences)."""
        request, old, new = pending.context
        old_request = next((c.old_request for c in pending.candidates if c.request is request), None)
        label = identify_case(request, old, new, [pending.differences[r] for r in roots], document=self._document,
                              new_document=self._new_document, contract=self._contract, new_contract=self._new_contract,
                              old_request=old_request)
        part = _Pending(pending.operation, {r: pending.differences[r] for r in roots}, label.id if label else None, pending.arrival,
                        pending.context, pending.count, list(pending.candidates),
                        {k: c for k, c in pending.cover.items() if k.startswith("status ") or k in roots},
                        {d.signature: d for c in pending.candidates for d in c.within(roots)},
                        set(pending.statuses), set(pending.outcomes), rejected=pending.rejected, rejected_by=pending.rejected_by,
                        named_by_new=set(pending.named_by_new), crash_after_writes=pending.crash_after_writes,
                        off_contract=pending.off_contract, new_unrouted=pending.new_unrouted, error_status=pending.error_status,
                        generated=pending.generated)
        part.rank = min((case_rank(c.old.status, c.new.status, c.new.error, [c.by_root[r][0] for r in roots if r in c.by_root])
                         for c in pending.candidates), default=pending.rank)
        return part

    def _group(self, cause: _Cause) -> MismatchGroup:
        # every case of the cause, with the roots it shows here
        parts: list[tuple[_Pending, frozenset[str]]] = [(m, m.roots) for m in cause.members]
        candidates: list[tuple[_Candidate, frozenset[str]]] = []
        covers: dict[str, tuple[_Candidate, frozenset[str]]] = {}
        for pending, roots in parts:
            for candidate in pending.candidates:
                candidates.append((candidate, roots))
            for key, candidate in pending.cover.items():
                if key.startswith("status ") or key in roots:
                    best = covers.get(key)
                    if best is None or (candidate.rank, candidate.order) < (best[0].rank, best[0].order):
                        covers[key] = (candidate, roots)
        candidates += list(covers.values())
        unique: dict[int, tuple[_Candidate, frozenset[str]]] = {}
        for candidate, roots in candidates:
            unique.setdefault(id(candidate), (candidate, roots))
        ordered = sorted(unique.values(), key=lambda cr: (cr[0].rank, -len(cr[1]), cr[0].order))
        first, first_roots = ordered[0]
        chosen = [ordered[0]]
        # cover every status pair and every root of the group, then the smallest
        all_roots = {r for _, roots in parts for r in roots}
        wanted = {f"status {c.old.status} {c.new.status}" for c, _ in unique.values()} | all_roots
        covered = self._covered(first, first_roots)
        for key in sorted(wanted - covered):
            if len(chosen) >= self._max_examples:
                break
            if key in covered or key not in covers:
                continue
            chosen.append(covers[key])
            covered |= self._covered(*covers[key])
        rest = sorted((cr for cr in unique.values() if all(cr[0] is not c for c, _ in chosen)), key=lambda cr: cr[0].order)
        chosen += rest[: max(0, self._max_examples - len(chosen))]
        head = [chosen[0]] + sorted(chosen[1:], key=lambda cr: (cr[0].rank, cr[0].order))

        title_roots = sorted((first.by_root[r][0] for r in first_roots if r in first.by_root), key=lead_order)
        lead = title_roots[0]
        label = by_id(cause.label) if cause.label else None
        operations: dict[str, int] = {}
        for pending, _ in parts:
            operations[pending.operation] = operations.get(pending.operation, 0) + pending.count
        ranked_operations = sorted(operations.items(), key=lambda item: (-item[1], item[0]))
        operation = cause.lead.operation  # the method sent (`sent_operation`): one per operation's causes
        seen: dict[str, Difference] = {}
        for pending in cause.members:  # a split key's other differences belong to its other cause
            for signature, difference in pending.seen.items():
                seen.setdefault(signature, difference)
        title = [d.signature for d in title_roots]
        outcomes = {o for pending, _ in parts for o in pending.outcomes}
        tier, reason = intrinsic_tier(outcomes, harmless_label=label.id if label is not None and label.harmless else None,
                                      crash_after_writes=any(pending.crash_after_writes for pending, _ in parts),
                                      only_in_new=all(pending.only_in_new for pending, _ in parts),
                                      new_unrouted=any(pending.new_unrouted for pending, _ in parts))
        related_roots = sorted((r for r in all_roots if r not in title), key=lambda r: _order_of(r, parts))
        followers = [s for s, d in sorted(seen.items(), key=lambda sd: lead_order(sd[1])) if s not in all_roots and s not in title]
        statuses_seen = sorted({(c.old.status, c.new.status) for c, _ in unique.values()})
        other_status_pairs = [f"status {o} != {n}" for o, n in statuses_seen if f"status {o} != {n}" not in title and o != n]
        related = list(dict.fromkeys([*related_roots, *[s for s in other_status_pairs if s not in related_roots], *followers]))
        examples = [self.example(c.request, c.old, c.new, c.within(roots), old_request=c.old_request, new_request=c.new_request,
                                 steps=c.steps) for c, roots in head[: self._max_examples]]
        return MismatchGroup(
            operation=operation,
            signature=" + ".join(title),
            kind=lead.kind,
            count=sum(operations.values()),
            examples=first_app_exceptions(examples),
            divergence=label.id if label else None,
            explanation=f"{label.title}. {label.explanation}" if label else None,
            fix_hint=label.fix_hint if label else None,
            related=related,
            tier=tier,
            tier_reason=reason,
            operations=[GroupOperation(op, n) for op, n in ranked_operations],
            rank=min(c.rank for c, _ in unique.values()),
        )

    @staticmethod
    def _covered(candidate: _Candidate, roots: frozenset[str]) -> set[str]:
        return {f"status {candidate.old.status} {candidate.new.status}"} | {r for r in roots if r in candidate.by_root}

    def example(self, request: WireRequest, old: WireResponse, new: WireResponse, differences: list[Difference], *,
                old_request: WireRequest | None = None, new_request: WireRequest | None = None,
                steps: tuple[tuple[WireRequest, WireRequest], ...] = ()) -> MismatchExample:
        return MismatchExample(
            request=http_request(_sent_to_both(request, old_request, new_request), redact=self._redact),
            old=http_response(old, redact=self._redact, max_chars=self._max_body_chars),
            new=http_response(new, redact=self._redact, max_chars=self._max_body_chars),
            curl_old=self._reproducer(self._old_side, "OLD", old_request or request, [o for o, _ in steps]),
            curl_new=self._reproducer(self._new_side, "NEW", new_request or request, [n for _, n in steps]),
            differences=[d.detail or d.signature for d in differences],
        )

    def _reproducer(self, side: SideView, name: str, sent: WireRequest, earlier: list[WireRequest]) -> str:
        if side.in_process:
            from apiparity.fuzz.curl import test_client_snippet

            return test_client_snippet([*earlier, sent], side.in_process, side.framework or "", base_path=side.base_path,
                                       redact=self._redact, label=name)
        return " && ".join(curl_command(r, side.base_url, base_path=side.base_path, redact=self._redact) for r in [*earlier, sent])


def first_app_exceptions(examples: list[MismatchExample]) -> list[MismatchExample]:
    """A group's examples with the in-process app's traceback kept on the first example that has
    one, per side (one cause, one traceback to read; the others are the same crash again)."""
    for side in ("old", "new"):
        kept = False
        for example in examples:
            response = getattr(example, side)
            if response.app_exception is not None:
                if kept:
                    response.app_exception = None
                kept = True
    return examples


def _order_of(signature: str, parts: list[tuple[_Pending, frozenset[str]]]) -> tuple[int, int, str]:
    for pending, _ in parts:
        if signature in pending.differences:
            return lead_order(pending.differences[signature])
    return (9, 0, signature)


def _cross_operation(group: MismatchGroup, off_contract: Collection[str] = ()) -> bool:
    """A cause that is not one handler's own: a known divergence (the framework's), body and
    header fields (one model, one serializer, one error envelope), or any answer to a method the
    document does not declare on the path (`off_contract`: a probe's HEAD, OPTIONS or undeclared
    method reaches the framework's routing, not a handler written for it). A status difference
    with no label on a declared operation is each handler's own."""
    if group.divergence is not None or group.operation in off_contract:
        return True
    return group.kind not in ("status", "transport", "timeout")


def _bucket(group: MismatchGroup, off_contract: Collection[str]) -> tuple[str, str | None, str, str]:
    """What one cause across operations is keyed by: title, label, kind of answer, and for an
    off-contract method's status difference the method (HEAD 500 != 405 and OPTIONS 500 != 405 are
    two routings of the framework, each one group over every path)."""
    method = group.operation.partition(" ")[0] if group.operation in off_contract and group.kind == "status" else ""
    return group.signature, group.divergence, _answer_class(group), method


def _answer_class(group: MismatchGroup) -> str:
    """Success or error; for an unlabelled field difference of error answers, which error (its
    status): a 405's message and a 400's validation message are two code paths, not one envelope."""
    if not all(e.old.status >= 400 for e in group.examples):
        return "success"
    statuses = {e.old.status for e in group.examples if e.old.status == e.new.status}
    if group.divergence is None and group.kind != "status" and len(statuses) == 1:
        return f"error {statuses.pop()}"
    return "error"


def _example_size(group: MismatchGroup) -> int:
    if not group.examples:
        return 0
    request = group.examples[0].request
    return len(request.path) + sum(len(k) + len(v) + 2 for k, v in request.query) + len(json.dumps(request.body, default=str))


def merge_across_operations(groups: list[MismatchGroup], max_examples: int, *,
                            off_contract: Collection[str] = ()) -> list[MismatchGroup]:
    """One group for one cause seen on several operations: groups with the same title, label and
    kind of answer (success or error) whose cause is not one handler's own (`_cross_operation`;
    `off_contract`: the groups' operations that are methods the document does not declare, sent
    by a probe, keyed by their method too, `_bucket`). Its first example is the worst operation's
    (rank, then smallest), then one from each other operation; `operations` lists each with its
    count. Used by a run's grouper and by `merge` (a shard saw only its own operations), so both
    give the same groups. Sorted worst first."""
    from apiparity.fuzz.tiers import display_order

    buckets: dict[tuple[str, str | None, str, str], list[MismatchGroup]] = {}
    alone: list[MismatchGroup] = []
    for group in groups:
        if _cross_operation(group, off_contract):
            buckets.setdefault(_bucket(group, off_contract), []).append(group)
        else:
            alone.append(group)
    result = list(alone)
    for members in buckets.values():
        members = sorted(members, key=lambda g: (g.rank, _example_size(g), g.operation))
        if len(members) == 1:
            result.append(members[0])
            continue
        lead = members[0]
        counts: dict[str, int] = {}
        for member in members:
            for entry in member.operations or [GroupOperation(member.operation, member.count)]:
                counts[entry.operation] = counts.get(entry.operation, 0) + entry.count
        examples = [m.examples[0] for m in members if m.examples][:max_examples]
        examples += [e for m in members for e in m.examples[1:]][: max(0, max_examples - len(examples))]
        tiers = {m.tier for m in members}
        result.append(replace(
            lead,
            count=sum(m.count for m in members),
            examples=first_app_exceptions(examples),
            related=list(dict.fromkeys(r for m in members for r in m.related)),
            operations=[GroupOperation(op, n) for op, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))],
            rank=min(m.rank for m in members),
            tier=lead.tier if len(tiers) == 1 else "regression",
            tier_reason=lead.tier_reason if len(tiers) == 1 else None,
            conformance=list(dict.fromkeys(c for m in members for c in m.conformance)),
            spec_changes=list(dict.fromkeys(c for m in members for c in m.spec_changes)),
        ))
    result = fold_allow_into_routes(result)
    result.sort(key=display_order)
    return result


_AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})


def _allow_methods(headers: dict[str, str]) -> set[str] | None:
    value = next((v for k, v in headers.items() if k.lower() == "allow"), None)
    return None if value is None else {m.strip().upper() for m in value.split(",") if m.strip()}


def _allow_only(group: MismatchGroup) -> bool:
    return all(part.startswith("header:allow ") for part in group.signature.split(" + "))


def _route_groups(group: MismatchGroup, by_operation: dict[str, list[MismatchGroup]]) -> list[MismatchGroup]:
    """The status groups of the methods an Allow-only group's lists differ by (HEAD/OPTIONS aside),
    one per method, where the side that lacks the method answers 405; [] unless every method of
    every example has one."""
    path = group.operation.partition(" ")[2]
    hosts: list[MismatchGroup] = []
    for example in group.examples:
        old, new = _allow_methods(example.old.headers), _allow_methods(example.new.headers)
        if old is None or new is None:
            return []
        for method, refused_by in [*((m, "new") for m in sorted(old - new)), *((m, "old") for m in sorted(new - old))]:
            if method in _AUTOMATIC_METHODS:
                continue
            host = next((h for h in by_operation.get(f"{method} {path}", []) if h is not group and h.kind == "status" and any(
                (e.new.status if refused_by == "new" else e.old.status) == 405 for e in h.examples)), None)
            if host is None:
                return []
            hosts.append(host)
    return hosts


def fold_allow_into_routes(groups: list[MismatchGroup]) -> list[MismatchGroup]:
    """An Allow header that differs by a method (beyond Flask's automatic HEAD/OPTIONS) is that
    method's route seen from another request: `DELETE /authors/{id}` not ported answers 405, and
    OPTIONS on the path lists one method less. When every such method has its own status group on
    the same path where the side lacking it answers 405, the Allow group is folded into that group
    (its count added to the route's operation, its difference listed as "also differs") instead
    of standing as a second cause."""
    by_operation: dict[str, list[MismatchGroup]] = {}
    for group in groups:
        for operation in [o.operation for o in group.operations] or [group.operation]:
            by_operation.setdefault(operation, []).append(group)
    folded: dict[int, MismatchGroup] = {}  # id(host) -> host with what was folded into it
    dropped: set[int] = set()
    for group in groups:
        if not _allow_only(group) or not group.examples:
            continue
        hosts = _route_groups(group, by_operation)
        if not hosts:
            continue
        host = folded.get(id(hosts[0]), hosts[0])
        # counted on the route's own operation: OPTIONS is path-level (the probe runs from the path's
        # first operation, whose own answers are fine) and asks about this route
        counts = {o.operation: o.count for o in host.operations} or {host.operation: host.count}
        counts[host.operation] = counts.get(host.operation, 0) + group.count
        folded[id(hosts[0])] = replace(
            host,
            count=host.count + group.count,
            # its examples stay the route's own: an OPTIONS 200 among them would read as another status pair
            related=list(dict.fromkeys([*host.related, *group.signature.split(" + "), *group.related])),
            operations=[GroupOperation(op, n) for op, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))],
            rank=min(host.rank, group.rank),
            conformance=list(dict.fromkeys([*host.conformance, *group.conformance])),
            spec_changes=list(dict.fromkeys([*host.spec_changes, *group.spec_changes])),
        )
        dropped.add(id(group))
    return [folded.get(id(g), g) for g in groups if id(g) not in dropped]


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
        app_exception=response.app_exception,
    )


__all__ = ["Divergence", "Grouper", "SideView", "http_request", "http_response", "lead_order", "root_cause", "root_map",
           "root_signatures", "same_routing_answer", "sent_operation"]
