"""Links a document does not declare, inferred from where identifiers sit in answers, and what
became of every link during a run.

Most framework documents declare no OpenAPI links, and the identifier a create answers is rarely
a top-level `id`: `POST /articles` answers `{"article": {"slug": "how-to-3", "author":
{"username": "jake"}}}`, `POST /books` answers `201` with `Location: /books/7`. An identifier is
any property named like one (`id`, `*_id`, `slug`, `key`, `uuid`, `name`, or exactly the name of
a path parameter of the document), at any depth of an envelope and in arrays of objects (their
first item), or the segment of a `Location` header that sits where a path template has its
parameter. It links the create to:

- every operation on the item path of the created collection (`/articles` -> `/articles/{slug}`
  and every path under it: `/articles/{slug}/comments`), the item parameter taking the property
  of its own name, else an `id`/`slug`/`key`/`uuid`/`name` of the answer;
- every other path whose parameters are all known: properties of the same name in the answer
  (`author.username` -> `/profiles/{username}`) plus the create's own path parameters.

An inferred link hangs on the create's first success answer and fires on any 2XX, as a declared
link on `201` does when OLD answers `200`. `LinkTracker` counts, per link, the sequences that
reached the linked step and the reasons the others did not; the report shows each declared link
that never fired with its reason (`model.LinkNote`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from apiparity.fuzz.stateful import Link
from apiparity.fuzz.wire import WireResponse
from apiparity.model import LinkNote, LinkNoteReason
from apiparity.spec.contract import Contract, ResponseContract
from apiparity.spec.methods import HTTP_METHODS
from apiparity.spec.pointer import escape_token

GENERIC_IDENTIFIERS = ("id", "slug", "key", "uuid", "name")  # what an item parameter of any name may take
MAX_DEPTH = 4  # envelope levels searched (schema and answers)
MAX_INFERRED_LINKS = 64  # per document: links multiply sequences (each runs `stateful_sequences` times)
PATH_PARAMETER = re.compile(r"{([^}/]+)}")
LOCATION = "$response.header.Location"


# --------------------------------------------------------------------------- identifiers in answers


def identifier_names(parameter: str, *, item: bool) -> tuple[str, ...]:
    """The property names that may carry path parameter `parameter`, most telling first: its own
    name, then (for the item parameter of a collection) the generic names: `book_id` -> `book_id`,
    `bookId`, `id`, `slug`, `key`, `uuid`, `name`."""
    names = [parameter]
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), parameter)
    if camel != parameter:
        names.append(camel)
    if item:
        names.extend(n for n in GENERIC_IDENTIFIERS if n not in names)
    return tuple(names)


def _walk(body: Any, depth: int = 0, pointer: str = "") -> Iterator[tuple[int, str, str, Any]]:
    """(depth, pointer, property name, value) of every scalar under an object key, shallowest
    first within each object; an array stands for its first item."""
    if depth > MAX_DEPTH:
        return
    if isinstance(body, list):
        if body:
            yield from _walk(body[0], depth, f"{pointer}/0")
        return
    if not isinstance(body, dict):
        return
    nested = []
    for key, value in body.items():
        if isinstance(value, (dict, list)):
            nested.append((key, value))
        elif isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
            yield depth, f"{pointer}/{escape_token(str(key))}", str(key), value
    for key, value in nested:
        yield from _walk(value, depth + 1, f"{pointer}/{escape_token(str(key))}")


def find_identifier(body: Any, names: tuple[str, ...]) -> tuple[str, Any] | None:
    """(JSON pointer, value) of the first property of `body` named one of `names`: earlier names
    win, then shallower places (`{"article": {"slug": ..., "author": {"username": ...}}}`)."""
    found = sorted(((names.index(name), depth, pointer, value) for depth, pointer, name, value in _walk(body) if name in names),
                   key=lambda row: (row[0], row[1]))
    return (found[0][2], found[0][3]) if found else None


def location_value(response: WireResponse, template: str, parameter: str, base_path: str = "") -> Any:
    """The value of `parameter` in the answer's Location header, where the path `template` has it
    (`Location: /api/books/7`, `/books/{book_id}` -> 7); None when the Location does not fit."""
    location = response.header("location")
    if not location:
        return None
    path = unquote(urlsplit(location).path).rstrip("/")
    if base_path and path.startswith(base_path.rstrip("/") + "/"):
        path = path[len(base_path.rstrip("/")):]
    pattern = "^" + PATH_PARAMETER.sub(lambda m: f"(?P<p{_group(m.group(1))}>[^/]+)", re.escape(template.rstrip("/")).replace(r"\{", "{").replace(r"\}", "}")) + "$"
    try:
        match = re.match(pattern, path)
    except re.error:
        return None
    if match is None:
        return None
    value = match.group(f"p{_group(parameter)}") if f"p{_group(parameter)}" in match.groupdict() else None
    return int(value) if value is not None and value.isdigit() else value


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


def answered_identifier(response: WireResponse, parameter: str, template: str, *, item: bool, base_path: str = "") -> Any:
    """What a success answer names as `parameter` of path `template`: a property named for it at any
    depth of the JSON body, else its segment of the Location header. None when neither says."""
    ok, body = response.json()
    if ok:
        found = find_identifier(body, identifier_names(parameter, item=item))
        if found is not None:
            return found[1]
    return location_value(response, template, parameter, base_path)


# --------------------------------------------------------------------------- inference from the document


def _schema_pointers(contract: Contract, schema: Any, depth: int = 0, pointer: str = "") -> Iterator[tuple[int, str, str]]:
    """(depth, pointer, property name) of every property a JSON schema describes, through `allOf`,
    `anyOf`/`oneOf` branches, envelopes and array items (as their first item)."""
    schema = contract.resolve(schema)
    if depth > MAX_DEPTH or not isinstance(schema, dict):
        return
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            yield from _schema_pointers(contract, branch, depth, pointer)
    if isinstance(schema.get("items"), dict):
        yield from _schema_pointers(contract, schema["items"], depth, f"{pointer}/0")
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name in properties:
        yield depth, f"{pointer}/{escape_token(str(name))}", str(name)
    for name, sub in properties.items():
        yield from _schema_pointers(contract, sub, depth + 1, f"{pointer}/{escape_token(str(name))}")


def _response_schema(response: ResponseContract | None) -> Any:
    media = next((media for media in response.content.values() if media.is_json), None) if response is not None else None
    return media.schema if media is not None else None


def _declares_location(response: ResponseContract | None) -> bool:
    return response is not None and any(name.lower() == "location" for name in response.headers)


def infer_links(document: Contract | dict[str, Any]) -> list[Link]:
    """Links a document (or its contract model) that declares none implies (see the module doc):
    from every POST on a path whose success answer describes an identifier (nested or not) or a
    Location header, to every operation whose path parameters the answer and the POST's own path
    parameters fill."""
    contract = Contract.of(document)
    paths = [p for p in contract.paths() if contract.path_item(p) is not None]
    links: list[Link] = []
    for path in paths:
        post = contract.operation("POST", path)
        if post is None:
            continue
        status = next((s for s in post.raw_responses if s.startswith("2")), None)
        if status is None:
            continue
        response = post.responses.get(status)
        described = sorted(_schema_pointers(contract, _response_schema(response)), key=lambda row: row[0])
        location = _declares_location(response)
        carried = set(PATH_PARAMETER.findall(path))
        base = path.rstrip("/")
        for target_path in paths:
            wanted = [p for p in PATH_PARAMETER.findall(target_path) if p not in carried]
            if not wanted or target_path == path:
                continue
            item_parameter = _item_parameter_of(base, target_path)
            parameters: dict[str, tuple[str | None, Any]] = {}
            for name in wanted:
                expression = _expression_for(name, described, item=name == item_parameter, location=location)
                if expression is None:
                    break
                parameters[name] = ("path", expression)
            else:
                for name in sorted(carried & set(PATH_PARAMETER.findall(target_path))):
                    parameters[name] = ("path", f"$request.path.{name}")
                for method in HTTP_METHODS:
                    if method.upper() in contract.path_methods(target_path):
                        target = f"{method.upper()} {target_path}"
                        links.append(Link(f"inferred: {target}", f"POST {path}", status, target, dict(parameters), inferred=True))
    return links[:MAX_INFERRED_LINKS]


def _item_parameter_of(collection: str, path: str) -> str | None:
    """`/articles` + `/articles/{slug}` or `/articles/{slug}/comments` -> "slug": the parameter
    right after the collection, when `path` is the collection's item or under it."""
    if not path.startswith(collection + "/"):
        return None
    segment = path[len(collection) + 1:].split("/", 1)[0]
    match = PATH_PARAMETER.fullmatch(segment)
    return match.group(1) if match else None


