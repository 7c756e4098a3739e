"""The spec diff pipeline: normalize both documents, describe, drop framework noise, judge by rule."""

from __future__ import annotations

import gc
import json
import re
import string
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeGuard

from apiparity.model import Change, DiffResult, IgnoredNoise, Witness


@dataclass(slots=True)
class DiffOptions:
    profile: str = "flask-fastapi"
    disabled_noise_rules: set[str] = field(default_factory=set)
    allow_remote_refs: bool = False
    old_base_dir: Path | None = None
    new_base_dir: Path | None = None
    noise_examples: int = 3  # per noise rule, in the report
    old_label: str = "OLD"  # how errors name each side (the command passes the target reference)
    new_label: str = "NEW"
    # Judging schema findings by meaning (apiparity.diff.witness): on by default, bounded, seeded.
    witness: bool = True
    seed: int = 0
    witness_examples: int = 60  # instances per pair and generator
    witness_instances: int = 1500  # instances validated in the whole run: the bound (counted, so seeded runs repeat)
    witness_seconds: float = 300.0  # wall-clock safety cap of the whole search: past it the run says incomplete


ChangeDirection = Literal["request", "response", "operation", "document", "security"]
_DIRECTIONS = {"request", "response", "operation", "document", "security"}


def _is_change_direction(value: str) -> TypeGuard[ChangeDirection]:
    """A rule's direction a Change can carry (a rule of direction "any" takes the difference's)."""
    return value in _DIRECTIONS


def diff_documents(old: dict[str, Any], new: dict[str, Any], *, options: DiffOptions | None = None) -> DiffResult:
    """Compare two raw OpenAPI documents; pure apart from reading relative-file `$ref`s."""
    options = options or DiffOptions()
    with gc_paused() as paused:
        check_options(options)
        old_side = DiffSide(normalize_side(old, options, "old"), lambda: old)
        new_side = DiffSide(normalize_side(new, options, "new"), lambda: new)
        return diff_normalized(old_side, new_side, options, paused=paused)


RawReader = Callable[[], Any]


@dataclass(slots=True)
class DiffSide:
    """One side as `diff_normalized` takes it: the normalized document (`normalize_side`), which the
    engine drops once compared, and `raw`, which gives the raw document (again) to check the
    findings' pointers against: a caller that released a big document after normalizing it passes
    a reader that reads the file again."""

    normalized: Any
    raw: RawReader
    rereads: bool = False  # `raw` reads a file again (the memory the comparison used is collected first)


def check_options(options: DiffOptions) -> None:
    """Refuse a disabled noise rule the profile does not have (before anything is read)."""
    from apiparity.errors import ConfigError
    from apiparity.spec.noise import noise_rules

    known = {rule.id for rule in noise_rules(options.profile)}
    unknown = sorted(set(options.disabled_noise_rules) - known)
    if unknown:
        raise ConfigError(f"unknown noise rule(s) {', '.join(unknown)} in profile {options.profile!r}; see `apiparity rules`")


def normalize_side(document: Any, options: DiffOptions, side: Literal["old", "new"], *, consume_paths: bool = False) -> Any:
    """One side's NormalizedDocument. It keeps no reference to `document`: a caller that drops its
    own can free the raw document before reading the other side (the peak of a big diff).
    `consume_paths`: see `normalize_document` (raises `spec.refs.RefusedRef` for a `$ref` into `paths`)."""
    from functools import partial

    from apiparity.spec.normalize import normalize_document

    normalize = partial(normalize_document, consume_paths=consume_paths)
    if side == "old":
        return _normalize(normalize, document, options.old_base_dir, options.allow_remote_refs, options.old_label)
    return _normalize(normalize, document, options.new_base_dir, options.allow_remote_refs, options.new_label)


