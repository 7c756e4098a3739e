"""Comparing OLD's answer with NEW's: comparators as registered functions (status, headers, body),
each returning typed `Difference` records whose `signature` is the grouping key.

JSON bodies are compared parsed, with deepdiff: numbers equal by value (1 == 1.0), key order
ignored, list order significant unless a field is declared unordered.

A difference carries its kind of change as a `Change` and its field as a tuple path
(`("items", ANY_INDEX, "price")`); `format_path` is the one place a path becomes text
(`$.items[*].price`), the syntax users write in `--ignore`/`--unordered`: a small JSONPath subset
where `*` matches one key, `[*]` any index, and a pattern also covers everything below it.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

from apiparity.fuzz.wire import WireResponse
from apiparity.model import DifferenceKind

MAX_VALUE_CHARS = 80


class _AnyIndex:
    """`[*]` in a field path: any element of a list (differences fold their indexes into it)."""

    _instance: _AnyIndex | None = None

    def __new__(cls) -> _AnyIndex:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ANY_INDEX"

    def __reduce__(self) -> str:
        return "ANY_INDEX"


ANY_INDEX: Final = _AnyIndex()
PathPart = str | int | _AnyIndex
FieldPath = tuple[PathPart, ...]  # a JSON body field: ("items", ANY_INDEX, "price"); () is the body's root

_PLAIN_KEY = re.compile(r"[A-Za-z_][\w-]*")


def format_path(path: FieldPath) -> str:
    """The one text form of a field path, for people and for `--ignore` patterns:
    ("items", 0, "price") -> `$.items[0].price`; ANY_INDEX -> `[*]`; keys that are not plain names
    are quoted: ("a b",) -> `$["a b"]`."""
    out = "$"
    for key in path:
        if key is ANY_INDEX:
            out += "[*]"
        elif isinstance(key, int):
            out += f"[{key}]"
        elif isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
            out += f".{key}"
        else:
            out += f"[{json.dumps(str(key))}]"
    return out


def fold_indexes(path: FieldPath) -> FieldPath:
    """Every list index as ANY_INDEX: the field all elements share."""
    return tuple(ANY_INDEX if isinstance(key, int) else key for key in path)


class Change(enum.Enum):
    """What kind of change a difference is. The value is how a report says it; STATUS, NO_ANSWER and
    READ_CAP are completed by the difference's own fields (`Difference.change_text`)."""

    STATUS = "status"  # "{old} != {new}" from `statuses`
    NO_ANSWER = "no answer"  # "{reason} on {side}": one side failed (transport error, timeout, crash)
    VALUE_CHANGED = "value changed"
    TYPE_CHANGED = "type changed"
    ADDED = "added in NEW"
    MISSING = "missing in NEW"
    ORDER_CHANGED = "list order changed"
    ELEMENTS_CHANGED = "elements changed"  # many fields of a list's elements at once (grouping's root)
    FORMAT_CHANGED = "format changed"  # a noisy value whose shape changed on NEW (noise.py)
    EMPTY_RESPONSE = "differs on an empty response"  # the content type of no content
    JSON_ONLY_IN_OLD = "JSON in OLD, not JSON in NEW"
    JSON_ONLY_IN_NEW = "not JSON in OLD, JSON in NEW"
    TEXT_CHANGED = "text changed"
    TRUNCATED_TEXT_CHANGED = "text changed (both truncated at the read cap)"
    READ_CAP = "larger than the read cap"  # "... in {side}": one side's answer exceeds --max-body-bytes


