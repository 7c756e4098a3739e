"""The framework probes: requests clients send that a contract does not describe, where Flask and
FastAPI answer differently by default (../shared/divergences.md, runtime table). Each is bounded
per operation (a few requests) or per path (one), and built from a case OLD answered with success
where there is one, so the probe reaches the handler rather than a 404 for a missing record."""

from __future__ import annotations

from collections.abc import Iterator
import json
from dataclasses import replace

from apiparity.fuzz.compare import Difference
from apiparity.fuzz.generate import GeneratedCase
from apiparity.fuzz.probes.base import (
    Probe,
    ProbeAnswers,
    ProbeOperation,
    ProbePool,
    ProbeRequest,
    query_pairs,
    query_text,
    schema_types,
    with_path_value,
    with_query,
    without_body,
)
from apiparity.fuzz.wire import WireRequest

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _base(pool: ProbePool) -> GeneratedCase | None:
    return pool.base()


class TrailingSlash(Probe):
    name = "trailing-slash"
    doc = ("Each GET again with its trailing slash toggled (`/items/` <-> `/items`): Werkzeug redirects with 308 or "
           "answers 404, Starlette redirects with 307. Status and Location compared; not judged when OLD refuses the "
           "spelling or NEW serves the page OLD redirects to.")
    learns_noise = False

    def applies(self, operation: ProbeOperation) -> bool:
        return operation.method == "GET"

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = _base(pool)
        if base is None or base.request.path in ("", "/"):
            return
        path = base.request.path
        yield ProbeRequest(replace(base.request, path=path[:-1] if path.endswith("/") else path + "/", probe=self.name))

    def judge(self, answers: ProbeAnswers, differences: list[Difference]) -> list[Difference]:
        old, again, new = answers.old, answers.old_again, answers.new
        if old.error or 400 <= old.status < 500:
            return []  # OLD refuses the spelling: no client relies on it
        if 300 <= old.status < 400 and 200 <= new.status < 300:
            return []  # NEW serves the spelling OLD redirected to: a client following OLD's redirect ends up there too
        if again is not None and (again.status, again.header("location")) != (old.status, old.header("location")):
            return []  # OLD itself answers this spelling one way or another
        return [d for d in differences if d.kind in ("status", "transport", "timeout") or (d.kind == "header" and d.header == "location")]


class Conditional(Probe):
    name = "if-none-match"
    doc = ("A GET whose OLD answer carries an ETag, again with If-None-Match set to each side's own ETag: OLD's "
           "304 revalidation against a port that answers the whole body again.")
    learns_noise = False

    def applies(self, operation: ProbeOperation) -> bool:
        return operation.method == "GET"

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = _base(pool)
        if base is None or pool.fetch is None:
            return
        old_tag = pool.fetch("old", base.request).header("etag")
        if not old_tag:
            return
        new_tag = pool.fetch("new", base.request).header("etag") or old_tag
        yield ProbeRequest(replace(_with_header(base.request, "If-None-Match", old_tag), probe=self.name),
                           new_request=replace(_with_header(base.request, "If-None-Match", new_tag), probe=self.name))

    def judge(self, answers: ProbeAnswers, differences: list[Difference]) -> list[Difference]:
        if answers.old_again is not None and answers.old_again.status != answers.old.status:
            return []  # OLD itself does not answer the revalidation one way
        return differences


class MissingCredentials(Probe):
    name = "no-credentials"
    doc = ("Each operation the document secures once without credentials (-H and login flows put them on every "
           "case): the handler's 401 in Flask against a security class's 403 or a required Header()'s 422.")

    def applies(self, operation: ProbeOperation) -> bool:
        return operation.credentials is not None

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = _base(pool)
        credentials = operation.credentials
        if base is None or credentials is None:
            return
        yield ProbeRequest(replace(without_credentials(base.request, credentials), probe=self.name), without=credentials)


class Head(Probe):
    name = "head"
    doc = "Each GET as HEAD where the path declares no HEAD: Flask answers it from the GET handler, FastAPI with 405."

    def applies(self, operation: ProbeOperation) -> bool:
        return operation.method == "GET" and "HEAD" not in operation.path_methods

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = _base(pool)
        if base is not None:
            yield ProbeRequest(replace(without_body(base.request), method="HEAD", probe=self.name))


