"""`wrong-credentials`: each operation that requires credentials once with a wrong one of the same
scheme.

`-H Authorization: Bearer <valid>` (or a login flow) puts a valid credential on every case, and the
`no-credentials` probe only drops it: how each side refuses a credential that is present but wrong
(OLD's 401 against NEW's 403, another error body) was never seen. This probe replaces the
operation's credentials with a well-formed wrong value of the same scheme: `Bearer <wrong>` for
HTTP bearer, OAuth2 and OpenID Connect, `Basic base64(apiparity:<wrong>)` for HTTP basic, a wrong key
in the header, query parameter or cookie an apiKey scheme names, and a wrong value for a required
header parameter named like a credential (`X-Pharmacist-Token`, `X-API-Key`) where the document
declares no security scheme. The sides' own credentials (`-H`, login) are left off that request.

The wrong value is `redact.INVENTED_CREDENTIAL`, which no report hides (it is no secret), so the
reproducer sends exactly it; where the parameter's schema would refuse that spelling (a pattern,
an enum, a length), the value the operation's own generated case sent is used instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, unquote_plus

from apiparity.fuzz.generate import Credentials
from apiparity.fuzz.probes.base import Probe, ProbeOperation, ProbePool, ProbeRequest
from apiparity.fuzz.wire import WireRequest
from apiparity.redact import INVENTED_BASIC, INVENTED_CREDENTIAL, Redaction

_BEARER_LIKE = ("bearer", "oauth2", "openidconnect")


@dataclass(slots=True, frozen=True)
class WrongCredential:
    """One credential to replace: where it travels, its name there, the wrong value to send."""

    where: str  # "header" | "query" | "cookie"
    name: str
    value: str


def wrong_credentials(operation: ProbeOperation, sent: WireRequest | None = None) -> list[WrongCredential]:
    """The wrong credentials for `operation`: those of its first security requirement, else its
    required header parameters named like a credential; [] when none is known. `sent` is the
    generated request whose values stand in where the schema refuses the invented one."""
    found = _from_security(operation)
    if found is None:
        found = _from_header_parameters(operation, sent)
    return found


def _from_security(operation: ProbeOperation) -> list[WrongCredential] | None:
    spec = operation.spec
    requirements = spec.security if spec is not None else None
    if not requirements or any(r == {} for r in requirements) or not isinstance(requirements[0], dict):
        return None
    found: list[WrongCredential] = []
    for name in requirements[0]:
        scheme = operation.contract.security_scheme(name)
        if scheme is None:
            continue
        kind = str(scheme.get("type", "")).lower()
        if kind == "apikey":
            where = str(scheme.get("in", "header"))
            found.append(WrongCredential(where if where in ("query", "cookie") else "header", str(scheme.get("name", "")), INVENTED_CREDENTIAL))
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            found.append(WrongCredential("header", "Authorization", f"Basic {INVENTED_BASIC}"))
        elif kind in _BEARER_LIKE or (kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"):
            found.append(WrongCredential("header", "Authorization", f"Bearer {INVENTED_CREDENTIAL}"))
    return found or None


def _from_header_parameters(operation: ProbeOperation, sent: WireRequest | None) -> list[WrongCredential]:
    names = Redaction()  # the default policy: which names are a credential's
    found = []
    for parameter in operation.parameters_in("header"):
        name = str(parameter.get("name", ""))
        if not parameter.get("required") or not name or not names.is_sensitive(name):
            continue
        value = INVENTED_CREDENTIAL
        if not _admits(operation.parameter_schema(parameter), value):
            generated = sent.header(name) if sent is not None else None
            if not generated:
                continue  # no well-formed wrong value known
            value = generated
        found.append(WrongCredential("header", name, value))
    return found


def _admits(schema: dict[str, Any], value: str) -> bool:
    """The invented value is valid for a string `schema` with no constraint it could break."""
    kind = schema.get("type")
    if kind not in (None, "string") and not (isinstance(kind, list) and "string" in kind):
        return False
    if any(key in schema for key in ("pattern", "enum", "const", "format")):
        return False
    return int(schema.get("minLength", 0)) <= len(value) <= int(schema.get("maxLength", len(value)))


def with_wrong_credentials(request: WireRequest, wrong: list[WrongCredential]) -> WireRequest:
    """`request` with each credential set to its wrong value (replacing what it carried)."""
    headers = list(request.headers)
    query = request.query
    for item in wrong:
        lowered = item.name.lower()
        if item.where == "header":
            headers = [(k, v) for k, v in headers if k.lower() != lowered] + [(item.name, item.value)]
        elif item.where == "query":
            kept = [part for part in query.split("&") if part and unquote_plus(part.split("=", 1)[0]) != item.name]
            query = "&".join([*kept, f"{quote(item.name, safe='')}={quote(item.value, safe='')}"])
        else:
            cookies = [(k, v) for k, v in headers if k.lower() == "cookie"]
            parts = [p.strip() for _, v in cookies for p in v.split(";") if p.strip() and p.split("=", 1)[0].strip().lower() != lowered]
            headers = [(k, v) for k, v in headers if k.lower() != "cookie"] + [("Cookie", "; ".join([*parts, f"{item.name}={item.value}"]))]
    return replace(request, headers=headers, query=query)


class WrongCredentials(Probe):
    name = "wrong-credentials"
    doc = ("Each operation that requires credentials once with a wrong credential of the same scheme (a wrong bearer "
           "token, basic password or API key; a wrong value for a required credential header): how each side refuses "
           "a bad token (401 against 403), which a valid -H on every case and the no-credentials probe never show.")

    def applies(self, operation: ProbeOperation) -> bool:
        return bool(wrong_credentials(operation)) or any(
            p.get("required") and Redaction().is_sensitive(str(p.get("name", ""))) for p in operation.parameters_in("header"))

    def requests(self, operation: ProbeOperation, pool: ProbePool) -> Iterator[ProbeRequest]:
        base = pool.base()
        if base is None:
            return
        wrong = wrong_credentials(operation, base.request)
        if not wrong:
            return
        # the sides' own credentials of those names (their -H, their login) stay off this request
        without = Credentials(headers=frozenset(w.name.lower() for w in wrong if w.where == "header"),
                              query=frozenset(w.name for w in wrong if w.where == "query"),
                              cookies=frozenset(w.name.lower() for w in wrong if w.where == "cookie"))
        yield ProbeRequest(replace(with_wrong_credentials(base.request, wrong), probe=self.name), without=without)