@dataclass(slots=True, frozen=True)
class Difference:
    kind: DifferenceKind  # where: status | header | body | order | transport | timeout
    change: Change
    path: FieldPath | None = None  # body and order: the JSON field, indexes folded; None for the body as a whole
    detail: str = ""  # a human line with the values of this example
    header: str = ""  # kind "header": the header's name, lower case
    statuses: tuple[int, int] | None = None  # Change.STATUS: (OLD's, NEW's)
    side: str = ""  # the side a one-sided change is about: "OLD" or "NEW" (NO_ANSWER, READ_CAP)
    reason: str = ""  # NO_ANSWER: "timeout", "app raised ValueError", "ConnectError", ...
    # (OLD's value, NEW's value) of a changed JSON field, for judging beyond equality (noise.py,
    # divergence labels); not part of the difference's identity
    values: tuple[Any, Any] | None = dataclasses.field(default=None, compare=False, repr=False)  # `field` is a field here

    @property
    def field(self) -> str:
        """The field as users write it: "status", "transport", "header:content-type", "body", "$.items[*].price"."""
        if self.kind == "status":
            return "status"
        if self.kind in ("transport", "timeout"):
            return "transport"
        if self.kind == "header":
            return f"header:{self.header}"
        return "body" if self.path is None else format_path(self.path)

    @property
    def change_text(self) -> str:
        """The change as reports say it: "400 != 422", "timeout on NEW", "missing in NEW", ..."""
        if self.change is Change.STATUS and self.statuses is not None:
            return f"{self.statuses[0]} != {self.statuses[1]}"
        if self.change is Change.NO_ANSWER:
            return f"{self.reason} on {self.side}"
        if self.change is Change.READ_CAP:
            return f"{self.change.value} in {self.side}"
        return self.change.value

    @property
    def signature(self) -> str:
        if self.kind == "status":
            return f"status {self.change_text}"
        if self.kind in ("transport", "timeout"):
            return self.change_text
        if self.kind == "header":
            return f"{self.field} {self.change_text}"  # "header:allow value changed", as --ignore spells the header
        return f"{self.kind} {self.field} {self.change_text}"

    @property
    def is_list_element(self) -> bool:
        """A body difference about the elements of a list (`$.items[*]`), not a field of them."""
        return self.kind == "body" and self.path is not None and len(self.path) > 0 and self.path[-1] is ANY_INDEX


@dataclass(slots=True)
class CompareOptions:
    compare_headers: tuple[str, ...] = ()
    # response headers OLD's document declares for the operation: part of the contract, compared
    # by default (noise cancellation still applies: a random X-Request-Id is learned as noise)
    declared_headers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # response key ("200", "4XX", "default") -> names
    ignore: tuple[str, ...] = ()
    unordered: tuple[str, ...] = ()
    equivalent_status: tuple[tuple[int, int], ...] = ()
    redact: bool = False  # header details show cookie names and attributes, never credential values
    # each side's own identifiers seen so far (ids, slugs, tokens created on that side): a value
    # that is OLD's 7 in OLD's answer and NEW's 12 in NEW's is the same thing (stateful runs)
    identities: Any = None  # apiparity.fuzz.stateful.IdentityMap | None
    _ignore_res: list[re.Pattern[str]] = field(default_factory=list)
    _unordered_res: list[re.Pattern[str]] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Any) -> CompareOptions:
        """The comparison every case source (fuzz, replay, shadow) shares: one place, so that an
        option such as redaction can never be honoured by one source and forgotten by another."""
        return cls(
            compare_headers=settings.compare_headers,
            ignore=settings.ignore,
            unordered=settings.unordered,
            equivalent_status=settings.equivalent_status,
            redact=settings.redact,
        )

    def __post_init__(self) -> None:
        self._ignore_res = [field_pattern(p) for p in self.ignore if not p.lower().startswith("header:")]
        self._unordered_res = [field_pattern(p, children=False) for p in self.unordered]

    def ignores_field(self, path: FieldPath) -> bool:
        """`path` (indexes folded) matches an `--ignore` pattern."""
        text = format_path(path)
        return any(rx.match(text) for rx in self._ignore_res)

    def ignores_header(self, name: str) -> bool:
        return any(p.lower() == f"header:{name.lower()}" for p in self.ignore)

    def is_unordered(self, path: FieldPath) -> bool:
        text = format_path(path)
        return any(rx.match(text) for rx in self._unordered_res)

    def statuses_equivalent(self, old: int, new: int) -> bool:
        return (old, new) in self.equivalent_status or (new, old) in self.equivalent_status