class Options(Probe):
    name = "options"
    doc = ("OPTIONS once per path that declares none: Flask answers 200 with an Allow header for every route, "
           "FastAPI 405.")

    def applies(self, operation: ProbeOperation) -> bool:
        return operation.first_on_path and "OPTIONS" not in operation.path_methods

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = _base(pool)
        if base is not None:
            yield ProbeRequest(replace(without_body(base.request), method="OPTIONS", probe=self.name))


_UNDECLARED_ORDER = ("GET", "DELETE", "PATCH", "PUT", "POST")


class UndeclaredMethod(Probe):
    name = "undeclared-method"
    doc = ("One method the path does not declare, once per path (GET first, unsafe ones only where writes are "
           "allowed): status, content type and body of the refusal. Not its Allow header: Starlette's 405 lists "
           "the methods of one route, Werkzeug's every route of the path plus HEAD and OPTIONS (the options probe "
           "compares Allow where it is the answer).")

    def applies(self, operation: ProbeOperation) -> bool:
        return operation.first_on_path and self.method_for(operation) is not None

    @staticmethod
    def method_for(operation: ProbeOperation) -> str | None:
        for method in _UNDECLARED_ORDER:
            if method not in operation.path_methods and (operation.unsafe_allowed or method not in UNSAFE):
                return method
        return None

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base, method = _base(pool), self.method_for(operation)
        if base is not None and method is not None:
            yield ProbeRequest(replace(without_body(base.request), method=method, probe=self.name))

    def judge(self, answers: ProbeAnswers, differences: list[Difference]) -> list[Difference]:
        return [d for d in differences if not (d.kind == "header" and d.header == "allow")]


class RepeatedQuery(Probe):
    name = "repeated-query"
    doc = ("Each scalar query parameter sent twice with two values the operation's cases used (`?page=2&page=3`): "
           "Flask reads the first, Starlette the last. One request per operation.")

    def applies(self, operation: ProbeOperation) -> bool:
        return bool(operation.scalar_query_parameters())

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = _base(pool)
        if base is None:
            return
        pairs = query_pairs(base.request)
        sent = dict(pairs)
        repeated: list[tuple[str, str, str]] = []
        for name, kinds, schema in operation.scalar_query_parameters():
            seen = pool.query_values(name)
            first = sent.get(name, seen[0][0] if seen else None)
            if first is None:
                continue
            answer = pool.answer_to(base) if name in sent else seen[0][1]
            # a second value OLD answered otherwise shows which of the two a side read
            second = next((v for v, other in seen if v != first and answer is not None and other.body != answer.body), None)
            second = second or next((v for v, _ in seen if v != first), None) or _other_value(first, kinds, schema)
            if second is not None:
                repeated.append((name, first, second))
        if not repeated:
            return
        names = {name for name, _, _ in repeated}
        query = [(k, v) for k, v in pairs if k not in names]
        for name, first, second in repeated:
            query += [(name, first), (name, second)]
        yield ProbeRequest(replace(with_query(base.request, query), probe=self.name))


def _other_value(value: str, kinds: set[str], schema: dict[str, object]) -> str | None:
    """A second valid value for a scalar parameter when the cases used only one: another enum value,
    the other boolean, the next integer within the bounds."""
    enum = schema.get("enum")
    if isinstance(enum, list):
        return next((query_text(v) for v in enum if query_text(v) != value), None)
    if kinds == {"boolean"}:
        return "false" if value == "true" else "true"
    if kinds <= {"integer", "number"} and value.lstrip("-").isdigit():
        number = int(value)
        maximum, minimum = schema.get("maximum"), schema.get("minimum")
        for candidate in (number + 1, number - 1):
            if (not isinstance(maximum, (int, float)) or candidate <= maximum) and (not isinstance(minimum, (int, float)) or candidate >= minimum):
                return str(candidate)
    return None


TRUE_SPELLINGS = ("1", "yes", "True")


