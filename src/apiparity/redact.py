"""Secrets never reach a report: the one redaction policy every writer applies.

What is redacted (unless `--no-redact`):

- **by name**: header names, query parameter names, form fields and JSON body field names that are
  sensitive (`is_sensitive`): the name, lower-cased with `-`, `_`, `.` and camelCase boundaries as
  word breaks, contains one of `authorization`, `cookie`, `token`, `secret`, `password`, `passwd`,
  `credential`, `session`, `apikey` (`api-key`, `api_key`, `apiKey`), `signature`, `privatekey`,
  `accesskey`, or has one of the words `key`, `sig`, `pwd`, `auth`, `sid`; plus every `--redact NAME`
  (an exact name, case-insensitive). Everything below a sensitive JSON field goes;
- **URL userinfo**: `http://user:pass@host` anywhere in a string becomes `http://[redacted]@host`;
- **by value**: the values the user passed with `-H`/`--old-header`/`--new-header` (the credential
  part of `Bearer x`, each cookie value, the user and password of a `Basic` value) and the password
  of any URL the user gave (target, `--old-url`, reset URL), wherever they reappear, response
  bodies included. Values shorter than 4 characters and the standard negotiation headers
  (Accept*, Content-Type, User-Agent, ...) are not searched for: they would match everywhere.

`current()` is the policy of the running command (`activate` sets it; the CLI resets it for each
invocation), so a writer cannot forget to apply it: `apiparity.report.render` passes every report
through `Redaction.report`, the JSONL recorder through `Redaction.record`. With no command
running, the default policy (names and userinfo, no values) applies.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

REDACTED = "[redacted]"
# a credential apiparity invents (the wrong-credentials probe): no secret, shown as sent so that the
# reproducer sends it too; its Basic spelling is base64("apiparity:" + it)
INVENTED_CREDENTIAL = "apiparity-wrong-credential"
INVENTED_BASIC = base64.b64encode(f"apiparity:{INVENTED_CREDENTIAL}".encode()).decode()


def _invented(value: str) -> bool:
    """`value` is (a scheme and) a credential apiparity invented."""
    credential = value.strip().rsplit(" ", 1)[-1]
    return credential in (INVENTED_CREDENTIAL, INVENTED_BASIC)

# contained anywhere in the name with separators removed
_SENSITIVE_PARTS = ("authorization", "cookie", "token", "secret", "password", "passwd", "credential", "session",
                    "apikey", "signature", "privatekey", "accesskey")
# whole words of the name (split at separators and camelCase boundaries)
_SENSITIVE_WORDS = frozenset({"key", "sig", "pwd", "auth", "sid"})
_WORD_BREAK = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
# header values that are negotiation, never credentials: not searched for as literal values
_NOT_SECRET_HEADERS = frozenset({"accept", "accept-encoding", "accept-language", "accept-charset", "content-type",
                                 "content-encoding", "content-language", "user-agent", "cache-control", "connection",
                                 "pragma", "host", "origin", "referer", "if-none-match", "if-match",
                                 "if-modified-since", "if-unmodified-since", "x-requested-with"})
MIN_VALUE_CHARS = 4
MAX_REMEMBERED = 2000
_AUTH_HEADERS = ("authorization", "proxy-authorization")
_COOKIE_ATTRIBUTES = {"path", "domain", "expires", "max-age", "secure", "httponly", "samesite", "partitioned", "priority"}

_SCHEME_NAMES = frozenset({"bearer", "basic", "digest", "token", "jwt", "negotiate", "apikey", "api-key", "hoba", "mutual"})
_AUTH_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,30}")  # Bearer, Basic, Token, Digest ...
# `${OLD_PASSWORD}` in settings names where a secret comes from; it is not the secret
_ENV_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^/?#@\s'\"<>]+)@")
_PARAM = re.compile(r"(?<=[?&;])([^=&;#?\s'\"<>]+)=([^&;#\s'\"<>]*)")
_JSON_FIELD = re.compile(r"\"((?:[^\"\\]|\\.){1,100})\"(\s*:\s*)\"((?:[^\"\\]|\\.)*)\"")
_HEADER_LINE = re.compile(r"(?im)^([ \t]*)([A-Za-z0-9][A-Za-z0-9_-]{0,80})(:[ \t]*)([^\r\n]*)$")
_MAX_WALK_DEPTH = 400


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORD_BREAK.split(name) if w]


@dataclass(slots=True)
class Redaction:
    """A redaction policy: what to hide, applied by `header`, `query`, `url`, `body`, `text`,
    `record` and `report`. `enabled=False` (`--no-redact`) returns everything as it is."""

    enabled: bool = True
    names: frozenset[str] = frozenset()  # --redact NAME, lower-cased
    values: frozenset[str] = frozenset()  # literal secrets searched for in every string
    # (lower-cased name, value) of each header the user passed with -H/--old-header/--new-header: a
    # reproducer shows a placeholder to substitute for these (apiparity.fuzz.curl), not "[redacted]"
    supplied: frozenset[tuple[str, str]] = frozenset()
    _values_re: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _dirty: bool = field(default=False, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.names = frozenset(n.lower() for n in self.names)
        self.values = frozenset(v for v in self.values if len(v) >= MIN_VALUE_CHARS)
        self._compile()

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls, *, enabled: bool = True, names: Iterable[str] = (), headers: Iterable[tuple[str, str]] = (),
              urls: Iterable[str | None] = ()) -> Redaction:
        """The policy of one run: `headers` are what the user passed with -H/--old-header/--new-header,
        `urls` every URL the user gave (targets, --old-url/--new-url, reset hooks, --contract)."""
        values: set[str] = set()
        headers = list(headers)
        for name, value in headers:
            values.update(secret_values(name, value))
        for url in urls:
            if url:
                values.update(_url_secrets(url))
        return cls(enabled=enabled, names=frozenset(names), values=frozenset(values),
                   supplied=frozenset((name.lower(), value) for name, value in headers))

    def hides_supplied(self, name: str, value: str) -> bool:
        """`name: value` is a header the user passed (-H) and a report would not show it as it is."""
        return self.enabled and (name.lower(), value) in self.supplied and self.header(name, value) != value

    def remember(self, *values: str) -> None:
        """Add secrets learned during the run (a value hidden by name, a login flow's token):
        searched for in every string from now on, so an app echoing one under another name, or a
        difference line quoting it, shows it redacted too. At most MAX_REMEMBERED are kept."""
        new = {v for v in values if _rememberable(v)} - self.values
        if not self.enabled or not new:
            return
        with self._lock:
            room = MAX_REMEMBERED - len(self.values)
            if room > 0:
                self.values = self.values | set(sorted(new)[:room])
                self._dirty = True

    def _compile(self) -> None:
        ordered = sorted(self.values, key=len, reverse=True)
        self._values_re = re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None
        self._dirty = False

    # ------------------------------------------------------------------ names
    def is_sensitive(self, name: str) -> bool:
        lowered = name.lower()
        if lowered in self.names:
            return True
        squashed = re.sub(r"[^a-z0-9]", "", lowered)
        if any(part in squashed for part in _SENSITIVE_PARTS):
            return True
        return any(word in _SENSITIVE_WORDS for word in _words(name))

    # ------------------------------------------------------------------ pieces
    def header(self, name: str, value: str) -> str:
        """A header value as a report shows it: the scheme of an Authorization value stays ("Bearer"
        vs "Basic" matters when debugging), cookie names and Set-Cookie attributes stay (a changed
        `Path` is what the reader needs to see), every credential goes."""
        if not self.enabled or _invented(value):
            return value
        lowered = name.lower()
        if lowered in ("set-cookie", "cookie"):
            return self._cookie(lowered, value)
        if not self.is_sensitive(name):
            return self.text(value)
        self.remember(*secret_values("authorization" if lowered in _AUTH_HEADERS else "x-secret", value))
        if lowered in _AUTH_HEADERS and " " in value.strip():
            return f"{value.strip().split(' ', 1)[0]} {REDACTED}"
        return REDACTED

    def _cookie(self, lowered: str, value: str) -> str:
        parts = []
        for index, part in enumerate(value.split(";")):
            key, sep, rest = part.partition("=")
            attribute = lowered == "set-cookie" and index > 0 and key.strip().lower() in _COOKIE_ATTRIBUTES
            if attribute and "=" not in rest:
                parts.append(part)  # Expires dates, Path=/ ...: no secret, and no second cookie folded in
            elif sep and _invented(rest):
                parts.append(part)
            elif sep:
                self.remember(rest.strip())
                parts.append(f"{key}={REDACTED}")
            else:
                parts.append(part if attribute or not part.strip() else REDACTED)
        return ";".join(parts)

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {name: self.header(name, value) for name, value in headers.items()}

    def pairs(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, self.header(name, value)) for name, value in headers]

    def query(self, query: str) -> str:
        """A raw query string (or form body) with sensitive parameters' values replaced."""
        if not self.enabled or not query:
            return query
        parts = []
        for item in query.split("&"):
            name, sep, value = item.partition("=")
            if sep and self.is_sensitive(unquote(name)) and not _invented(unquote(value)):
                self.remember(unquote(value), value)
                parts.append(f"{name}{sep}{REDACTED}")
            else:
                parts.append(self.text(item))
        return "&".join(parts)

    def query_pairs(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        if not self.enabled:
            return list(pairs)
        pairs = list(pairs)
        self.remember(*(v for k, v in pairs if self.is_sensitive(k)))
        return [(k, REDACTED if self.is_sensitive(k) else self.text(v)) for k, v in pairs]

    def url(self, url: str) -> str:
        return self.text(url)

    def text(self, text: str) -> str:
        """Any string: known secret values, URL userinfo, sensitive `?name=value` parameters and
        sensitive `"name": "value"` JSON fields (inside text that was not parsed) replaced."""
        if not self.enabled or not text:
            return text
        if self._dirty:
            with self._lock:
                self._compile()
        pattern = self._values_re
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
        if "://" in text and "@" in text:
            text = _USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
        if "=" in text:
            text = _PARAM.sub(self._param, text)
        if '"' in text and ":" in text:
            text = _JSON_FIELD.sub(self._json_field, text)
        if "\n" in text and ":" in text:  # raw HTTP-like header lines in a text body
            text = _HEADER_LINE.sub(
                lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}{self.header(m.group(2), m.group(4))}"
                if self.is_sensitive(m.group(2)) and REDACTED not in m.group(4) else m.group(0), text)
        return text

    def _param(self, match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if not value or value == REDACTED or not self.is_sensitive(unquote(name)) or _invented(unquote(value)):
            return match.group(0)
        self.remember(unquote(value), value)
        return f"{name}={REDACTED}"

    def _json_field(self, match: re.Match[str]) -> str:
        name, colon, value = match.groups()
        if not value or value == REDACTED or not self.is_sensitive(name) or _invented(value):
            return match.group(0)
        if name.lower() in _AUTH_HEADERS:  # a reproducer's headers dict: the scheme stays, like in a curl line
            shown = value if value.endswith(f" {REDACTED}") else self.header(name, value)
            return f'"{name}"{colon}"{shown}"'
        self.remember(value)
        return f'"{name}"{colon}"{REDACTED}"'

    def body(self, value: Any, *, sensitive: bool = False, depth: int = 0) -> Any:
        """Parsed JSON: every value under a sensitive field name redacted, every string searched."""
        if not self.enabled:
            return value
        if isinstance(value, str):
            if sensitive and value and not _ENV_REFERENCE.fullmatch(value):
                self.remember(value)
                return REDACTED
            return self.text(value)
        if depth > _MAX_WALK_DEPTH:
            return value if not sensitive else REDACTED
        if isinstance(value, dict):
            return {k: self.body(v, sensitive=sensitive or (isinstance(k, str) and self.is_sensitive(k)), depth=depth + 1)
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.body(v, sensitive=sensitive, depth=depth + 1) for v in value)
        if sensitive and isinstance(value, (int, float)) and not isinstance(value, bool):
            self.remember(str(value))
            return REDACTED
        return value

    # ------------------------------------------------------------------ whole documents
    def record(self, line: dict[str, Any]) -> dict[str, Any]:
        """A JSONL traffic line (`apiparity.traffic.jsonl`): path, query, headers and body."""
        if not self.enabled:
            return line
        out = dict(line)
        for key in ("path", "url"):
            if isinstance(out.get(key), str):
                out[key] = self.text(out[key])
        query = out.get("query")
        if isinstance(query, str):
            out["query"] = self.query(query)
        elif isinstance(query, list):
            out["query"] = [[p[0], REDACTED if self.is_sensitive(str(p[0])) else self.body(p[1])] if len(p) == 2 else p
                            for p in query]
        headers = out.get("headers")
        if isinstance(headers, dict):
            out["headers"] = {k: self.header(k, v) if isinstance(v, str) else v for k, v in headers.items()}
        elif isinstance(headers, list):
            out["headers"] = [[pair[0], self.header(pair[0], pair[1])] if len(pair) == 2 and isinstance(pair[1], str) else pair
                              for pair in headers]
        if "body" in out:
            body = out["body"]
            out["body"] = self.query(body) if isinstance(body, str) and _looks_like_form(body) else self.body(body)
        return out

    def report(self, report: Any) -> Any:
        """A copy of a report model (`apiparity.model`) with the policy applied to every string:
        request/response headers by name, query parameters by name, bodies by field name, and
        every other string by value, userinfo and embedded parameters."""
        if not self.enabled:
            return report
        seen: set[str] = set()
        self._collect(report, seen, 0)
        policy = self
        seen = {v for v in seen if _rememberable(v)}
        if seen - self.values:
            policy = Redaction(enabled=True, names=self.names, values=self.values | seen)
        return policy._walk(report, 0)

    def _collect(self, obj: Any, seen: set[str], depth: int) -> None:
        """The values a report's requests and responses carry under sensitive names (a generated
        `?sig=`, a `password` field, a token handed out in a body or a cookie), so that an app
        echoing them under another name, or a difference line quoting them, is redacted too."""
        from apiparity.model import HttpRequest, HttpResponse

        if depth > _MAX_WALK_DEPTH:
            return
        if isinstance(obj, (HttpRequest, HttpResponse)):
            for name, value in obj.headers.items():
                if self.is_sensitive(name):
                    seen.update(secret_values(name, value) if name.lower() != "set-cookie" else _cookie_values(value))
            if isinstance(obj, HttpRequest):
                seen.update(str(v) for k, v in obj.query if self.is_sensitive(k) and len(str(v)) >= MIN_VALUE_CHARS)
            body = obj.body
            if isinstance(body, str) and _looks_like_form(body):
                body = dict(parse_qsl(body, keep_blank_values=True))
            _sensitive_leaves(self, body, False, seen, 0)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                self._collect(getattr(obj, f.name), seen, depth + 1)
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                self._collect(item, seen, depth + 1)

    def _walk(self, obj: Any, depth: int) -> Any:
        from apiparity.model import HttpRequest, HttpResponse

        if isinstance(obj, str):
            return self.text(obj)
        if depth > _MAX_WALK_DEPTH:
            return obj
        if isinstance(obj, HttpRequest):
            body = obj.body
            body = self.query(body) if isinstance(body, str) and _looks_like_form(body) else self.body(body)
            return dataclasses.replace(obj, path=self.text(obj.path), query=self.query_pairs(obj.query),
                                       headers=self.headers(obj.headers), body=body)
        if isinstance(obj, HttpResponse):
            return dataclasses.replace(obj, headers=self.headers(obj.headers), body=self.body(obj.body),
                                       error=self.text(obj.error) if obj.error else obj.error)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {f.name: self._walk(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj) if f.init}
            return dataclasses.replace(obj, **changes)
        if isinstance(obj, dict):
            if any(dataclasses.is_dataclass(v) and not isinstance(v, type) for v in obj.values()):
                # a section's mapping of sections (Report.sides, HandlersSection.old): walked like the sections
                return {k: self._walk(v, depth + 1) for k, v in obj.items()}
            return self.body(obj, depth=depth)
        if isinstance(obj, list):
            return [self._walk(v, depth + 1) for v in obj]
        if isinstance(obj, tuple):
            return tuple(self._walk(v, depth + 1) for v in obj)
        return obj


def _rememberable(value: Any) -> bool:
    """A value worth searching for everywhere: long enough, and not an auth scheme name (a login
    flow's `prefix: Bearer` sits under a sensitive name, but "Bearer" in every curl line is no secret)."""
    return (isinstance(value, str) and len(value) >= MIN_VALUE_CHARS and value.strip().lower() not in _SCHEME_NAMES
            and not _invented(value))


def _sensitive_leaves(policy: Redaction, value: Any, sensitive: bool, seen: set[str], depth: int) -> None:
    if depth > _MAX_WALK_DEPTH:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _sensitive_leaves(policy, v, sensitive or (isinstance(k, str) and policy.is_sensitive(k)), seen, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _sensitive_leaves(policy, v, sensitive, seen, depth + 1)
    elif sensitive and isinstance(value, (str, int, float)) and not isinstance(value, bool) and len(str(value)) >= MIN_VALUE_CHARS:
        seen.add(str(value))


def _cookie_values(value: str) -> set[str]:
    first = value.split(";", 1)[0]
    _, sep, cookie = first.partition("=")
    return {cookie.strip()} if sep and len(cookie.strip()) >= MIN_VALUE_CHARS else set()


def _looks_like_form(text: str) -> bool:
    return "=" in text and not text.lstrip().startswith(("{", "[", "<")) and "\n" not in text.strip()


def secret_values(name: str, value: str) -> set[str]:
    """The literal strings of a header value the user passed that must not reappear: the whole
    value, the credential after an auth scheme, each cookie value, a Basic value's user:password."""
    lowered = name.lower().strip()
    value = value.strip()
    if lowered in _NOT_SECRET_HEADERS or not value:
        return set()
    found: set[str] = set()
    scheme, _, credential = value.partition(" ")
    # for "Bearer <token>" the credential alone is searched for: "Bearer [redacted]" still says how
    # the request authenticated
    if not (lowered in _AUTH_HEADERS and _AUTH_SCHEME.fullmatch(scheme) and len(credential.strip()) >= MIN_VALUE_CHARS):
        found.add(value)
    if credential.strip():
        found.add(credential.strip())
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential.strip(), validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                decoded = ""
            if decoded:
                found.add(decoded)
                found.update(part for part in decoded.split(":", 1) if part)
    if lowered in ("cookie", "set-cookie") or ("=" in value and ";" in value):
        for part in value.split(";"):
            _, sep, cookie_value = part.partition("=")
            if sep and cookie_value.strip():
                found.add(cookie_value.strip())
    return {v for v in found if len(v) >= MIN_VALUE_CHARS}


def _url_secrets(text: str) -> set[str]:
    """The password (and user:password, and its Basic encoding) of each URL's userinfo in `text` (a
    URL, or a reset hook such as "POST http://user:pass@host/reset"), and the values of its
    sensitive query parameters."""
    found: set[str] = set()
    for url in re.findall(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+", text):
        try:
            parts = urlsplit(url)
            password = parts.password
        except ValueError:
            continue
        if password:
            userinfo = f"{unquote(parts.username or '')}:{unquote(password)}"
            found.update({unquote(password), userinfo, base64.b64encode(userinfo.encode()).decode("ascii"),
                          parts.netloc.rpartition("@")[0]})
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if value and _DEFAULT.is_sensitive(name):
                found.add(value)
    return {v for v in found if len(v) >= MIN_VALUE_CHARS}


def from_settings(settings: Any, *refs: str | None) -> Redaction:
    """The policy of a fuzz/check/replay/shadow run: a FuzzSettings-like object (headers,
    old_headers, new_headers, old_url, new_url, reset hooks, contract, redact, redact_names) and the
    command's target references."""
    headers: list[tuple[str, str]] = []
    for key in ("headers", "old_headers", "new_headers"):
        headers.extend((getattr(settings, key, None) or {}).items())
    urls: list[str | None] = [*refs]
    for key in ("old_url", "new_url", "contract", "primary_url", "candidate_url", "secondary_url"):
        value = getattr(settings, key, None)
        urls.append(value if isinstance(value, str) else None)
    for key in ("reset", "reset_old", "reset_new"):
        urls.extend(getattr(settings, key, None) or ())
    return Redaction.build(enabled=bool(getattr(settings, "redact", True)), names=getattr(settings, "redact_names", ()) or (),
                           headers=headers, urls=urls)


# ---------------------------------------------------------------------- the running command's policy
_DEFAULT = Redaction()
_active: Redaction = _DEFAULT
_active_lock = threading.Lock()


def current() -> Redaction:
    """The policy of the running command (the default one when none was activated)."""
    return _active


def activate(policy: Redaction) -> Redaction:
    """Make `policy` the running command's (every writer reads it through `current()`)."""
    global _active
    with _active_lock:
        _active = policy
    return policy


class RedactingStream:
    """A text stream (stdout, stderr) whose every `write` goes through the running command's
    policy: notes, warnings, progress and errors that quote a URL or a header can never print a
    secret. Everything else is the wrapped stream's."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, text: Any) -> Any:
        if isinstance(text, str):
            text = current().text(text)
        return self._inner.write(text)

    def writelines(self, lines: Iterable[Any]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def guarded_streams() -> Iterator[None]:
    """sys.stdout and sys.stderr through `RedactingStream` inside the block (one CLI invocation)."""
    import sys

    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(saved[0]), RedactingStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def reset() -> None:
    """Back to the default policy. The CLI calls it when an invocation starts and ends, so a
    `--no-redact` or a `-H` value of one command never carries over to the next in the same process."""
    activate(Redaction())


@contextmanager
def scope(policy: Redaction) -> Iterator[Redaction]:
    """`policy` active inside the block (library use: the pytest plugin, tests)."""
    previous = current()
    activate(policy)
    try:
        yield policy
    finally:
        activate(previous)
