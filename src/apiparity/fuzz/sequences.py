"""Multi-step sequences from the path hierarchy alone (no link needs to be declared).

The regressions that hurt after a cutover hide behind state: a delete that fails once the article
has comments, a slug that moves when the title changes, a field renamed only in the listing of
what was just created. A single request, or a create followed by one linked call, never gets
there. This module reads the document's paths as resources:

- a **resource** is a collection path with a POST (`/articles`) and an item path
  (`/articles/{slug}`); a resource whose collection sits under another's item path
  (`/articles/{slug}/comments`) is its **child**; paths right under an item that are no resource
  (`/articles/{slug}/favorite`) are **actions** on it;
- each resource gets **templates**, every one starting by creating the resource (after its
  ancestors): update then read back; delete then read back; create a child, act on the child,
  then act on the parent (update, delete with the child present) and read both back; each action
  then read back (and its undo, when the action path has a DELETE);
- a template's steps run on OLD, on NEW and on OLD again, each side from its reset state, each
  step's path parameters filled with what *that side* answered to the creates before it (a
  property named for the parameter at any depth of the answer, `{"article": {"slug": ...}}`, else
  an `id`/`slug`/`key`/`uuid`/`name`, else the Location header: `apiparity.fuzz.links`); OLD's
  and NEW's values for one created thing are recorded as the same identity, so renumbering is no
  difference;
- every step is compared like any case: what differs between OLD's two runs of the step is that
  step's noise, the rest is grouped, judged against the documents, and reproduced with the steps
  before it.

Budget (documented in docs/design.md): at most `MAX_STEPS` steps a sequence, `RUNS_PER_TEMPLATE`
runs of each template (the first with each operation's example, the others with seeded generated
cases), `MAX_SEQUENCES` sequences a run (templates taken round-robin over the resources, so every
resource gets several), each step costing three calls (OLD, NEW, OLD again) plus one reset a
side per sequence. Deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from apiparity.fuzz.generate import GeneratedCase, operation_seed, to_wire
from apiparity.fuzz.links import answered_identifier
from apiparity.fuzz.stateful import bind
from apiparity.fuzz.wire import WireRequest, WireResponse
from apiparity.model import SequenceStats
from apiparity.spec.contract import Contract

MAX_STEPS = 7  # create parent, create child, act on child, update parent, delete parent, read parent, list children
RUNS_PER_TEMPLATE = 2  # the examples, then one seeded draw
MAX_SEQUENCES = 40  # per run: at most MAX_SEQUENCES * MAX_STEPS * 3 calls
CASES_PER_OPERATION = 5  # generated candidates a step draws from
CREATE_TRIES = 3  # other candidates tried for a create OLD refuses (OLD only, before NEW is called)
MAX_STOP_REASONS = 20

_PARAMETER = re.compile(r"{([^}/]+)}")


@dataclass(frozen=True, slots=True)
class Resource:
    collection: str  # "/articles/{slug}/comments"
    create: str  # "POST /articles/{slug}/comments"
    item: str | None = None  # "/articles/{slug}/comments/{comment_id}"
    parameter: str | None = None  # "comment_id"
    parent: str | None = None  # the parent resource's collection


@dataclass(frozen=True, slots=True)
class Step:
    label: str  # "DELETE /articles/{slug}"
    role: str  # create | read | update | delete | list | act
    creates: Resource | None = None  # the resource whose identifier this step's answer names


@dataclass(frozen=True, slots=True)
class Template:
    resource: str  # the collection of the resource the template is about
    name: str  # "create child /articles/{slug}/comments, then delete the parent"
    steps: tuple[Step, ...]


def _operations(document: Contract | dict[str, Any]) -> dict[str, set[str]]:
    """Path -> upper-case methods it declares."""
    contract = Contract.of(document)
    return {path: set(contract.path_methods(path)) for path in contract.paths() if contract.path_item(path) is not None}


def resources(document: Contract | dict[str, Any]) -> list[Resource]:
    """Every collection with a POST whose path parameters its ancestors' creates can fill, parents
    before children, in document order."""
    paths = _operations(document)
    items: dict[str, tuple[str, str]] = {}  # collection -> (item path, parameter)
    for path in paths:
        head, _, last = path.rstrip("/").rpartition("/")
        match = _PARAMETER.fullmatch(last)
        if match and head and head not in items:
            items[head] = (path, match.group(1))
            items.setdefault(head + "/", (path, match.group(1)))
    found: dict[str, Resource] = {}
    for path, methods in paths.items():
        if "POST" not in methods or _PARAMETER.fullmatch(path.rstrip("/").rpartition("/")[2] or ""):
            continue
        collection = path
        found_item = items.get(collection.rstrip("/"))
        if found_item is None:
            continue  # nothing to act on once created (`POST /articles/{slug}/favorite`): an action of its parent
        item, parameter = found_item
        parent: str | None = None
        for other in found.values():  # the closest resource whose item path this collection is under
            if other.item and collection.startswith(other.item.rstrip("/") + "/"):
                if parent is None or len(other.item) > len(found[parent].item or ""):
                    parent = other.collection
        known: set[str | None] = set()
        chain: str | None = parent
        while chain is not None:
            known.add(found[chain].parameter)
            chain = found[chain].parent
        if not set(_PARAMETER.findall(collection)) <= known:
            continue  # a path parameter no create of the sequence names
        found[collection] = Resource(collection, f"POST {collection}", item, parameter, parent)
    return list(found.values())


def _chain(resource: Resource, by_collection: dict[str, Resource]) -> list[Resource]:
    chain = [resource]
    while chain[0].parent is not None:
        chain.insert(0, by_collection[chain[0].parent])
    return chain


def templates(document: Contract | dict[str, Any], available: Callable[[str], bool] = lambda label: True) -> list[Template]:
    """Every template of every resource (see the module doc), steps whose operation is not
    `available` (filtered out) left out, each at most `MAX_STEPS` long and at least two."""
    contract = Contract.of(document)
    paths = _operations(contract)
    found = resources(contract)
    by_collection = {r.collection: r for r in found}
    made: list[Template] = []

    def add(resource: Resource, name: str, steps: list[Step | None]) -> None:
        if any(s is not None and s.role == "create" and not available(s.label) for s in steps):
            return  # a create left out leaves nothing to build on
        kept = [s for s in steps if s is not None and available(s.label)]
        kept = kept[:MAX_STEPS]
        if len(kept) >= 2 and all(t.steps != tuple(kept) for t in made):
            made.append(Template(resource.collection, name, tuple(kept)))

    def on(method: str, path: str | None, role: str) -> Step | None:
        return Step(f"{method} {path}", role) if path is not None and method in paths.get(path, set()) else None

    for resource in found:
        prefix = [Step(r.create, "create", r) for r in _chain(resource, by_collection)]
        item = resource.item
        read, listing = on("GET", item, "read"), on("GET", resource.collection, "list")
        updates = [step for method in ("PUT", "PATCH") if (step := on(method, item, "update")) is not None]
        delete = on("DELETE", item, "delete")
        for update in updates:
            add(resource, f"update ({update.label}), then read back", [*prefix, read, update, read, listing])
        if delete is not None:
            add(resource, "delete, then read back", [*prefix, delete, read, listing])
        if item is None:
            continue
        children = [r for r in found if r.parent == resource.collection]
        for child in children:
            create_child = Step(child.create, "create", child)
            child_read, child_list = on("GET", child.item, "read"), on("GET", child.collection, "list")
            child_update = next((s for m in ("PATCH", "PUT") if (s := on(m, child.item, "update")) is not None), None)
            for update in updates[:1]:
                add(resource, f"create a child ({child.collection}), then update the parent",
                    [*prefix, create_child, child_update or child_read, update, child_list, read])
            if delete is not None:
                add(resource, f"create a child ({child.collection}), then delete the parent with it present",
                    [*prefix, create_child, child_list, delete, read, child_read or child_list])
            child_delete = on("DELETE", child.item, "delete")
            if child_delete is not None and delete is not None:
                add(resource, f"create a child ({child.collection}), delete it, then delete the parent",
                    [*prefix, create_child, child_delete, child_list, delete, read])
        child_collections = {c.collection.rstrip("/") for c in children}
        for path, methods in paths.items():
            under = path.rstrip("/")
            if not under.startswith(item.rstrip("/") + "/") or under in child_collections or _PARAMETER.search(under[len(item.rstrip("/")):]):
                continue
            unsafe = [m for m in ("POST", "PUT", "PATCH", "DELETE") if m in methods]
            for method in unsafe:
                act = Step(f"{method} {path}", "act")
                undo = on("DELETE", path, "act") if method != "DELETE" else None
                add(resource, f"{method} {path}, then read back", [*prefix, act, read, listing])
                if undo is not None:
                    add(resource, f"{method} {path}, undone, then read back", [*prefix, act, undo, read])
            if "GET" in methods and not unsafe:
                add(resource, f"GET {path} after the create", [*prefix, Step(f"GET {path}", "read"), read])
    return made


def schedule(found: list[Template], seed: int, runs: int = RUNS_PER_TEMPLATE, limit: int = MAX_SEQUENCES) -> list[tuple[Template, int]]:
    """(template, run) pairs to send, at most `limit`: round-robin over the resources (each
    resource's templates in a seeded order), every template's first run before any second run."""
    by_resource: dict[str, list[Template]] = {}
    for template in found:
        by_resource.setdefault(template.resource, []).append(template)
    for resource, own in by_resource.items():
        random.Random(operation_seed(seed, f"sequences:{resource}")).shuffle(own)
    chosen: list[tuple[Template, int]] = []
    for run in range(runs):
        depth = 0
        while len(chosen) < limit and any(depth < len(own) for own in by_resource.values()):
            for own in by_resource.values():
                if depth < len(own) and len(chosen) < limit:
                    chosen.append((own[depth], run))
            depth += 1
    return chosen


# --------------------------------------------------------------------------- running them


class StepSink(Protocol):
    """What the sequence runner needs of the paired run (apiparity.fuzz.runner)."""

    def reset(self, side: str) -> None: ...

    def call(self, side: str, request: WireRequest) -> tuple[WireRequest, WireResponse]:
        """`request` to one side with its headers and credentials, no reset: (as sent, answer)."""
        ...

    def base_path(self, side: str) -> str: ...

    def record_identity(self, old_value: Any, new_value: Any) -> None: ...

    def observe(self, step: Step, old: StepRun, new: StepRun, again: StepRun | None,
                before: tuple[tuple[WireRequest, WireRequest], ...]) -> None:
        """Compare one step (noise from `again`, OLD's second run), group and judge it."""
        ...


@dataclass(slots=True)
class StepRun:
    """One step as one side ran it."""

    case: GeneratedCase  # the bound case (each side's own path values)
    sent: WireRequest  # as sent (headers and credentials of the side)
    response: WireResponse
    identifier: Any = None  # what a create's answer names the created thing


@dataclass(slots=True)
class SequenceRunner:
    document: dict[str, Any]
    seed: int
    cases_for: Callable[[str], list[GeneratedCase]]  # label -> positive cases of the operation (examples first)
    sink: StepSink
    known: Callable[[str], list[Any]] = lambda name: []  # values OLD answered under a property name (the value pool)
    stats: SequenceStats = field(default_factory=SequenceStats)
    owns: Callable[[str], bool] = lambda label: True  # operations this run compares (--shard: its own)

    def run(self, chosen: list[tuple[Template, int]]) -> SequenceStats:
        for template, run in chosen:
            if any(self.owns(step.label) for step in template.steps):
                self.run_one(template, run)
        return self.stats

    def _pick(self, template: Template, run: int) -> list[GeneratedCase | None]:
        """The case each step is built from: the operation's first (its example) on the first run,
        a seeded draw on the others."""
        rng = random.Random(operation_seed(self.seed, f"sequence:{template.name}:{template.resource}:{run}"))
        picked: list[GeneratedCase | None] = []
        for step in template.steps:
            cases = self.cases_for(step.label)
            picked.append(None if not cases else cases[0] if run == 0 else cases[rng.randrange(len(cases))])
        return picked

    def run_one(self, template: Template, run: int) -> int:
        """One sequence on OLD, NEW and OLD again; returns the number of steps compared. A create
        OLD refuses (an example colliding with a seeded record: 409) is swapped for the next
        candidate, up to `CREATE_TRIES` times.

        With --shard every shard runs the sequences that have a step of its operations, and
        compares only those steps: each step is grouped beside its operation's other cases, so the
        merged shards report what one run reports."""
        picked = self._pick(template, run)
        old, old_stop = self._side("old", template, picked)
        for _ in range(CREATE_TRIES):
            failed = len(old) - 1
            if not old or len(old) == len(template.steps) or template.steps[failed].role != "create" or 200 <= old[failed].response.status < 300:
                break
            label = template.steps[failed].label
            candidates = self.cases_for(label)
            current = picked[failed]
            position = next((i for i, c in enumerate(candidates) if c is current), -1)
            if position + 1 >= len(candidates):
                break
            picked[failed] = candidates[position + 1]
            old, old_stop = self._side("old", template, picked)
        new, new_stop = self._side("new", template, picked, limit=len(old))
        again = self._side("old", template, picked, limit=len(old))[0] if old else None
        compared = min(len(old), len(new))
        for index in range(compared):
            step = template.steps[index]
            if step.creates is not None:
                self.sink.record_identity(old[index].identifier, new[index].identifier)
        for index in range(compared):
            if not self.owns(template.steps[index].label):
                continue
            before = tuple((old[j].sent, new[j].sent) for j in range(index))
            again_step = again[index] if again is not None and index < len(again) else None
            self.sink.observe(template.steps[index], old[index], new[index], again_step, before)
        if compared and self.owns(template.steps[0].label):  # counted once over the shards: by the create's
            self.stats.sequences += 1
            self.stats.steps += compared
            self.stats.longest = max(self.stats.longest, compared)
            self.stats.by_length[str(compared)] = self.stats.by_length.get(str(compared), 0) + 1
            self.stats.by_resource[template.resource] = self.stats.by_resource.get(template.resource, 0) + 1
        stop = old_stop if len(old) <= len(new) else new_stop
        if compared < len(template.steps) and stop and stop not in self.stats.stopped and len(self.stats.stopped) < MAX_STOP_REASONS:
            self.stats.stopped.append(stop)
        return compared

    def _side(self, side: str, template: Template, picked: list[GeneratedCase | None],
              limit: int | None = None) -> tuple[list[StepRun], str]:
        """The template's steps on one side from its reset state, until a step cannot be built
        (a path value no create of this side answered) or `limit`: (the steps run, why it stopped)."""
        self.sink.reset(side)
        values: dict[str, Any] = {}
        runs: list[StepRun] = []
        for step, chosen in zip(template.steps, picked):
            if limit is not None and len(runs) >= limit:
                return runs, ""
            if chosen is None or chosen.case is None:
                return runs, f"{step.label}: no case could be generated"
            path = step.label.partition(" ")[2]
            wanted = _PARAMETER.findall(path)
            missing = [name for name in wanted if name not in values]
            if missing:
                return runs, f"{step.label}: {side.upper()} named no {', '.join(missing)} in its answers before"
            try:
                body = _with_references(chosen.case.body, lambda name: [values[name]] if name in values else self.known(name))
                bound = bind(chosen.case, {name: ("path", values[name]) for name in wanted}, *(() if body is None else (body,)))
                request = to_wire(bound, step.label)
            except Exception as exc:  # noqa: BLE001 - a value schemathesis cannot serialize ends the sequence
                return runs, f"{step.label}: {type(exc).__name__}: {str(exc)[:120]}"
            sent, response = self.sink.call(side, request)
            identifier = None
            if step.creates is not None and step.creates.parameter and 200 <= response.status < 300:
                identifier = answered_identifier(response, step.creates.parameter, step.creates.item or step.creates.collection,
                                                 item=True, base_path=self.sink.base_path(side))
                if identifier is not None:
                    values[step.creates.parameter] = identifier
            runs.append(StepRun(GeneratedCase(request, "stateful", "positive", bound), sent, response, identifier))
            if step.creates is not None and identifier is None and step.creates.item is not None:
                why = f"answered {response.status}" if not 200 <= response.status < 300 else f"named no {step.creates.parameter}"
                return runs, f"{step.label}: {side.upper()} {why}"
        return runs, ""


def _with_references(body: Any, known: Callable[[str], list[Any]]) -> Any:
    """A copy of a JSON body whose reference fields (`author_id`, `bookId`, at any depth) name a
    record that exists: this sequence's own creates first, else what OLD answered before (a
    generated `author_id: 0` makes every create a 409). None when nothing changed."""
    changed = False

    def visit(node: Any) -> Any:
        nonlocal changed
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if isinstance(value, (int, str)) and not isinstance(value, bool) and _REFERENCE.search(str(key)):
                fitting = [v for v in known(str(key)) if type(v) is type(value)]
                if fitting and value not in fitting:
                    value, changed = fitting[0], True
            out[key] = visit(value)
        return out

    copied = visit(body)
    return copied if changed else None


_REFERENCE = re.compile(r"(_id|Id)$")
