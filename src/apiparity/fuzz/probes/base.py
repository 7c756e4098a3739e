"""What a probe is: a request a contract does not describe but clients send, built from one
operation and the answers seen so far, and judged on what a client of that request can see.

A probe is one class: `name` and `doc` (listed by `apiparity probes`), `applies(operation)`,
`requests(operation, pool)` and, when not every difference matters, `judge(answers, differences)`.
The runner sends each request to OLD twice and NEW once, cancels noise and groups what `judge`
keeps, exactly as for a generated case; a probe never compares or groups itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, urlencode

from apiparity.fuzz.compare import Difference
from apiparity.fuzz.generate import Credentials, GeneratedCase
from apiparity.fuzz.values import ValuePool
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.spec.contract import Contract, OperationContract


@dataclass(slots=True, frozen=True)
class ProbeOperation:
    """One operation as the probes see it: OLD's document (and its contract model, `contract`), its
    resolved parameters, its path's methods."""

    label: str  # "GET /books/{book_id}"
    method: str
    path: str
    document: dict[str, Any]
    parameters: tuple[dict[str, Any], ...] = ()  # path-level and own, $refs followed
    path_methods: frozenset[str] = frozenset()  # upper-case methods the document declares on this path
    first_on_path: bool = True  # path-level probes (OPTIONS, an undeclared method) run from one operation per path
    credentials: Credentials | None = None  # what the document requires, None when nothing
    unsafe_allowed: bool = True  # POST/PUT/PATCH/DELETE may be sent (a live server without reset refuses them)
    # `document`'s contract model, built once per run and document by the runner; from `document` when not given
    contract: Contract = field(default_factory=lambda: Contract(None))

    def __post_init__(self) -> None:
        if self.contract.document is not self.document:
            object.__setattr__(self, "contract", Contract(self.document))

    @property
    def spec(self) -> OperationContract | None:
        """This operation in `document`, None when the document does not describe it."""
        return self.contract.operation(self.method, self.path)

    def parameter_schema(self, parameter: dict[str, Any]) -> dict[str, Any]:
        schema = self.contract.resolve(parameter.get("schema"))
        return schema if isinstance(schema, dict) else {}

    def parameters_in(self, location: str) -> list[dict[str, Any]]:
        return [p for p in self.parameters if p.get("in") == location]

    def scalar_query_parameters(self) -> list[tuple[str, set[str], dict[str, Any]]]:
        """(name, JSON types, schema) of each query parameter that takes one scalar value."""
        found = []
        for parameter in self.parameters_in("query"):
            schema = self.parameter_schema(parameter)
            kinds = schema_types(schema, self.contract)
            if kinds and not kinds & {"array", "object"}:
                found.append((str(parameter["name"]), kinds, schema))
        return found


@dataclass(slots=True)
class ProbePool:
    """What a probe builds its requests from: this operation's generated cases with OLD's first
    answer to each (a base that OLD answered with success reaches the handler, not a 404), and a
    way to ask one side once (a probe that needs a side's own value, like its ETag)."""

    answered: list[tuple[GeneratedCase, WireResponse]] = field(default_factory=list)
    fetch: Callable[[str, WireRequest], WireResponse] | None = None  # ("old" | "new", request) -> answer
    values: ValuePool | None = None  # what OLD answered so far (fuzz/values.py), None with --no-value-pool

    def base(self) -> GeneratedCase | None:
        """The first positive case OLD answered with 2XX, else the first positive case."""
        positive = [(case, answer) for case, answer in self.answered if case.mode == "positive"]
        for case, answer in positive:
            if 200 <= answer.status < 300:
                return case
        return positive[0][0] if positive else None

    def query_values(self, name: str) -> list[tuple[str, WireResponse]]:
        """(value, OLD's answer) for each value this operation's positive cases sent for query
        parameter `name`, its first case's answer, in case order: values OLD answered with
        success first."""
        found: dict[str, WireResponse] = {}
        ranked = sorted(enumerate(self.answered), key=lambda item: (not 200 <= item[1][1].status < 300, item[0]))
        for _, (case, answer) in ranked:
            if case.mode != "positive":
                continue
            for key, value in parse_qsl(case.request.query, keep_blank_values=True):
                if key == name and value not in found:
                    found[value] = answer
        return list(found.items())

    def answer_to(self, case: GeneratedCase) -> WireResponse | None:
        return next((answer for known, answer in self.answered if known is case), None)