class _PausedGC:
    """The cyclic garbage collector off while the documents are normalized and compared.

    Both steps allocate hundreds of thousands of long-lived dicts and create almost no garbage
    cycles, so every automatic collection walks the whole heap for nothing (a third of the
    normalization's time on a 16 MB document). The witness searches turn it back on over a frozen
    heap (`resume`). A caller's own settings (disabled, frozen objects) are restored as found.
    """

    def __init__(self) -> None:
        self.enabled = gc.isenabled()
        self.frozen_by_caller = gc.get_freeze_count() > 0
        self.froze = False

    def resume(self) -> None:
        """Collections back on (Hypothesis makes garbage cycles) with what exists now frozen: the
        documents live for the whole run, and collections skip them, Hypothesis' own full
        `gc.collect()` when it first seeds its random generator included."""
        if not self.frozen_by_caller and not self.froze:
            gc.freeze()
            self.froze = True
        gc.enable()

    def collect(self) -> None:
        """Free what the comparison no longer holds before a raw document is read again (normalized
        schemas are cycles: each knows its parent); what this pause froze is unfrozen for it."""
        if self.froze:
            gc.unfreeze()
            self.froze = False
        gc.collect()


@contextmanager
def gc_paused() -> Iterator[_PausedGC]:
    state = _PausedGC()
    gc.disable()
    try:
        yield state
    finally:
        if state.froze:
            gc.unfreeze()
        if state.enabled:
            gc.enable()
        else:
            gc.disable()


def diff_normalized(old: DiffSide, new: DiffSide, options: DiffOptions, *, paused: _PausedGC | None = None) -> DiffResult:
    """Compare two normalized sides. Each side's raw reader is called at most once, after the
    comparison and before the witness search, when a finding points into that side, and after both
    normalized documents are released (`old.normalized`/`new.normalized` become None): one raw
    document at a time."""
    from apiparity.diff.describe import Describer
    from apiparity.diff.moves import find_path_moves
    from apiparity.spec.noise import NoiseContext, noise_rules

    old_doc, new_doc = old.normalized, new.normalized
    old.normalized = new.normalized = None
    active = [rule for rule in noise_rules(options.profile) if rule.id not in options.disabled_noise_rules]
    from apiparity.spec.base_path import align_base_paths

    old_doc, new_doc, folded_base_paths = align_base_paths(old_doc, new_doc)
    # Header aliases (`x_y` vs `x-y`) are always paired, so the pair's own changes are compared and the
    # rename is one finding: a warning with no profile, framework noise with flask-fastapi.
    describer = Describer(old_doc, new_doc)
    try:
        description = describer.run()
    except RecursionError:
        from apiparity.errors import SpecError

        raise SpecError(f"{options.old_label} vs {options.new_label}: schemas are nested too deeply to compare") from None
    del describer  # its memos: the witness search and the raw documents read below need the room

    context = NoiseContext(old_doc, new_doc, folded_base_paths=folded_base_paths)
    counts: dict[str, IgnoredNoise] = {}
    kept = []
    for diff in description.diffs:
        rule = next((r for r in active if r.matches(diff, context)), None)
        if rule is None:
            kept.append(diff)
            continue
        entry = counts.setdefault(rule.id, IgnoredNoise(rule.id, rule.description, 0))
        entry.count += 1
        if len(entry.examples) < options.noise_examples:
            entry.examples.append(_noise_example(diff))
    changes = [judge(diff) for diff in kept]
    renamed_paths, operations_old, operations_new = description.renamed_paths, len(old_doc.operations), len(new_doc.operations)
    # The findings hold what they need (the kept differences their schemas): the documents go now,
    # before the witness search and the re-reads. Normalized schemas are cycles (each knows its
    # parent), so with a file to read again (a big diff: `apiparity diff` of spec files) they are
    # collected now; a caller holding its raw documents keeps the cost of one collection per call.
    del old_doc, new_doc, context, description
    if paused is not None and (old.rereads or new.rereads):
        _detach(kept)
        paused.collect()
    # Pointers before the witness search: a file read again fits in what the documents left, before
    # Hypothesis is imported. A change the search drops has its pointer cut for nothing.
    _existing_pointers(changes, "old_pointer", old.raw)
    _existing_pointers(changes, "new_pointer", new.raw)
    incomplete: list[str] = []  # why the witness search stopped before judging every finding (its safety cap)
    if options.witness:
        if paused is not None:
            paused.resume()
        changes = judge_by_meaning(kept, changes, options, incomplete)
    else:  # candidates only a witness can confirm (`one-of-overlap`) are not findings without the search
        from apiparity.diff.rules.schemas import WITNESS_ONLY

        changes = [change for diff, change in zip(kept, changes, strict=True) if diff.kind not in WITNESS_ONLY]
    del kept
    result = DiffResult(
        changes=changes,
        ignored_noise=[counts[rule.id] for rule in active if rule.id in counts],
        renamed_paths=renamed_paths,
        path_moves=find_path_moves(changes),
        operations_old=operations_old,
        operations_new=operations_new,
        witness_incomplete="; ".join(incomplete) or None,
    )
    changes.sort(key=_change_order)
    return result


