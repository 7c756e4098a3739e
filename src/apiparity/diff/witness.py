"""Judge a schema change by meaning: search an instance one side accepts and the other rejects.

For a request (what clients send), a change breaks when some instance OLD accepted is rejected by
NEW; for a response (what clients read), when NEW may return an instance OLD's schema rejects. The
structural rules say *where* and *what*; this module says whether it matters:

1. both schemas are written as JSON Schema 2020-12 (`jsonschema_form`) and canonicalized by
   jsonschema-rs, whose subschema check decides inclusion for a large fragment of the language:
   `target.covers(source) == YES`, or an unsatisfiable `source.subtract(target)`, *proves* that no
   witness exists (the change is not breaking);
2. otherwise instances are generated (schemathesis' JSON Schema generator, the successor of
   hypothesis-jsonschema), first from `source - target` (every instance of it is a candidate), then
   from `source` itself, and each is validated with `jsonschema` against both sides: the first
   (shrunk) instance the source accepts and the target rejects for the finding's keyword is the
   witness;
3. nothing found within the bound (instances per pair and generator, instances for the whole
   run): *possibly breaking*, with the reason.

The bounds count work, never seconds, so a seed gives the same verdicts and witnesses on an idle
and on a loaded machine (Hypothesis' `find` with a seeded `Random`, no database, no deadline). A
wall-clock safety cap for the run only stops a search that runs away: the pair it stops, and every
later one, is *not checked* (its structural verdict stands) and the run is marked incomplete
(`Budget.tripped`), never silently given another verdict.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import quopri
import random
import time
from dataclasses import dataclass
from enum import Enum
from collections.abc import Iterator
from typing import Any

from apiparity.diff.jsonschema_form import Unsupported, to_json_schema


class Outcome(str, Enum):
    WITNESSED = "witnessed"  # an instance proves the change breaking
    PROVED_SAFE = "proved-safe"  # the subschema check proves no instance exists
    NOT_FOUND = "possibly-breaking"  # bounded search found nothing; structure still says breaking
    NOT_CHECKED = "not-checked"  # the pair uses something the search cannot model


@dataclass(slots=True)
class SearchResult:
    outcome: Outcome
    instance: Any = None
    keyword: str = ""  # the target's rejecting keyword
    reason: str = ""  # the target's error, or why nothing was found
    tries: int = 0


@dataclass(slots=True)
class Budget:
    """Bounds of the witness search, counted in instances validated: per pair and for the whole run.

    `safety_seconds` is a fail-safe, not a bound: when a run's searches pass it, the search stops,
    `tripped` says so, and the pairs left are *not checked* (a loaded machine may trip it; the
    verdicts it reached before are the same as on an idle one)."""

    seed: int = 0
    examples: int = 60  # generated instances per pair and generator
    shrink_steps: int = 150  # attempts at a smaller witness once one is found
    constructed: int = 120  # instances built from the schemas (`witness_construct`) tried per pair before drawing any
    instances: int = 1500  # instances drawn (Hypothesis) and validated in the whole run, over every pair
    safety_seconds: float = 300.0  # wall-clock fail-safe for the whole run
    used: int = 0  # instances validated so far
    pairs: int = 0
    spent: float = 0.0  # wall-clock seconds the searches took (only compared with safety_seconds)
    tripped: str = ""  # why the safety cap stopped the search; "" while it has not

    def left(self) -> int:
        return self.instances - self.used


# The keyword set asking for a oneOf that rejects because two branches match (not because none does).
OVERLAP = "oneOf:overlap"


class _OutOfTime(Exception):
    """A bound reached: the pair's or the run's instance count, or the run's safety cap."""