def field_pattern(pattern: str, *, children: bool = True) -> re.Pattern[str]:
    """Compile `$.items[*].updated_at` (or `items[*].updated_at`) into a regex over `format_path`'s
    text of a folded path."""
    text = pattern.strip()
    if not text.startswith("$"):
        text = "$." + text.lstrip(".")
    text = re.sub(r"\[\d+\]", "[*]", text)
    regex = ""
    i = 0
    while i < len(text):
        if text.startswith("[*]", i):
            regex += r"\[\*\]"
            i += 3
        elif text[i] == "*":
            regex += r"[^.\[]*"
            i += 1
        else:
            regex += re.escape(text[i])
            i += 1
    return re.compile(regex + (r"(?:$|[.\[].*)" if children else "$"))


Comparator = Callable[[WireResponse, WireResponse, CompareOptions], list[Difference]]
COMPARATORS: dict[str, Comparator] = {}


def comparator(name: str) -> Callable[[Comparator], Comparator]:
    def register(func: Comparator) -> Comparator:
        COMPARATORS[name] = func
        return func

    return register


def compare_responses(old: WireResponse, new: WireResponse, options: CompareOptions) -> list[Difference]:
    """All differences a client could see between `old` and `new`.

    A transport failure or a status difference is reported alone: the bodies of two different
    statuses are different answers, not a field-by-field change."""
    failure = _compare_failures(old, new)
    if failure is not None:
        return failure
    if old.status != new.status:
        if options.statuses_equivalent(old.status, new.status):
            return []
        return [Difference("status", Change.STATUS, detail=f"status: OLD {old.status}, NEW {new.status}", statuses=(old.status, new.status))]
    differences: list[Difference] = []
    both_redirect = _both_redirect(old, new)
    for name, func in COMPARATORS.items():
        if name == "status" or (both_redirect and name == "body"):
            continue
        differences.extend(func(old, new, options))
    if both_redirect:
        # the body of a redirect is a note for browsers (Werkzeug's HTML "Redirecting..." page,
        # Starlette's nothing at all); a client follows Location, compared on its own
        differences = [d for d in differences if not _is_content_type(d)]
    if any(_is_content_type(d) for d in differences):
        # a JSON-vs-not-JSON body is the content-type difference seen again: report it once
        differences = [d for d in differences if d.change not in (Change.JSON_ONLY_IN_OLD, Change.JSON_ONLY_IN_NEW)]
    return differences


def _is_content_type(difference: Difference) -> bool:
    return difference.kind == "header" and difference.header == "content-type"


def _both_redirect(old: WireResponse, new: WireResponse) -> bool:
    """Both answers redirect (3xx with a Location). Where they point is compared as the Location
    header (path and query, whatever the host); the body is only the note next to it."""
    if not (300 <= old.status < 400 and 300 <= new.status < 400):
        return False
    return _location_path(old) is not None and _location_path(new) is not None


def _compare_failures(old: WireResponse, new: WireResponse) -> list[Difference] | None:
    if not old.error and not new.error:
        return None
    if old.error and new.error:
        return []  # neither answered: nothing a client could tell apart
    side, failed = ("NEW", new) if new.error else ("OLD", old)
    other = old if new.error else new
    kind: DifferenceKind = "timeout" if failed.timed_out else "transport"
    reason = "timeout" if failed.timed_out else _error_class(failed.error or "")
    return [Difference(kind, Change.NO_ANSWER, detail=f"{side}: {failed.error}; the other side answered {other.status}", side=side, reason=reason)]


def _error_class(error: str) -> str:
    match = re.match(r"app raised (\w+)", error)
    return f"app raised {match.group(1)}" if match else error.split(":", 1)[0]


@comparator("status")
def compare_status(old: WireResponse, new: WireResponse, options: CompareOptions) -> list[Difference]:
    return [] if old.status == new.status else [Difference("status", Change.STATUS, statuses=(old.status, new.status))]


def declared_for_status(declared: dict[str, tuple[str, ...]], status: int) -> tuple[str, ...]:
    """The headers the response OLD answered with declares: its own code, else its range, else default."""
    for key in (str(status), f"{status // 100}XX", "DEFAULT"):
        if key in declared:
            return declared[key]
    return ()


def _header_value(response: WireResponse, name: str) -> Any:
    return response.header(name)