def _detach(kept: list[Any]) -> None:
    """Give the kept differences their own copies of the schemas the witness search reads (plain
    dicts, cycles kept) and drop the values their messages were made from. A normalized schema knows
    its parent, and so its operation: the few kept ones, scattered over the whole normalization,
    would keep most of the allocator's arenas from being returned once the documents are collected
    (on the 50,000-operation pair 542 arenas held 9 MB of live objects, the rest of 540 MB unusable
    for the raw document read next)."""
    copies: dict[int, Any] = {}

    def copy(node: Any) -> Any:
        if isinstance(node, dict):
            done = copies.get(id(node))
            if done is None:
                done = copies[id(node)] = {}
                for key, value in node.items():
                    done[key] = copy(value)
            return done
        if isinstance(node, list):
            return [copy(value) for value in node]
        return node

    for diff in kept:
        diff.old_value = diff.new_value = None
        if diff.old_schema is not None:
            diff.old_schema = copy(diff.old_schema)
        if diff.new_schema is not None:
            diff.new_schema = copy(diff.new_schema)
        if diff.root_old_schema is not None:
            diff.root_old_schema, diff.root_new_schema = copy(diff.root_old_schema), copy(diff.root_new_schema)


def _existing_pointers(changes: list[Change], attribute: Literal["old_pointer", "new_pointer"], read: RawReader) -> None:
    """Cut each change's pointer on one side back to what exists in that side's raw document,
    read only when some pointer needs it (and dropped before the other side is read)."""
    if not any(_needs_document(getattr(change, attribute)) for change in changes):
        return
    document = read()
    for change in changes:
        setattr(change, attribute, existing_pointer(document, getattr(change, attribute)))


def _needs_document(pointer: str | None) -> bool:
    return pointer is not None and "#" not in pointer and pointer not in ("", "/")


def _normalize(normalize_document: Any, document: Any, base_dir: Path | None, allow_remote_refs: bool, label: str) -> Any:
    """Normalize one side; a document too malformed for the normalizer is bad input, not a crash."""
    from apiparity.errors import SpecError

    if not isinstance(document, dict):
        raise SpecError(f"{label}: not an OpenAPI document (top level is {type(document).__name__})")
    try:
        return normalize_document(document, base_dir=base_dir, allow_remote_refs=allow_remote_refs, label=label)
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        raise SpecError(f"{label}: malformed document ({type(exc).__name__}: {exc}); `apiparity spec` validates it") from None
    except RecursionError:
        raise SpecError(f"{label}: the document is nested too deeply to compare") from None