def _encoded(decode: Any) -> Any:
    def check(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            decode(value)
        except (ValueError, binascii.Error, UnicodeError):
            return False
        return True

    return check


def _quoted_printable(value: str) -> None:
    # RFC 2045 6.7: `=` starts an escape of two hex digits or a soft line break; lines <= 76.
    index = 0
    while index < len(value):
        char = value[index]
        if ord(char) > 126 or (ord(char) < 32 and char not in "\t\r\n"):
            raise ValueError("not quoted-printable")
        if char == "=":
            rest = value[index + 1 : index + 3]
            if rest.startswith(("\r\n", "\n")):
                index += 1 + (2 if rest.startswith("\r\n") else 1)
                continue
            if len(rest) != 2 or any(c not in "0123456789ABCDEF" for c in rest):
                raise ValueError("not quoted-printable")
            index += 3
            continue
        index += 1


def _seven_bit(value: str) -> None:
    if any(ord(c) > 127 or c == "\x00" for c in value):
        raise ValueError("not 7bit")


_ENCODING_CHECKS = {
    "byte": lambda v: base64.b64decode(v, validate=True),
    "x-encoding-base64url": lambda v: base64.urlsafe_b64decode(v) if all(c.isalnum() or c in "-_=" for c in v) else (_ for _ in ()).throw(ValueError()),
    "x-encoding-base32": lambda v: base64.b32decode(v),
    "x-encoding-base16": lambda v: base64.b16decode(v),
    "x-encoding-quoted-printable": _quoted_printable,
    "x-encoding-7bit": _seven_bit,
}


def _format_checker() -> Any:
    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    checker = jsonschema.FormatChecker(list(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers))
    for name, decode in _ENCODING_CHECKS.items():
        checker.checks(name)(_encoded(decode))
    return checker


def _format_strategies() -> dict[str, Any]:
    from hypothesis import strategies as st

    formats: dict[str, Any] = {}
    try:
        from schemathesis.specs.openapi.formats import get_default_format_strategies

        formats = {name: strategy for name, strategy in get_default_format_strategies().items() if name != "binary"}
    except ImportError:  # pragma: no cover - schemathesis moved it
        pass
    data = st.binary(max_size=12)
    formats["byte"] = data.map(lambda b: base64.b64encode(b).decode())
    formats["x-encoding-base64url"] = data.map(lambda b: base64.urlsafe_b64encode(b).decode())
    formats["x-encoding-base32"] = data.map(lambda b: base64.b32encode(b).decode())
    formats["x-encoding-base16"] = data.map(lambda b: base64.b16encode(b).decode())
    formats["x-encoding-quoted-printable"] = data.map(lambda b: quopri.encodestring(b).decode("ascii"))
    formats["x-encoding-7bit"] = st.text(st.characters(min_codepoint=1, max_codepoint=127), max_size=12)
    return formats


class WitnessSearch:
    """Memoized witness searches over schema pairs of one diff run."""

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        self._memo: dict[tuple[int, int, str, bool, frozenset[str] | None], SearchResult] = {}
        self._by_content: dict[tuple[str, str, str, bool, frozenset[str] | None], SearchResult] = {}
        self._keep: list[Any] = []
        self._checker: Any = None
        self._formats: dict[str, Any] | None = None

    def search(
        self,
        old: Any,
        new: Any,
        *,
        direction: str,
        keywords: frozenset[str] | None = None,
        textual: bool = False,
    ) -> SearchResult:
        """For `direction` "request": an instance OLD accepts and NEW rejects; "response": the reverse."""
        key = (id(old), id(new), direction, textual, keywords)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        self._warm_up()  # imports and format tables: once per run, not charged to a pair
        started = time.perf_counter()
        try:
            result = self._converted(old, new, direction, keywords, textual, started)
        finally:
            self.budget.spent += time.perf_counter() - started
            if not self.budget.tripped and self.budget.spent > self.budget.safety_seconds:
                self.budget.tripped = (f"the witness search passed its wall-clock safety cap ({self.budget.safety_seconds:g} s) "
                                       "and stopped: later findings are not checked")
        self._memo[key] = result
        self._keep.extend((old, new))
        return result

    def holds(self, old: Any, new: Any, instance: Any, *, direction: str, textual: bool = False) -> bool:
        """Whether `instance` is a witness for the pair (old, new) too: "request", OLD accepts it
        and NEW rejects it; "response", the reverse. False when the pair cannot be expressed."""
        import jsonschema  # type: ignore[import-untyped,unused-ignore]

        try:
            old_schema = to_json_schema(old, direction=direction)
            new_schema = to_json_schema(new, direction=direction)
            source_validator, target_validator = self._validators(old_schema, new_schema, direction)
        except (Unsupported, RecursionError, jsonschema.exceptions.SchemaError, jsonschema.exceptions._WrappedReferencingError):
            return False
        return _accepts(source_validator, instance, textual) and _rejection(target_validator, instance, None, textual) is not None

    # ------------------------------------------------------------------ internals

    def _converted(self, old: Any, new: Any, direction: str, keywords: frozenset[str] | None, textual: bool, started: float) -> SearchResult:
        """The search on both sides' JSON Schema forms, memoized by their content: a change repeated in
        many operations (inline schemas are separate objects) is searched once."""
        try:
            old_schema = to_json_schema(old, direction=direction)
            new_schema = to_json_schema(new, direction=direction)
        except (Unsupported, RecursionError) as exc:
            return SearchResult(Outcome.NOT_CHECKED, reason=f"schema not expressible for the search: {exc}")
        try:
            content = (json.dumps(old_schema, sort_keys=True), json.dumps(new_schema, sort_keys=True), direction, textual, keywords)
        except (TypeError, ValueError):
            content = None
        cached = self._by_content.get(content) if content is not None else None
        if cached is not None:
            return cached
        if self.budget.tripped:
            return SearchResult(Outcome.NOT_CHECKED, reason=f"incomplete: {self.budget.tripped}")
        self.budget.pairs += 1
        # with the budget spent, the instances built from the schemas are still tried (they are not
        # drawn, nor charged): an obvious witness (null, a removed enum value) never waits on it
        result = self._search(old_schema, new_schema, direction, keywords, textual, started, draw=self.budget.left() > 0)
        if content is not None:
            self._by_content[content] = result
        return result

    def _validators(self, old_schema: Any, new_schema: Any, direction: str) -> tuple[Any, Any]:
        """(source, target) validators of a JSON Schema pair: the source's instances are drawn and
        the target judges them (a request's OLD and NEW; a response's NEW and OLD)."""
        import jsonschema  # type: ignore[import-untyped,unused-ignore]

        source, target = (old_schema, new_schema) if direction == "request" else (new_schema, old_schema)
        checker = self._format_checker()
        return (jsonschema.Draft202012Validator(source, format_checker=checker),
                jsonschema.Draft202012Validator(target, format_checker=checker))

    def _search(self, old_schema: Any, new_schema: Any, direction: str, keywords: frozenset[str] | None, textual: bool, started: float,
                *, draw: bool = True) -> SearchResult:
        source, target = (old_schema, new_schema) if direction == "request" else (new_schema, old_schema)
        import jsonschema  # type: ignore[import-untyped,unused-ignore]

        try:
            source_validator, target_validator = self._validators(old_schema, new_schema, direction)
        except (jsonschema.exceptions.SchemaError, jsonschema.exceptions._WrappedReferencingError) as exc:
            return SearchResult(Outcome.NOT_CHECKED, reason=f"schema rejected by the validator: {exc}")
        variants: list[Any] = []  # schemas whose instances are tried, in order; generators built on first use
        proof = self._canonical(source, target, variants)
        if proof is not None:
            return proof
        # Source instances without extra properties first: small, fast to draw and to read; then
        # any source instance (a witness may need an extra property: additionalProperties narrowed).
        # Values at the edges of the source's bounds come next: a narrowed bound rejects exactly those
        # (maxContains 1 -> 2 in a response: an array with two matching items), and random draws rarely land there.
        closed = _closed(source)
        variants.extend((*_hints(source, target), _edges(closed, upper=False), _edges(closed, upper=True), closed, source))
        built: dict[int, Any] = {}

        def strategy_of(index: int) -> Any:
            if index not in built:
                built[index] = self._strategy(variants[index])
            return built[index]

        found: list[tuple[Any, str, str]] = []
        # Bounded by counts (deterministic for a seed); the wall clock is only the run's safety cap.
        deadline = started + max(self.budget.safety_seconds - self.budget.spent, 0.0)
        tries = 0
        shrink_steps = [0]
        stopped: list[str] = []  # why the search was cut short: "budget" (counted) or "safety" (clock)
        drawing = False  # candidates built from the schemas first (bounded per pair), then drawn ones

        def rejected_for(instance: Any) -> tuple[str, str] | None:
            nonlocal tries
            if found:
                shrink_steps[0] += 1
                if shrink_steps[0] > self.budget.shrink_steps:
                    raise _OutOfTime
            if drawing and self.budget.used >= self.budget.instances:
                stopped.append("budget")
                raise _OutOfTime
            if time.perf_counter() > deadline:
                stopped.append("safety")
                raise _OutOfTime
            tries += 1
            if drawing:  # the run's budget counts drawn instances (~0.1 s each on a big schema), not built ones
                self.budget.used += 1
            if not _accepts(source_validator, instance, textual):
                return None
            return _rejection(target_validator, instance, keywords, textual)

        def condition(instance: Any) -> bool:
            rejection = rejected_for(instance)
            if rejection is None:
                return False
            found.append((instance, *rejection))
            return True

        # Instances built from the schemas first (the minimal source instance, then it changed in one
        # place to each telling value): most findings' witness is one of them, found without drawing.
        from apiparity.diff.witness_construct import candidates

        try:
            for candidate in candidates(source, target, limit=self.budget.constructed):
                if condition(candidate):
                    instance, keyword, message = found[-1]
                    instance, keyword, message, steps = self._minimal(instance, keyword, message,
                                                                      source_validator, target_validator, keywords, textual)
                    return SearchResult(Outcome.WITNESSED, instance=instance, keyword=keyword, reason=message, tries=tries + steps)
        except _OutOfTime:
            pass
        except RecursionError:
            pass
        if not draw:
            return SearchResult(Outcome.NOT_FOUND, reason=f"the run's witness budget ({self.budget.instances} instances) was spent before this pair",
                                tries=tries)
        drawing = True

        from hypothesis import HealthCheck, Phase, find, settings
        from hypothesis.errors import NoSuchExample, Unsatisfiable

        config = settings(
            max_examples=self.budget.examples,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.shrink],
            report_multiple_bugs=False,
        )
        cut_short = False
        # A short pass over every generator first (the witness is usually an edge or a difference
        # instance, found in a few draws), then the full bound for each.
        # That pass does not shrink: Hypothesis draws simple instances first, so a witness found
        # there is usually small already; a long one is shrunk by replaying its generator (same seed).
        first = settings(config, max_examples=min(10, self.budget.examples), phases=[Phase.generate])
        rounds = [(index, first, self.budget.seed) for index in range(len(variants))]
        rounds += [(index, config, self.budget.seed + 1) for index in range(len(variants))]
        for index, round_config, seed in rounds:
            if stopped:
                cut_short = True
                break
            strategy = strategy_of(index)
            if strategy is None:
                continue
            try:
                find(strategy, condition, settings=round_config, random=random.Random(seed))
            except (NoSuchExample, Unsatisfiable):
                pass
            except _OutOfTime:
                cut_short = cut_short or not found
            except Exception as exc:  # noqa: BLE001 - a generator failure is "not checked", never a crash
                if _out_of_time(exc):  # Hypothesis may wrap it (a replay that stopped early looks flaky)
                    cut_short = cut_short or not found
                elif not found:
                    return SearchResult(Outcome.NOT_CHECKED, reason=f"generator failed: {type(exc).__name__}: {str(exc)[:120]}", tries=tries)
            if found and round_config is first and len(_instance_json(found[-1][0])) > _SMALL_WITNESS:
                unshrunk = list(found)
                found.clear()
                try:
                    find(strategy, condition, settings=settings(config, max_examples=first.max_examples), random=random.Random(seed))
                except Exception:  # noqa: BLE001, S110 - shrinking is a nicety: the unshrunk witness stands
                    pass
                if not found:
                    found.extend(unshrunk)
            if found:
                instance, keyword, message = found[-1]  # the last accepted is the most shrunk
                instance, keyword, message, steps = self._minimal(_plain(instance), keyword, message,
                                                                  source_validator, target_validator, keywords, textual)
                return SearchResult(Outcome.WITNESSED, instance=instance, keyword=keyword, reason=message, tries=tries + steps)
        if "safety" in stopped:
            self.budget.tripped = self.budget.tripped or (
                f"the witness search passed its wall-clock safety cap ({self.budget.safety_seconds:g} s) and stopped: later findings are not checked")
            return SearchResult(Outcome.NOT_CHECKED, reason=f"incomplete: {self.budget.tripped}", tries=tries)
        if not cut_short and not any(strategy is not None for strategy in built.values()):
            return SearchResult(Outcome.NOT_CHECKED, reason="no instance generator for this schema")
        what = f" for {'/'.join(sorted(keywords))}" if keywords else ""
        bound = f"{tries} instances (the run's budget of {self.budget.instances} was spent)" if "budget" in stopped else f"{tries} instances"
        side = "OLD accepts and NEW rejects" if direction == "request" else "NEW may return and OLD rejects"
        return SearchResult(Outcome.NOT_FOUND, reason=f"no instance that {side}{what} found in {bound}", tries=tries)

    def _minimal(self, instance: Any, keyword: str, message: str, source_validator: Any, target_validator: Any,
                 keywords: frozenset[str] | None, textual: bool) -> tuple[Any, str, str, int]:
        """The witness made minimal: each simplification (`_simpler`) kept while the source still
        accepts it and the target still rejects it for the finding's keyword, so the witness differs
        from an instance OLD accepts only where the change is (no optional property with another
        cause, `0` for `1.0000000000000002e-05`). Bounded by `Budget.shrink_steps` validations per
        witness (cheap: nothing is drawn); deterministic (candidates in a fixed order)."""
        steps = 0
        best = (instance, keyword, message)
        changed = True
        while changed and steps < self.budget.shrink_steps:
            changed = False
            for candidate in _simpler(best[0]):
                if steps >= self.budget.shrink_steps:
                    break
                steps += 1
                if not _accepts(source_validator, candidate, textual):
                    continue
                rejection = _rejection(target_validator, candidate, keywords, textual)
                if rejection is not None:
                    best = (candidate, *rejection)
                    changed = True
                    break
        return (*best, steps)

    def _canonical(self, source: dict[str, Any], target: dict[str, Any], variants: list[Any]) -> SearchResult | None:
        """A proof from jsonschema-rs' subschema check, or the `source - target` schema (into `variants`)."""
        try:
            import jsonschema_rs
            from jsonschema_rs import canonical
        except ImportError:  # pragma: no cover - a schemathesis dependency
            return None
        try:
            source_form = jsonschema_rs.canonicalize(source, draft=20, validate_formats=True)
            target_form = jsonschema_rs.canonicalize(target, draft=20, validate_formats=True)
            if target_form.covers(source_form) is canonical.Containment.YES:
                return SearchResult(Outcome.PROVED_SAFE, reason="every instance the accepting side allowed is still allowed (jsonschema-rs subschema check)")
            difference = source_form.subtract(target_form)
            if difference.satisfiability() is canonical.Satisfiability.NO:
                return SearchResult(Outcome.PROVED_SAFE, reason="no instance is accepted by one side and rejected by the other (jsonschema-rs subschema check)")
            schema = difference.to_json_schema()
        except Exception:  # noqa: BLE001 - outside its fragment: fall back to plain generation
            return None
        if _negates_a_schema(schema):
            return None  # `allOf [Y, not X]`: generating it is filtering Y's instances, slower than Y itself
        variants.append(schema)
        return None

    def _strategy(self, schema: Any) -> Any:
        try:
            from schemathesis.generation.jsonschema.builder import EMPTY_STRATEGY, build
        except ImportError:  # pragma: no cover
            return None
        if self._formats is None:
            self._formats = _format_strategies()
        try:
            strategy = build(schema, draft=20, formats=self._formats)
        except Exception:  # noqa: BLE001 - unsupported or unsatisfiable for the generator
            return None
        return None if strategy is EMPTY_STRATEGY else strategy

    def _warm_up(self) -> None:
        if self._formats is None:
            self._formats = _format_strategies()
            try:
                import schemathesis.generation.jsonschema.builder  # noqa: F401
            except ImportError:  # pragma: no cover
                pass
        self._format_checker()

    def _format_checker(self) -> Any:
        if self._checker is None:
            self._checker = _format_checker()
        return self._checker


