"""`cursor-pagination`: a cursor-paged list followed from one page to the next on each side.

A cursor (`?cursor=`, `?after=`, `?page_token=`, ...) is opaque: a generated value is no cursor
either side issued, so both answer 400 and agree, and a port whose second page starts one record
early (`id >= after` for `id > after`) or skips one is never seen. This probe asks each side for
the first page at a small page size, reads the cursor of the next page from that side's own answer
(a `next_cursor`-like field at the top of the body or one envelope down, a `next` URL, a
`Link: <...>; rel="next"` header, or Stripe's `has_more` with the last record's id), and sends the
next page with OLD's cursor to OLD and NEW's cursor to NEW: the records of page 2 (and page 3) are
compared like any case. The cursors themselves are opaque to clients, so when both sides issued one
their spelling is not judged; a next page only one side offers is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from apiparity.fuzz.compare import Difference, FieldPath
from apiparity.fuzz.probes.base import Probe, ProbeAnswers, ProbeOperation, ProbePool, ProbeRequest
from apiparity.fuzz.probes.semantics import (
    SMALL_PAGE,
    SIZE_NAMES,
    clamp,
    clean_base,
    items_of,
    list_answer,
    list_request,
    merged_schema,
    name_key,
)
from apiparity.fuzz.wire import WireResponse

MAX_PAGES = 3  # page 1, then up to two pages reached by following each side's cursor

CURSOR_NAMES = frozenset({
    "cursor", "after", "next", "page_token", "pagetoken", "next_token", "nexttoken", "next_cursor", "nextcursor",
    "page_cursor", "continuation", "continuation_token", "continuationtoken", "starting_after", "start_after",
    "marker", "after_cursor",
})
# where an answer says the next page's cursor (a key, compared lower case with `-` as `_`)
NEXT_KEYS = ("next_cursor", "nextcursor", "next_page_token", "nextpagetoken", "next_token", "nexttoken", "end_cursor",
             "endcursor", "continuation_token", "continuationtoken", "next_page", "nextpage", "next", "cursor", "after")
ENVELOPES = ("meta", "pagination", "paging", "page_info", "pageinfo", "links", "_links", "cursor", "cursors", "page")
HAS_MORE = ("has_more", "hasmore", "has_next", "hasnext", "has_next_page", "hasnextpage")
ID_CURSORS = frozenset({"starting_after", "start_after", "after", "after_id"})  # Stripe style: the last record's id


def cursor_parameter(operation: ProbeOperation) -> str | None:
    """The operation's cursor query parameter (a scalar named like one), or None."""
    for name, kinds, _ in operation.scalar_query_parameters():
        if name_key(name) in CURSOR_NAMES and kinds & {"string", "integer"}:
            return name
    return None


def _size_parameter(operation: ProbeOperation) -> tuple[str, dict[str, Any]] | None:
    for name, kinds, schema in operation.scalar_query_parameters():
        if name_key(name) in SIZE_NAMES and "integer" in kinds:
            return name, merged_schema(schema, operation.contract)
    return None


def _token_text(value: Any, parameter: str | None) -> str | None:
    """A cursor from one value of an answer: a string or integer, or the cursor of a URL (a `next`
    link, a HAL `{"href": ...}`): its `parameter`, else its first cursor-named parameter, else (no
    parameter asked for) the URL itself."""
    if isinstance(value, dict):
        value = value.get("href")
    if isinstance(value, bool) or value is None or value == "":
        return None
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        return None
    if "?" in value or value.startswith(("http://", "https://", "/")):
        query = dict(parse_qsl(urlsplit(value).query, keep_blank_values=True))
        if parameter is not None and query.get(parameter):
            return query[parameter]
        named = next((v for k, v in query.items() if name_key(k) in CURSOR_NAMES and v), None)
        return named if named is not None or parameter is not None else value
    return value


LINK = "link"  # where a cursor is: the Link header
LAST_ID = "last-id"  # the last record's id (Stripe's `has_more`)