class BooleanSpelling(Probe):
    name = "boolean-spelling"
    doc = ("Every boolean query parameter spelled 1, yes and True (three requests): a hand-written Flask check "
           "(`== 'true'`) reads them as false, pydantic as true.")

    def applies(self, operation: ProbeOperation) -> bool:
        return any(kinds == {"boolean"} for _, kinds, _ in operation.scalar_query_parameters())

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = _base(pool)
        if base is None:
            return
        names = [name for name, kinds, _ in operation.scalar_query_parameters() if kinds == {"boolean"}]
        kept = [(k, v) for k, v in query_pairs(base.request) if k not in names]
        for spelling in TRUE_SPELLINGS:
            yield ProbeRequest(replace(with_query(base.request, kept + [(name, spelling) for name in names]), probe=self.name))


class IntegerPath(Probe):
    name = "integer-path"
    doc = ("The last integer path parameter as a non-integer (`abc`) and as a negative number: Werkzeug's <int:> "
           "converter answers 404 before any handler, FastAPI's `int` answers 422 or runs the handler.")

    def applies(self, operation: ProbeOperation) -> bool:
        return self._parameter(operation) is not None

    @staticmethod
    def _parameter(operation: ProbeOperation) -> str | None:
        names = [str(p["name"]) for p in operation.parameters_in("path")
                 if schema_types(operation.parameter_schema(p), operation.contract) == {"integer"}]
        ordered = [n for n in _path_names(operation.path) if n in names]
        return ordered[-1] if ordered else None

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base, name = _base(pool), self._parameter(operation)
        if base is None or name is None:
            return
        current = _path_value(base.request, operation.path, name)
        negative = "-" + current if current and current.isdigit() and current != "0" else "-1"
        for value in ("abc", negative):
            changed = with_path_value(base.request, operation.path, name, value)
            if changed is not None:
                yield ProbeRequest(replace(changed, probe=self.name))


def _path_names(template: str) -> list[str]:
    return [part[1:-1] for part in template.split("/") if part.startswith("{") and part.endswith("}")]


def _path_value(request: WireRequest, template: str, name: str) -> str | None:
    for segment, part in zip(request.path.split("/"), template.split("/")):
        if part == "{" + name + "}":
            return segment
    return None


def _with_header(request: WireRequest, name: str, value: str) -> WireRequest:
    lowered = name.lower()
    return replace(request, headers=[(k, v) for k, v in request.headers if k.lower() != lowered] + [(name, value)])


def without_credentials(request: WireRequest, credentials: object) -> WireRequest:
    """`request` with the credentials the document asks for taken out (headers, cookies, query)."""
    from urllib.parse import unquote_plus

    from apiparity.fuzz.generate import Credentials

    assert isinstance(credentials, Credentials)
    headers = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered in credentials.headers:
            continue
        if lowered == "cookie" and credentials.cookies:
            kept = [part for part in value.split(";") if part.strip().split("=", 1)[0].strip().lower() not in credentials.cookies]
            if not kept:
                continue
            value = ";".join(kept).strip()
        headers.append((name, value))
    query = "&".join(part for part in request.query.split("&") if part and unquote_plus(part.split("=", 1)[0]) not in credentials.query)
    return replace(request, headers=headers, query=query)