def judge_by_meaning(diffs: list[Any], changes: list[Change], options: DiffOptions, incomplete: list[str] | None = None) -> list[Change]:
    """Check breaking schema findings with the witness search; returns the changes to keep.

    Structural findings first (each gets its witness, or becomes *possibly breaking*, or is proved
    harmless and downgraded to info), then the candidates only a witness can confirm (`one-of-overlap`),
    so a run's time budget goes to what the structure already flagged.
    """
    from apiparity.diff.registry import get_rule
    from apiparity.diff.rules.schemas import WITNESS_KEYWORDS, WITNESS_ONLY, embed

    incomplete = incomplete if incomplete is not None else []

    order = sorted(
        (index for index, diff in enumerate(diffs)
         if diff.kind in WITNESS_KEYWORDS and diff.old_schema is not None and changes[index].severity == "breaking"),
        key=lambda index: (diffs[index].kind in WITNESS_ONLY, index),
    )
    if not order:
        return [c for d, c in zip(diffs, changes, strict=True) if d.kind not in WITNESS_ONLY]
    from apiparity.diff.witness import Budget, Outcome, WitnessSearch

    search = WitnessSearch(Budget(seed=options.seed, examples=options.witness_examples,
                                  instances=options.witness_instances, safety_seconds=options.witness_seconds))
    dropped: set[int] = set()
    for index in order:
        diff, change = diffs[index], changes[index]
        # the rule's direction: a webhook's request body is judged as a response (rules.webhooks)
        direction = "request" if get_rule(diff.rule_id).direction == "request" else "response"
        textual = diff.location.endswith("-parameter")
        result = search.search(diff.old_schema, diff.new_schema, direction=direction,
                               keywords=WITNESS_KEYWORDS[diff.kind], textual=textual)
        rel = diff.rel
        if result.outcome is Outcome.WITNESSED and diff.root_old_schema is not None:
            embeddable, whole = embed(result.instance, diff.root_path)
            if not (embeddable and search.holds(diff.root_old_schema, diff.root_new_schema, whole, direction=direction, textual=textual)):
                # another branch of the whole schema accepts (or rejects) the branch's witness: it
                # proves nothing, so the whole schema is searched, with only this finding's change:
                # OLD's root with NEW's node at the finding's place (NEW's other changes, a
                # property that became required, would reject any instance and are not this finding)
                result = _root_search(search, diff, direction, textual, WITNESS_KEYWORDS[diff.kind])
                rel = ""
        if diff.kind in WITNESS_ONLY and result.outcome is not Outcome.WITNESSED:
            dropped.add(index)
            continue
        change.witness = witness_of(result, direction, rel)
        if result.outcome is Outcome.PROVED_SAFE:
            change.severity = "info"
    if search.budget.tripped:
        incomplete.append(search.budget.tripped)
    return [c for i, (d, c) in enumerate(zip(diffs, changes, strict=True)) if i not in dropped and not (d.kind in WITNESS_ONLY and c.witness is None)]


def _root_search(search: Any, diff: Any, direction: str, textual: bool, keywords: frozenset[str]) -> Any:
    """The witness search of a branch finding over its whole root, for this finding only: OLD's root
    against OLD's root with the finding's node replaced by NEW's, for the finding's keywords; the
    instance found must be a witness of the real pair too. Not found: possibly breaking."""
    from apiparity.diff.witness import Outcome, SearchResult

    isolated = _with_node(diff.root_old_schema, diff.root_path, diff.old_schema, diff.new_schema)
    # a node the comparison built (a judged pair, a one-branch union): the whole pair, attributed
    # by where NEW rejects the instance found
    result = search.search(diff.root_old_schema, diff.root_new_schema if isolated is None else isolated,
                           direction=direction, keywords=keywords, textual=textual)
    # proved safe alone (another branch of OLD's still covers it): this change breaks nothing; the
    # pair's other changes have findings of their own
    if result.outcome is not Outcome.WITNESSED:
        return result
    # the real pair must reject it too, and there (not for a property that became required
    # elsewhere): the rejection shown is the one at the finding's place, not a sibling branch's;
    # an enum value NEW accepts in another branch is tried with each other value removed instead
    for candidate in [result.instance, *_other_values(diff, result.instance)]:
        if search.holds(diff.root_old_schema, diff.root_new_schema, candidate, direction=direction, textual=textual):
            shown = _rejection_at(search, diff.root_old_schema, diff.root_new_schema, candidate, direction, keywords,
                                  diff.root_path, diff.new_schema)
            if shown is not None:
                result.instance, (result.keyword, result.reason) = candidate, shown
                return result
    return SearchResult(Outcome.NOT_FOUND, reason=f"NEW's other changes accept what this change alone rejects "
                                                  f"({_instance_text(result.instance)})", tries=result.tries)


_OTHER_VALUES = 16  # removed enum values tried in the instance found, in place of its own


