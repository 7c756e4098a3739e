"""One contract for both sides: the document that generates the cases and that OLD and NEW are
both judged against, kept apart from the targets, which then only say where requests go.

Real migrations look like this: the legacy app publishes no document (plain Flask) or a poor one,
the rewrite publishes its own framework-generated one, and the team maintains the real contract
by hand. With `--contract`, neither side's own document is used for the run; compare a side's
published document with the contract with `apiparity diff contract.yaml NEW`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from apiparity.targets.model import Target


def load_contract(ref: str, *, timeout: float = 10.0, wait_for: float = 0.0) -> Target:
    """The contract: a document file or a URL that serves the document itself."""
    from apiparity.targets import load_target

    return load_target(ref, timeout=timeout, wait_for=wait_for)


def with_contract(target: Target, contract: Target, side: str) -> Target:
    """`target` with the contract as its document, and a note saying which document is used and why."""
    if target.kind == "url" and not target.document:
        why = "a URL with no document of its own"
    elif target.inferred:
        why = "a plain Flask app that publishes no document (its url_map skeleton is not used)"
    elif target.kind == "file":
        why = "a document file"
    else:
        why = f"its own {target.framework} document is not used"
    note = f"{side.upper()} {target.ref}: {why}; cases come from the contract {contract.ref} and answers are judged against it"
    return dataclasses.replace(target, document=contract.document, inferred=False, notes=[*target.notes, note])


def load_sides(old_ref: str, new_ref: str, *, contract: str | None, app_dir: str | Path | None = None,
               spec_path: str | None = None, load_timeout: float = 10.0, wait_for: float = 0.0,
               launches: Mapping[str, Any] | None = None) -> tuple[Target, Target]:
    """Load OLD and NEW; with a contract, both get the very same contract document (the runner
    recognises one contract by identity and judges NEW by it once). `wait_for` seconds: how long a
    URL target (or contract URL) may refuse connections while its server starts. `launches`
    ({"old": apiparity.sides.SideLaunch}): sides apiparity starts itself (own interpreter, command)."""
    from apiparity.targets import load_target

    def load(side: str, ref: str, require_document: bool) -> Target:
        launch = (launches or {}).get(side)
        if launch:
            from apiparity.sides import launch_side

            return launch_side(side, ref, launch, app_dir=app_dir, spec_path=spec_path, load_timeout=load_timeout,
                               wait_for=wait_for)
        return load_target(ref, app_dir=app_dir, spec_path=spec_path, timeout=load_timeout, wait_for=wait_for,
                           require_document=require_document)

    if contract is None:
        old = load("old", old_ref, True)
        return old, load("new", new_ref, True)
    document = load_contract(contract, timeout=load_timeout, wait_for=wait_for)
    sides = []
    for side, ref in (("old", old_ref), ("new", new_ref)):
        sides.append(with_contract(load(side, ref, False), document, side))
    return sides[0], sides[1]


def contract_notes(*targets: Any) -> list[str]:
    return [note for target in targets for note in getattr(target, "notes", []) if "the contract" in note]