def _expression_for(name: str, described: list[tuple[int, str, str]], *, item: bool, location: bool) -> str | None:
    """The runtime expression reading parameter `name` from the create's answer: a JSON pointer to
    the property that carries it, else the Location header (for the item parameter)."""
    names = identifier_names(name, item=item)
    found = sorted(((names.index(prop), depth, pointer) for depth, pointer, prop in described if prop in names))
    if found:
        return f"$response.body#{found[0][2]}"
    if item and location:
        return LOCATION
    return None


def link_value(link: Link, name: str, expression: Any, response: WireResponse, evaluated: Any, *, base_path: str = "") -> Any:
    """A link parameter's value for one side: the expression's own value, except that the Location
    header stands for the parameter's segment of it, and an inferred link whose pointer finds
    nothing (an answer its schema did not describe) looks for the identifier anywhere."""
    template = link.target.partition(" ")[2]
    if expression == LOCATION:
        found = location_value(response, template, name, base_path)
        if found is not None:
            return found
    if evaluated is None and link.inferred and 200 <= response.status < 300:
        return answered_identifier(response, name, template, item=True, base_path=base_path)
    return evaluated


# --------------------------------------------------------------------------- what each link did


@dataclass(slots=True)
class _Outcome:
    fired: int = 0
    reasons: Counter[tuple[LinkNoteReason, str]] = field(default_factory=Counter)


class LinkTracker:
    """Per link: how many sequences reached its linked step, and why the others stopped."""

    __slots__ = ("links", "outcomes")

    def __init__(self, links: list[Link]) -> None:
        self.links = links
        self.outcomes: dict[int, _Outcome] = {id(link): _Outcome() for link in links}

    def fired(self, link: Link) -> None:
        self.outcomes[id(link)].fired += 1

    def stopped(self, link: Link, reason: LinkNoteReason, detail: str) -> None:
        self.outcomes[id(link)].reasons[(reason, detail)] += 1

    def notes(self) -> list[LinkNote]:
        notes = []
        for link in self.links:
            outcome = self.outcomes[id(link)]
            reason: LinkNoteReason | None = None
            detail = ""
            if not outcome.fired and outcome.reasons:
                (reason, detail), count = outcome.reasons.most_common(1)[0]
                detail = f"{detail} ({count}x)" if count > 1 else detail
            elif not outcome.fired:
                reason, detail = "not-run", "no sequence started from its source"
            notes.append(LinkNote(name=link.name, source=link.source, target=link.target, status=link.status,
                                  declared=not link.inferred, fired=outcome.fired, reason=reason, detail=detail))
        return notes