def _other_values(diff: Any, instance: Any) -> Iterator[Any]:
    """`instance` with the value at the finding's place replaced by each other value the enum lost
    (Adyen's `type` lost six values, one moved to a branch of its own: the instance drawn had that one)."""
    old, new = diff.old_schema, diff.new_schema
    if diff.kind != "enum-value-removed" or not isinstance(old, dict) or not isinstance(new, dict):
        return
    kept = {json.dumps(value, sort_keys=True) for value in new.get("enum") or []}
    removed = [value for value in old.get("enum") or [] if json.dumps(value, sort_keys=True) not in kept]
    steps = [part for part in diff.root_path if not _STEP.fullmatch(part)]
    for value in removed[:_OTHER_VALUES]:
        replaced = _replaced_at(instance, steps, value)
        if replaced is not None and replaced != instance:
            yield replaced


def _replaced_at(instance: Any, steps: list[str], value: Any) -> Any:
    if not steps:
        return value
    step, rest = steps[0], steps[1:]
    if step == "[]":
        if not isinstance(instance, list) or not instance:
            return None
        items = [_replaced_at(item, rest, value) for item in instance]
        return None if any(item is None for item in items) else items
    if not isinstance(instance, dict) or step not in instance:
        return None
    child = _replaced_at(instance[step], rest, value)
    return None if child is None else {**instance, step: child}


def _rejection_at(search: Any, old: Any, new: Any, instance: Any, direction: str, keywords: frozenset[str],
                  path: tuple[str, ...], node: Any = None) -> tuple[str, str] | None:
    """(keyword, message) of the target's error for `keywords` at the instance location `path`
    (branch steps dropped, `[]` any index), or None."""
    from apiparity.diff.jsonschema_form import Unsupported, to_json_schema
    from apiparity.diff.witness import _flatten, _message

    import jsonschema  # type: ignore[import-untyped,unused-ignore]

    want = [part for part in path if not _STEP.fullmatch(part)]
    try:
        _, target = search._validators(to_json_schema(old, direction=direction), to_json_schema(new, direction=direction), direction)
    except (Unsupported, RecursionError, jsonschema.exceptions.SchemaError, jsonschema.exceptions._WrappedReferencingError):
        return None
    found: list[Any] = []
    for error in _flatten(list(target.iter_errors(instance))):
        at = list(error.absolute_path)
        if len(at) != len(want) or any(w != "[]" and str(a) != w for a, w in zip(at, want, strict=True)):
            continue
        if not keywords or str(error.validator) in keywords:
            found.append(error)
    # several branches reject it there: the one holding the finding's own NEW value is shown
    mine = [e for e in found if isinstance(node, dict) and _same(e.validator_value, node.get(str(e.validator)))]
    return next(((str(e.validator), _message(e)) for e in mine or found), None)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


_STEP = re.compile(r"(anyOf|oneOf|allOf)\[(\d+)\]")


def _with_node(root: Any, path: tuple[str, ...], node: Any, replacement: Any) -> Any:
    """A copy of `root` with the schema at `path` (SchemaDiff.rel: property names, `[]`, `oneOf[i]`)
    replaced, copying only the schemas on the way; None when the path does not lead to `node`
    (a step no schema holds, or a union the comparison built)."""
    if not path:  # (`_detach` copies a root and its nodes together: the node is still the root's)
        return replacement if root is node else None
    if not isinstance(root, dict):
        return None
    step, rest = path[0], path[1:]
    branch = _STEP.fullmatch(step)
    if branch:
        keyword, index = branch.group(1), int(branch.group(2))
        items = root.get(keyword)
        if not isinstance(items, list) or index >= len(items):
            return None
        child = _with_node(items[index], rest, node, replacement)
        return None if child is None else {**root, keyword: [*items[:index], child, *items[index + 1:]]}
    if step == "[]":
        child = _with_node(root.get("items"), rest, node, replacement)
        return None if child is None else {**root, "items": child}
    properties = root.get("properties")
    if step[:1] in ("[", "{", "(") or not isinstance(properties, dict) or step not in properties:
        return None
    child = _with_node(properties[step], rest, node, replacement)
    return None if child is None else {**root, "properties": {**properties, step: child}}