@dataclass(slots=True, frozen=True)
class ProbeRequest:
    request: WireRequest  # as OLD receives it; `probe` names the probe
    new_request: WireRequest | None = None  # what NEW receives when it differs (its own ETag)
    without: Credentials | None = None  # the sides' own credentials (login, -H) left off too
    steps: tuple[WireRequest, ...] = ()  # sent first on each side, after its reset, without a reset in between
    # a plain request whose differences the operation's own cases already report (a read-back's GET
    # before the write): sent to each side after its reset, before `steps`; what its answers differ
    # by reaches `judge` as `ProbeAnswers.shown`
    baseline: WireRequest | None = None


@dataclass(slots=True, frozen=True)
class ProbeAnswers:
    old: WireResponse
    old_again: WireResponse | None  # None with --no-noise
    new: WireResponse
    steps: tuple[tuple[WireResponse, WireResponse], ...] = ()  # (OLD's, NEW's) answer to each step, in order
    shown: frozenset[str] = frozenset()  # signatures of the differences the baseline's answers show


class Probe:
    """One kind of request beyond the contract. Subclasses set `name` and `doc` and implement
    `applies` and `requests`; `judge` keeps every difference unless overridden."""

    name: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    learns_noise: ClassVar[bool] = True  # OLD's two answers to the probe teach the operation's noise

    def applies(self, operation: ProbeOperation) -> bool:
        raise NotImplementedError

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        raise NotImplementedError

    def judge(self, answers: ProbeAnswers, differences: list[Difference]) -> list[Difference]:
        return differences


# ---------------------------------------------------------------------------------- helpers


def with_query(request: WireRequest, pairs: list[tuple[str, str]]) -> WireRequest:
    return replace(request, query=urlencode(pairs, quote_via=quote, safe=""))


def query_pairs(request: WireRequest) -> list[tuple[str, str]]:
    return parse_qsl(request.query, keep_blank_values=True)


def with_path_value(request: WireRequest, template: str, name: str, value: str) -> WireRequest | None:
    """`request` with path parameter `name` (of the operation path `template`) set to `value`;
    None when the request's path does not line up with the template segment by segment."""
    segments, pattern = request.path.split("/"), template.split("/")
    if len(segments) != len(pattern):
        return None
    changed = [quote(value, safe="") if part == "{" + name + "}" else segment for segment, part in zip(segments, pattern)]
    return replace(request, path="/".join(changed))


def without_body(request: WireRequest) -> WireRequest:
    headers = [(k, v) for k, v in request.headers if k.lower() not in ("content-type", "content-length")]
    return replace(request, body=None, headers=headers)


def schema_types(schema: dict[str, Any], document: Contract | dict[str, Any]) -> set[str]:
    """The JSON types a parameter schema admits (anyOf/oneOf branches included, null left out);
    `document` is the contract model its references resolve in (or the raw document)."""
    contract = Contract.of(document)
    kinds = schema.get("type")
    found = {kinds} if isinstance(kinds, str) else set(kinds) if isinstance(kinds, list) else set()
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            resolved = contract.resolve(branch)
            if isinstance(resolved, dict):
                found |= schema_types(resolved, contract)
    if not found and isinstance(schema.get("enum"), list):
        found |= {_json_type(v) for v in schema["enum"]}
    return found - {"null"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "object"


def query_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
