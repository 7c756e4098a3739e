"""Grouping mismatches by operation and difference signature, keeping the smallest examples with a
curl reproducer for each side, and labelling each group with a known divergence when one fits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
    order: tuple[int, int]  # (request size, arrival) - smallest first, ties by arrival
    request: WireRequest
    old: WireResponse
    new: WireResponse
    differences: list[Difference]
    old_request: WireRequest | None = None
    new_request: WireRequest | None = None
    steps: tuple[tuple[WireRequest, WireRequest], ...] = ()


@dataclass(slots=True)
class _Pending:
    operation: str
    first: Difference
    count: int = 0
    candidates: list[_Candidate] = field(default_factory=list)
    divergence: Any = None


class Grouper:
    def __init__(self, *, old_side: SideView, new_side: SideView, redact: bool, max_examples: int = 5, max_body_chars: int = 2000) -> None:
        self._groups: dict[tuple[str, str], _Pending] = {}
        self._arrivals = 0
        self._old_side = old_side
        self._new_side = new_side
        self._redact = redact
        self._max_examples = max_examples
        self._max_body_chars = max_body_chars

    def add(self, request: WireRequest, old: WireResponse, new: WireResponse, differences: list[Difference], *,
            old_request: WireRequest | None = None, new_request: WireRequest | None = None,
            steps: tuple[tuple[WireRequest, WireRequest], ...] = ()) -> None:
        """Record one case's differences: one group per signature. `old_request`/`new_request` are
        what each side really received (its own auth, its own ids); `steps` the (OLD, NEW)
        requests of a stateful sequence that came before, replayed first by the reproducers."""
        self._arrivals += 1
        signatures: dict[str, list[Difference]] = {}
        for difference in differences:
            signatures.setdefault(difference.signature, []).append(difference)
        for signature, same in signatures.items():
            key = (request.operation, signature)
            pending = self._groups.get(key)
            if pending is None:
                pending = self._groups[key] = _Pending(request.operation, same[0])
                pending.divergence = identify(MismatchContext(request, old, new, same[0]))
            pending.count += 1
            pending.candidates.append(_Candidate((request.size, self._arrivals), request, old, new, differences, old_request, new_request, steps))
            if len(pending.candidates) > self._max_examples * 4:
                pending.candidates.sort(key=lambda c: c.order)
                del pending.candidates[self._max_examples:]

    def groups(self) -> list[MismatchGroup]:
        result = []
        for (operation, signature), pending in sorted(self._groups.items()):
            pending.candidates.sort(key=lambda c: c.order)
            label = pending.divergence
            result.append(
                MismatchGroup(
                    operation=operation,
                    signature=signature,
                    kind=pending.first.kind,  # type: ignore[arg-type]
                    count=pending.count,
                    examples=[self.example(c.request, c.old, c.new, c.differences, old_request=c.old_request, new_request=c.new_request, steps=c.steps)
                              for c in pending.candidates[: self._max_examples]],
                    divergence=label.id if label else None,
                    explanation=f"{label.title}. {label.explanation}" if label else None,
                    fix_hint=label.fix_hint if label else None,
                )
            )
        return result

    def example(self, request: WireRequest, old: WireResponse, new: WireResponse, differences: list[Difference], *,
                old_request: WireRequest | None = None, new_request: WireRequest | None = None,
                steps: tuple[tuple[WireRequest, WireRequest], ...] = ()) -> MismatchExample:
        def curl(side: SideView, sent: WireRequest, earlier: list[WireRequest]) -> str:
            return " && ".join(
                curl_command(r, side.base_url, base_path=side.base_path, redact=self._redact) for r in [*earlier, sent]
            )

        return MismatchExample(
            request=http_request(request, redact=self._redact),
            old=http_response(old, redact=self._redact, max_chars=self._max_body_chars),
            new=http_response(new, redact=self._redact, max_chars=self._max_body_chars),
            curl_old=curl(self._old_side, old_request or request, [o for o, _ in steps]),
            curl_new=curl(self._new_side, new_request or request, [n for _, n in steps]),
            differences=[d.detail or d.signature for d in differences],
        )


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