def _out_of_time(exc: BaseException) -> bool:
    seen: set[int] = set()
    work: list[BaseException] = [exc]
    while work:
        error = work.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, _OutOfTime):
            return True
        work.extend(e for e in (error.__cause__, error.__context__) if e is not None)
        work.extend(getattr(error, "exceptions", ()) or ())
    return "_OutOfTime" in repr(exc)


def _negates_a_schema(schema: Any) -> bool:
    """Does a generated difference schema hold a `not` of anything but a trivial schema?"""
    work = [schema]
    while work:
        node = work.pop()
        if isinstance(node, dict):
            negated = node.get("not")
            if isinstance(negated, dict) and negated and set(negated) != {"type"}:
                return True
            work.extend(node.values())
        elif isinstance(node, list):
            work.extend(node)
    return False


_BOUND_PAIRS = (("minimum", "maximum"), ("minLength", "maxLength"), ("minItems", "maxItems"),
                ("minProperties", "maxProperties"), ("minContains", "maxContains"))


def _edges(schema: Any, *, upper: bool) -> Any:
    """A copy of a plain JSON Schema pinned to its upper (or lower) bounds: `maxLength 5` gets
    `minLength 5`. Its instances are source instances at the edge; none at all if it is unsatisfiable."""
    if isinstance(schema, list):
        return [_edges(item, upper=upper) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: (value if key in ("enum", "const", "required", "default") else _edges(value, upper=upper)) for key, value in schema.items()}
    if "contains" in out and "minContains" not in out:
        out["minContains"] = 1
    for low, high in _BOUND_PAIRS:
        value_low, value_high = out.get(low), out.get(high)
        if upper and isinstance(value_high, (int, float)) and not isinstance(value_high, bool):
            out[low] = value_high
        elif not upper and isinstance(value_low, (int, float)) and not isinstance(value_low, bool):
            out[high] = value_low
    return out


