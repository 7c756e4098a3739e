"""Value-semantics probes (metamorphic): the same list request again with values that a client of
the old service relies on meaning the same thing, sent to both sides and compared like any case.

Generated values almost never exercise what a filter, a page or a sort *means*: a random `genre`
matches no record on either side, a random `page` is past the end on both. These probes read the
contract for the parameters that shape a list answer and re-send a request OLD answered with
success with values that reach existing records:

- `filter-case`: a string filter with a value OLD answered (the value pool) in the other letter
  case, and as a substring (a filter that became case-sensitive or exact: same status, fewer items);
- `pagination`: the first, second, last and one-past-last page at a small page size, and the first
  page with the page size left out (page/per_page, limit/offset, skip/take styles);
- `sort-order`: each sort key both ways (a `sort` enum, a `-key` spelling, an asc/desc parameter);
- `numeric-bounds`: each numeric query parameter at its documented minimum and maximum.

Each is bounded per operation (at most `MAX_REQUESTS` requests; pagination reads OLD once more to
learn how many records there are). OLD is called twice and NEW once, noise is cancelled and
differences are grouped by the runner, as for every probe.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from apiparity.fuzz.generate import GeneratedCase
from apiparity.fuzz.probes.base import Probe, ProbeOperation, ProbePool, ProbeRequest, query_pairs, schema_types, with_query
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.spec.contract import Contract

MAX_REQUESTS = 6  # per probe and operation
MAX_FILTERS = 2  # string filters probed per operation (two requests each)
SMALL_PAGE = 2  # the page size the pagination probe pages with (clamped to the documented bounds)
LARGE_PAGE = 100  # the page size it counts the records with when the document sets no maximum

PAGE_NAMES = frozenset({"page", "page_number", "page_no", "pagenumber", "pageno", "pagenum"})
SIZE_NAMES = frozenset({"per_page", "page_size", "perpage", "pagesize", "size", "limit", "take", "max_results",
                        "maxresults", "count", "page_limit"})
OFFSET_NAMES = frozenset({"offset", "skip", "start", "from"})
SORT_NAMES = frozenset({"sort", "sort_by", "sortby", "order_by", "orderby", "ordering", "sort_key", "sortkey"})
DIRECTION_NAMES = frozenset({"order", "direction", "dir", "sort_order", "sortorder", "sort_dir", "sortdir", "sort_direction"})
DIRECTION_WORDS = ("asc", "desc")
TOTAL_KEYS = ("total", "total_count", "totalcount", "count", "total_items", "totalitems", "total_results")
PREFERRED_TEXT_KEYS = ("name", "title", "label")


def name_key(name: str) -> str:
    return name.replace("-", "_").lower()


# ------------------------------------------------------------------------------ reading the contract


def list_answer(operation: ProbeOperation) -> bool:
    """The operation is a GET whose success answer may be a list: a JSON array, an object (an
    envelope) with an array property, or a success answer the document gives no schema (a plain
    Flask skeleton; the probe then reads OLD's answer)."""
    if operation.method != "GET":
        return False
    spec = operation.spec
    if spec is None or not any(status.startswith("2") or status == "default" for status in spec.raw_responses):
        return True  # no success answer documented: OLD's answer tells
    for status in ("200", "2XX", "default"):
        response = spec.responses.get(status)
        if response is None:
            continue
        if not any(media.raw.get("schema") for media in response.content.values()):
            return True  # undocumented: OLD's answer tells
        for media in response.content.values():
            if media.is_json and isinstance(media.schema, dict) and _listy(media.schema, operation.contract):
                return True
    return False


def _listy(schema: dict[str, Any], contract: Contract, depth: int = 0) -> bool:
    if depth > 3:
        return False
    if "array" in schema_types(schema, contract):
        return True
    for branch in (*(schema.get("allOf") or []), *(schema.get("anyOf") or []), *(schema.get("oneOf") or [])):
        resolved = contract.resolve(branch)
        if isinstance(resolved, dict) and _listy(resolved, contract, depth + 1):
            return True
    for prop in (schema.get("properties") or {}).values():
        resolved = contract.resolve(prop)
        if isinstance(resolved, dict) and "array" in schema_types(resolved, contract):
            return True
    return False


def _query_parameters(operation: ProbeOperation) -> list[tuple[str, set[str], dict[str, Any]]]:
    """(name, JSON types, schema) of each scalar query parameter."""
    return [(name, kinds, merged_schema(schema, operation.contract)) for name, kinds, schema in operation.scalar_query_parameters()]


def merged_schema(schema: dict[str, Any], document: Contract | dict[str, Any]) -> dict[str, Any]:
    """A parameter schema with its non-null anyOf/oneOf branch folded in (`Optional[int]` documents
    `anyOf: [{type: integer, minimum: 1}, {type: null}]`); `document` is the contract model its
    references resolve in (or the raw document)."""
    contract = Contract.of(document)
    merged = dict(schema)
    for key in ("anyOf", "oneOf"):
        branches = [contract.resolve(b) for b in schema.get(key) or []]
        kept = [b for b in branches if isinstance(b, dict) and b.get("type") != "null"]
        if len(kept) == 1:
            merged = {**kept[0], **{k: v for k, v in schema.items() if k not in (key, "type")}}
    return merged


def _integer(kinds: set[str]) -> bool:
    return kinds <= {"integer", "number"} and "integer" in kinds


def _bound(schema: dict[str, Any], which: str) -> float | None:
    """The documented inclusive minimum/maximum (an OpenAPI 3.1 numeric exclusive bound moved one in
    for an integer is left to the caller: None here)."""
    value = schema.get(which)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    exclusive = schema.get("exclusiveMinimum" if which == "minimum" else "exclusiveMaximum")
    if exclusive is True:
        return None
    return value


def _declared_required(operation: ProbeOperation) -> set[str]:
    return {str(p["name"]) for p in operation.parameters_in("query") if p.get("required")}


def clean_base(operation: ProbeOperation, pool: ProbePool) -> tuple[GeneratedCase, list[tuple[str, str]]] | None:
    """The request a list probe starts from: the first positive case OLD answered with success,
    with every optional query parameter the document declares taken out (a random filter value
    would leave the list empty on both sides); required ones and undeclared ones (an API key) stay."""
    base = pool.base()
    if base is None:
        return None
    answer = pool.answer_to(base)
    if answer is None or not 200 <= answer.status < 300:
        return None
    ok, body = answer.json()
    if not ok or items_of(body) is None:
        return None  # OLD answered no list
    declared = {str(p["name"]) for p in operation.parameters_in("query")}
    required = _declared_required(operation)
    kept = [(k, v) for k, v in query_pairs(base.request) if k not in declared or k in required]
    return base, kept


def list_request(base: GeneratedCase, query: list[tuple[str, str]], probe: str) -> WireRequest:
    return replace(with_query(base.request, query), probe=probe)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


# ---------------------------------------------------------------------------------- reading answers


def items_of(body: Any) -> list[Any] | None:
    """The records of a list answer: the array itself, else the first array property of the
    envelope (`{"items": [...], "total": 7}`, `{"data": {"results": [...]}}`, one level down)."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, list):
                return value
        for value in body.values():
            if isinstance(value, dict):
                found = next((v for v in value.values() if isinstance(v, list)), None)
                if found is not None:
                    return found
    return None


def total_of(answer: WireResponse) -> int | None:
    """How many records the whole list has, when the answer says: an envelope's `total`/`count`,
    else an `X-Total-Count` header."""
    ok, body = answer.json()
    if ok and isinstance(body, dict):
        for scope in (body, *(v for v in body.values() if isinstance(v, dict))):
            for key, value in scope.items():
                if name_key(key) in TOTAL_KEYS and isinstance(value, int) and not isinstance(value, bool):
                    return value
    header = answer.header("x-total-count")
    return int(header) if header and header.isdigit() else None


def _text_values(answer: WireResponse | None) -> list[str]:
    """Strings of the records of one list answer, `name`/`title` first."""
    if answer is None:
        return []
    ok, body = answer.json()
    records = items_of(body) if ok else None
    preferred: list[str] = []
    other: list[str] = []
    for record in records or []:
        if not isinstance(record, dict):
            continue
        for key, value in record.items():
            if isinstance(value, str):
                (preferred if name_key(key) in PREFERRED_TEXT_KEYS else other).append(value)
    return preferred + other


# ----------------------------------------------------------------------------------------- filters


def _filters(operation: ProbeOperation) -> list[tuple[str, dict[str, Any]]]:
    """String query parameters that filter: free text (no enum, format or pattern a changed case
    or a substring would break), not a paging, sorting or direction parameter."""
    reserved = PAGE_NAMES | SIZE_NAMES | OFFSET_NAMES | SORT_NAMES | DIRECTION_NAMES | {"cursor", "fields", "expand", "include"}
    found = []
    for name, kinds, schema in _query_parameters(operation):
        if kinds != {"string"} or name_key(name) in reserved:
            continue
        if schema.get("enum") or schema.get("const") is not None or schema.get("format") or schema.get("pattern"):
            continue
        found.append((name, schema))
    return found


def _fits(value: str, schema: dict[str, Any]) -> bool:
    low, high = schema.get("minLength"), schema.get("maxLength")
    return (not isinstance(low, int) or len(value) >= low) and (not isinstance(high, int) or len(value) <= high)


def other_case(value: str) -> str | None:
    """`value` in the other letter case (upper, or lower when it is all upper); None without letters."""
    changed = value.upper() if value != value.upper() else value.lower()
    return changed if changed != value else None


def substring(value: str) -> str | None:
    """A proper part of `value` that keeps its case: its first word when it has several, else all
    but its first and last characters (at least two characters)."""
    words = value.split()
    if len(words) > 1 and len(words[0]) >= 2:
        return words[0]
    inner = value[1:-1]
    return inner if len(inner) >= 2 and inner.strip() == inner else None


class FilterCase(Probe):
    name = "filter-case"
    doc = ("Each string filter of a list (free text, no enum) with a value OLD answered - a record's own value "
           "from the value pool - in the other letter case and as a substring: a filter that became "
           "case-sensitive or exact answers the same status with fewer items. At most two filters, two requests "
           "each.")

    def applies(self, operation: ProbeOperation) -> bool:
        return bool(_filters(operation)) and list_answer(operation)

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        start = clean_base(operation, pool)
        if start is None:
            return
        base, kept = start
        sent = 0
        for name, schema in _filters(operation)[:MAX_FILTERS]:
            value = self._value(name, schema, pool)
            if value is None:
                continue
            for changed in (other_case(value), substring(value)):
                if changed is not None and _fits(changed, schema) and sent < MAX_REQUESTS:
                    sent += 1
                    yield ProbeRequest(list_request(base, [*kept, (name, changed)], self.name))

    @staticmethod
    def _value(name: str, schema: dict[str, Any], pool: ProbePool) -> str | None:
        """A value of an existing record for filter `name`: pooled values of a property of that name
        first, else the text of the records OLD listed in this operation's answers."""
        own = [str(v) for v in (pool.values.query_values(name) if pool.values is not None else []) if isinstance(v, str)]
        listed = [text for case, answer in pool.answered if case.mode == "positive" and 200 <= answer.status < 300
                  for text in _text_values(answer)]
        for value in (*own, *listed):
            if other_case(value) is not None and len(value) >= 3 and _fits(value, schema) and len(value) <= 80:
                return value
        return None


# -------------------------------------------------------------------------------------- pagination


def _paging(operation: ProbeOperation) -> tuple[tuple[str, dict[str, Any]] | None, tuple[str, dict[str, Any]] | None,
                                                 tuple[str, dict[str, Any]] | None]:
    """(page number, page size, offset) parameters the document declares (integers), each or None."""
    page = size = offset = None
    for name, kinds, schema in _query_parameters(operation):
        if not _integer(kinds):
            continue
        key = name_key(name)
        if key in PAGE_NAMES and page is None:
            page = (name, schema)
        elif key in SIZE_NAMES and size is None:
            size = (name, schema)
        elif key in OFFSET_NAMES and offset is None:
            offset = (name, schema)
    return page, size, offset


def clamp(value: int, schema: dict[str, Any]) -> int | None:
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    if low is not None and value < low:
        value = math.ceil(low)
    if high is not None and value > high:
        return None
    return value


class Pagination(Probe):
    name = "pagination"
    doc = ("Each paged list (page/per_page, limit/offset) at a small page size: the first, second, last and "
           "one-past-last page, and the first page with the page size left out (its default). OLD is read once "
           "more at the largest page size to learn how many records there are. At most six requests.")

    def applies(self, operation: ProbeOperation) -> bool:
        page, _, offset = _paging(operation)
        return (page is not None or offset is not None) and list_answer(operation)

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        start = clean_base(operation, pool)
        if start is None:
            return
        base, kept = start
        page, size, offset = _paging(operation)
        position = page or offset
        assert position is not None
        lowest = _bound(position[1], "minimum")
        first = int(lowest) if lowest is not None else (1 if page is not None else 0)
        small = clamp(SMALL_PAGE, size[1]) if size is not None else None
        counted = self._count(base, kept, position[0], first, size, pool)
        if counted is None:
            return
        records, on_first_page = counted
        per_page = small if small is not None else on_first_page
        if records is None or not per_page:
            return
        queries: list[list[tuple[str, str]]] = []
        with_size = [(size[0], str(per_page))] if size is not None and small is not None else []
        last_page = max(0, math.ceil(records / per_page) - 1)  # zero-based index of the last page
        for index in dict.fromkeys((0, 1, last_page, last_page + 1)):
            value = first + index if page is not None else first + index * per_page
            if clamp(value, position[1]) != value:
                continue
            queries.append([*kept, (position[0], str(value)), *with_size])
        if size is not None:
            queries.append([*kept, (position[0], str(first))])  # the default page size
        for query in queries[:MAX_REQUESTS]:
            yield ProbeRequest(list_request(base, query, self.name))

    @staticmethod
    def _count(base: GeneratedCase, kept: list[tuple[str, str]], position: str, first: int,
               size: tuple[str, dict[str, Any]] | None, pool: ProbePool) -> tuple[int | None, int] | None:
        """(how many records OLD lists, how many its first page holds), from one read of OLD's first
        page at the largest page size: its answer's total, else the records on that page when the
        page size could be raised. None when OLD does not answer the page with a list."""
        if pool.fetch is None:
            return None
        large = [] if size is None else [(size[0], str(int(_bound(size[1], "maximum") or LARGE_PAGE)))]
        answer = pool.fetch("old", list_request(base, [*kept, (position, str(first)), *large], Pagination.name))
        ok, body = answer.json()
        records = items_of(body) if ok and 200 <= answer.status < 300 else None
        if records is None:
            return None
        total = total_of(answer)
        return (total if total is not None else len(records) if size is not None else None), len(records)


# ----------------------------------------------------------------------------------------- sorting


def _sorting(operation: ProbeOperation) -> tuple[tuple[str, dict[str, Any]] | None, tuple[str, list[str]] | None]:
    """(sort key parameter, (direction parameter, its values)) the document declares, each or None.
    `order` is a direction when its values are asc/desc-like, else a sort key."""
    key_param = direction = None
    for name, kinds, schema in _query_parameters(operation):
        if kinds != {"string"}:
            continue
        key = name_key(name)
        enum = [v for v in schema.get("enum") or [] if isinstance(v, str)]
        directional = bool(enum) and all(v.lower() in ("asc", "desc", "ascending", "descending", "up", "down") for v in enum)
        if key in DIRECTION_NAMES and (directional or (not enum and key != "order")) and direction is None:
            direction = (name, enum or list(DIRECTION_WORDS))
        elif key in SORT_NAMES | {"order"} and key_param is None and not directional:
            key_param = (name, schema)
    return key_param, direction


class SortOrder(Probe):
    name = "sort-order"
    doc = ("Each sort key of a list both ways: the values of a `sort`/`order_by` enum (`price`, `-price`), a free "
           "sort key as `key` and `-key` (a field of the records OLD listed), each with every value of an "
           "asc/desc parameter. At most six requests.")

    def applies(self, operation: ProbeOperation) -> bool:
        key_param, direction = _sorting(operation)
        return (key_param is not None or direction is not None) and list_answer(operation)

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        start = clean_base(operation, pool)
        if start is None:
            return
        base, kept = start
        key_param, direction = _sorting(operation)
        keys: list[str | None] = [None]
        if key_param is not None:
            enum = [v for v in key_param[1].get("enum") or [] if isinstance(v, str)]
            if enum:
                keys = list(enum)
            else:
                field = self._field(pool, base)
                keys = [field, "-" + field] if field and direction is None else [field] if field else [None]
        directions: list[str | None] = list(direction[1][:2]) if direction is not None else [None]
        queries = []
        for key in keys:
            for way in directions:
                query = list(kept)
                if key is not None and key_param is not None:
                    query.append((key_param[0], key))
                if way is not None and direction is not None:
                    query.append((direction[0], way))
                if len(query) > len(kept):
                    queries.append(query)
        for query in self._spread(queries):
            yield ProbeRequest(list_request(base, query, self.name))

    @staticmethod
    def _spread(queries: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
        """At most MAX_REQUESTS, taken across the whole list (every key once before any twice)."""
        if len(queries) <= MAX_REQUESTS:
            return queries
        step = len(queries) / MAX_REQUESTS
        return [queries[int(i * step)] for i in range(MAX_REQUESTS)]

    @staticmethod
    def _field(pool: ProbePool, base: GeneratedCase) -> str | None:
        """A field to sort by: the first scalar, non-`id` key of the records OLD listed."""
        answer = pool.answer_to(base)
        ok, body = answer.json() if answer is not None else (False, None)
        records = items_of(body) if ok else None
        first = next((r for r in records or [] if isinstance(r, dict)), None)
        for key, value in (first or {}).items():
            if name_key(key) != "id" and isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return str(key)
        return None


# ---------------------------------------------------------------------------------- numeric bounds


class NumericBounds(Probe):
    name = "numeric-bounds"
    doc = ("Each numeric query parameter with a documented minimum or maximum sent at that bound (one parameter "
           "changed at a time, from a case OLD answered with success): a port whose bound moved or became "
           "exclusive refuses a value clients send. At most six requests.")

    def applies(self, operation: ProbeOperation) -> bool:
        return bool(self._bounded(operation))

    @staticmethod
    def _bounded(operation: ProbeOperation) -> list[tuple[str, list[float]]]:
        found = []
        for name, kinds, schema in _query_parameters(operation):
            if not kinds <= {"integer", "number"} or schema.get("enum"):
                continue
            bounds = [b for b in (_bound(schema, "minimum"), _bound(schema, "maximum")) if b is not None]
            if bounds:
                found.append((name, bounds))
        return found

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = pool.base()
        if base is None:
            return
        pairs = query_pairs(base.request)
        sent = 0
        for name, bounds in self._bounded(operation):
            for bound in bounds:
                text = _number_text(bound)
                if sent >= MAX_REQUESTS or (name, text) in pairs:
                    continue
                sent += 1
                query = [(k, v) for k, v in pairs if k != name] + [(name, text)]
                yield ProbeRequest(list_request(base, query, self.name))