def next_cursor(answer: WireResponse, parameter: str | None) -> tuple[str, FieldPath | str] | None:
    """(the next page's cursor, where the answer says it: a body field path, LINK or LAST_ID) from
    one side's answer to a page; None when the answer offers no next page. `parameter` is the query
    parameter a next-page URL carries the cursor in (None: any cursor-named one)."""
    if not 200 <= answer.status < 300:
        return None
    link = _link_next(answer.header("link") or "", parameter)
    if link is not None:
        return link, LINK
    ok, body = answer.json()
    if not ok or not isinstance(body, dict):
        return None
    scopes: list[tuple[FieldPath, dict[str, Any]]] = [((), body)]
    scopes += [((key,), value) for key, value in body.items() if name_key(key) in ENVELOPES and isinstance(value, dict)]
    for prefix, scope in scopes:
        if any(name_key(k) in HAS_MORE and v is False for k, v in scope.items()):
            return None
        for key, value in scope.items():
            if name_key(key) in NEXT_KEYS:
                token = _token_text(value, parameter)
                if token is not None:
                    return token, (*prefix, key)
    if (parameter is None or name_key(parameter) in ID_CURSORS) and any(name_key(k) in HAS_MORE and v is True for k, v in body.items()):
        records = items_of(body) or []
        last = records[-1] if records and isinstance(records[-1], dict) else {}
        token = _token_text(last.get("id"), parameter)
        if token is not None:
            return token, LAST_ID
    return None


def _link_next(header: str, parameter: str | None) -> str | None:
    """The `parameter` of the rel="next" URL of an RFC 8288 Link header."""
    for part in header.split(","):
        target, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return _token_text(target.strip().strip("<>"), parameter)
    return None


class CursorPagination(Probe):
    name = "cursor-pagination"
    doc = ("Each cursor-paged list (`cursor`, `after`, `page_token`, ...) followed from one page to the next on each "
           "side at a small page size: the cursor of the next page read from each side's own answer (a `next_cursor` "
           "field, a `next` URL, a Link rel=\"next\" header), page 2 and 3 sent with OLD's cursor to OLD and NEW's "
           "to NEW. A port whose second page starts one record early or late shows; the cursors' spelling is not "
           "judged. At most three pages, four extra reads.")

    def applies(self, operation: ProbeOperation) -> bool:
        return cursor_parameter(operation) is not None and list_answer(operation)

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        parameter = cursor_parameter(operation)
        start = clean_base(operation, pool)
        if parameter is None or start is None or pool.fetch is None:
            return
        base, kept = start
        size = _size_parameter(operation)
        small = clamp(SMALL_PAGE, size[1]) if size is not None else None
        first = [(k, v) for k, v in kept if k not in (parameter, size[0] if size else None)]
        if size is not None and small is not None:
            first.append((size[0], str(small)))
        page = list_request(base, first, self.name)
        yield ProbeRequest(page)  # page 1, compared like any case (a next cursor only one side gives shows here)
        old_page, new_page = pool.fetch("old", page), pool.fetch("new", page)
        for number in range(2, MAX_PAGES + 1):
            old_next, new_next = next_cursor(old_page, parameter), next_cursor(new_page, parameter)
            if old_next is None or new_next is None:
                return  # OLD's list ends here, or NEW offers no next page (page 1's comparison shows that)
            old_request = list_request(base, [*first, (parameter, old_next[0])], self.name)
            new_request = list_request(base, [*first, (parameter, new_next[0])], self.name)
            yield ProbeRequest(old_request, new_request=new_request if new_request != old_request else None)
            if number < MAX_PAGES:
                old_page, new_page = pool.fetch("old", old_request), pool.fetch("new", new_request)

    def judge(self, answers: ProbeAnswers, differences: list[Difference]) -> list[Difference]:
        """Every difference but the next cursor's own spelling when both sides offer a next page
        (from the same place: a field path or the Link header)."""
        old_next, new_next = next_cursor(answers.old, None), next_cursor(answers.new, None)
        if old_next is None or new_next is None or old_next[1] != new_next[1]:
            return differences
        where = old_next[1]
        return [d for d in differences
                if not (where == LINK and d.kind == "header" and d.header == "link")
                and not (isinstance(where, tuple) and d.kind == "body" and d.path == where)]