class ReadBack(Probe):
    name = "read-back"
    doc = ("Each PUT/PATCH that OLD accepted, followed by a GET of the same path on each side (no reset in between): "
           "a port that answers the write but does not keep a field shows it only when the record is read again. "
           "The write changes every field of the record it can (read from OLD first: an integer moved by one, a "
           "text lengthened, another enum value, a boolean flipped), else it is the accepted write that sets the most. "
           "Judged only when both sides accepted the write, and only on what the same GET before the write does "
           "not already show (that is the GET's own group).")

    def applies(self, operation: ProbeOperation) -> bool:
        return operation.method in ("PUT", "PATCH") and "GET" in operation.path_methods

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        # the accepted write that sets the most (values that are not null, then its size): an ignored
        # field shows only if it was sent with a value
        accepted = [(_set_values(case.request.body), len(case.request.body or b""), -index, case)
                    for index, (case, answer) in enumerate(pool.answered)
                    if case.mode == "positive" and 200 <= answer.status < 300]
        if not accepted:
            return
        base = max(accepted, key=lambda item: item[:3])[3]
        read = without_body(replace(base.request, method="GET", query="", probe=self.name))
        write = self._changed_write(operation, base.request, read, pool) or base.request
        yield ProbeRequest(read, steps=(write,), baseline=read)

    def judge(self, answers: ProbeAnswers, differences: list[Difference]) -> list[Difference]:
        if any(not (200 <= old.status < 300 and 200 <= new.status < 300) for old, new in answers.steps):
            return []  # a write one side refused: the write's own group shows it, the read only follows from it
        return [d for d in differences if d.signature not in answers.shown]

    @staticmethod
    def _changed_write(operation: ProbeOperation, write: WireRequest, read: WireRequest, pool: ProbePool) -> WireRequest | None:
        """`write` (a write OLD accepted) with each field of the record as OLD answers it now (found in
        its envelope, `{"recipe": {...}}`) changed, within the request body's schema. None when OLD does
        not answer the record, the body is no JSON object or no field can be changed."""
        properties = _body_properties(operation)
        if pool.fetch is None or not properties or not (write.header("content-type") or "").startswith("application/json"):
            return None
        answer = pool.fetch("old", read)
        ok, body = answer.json()
        record = _record(body, set(properties)) if ok and 200 <= answer.status < 300 else None
        if record is None:
            return None
        changed = {name: value for name, schema in properties.items() if name in record
                   and (value := _changed(record[name], schema)) is not None}
        if not changed:
            return None
        try:
            accepted = json.loads(write.body) if write.body else {}
        except ValueError:
            return None
        if not isinstance(accepted, dict):
            return None
        headers = [(k, v) for k, v in write.headers if k.lower() != "content-length"]
        # on top of the write OLD accepted: a field that cannot be changed keeps the value OLD took
        return replace(write, body=json.dumps({**accepted, **changed}).encode(), headers=headers)


def _set_values(body: bytes | None) -> int:
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return 0
    return sum(v is not None for v in data.values()) if isinstance(data, dict) else 0


def _body_properties(operation: ProbeOperation) -> dict[str, dict[str, object]]:
    """The request body's JSON properties (name -> resolved schema, a nullable branch folded in)."""
    spec, contract = operation.spec, operation.contract
    media = spec.request_body.json_media() if spec is not None and spec.request_body is not None else None
    schema = media.schema if media is not None else None
    found: dict[str, dict[str, object]] = {}
    for name, prop in ((schema or {}).get("properties") or {}).items() if isinstance(schema, dict) else ():
        resolved = contract.resolve(prop)
        if not isinstance(resolved, dict):
            continue
        branches = [contract.resolve(b) for b in resolved.get("anyOf") or resolved.get("oneOf") or []]
        kept = [b for b in branches if isinstance(b, dict) and b.get("type") != "null"]
        found[str(name)] = kept[0] if len(kept) == 1 else resolved
    return found


def _record(body: object, names: set[str], depth: int = 0) -> dict[str, object] | None:
    """The object of an answer holding the most of `names` (the record inside its envelope)."""
    if not isinstance(body, dict) or depth > 3:
        return None
    best = body if names & set(body) else None
    for value in body.values():
        inner = _record(value, names, depth + 1)
        if inner is not None and len(names & set(inner)) > len(names & set(best or {})):
            best = inner
    return best


def _changed(value: object, schema: dict[str, object]) -> object | None:
    """Another valid value for a field, close to `value`; None when none can be made safely."""
    enum = schema.get("enum")
    if isinstance(enum, list):
        return next((v for v in enum if v != value), None)
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        low, high = schema.get("minimum"), schema.get("maximum")
        for candidate in (value + 1, value - 1):
            if (not isinstance(high, (int, float)) or candidate <= high) and (not isinstance(low, (int, float)) or candidate >= low):
                return candidate
        return None
    if isinstance(value, str) and not schema.get("format") and not schema.get("pattern"):
        high = schema.get("maxLength")
        text = value + " x" if not isinstance(high, int) or len(value) + 2 <= high else value[:-1]
        low = schema.get("minLength")
        return text if text != value and (not isinstance(low, int) or len(text) >= low) else None
    return None