@comparator("headers")
def compare_headers(old: WireResponse, new: WireResponse, options: CompareOptions) -> list[Difference]:
    differences = []
    checks: list[tuple[str, Callable[[WireResponse], Any]]] = [
        ("content-type", lambda r: r.media_type),
        ("location", _location_path),
        ("allow", lambda r: _allow_set(r)),
        ("link", _link_paths),  # pagination: clients follow rel="next" like a Location
    ]
    named = {name for name, _ in checks}
    declared = declared_for_status(options.declared_headers, old.status)
    extra = dict.fromkeys(name.lower() for name in (*options.compare_headers, *declared) if name.lower() not in named)
    checks += [(name, functools.partial(_header_value, name=name)) for name in extra]
    for name, read in checks:
        if options.ignores_header(name):
            continue
        old_value, new_value = read(old), read(new)
        if old_value == new_value:
            continue
        if name == "location" and options.identities is not None and options.identities.same_text(old_value, new_value):
            continue
        empty = not old.body and not new.body
        if name == "content-type" and empty:
            # the media type of no content is nothing a client reads (Flask labels an empty 204
            # text/html, Starlette sends none); compared only on request: --compare-header content-type
            if "content-type" not in {h.lower() for h in options.compare_headers}:
                continue
            change = Change.EMPTY_RESPONSE
        elif old_value is None:
            change = Change.ADDED
        elif new_value is None:
            change = Change.MISSING
        else:
            change = Change.VALUE_CHANGED
        if options.redact:
            from apiparity.fuzz.redact import redact_shown

            old_value, new_value = (redact_shown(name, v) if isinstance(v, str) else v for v in (old_value, new_value))
        differences.append(Difference("header", change, detail=f"{name}: OLD {_show(old_value)}, NEW {_show(new_value)}", header=name))
    return differences


def _location_path(response: WireResponse) -> str | None:
    value = response.header("location")
    if value is None:
        return None
    parts = urlsplit(value)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _link_paths(response: WireResponse) -> str | None:
    """The Link header with each `<URL>`'s scheme and host dropped (each side has its own host):
    `<http://a/items?page=2>; rel="next"` -> `</items?page=2>; rel="next"`."""
    values = response.header_values("link")
    if not values:
        return None

    def local(match: re.Match[str]) -> str:
        parts = urlsplit(match.group(1))
        return "<" + (parts.path or "/") + (f"?{parts.query}" if parts.query else "") + ">"

    text = ", ".join(values)
    return re.sub(r"\s*,\s*", ", ", re.sub(r"<([^>]*)>", local, text)).strip()


def _allow_set(response: WireResponse) -> list[str] | None:
    values = response.header_values("allow")
    if not values:
        return None
    return sorted({item.strip().upper() for value in values for item in value.split(",") if item.strip()})


@comparator("body")
def compare_body(old: WireResponse, new: WireResponse, options: CompareOptions) -> list[Difference]:
    if old.truncated or new.truncated:
        return _compare_truncated(old, new, options)
    old_ok, old_json = old.json()
    new_ok, new_json = new.json()
    if old_ok and new_ok:
        return compare_json(old_json, new_json, options)
    if options.ignores_field(()):
        return []
    if old_ok != new_ok:
        which = Change.JSON_ONLY_IN_OLD if old_ok else Change.JSON_ONLY_IN_NEW
        return [Difference("body", which, detail=f"body: OLD {_show(old.text())}, NEW {_show(new.text())}")]
    if old.body != new.body:
        return [Difference("body", Change.TEXT_CHANGED, detail=f"body: OLD {_show(old.text())}, NEW {_show(new.text())}")]
    return []


def _compare_truncated(old: WireResponse, new: WireResponse, options: CompareOptions) -> list[Difference]:
    """A body past the read cap: only its first bytes were read, so it is compared as bytes."""
    if options.ignores_field(()):
        return []
    if old.truncated and new.truncated:
        if old.body == new.body:
            return []  # the same first bytes; what came after was never read
        return [Difference("body", Change.TRUNCATED_TEXT_CHANGED,
                           detail=f"body: both answers are larger than the {len(old.body)}-byte read cap and their first bytes differ")]
    big, small, which = (new, old, "NEW") if new.truncated else (old, new, "OLD")
    return [Difference("body", Change.READ_CAP,
                       detail=f"body: {which}'s answer is larger than the {len(big.body)}-byte read cap (truncated, not read further; "
                       f"--max-body-bytes), the other's is {len(small.body)} bytes", side=which)]