def witness_of(result: Any, direction: str, rel: str) -> Witness:
    """The report's view of one search result, with its one-line text."""
    from apiparity.diff.witness import Outcome

    if result.outcome is Outcome.WITNESSED:
        shown = _instance_text(result.instance)
        at = f" at `{rel}`" if rel else ""
        if direction == "request":
            text = f"OLD accepted {shown}{at}, NEW rejects it: {result.keyword}: {result.reason}"
        else:
            text = f"NEW may return {shown}{at}, OLD's schema rejects it: {result.keyword}: {result.reason}"
        return Witness("witnessed", text, result.instance, rel, result.keyword, result.tries)
    if result.outcome is Outcome.PROVED_SAFE:
        return Witness("proved-safe", f"not breaking: {result.reason}", at=rel, tries=result.tries)
    if result.outcome is Outcome.NOT_FOUND:
        return Witness("possibly-breaking", f"possibly breaking: {result.reason}", at=rel, tries=result.tries)
    return Witness("not-checked", f"not checked by instances: {result.reason}", at=rel, tries=result.tries)


def _instance_text(instance: Any, limit: int = 120) -> str:
    import json

    text = json.dumps(instance, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def existing_pointer(document: Any, pointer: str | None) -> str | None:
    """`pointer`, cut back to its deepest ancestor that exists in the raw document.

    A keyword can be reported where the raw document spells it elsewhere (`nullable` for a 3.1
    `anyOf` with a null branch); the nearest existing node is what a SARIF location can show.
    Pointers into other files (`file#/...`) are kept as they are.
    """
    if pointer is None or "#" in pointer or pointer in ("", "/"):
        return pointer
    from apiparity.spec.pointer import existing_prefix

    return existing_prefix(document, pointer)


def judge(diff: Any) -> Change:
    """Turn a raw difference into a Change: severity from the registry, message from its template."""
    from apiparity.diff.registry import get_rule

    rule = get_rule(diff.rule_id)
    direction: ChangeDirection = "operation"
    if _is_change_direction(rule.direction):
        direction = rule.direction
    elif _is_change_direction(diff.direction):
        direction = diff.direction
    return Change(
        rule_id=rule.id,
        severity=rule.severity,
        message=render_message(rule.message, diff),
        method=diff.method,
        path=diff.path,
        direction=direction,
        old_pointer=diff.old_pointer,
        new_pointer=diff.new_pointer,
        old_value=_plain(diff.old_value),
        new_value=_plain(diff.new_value),
    )


class _Lenient(string.Formatter):
    def get_value(self, key: Any, args: Any, kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(key, "")


def render_message(template: str, diff: Any) -> str:
    values = {
        "where": diff.where or (f"{diff.method} {diff.path}".strip()),
        "old": _show(diff.old_value),
        "new": _show(diff.new_value),
        "name": diff.name,
        "status": diff.status.lower() if diff.status == "DEFAULT" else diff.status,
        "detail": diff.detail,
        "path": diff.path,
    }
    # `!r` on already-shown strings would double-quote; the templates use !r only on raw text.
    raw = {**values, "old": diff.old_value, "new": diff.new_value}
    try:
        return _Lenient().vformat(template, (), _RawOrShown(values, raw, template))
    except (ValueError, KeyError, IndexError):
        return template


class _RawOrShown(dict):
    """Hands `!r` fields the raw value and plain fields the display text."""

    def __init__(self, shown: dict[str, Any], raw: dict[str, Any], template: str) -> None:
        super().__init__(shown)
        for key in ("old", "new", "name", "detail"):
            if "{" + key + "!r}" in template:
                self[key] = raw.get(key, shown.get(key))


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) if not isinstance(v, str) else repr(v) for v in value) + "]"
    return str(value)


def _plain(value: Any) -> Any:
    """Values in Changes must be JSON-serializable and small (no schema objects, no cycles)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float, bool)) or v is None for v in value):
        return list(value)
    if isinstance(value, dict):
        from apiparity.diff.schemas import summarize

        return summarize(value)
    return str(value)


def _noise_example(diff: Any) -> str:
    where = f"{diff.method} {diff.path}".strip() or "document"
    detail = diff.where or diff.name or diff.status
    return f"{where}: {diff.rule_id}" + (f" ({detail})" if detail else "")


def _change_order(change: Change) -> tuple:
    return (change.path, change.method, change.rule_id, change.old_pointer or "", change.new_pointer or "", change.message)