def _hints(source: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """Source variants aimed at what the target's root constrains by property *name*: objects with a
    key matching each of its patternProperties, or carrying each key its dependencies start from.
    Random keys almost never match `^x-`."""
    source, wrap = _root_body(source)
    target, _ = _root_body(target)
    if "$ref" in source or "$defs" in source:
        return []
    return [wrap(variant) for variant in _root_hints(source, target)]


def _root_body(schema: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The root's own keywords, and how to put a variant of them back under the root's `$defs`
    (a recursive schema is written `{$defs: ..., allOf: [body]}`)."""
    defs, branches = schema.get("$defs"), schema.get("allOf")
    if defs is not None and set(schema) == {"$defs", "allOf"} and isinstance(branches, list) and len(branches) == 1 and isinstance(branches[0], dict):
        return branches[0], lambda body: {"$defs": defs, "allOf": [body]}
    return schema, lambda body: body


def _root_hints(source: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    variants: list[dict[str, Any]] = []
    for pattern in target.get("patternProperties") or {}:
        if "propertyNames" not in source:
            variants.append({**source, "propertyNames": {"pattern": pattern}, "minProperties": max(1, source.get("minProperties", 1))})
    for keyword in ("dependentRequired", "dependentSchemas"):
        for key in target.get(keyword) or {}:
            variants.append({**source, "required": sorted({*source.get("required", []), key})})
    # A property the target describes and the source leaves to additionalProperties (a property
    # removed from a response: NEW may send anything under that name): objects carrying it.
    if source.get("additionalProperties", True) is not False and "unevaluatedProperties" not in source:
        named = source.get("properties") or {}
        extra = [key for key in target.get("properties") or {} if key not in named]
        if extra:
            variants.append({**source, "required": sorted({*source.get("required", []), *extra})})
    return variants


def _closed(schema: Any) -> Any:
    """A copy of a plain JSON Schema where objects that name their properties allow no others."""
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: (value if key in ("enum", "const", "required", "default") else _closed(value)) for key, value in schema.items()}
    if "properties" in schema and not {"additionalProperties", "patternProperties", "unevaluatedProperties"} & set(schema):
        out["additionalProperties"] = False
    return out


def _simpler(value: Any) -> Iterator[Any]:
    """Instances simpler than `value`, each differing in one place, simplest changes first: a
    property or an item dropped, then a nested value simplified, then a scalar made plainer."""
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            yield {k: v for k, v in value.items() if k != key}
        for key in sorted(value, key=str):
            for simpler in _simpler(value[key]):
                yield {**value, key: simpler}
    elif isinstance(value, list):
        for index in reversed(range(len(value))):
            yield value[:index] + value[index + 1:]
        for index in range(len(value)):
            for simpler in _simpler(value[index]):
                yield [*value[:index], simpler, *value[index + 1:]]
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield from _plainer_numbers(value)
    elif isinstance(value, str):
        for shorter in ("", value[:1], value[: len(value) // 2]):
            if len(shorter) < len(value):
                yield shorter
        plain = "".join(c if c.isascii() and c.isalnum() else "a" for c in value)
        if plain != value:
            yield plain


def _plainer_numbers(value: float) -> Iterator[float]:
    """Rounder numbers than `value`, in order: 0, 1, -1, the integers around it, fewer decimals."""
    if not math.isfinite(value):
        return
    seen = {value}
    whole = int(value)
    toward_zero = whole - 1 if whole > 0 else whole + 1
    candidates: list[float] = [0, 1, -1, whole, math.floor(value), math.ceil(value), int(value / 2), toward_zero]
    if isinstance(value, float):
        candidates += [round(value, digits) for digits in range(0, 7)]
        exponent = math.floor(math.log10(abs(value))) if value else 0
        candidates += [round(value, -exponent + extra) for extra in range(0, 4)]
        magnitude = 10.0 ** exponent
        candidates += [magnitude if value > 0 else -magnitude]
    for candidate in candidates:
        if candidate not in seen and _plainer(candidate, value):
            seen.add(candidate)
            yield candidate


def _plainer(candidate: float, value: float) -> bool:
    return len(json.dumps(candidate)) < len(json.dumps(value)) or abs(candidate) < abs(value)


def _text_forms(value: Any) -> list[Any]:
    """What a text parameter's value may be read as by a server: the text, a number, a boolean."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = json.dumps(value)
    elif isinstance(value, str):
        text = value
    else:
        return [value]
    forms: list[Any] = [text]
    try:
        forms.append(int(text))
    except ValueError:
        try:
            number = float(text)
            if math.isfinite(number):
                forms.append(number)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        forms.append(text.lower() == "true")
    return forms


def _accepts(validator: Any, instance: Any, textual: bool) -> bool:
    if not textual:
        return bool(validator.is_valid(instance))
    return any(validator.is_valid(form) for form in _text_forms(instance))


def _rejection(validator: Any, instance: Any, keywords: frozenset[str] | None, textual: bool) -> tuple[str, str] | None:
    """(keyword, message) of the target's rejection, or None if it accepts (or rejects for another keyword)."""
    forms = _text_forms(instance) if textual else [instance]
    if any(validator.is_valid(form) for form in forms):
        return None
    # A text parameter is rejected when no reading of it is valid; the finding's keyword may reject
    # only one reading (`"51"` fails `type: integer`, `51` fails `maximum: 50`): look at every one.
    for form in forms:
        for error in _flatten(list(validator.iter_errors(form))):
            if OVERLAP in (keywords or ()):
                if error.validator == "oneOf" and "is valid under each of" in error.message:
                    return "oneOf", _message(error)
                continue
            path = [str(part) for part in error.schema_path]
            if not keywords or keywords.intersection(path):
                keyword = next((p for p in reversed(path) if keywords and p in keywords), str(error.validator))
                return keyword, _message(error)
    return None


def _flatten(errors: list[Any]) -> list[Any]:
    out: list[Any] = []
    work = list(errors)
    while work:
        error = work.pop(0)
        out.append(error)
        work.extend(error.context or [])
    return out


def _message(error: Any) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    text = error.message if len(error.message) <= 160 else error.message[:157] + "..."
    return f"{where.lstrip('.')}: {text}" if where else text


_SMALL_WITNESS = 48  # characters of JSON: a witness this short is shown as found, not shrunk


def _instance_json(value: Any) -> str:
    return json.dumps(value, default=str, sort_keys=True)


def _plain(value: Any) -> Any:
    """A generated instance as plain JSON data (no Binary wrappers, no tuples)."""
    return json.loads(json.dumps(value, default=str))