# deepdiff's report types over two parsed JSON documents (key order ignored, list order kept)
_DEEPDIFF_CHANGES = {
    "values_changed": Change.VALUE_CHANGED,
    "type_changes": Change.TYPE_CHANGED,
    "dictionary_item_added": Change.ADDED,
    "dictionary_item_removed": Change.MISSING,
    "iterable_item_added": Change.ADDED,
    "iterable_item_removed": Change.MISSING,
}


def compare_json(old: Any, new: Any, options: CompareOptions) -> list[Difference]:
    """Field-by-field differences between two parsed JSON documents."""
    from deepdiff import DeepDiff

    if options.unordered:
        old, new = _sort_unordered(old, (), options), _sort_unordered(new, (), options)
    differences: list[Difference] = []
    new = _reorder_lists(old, new, (), options, differences)
    tree = DeepDiff(old, new, ignore_numeric_type_changes=True, view="tree", ignore_nan_inequality=True)
    seen: set[tuple[FieldPath, Change]] = set()
    identities = options.identities
    # DeepDiff's tree keeps its report types in a set (the order varies with PYTHONHASHSEED): read
    # them in one order so a --seed run lists an example's differences the same in every process
    for report_type in sorted(tree):
        levels = tree[report_type]
        change = _DEEPDIFF_CHANGES.get(report_type, Change.VALUE_CHANGED)  # no other type occurs between JSON documents
        for level in levels:
            concrete = tuple(level.path(output_format="list"))
            normalized = fold_indexes(concrete)
            if options.ignores_field(normalized):
                continue
            if report_type == "values_changed" or report_type == "type_changes":
                if identities is not None and identities.same(level.t1, level.t2):
                    continue  # OLD's id and NEW's id for the same created thing
            if (normalized, change) in seen and len(differences) > 50:
                continue
            seen.add((normalized, change))
            values = (level.t1, level.t2) if report_type in ("values_changed", "type_changes") else None
            detail = f"{format_path(concrete)}: OLD {_show(level.t1)}, NEW {_show(level.t2)}"
            differences.append(Difference("body", change, normalized, detail, values=values))
    return differences


def _reorder_lists(old: Any, new: Any, path: FieldPath, options: CompareOptions, out: list[Difference]) -> Any:
    """NEW with every list that holds exactly OLD's elements in another order put back in OLD's
    order, and one `order` difference per such list: a re-sorted list is one change a client sees
    ("list order changed at $.items"), not a dozen per-field ones."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: (_reorder_lists(old[k], v, (*path, k), options, out) if k in old else v) for k, v in new.items()}
    if not (isinstance(old, list) and isinstance(new, list)) or len(old) != len(new):
        return new
    normalized = fold_indexes(path)
    if len(old) > 1 and not options.ignores_field(normalized) and _same_elements_reordered(old, new, options):
        out.append(Difference("order", Change.ORDER_CHANGED, normalized, f"{format_path(path)}: same {len(old)} elements in another order"))
        return old
    return [_reorder_lists(o, n, (*path, i), options, out) for i, (o, n) in enumerate(zip(old, new))]


def _same_elements_reordered(old: list[Any], new: list[Any], options: CompareOptions) -> bool:
    from deepdiff import DeepDiff

    if old == new or not DeepDiff(old, new, ignore_numeric_type_changes=True, ignore_nan_inequality=True):
        return False  # equal as they stand
    return not DeepDiff(old, new, ignore_order=True, ignore_numeric_type_changes=True, ignore_nan_inequality=True)


def _sort_unordered(value: Any, path: FieldPath, options: CompareOptions) -> Any:
    if isinstance(value, dict):
        return {k: _sort_unordered(v, (*path, k), options) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_unordered(v, (*path, ANY_INDEX), options) for v in value]
        if options.is_unordered(path):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True, default=str))
        return items
    return value


def _show(value: Any) -> str:
    from deepdiff.helper import NotPresent

    if isinstance(value, NotPresent):
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
