"""Rule documentation generated from the registry: `python -m apiparity.diff.docs > docs/rules.md`."""

from __future__ import annotations

import json

from apiparity.diff.registry import all_rules
from apiparity.spec.noise import PROFILES


def _rules(severity: str | None) -> list:
    return [r for r in all_rules() if severity is None or r.severity == severity]


def rules_text(severity: str | None = None) -> str:
    """One line per diff rule, then one per noise rule (`noise:` prefix)."""
    lines = [f"{r.id:<62} {r.severity:<8} {r.direction:<9} {r.description}" for r in _rules(severity)]
    if severity is None:
        for profile, rules in PROFILES.items():
            for rule in rules:
                lines.append(f"noise:{rule.id:<56} {profile:<8} {'switchable' if rule.switchable else 'fixed':<9} {rule.description}")
    return "\n".join(lines) + "\n"


def rules_json(severity: str | None = None) -> str:
    data = {
        "rules": [{"id": r.id, "severity": r.severity, "direction": r.direction, "family": r.family, "description": r.description} for r in _rules(severity)],
        "noise_rules": [
            {"id": rule.id, "profile": profile, "switchable": rule.switchable, "description": rule.description}
            for profile, rules in PROFILES.items()
            for rule in rules
        ],
    }
    return json.dumps(data, indent=2)


def rules_markdown(severity: str | None = None) -> str:
    rules = _rules(severity)
    out = [
        "# apiparity diff rules",
        "",
        "Generated from the rule registry by `python -m apiparity.diff.docs > docs/rules.md`; do not edit by hand.",
        "",
        "Severity follows direction. In a **request**, anything that rejects a request OLD accepted is",
        "`breaking` (narrowing); widening is `info`. In a **response**, anything an existing client may",
        "fail to handle is `breaking` (a removed property, a property that may now be missing, a widened",
        "type or enum, null now possible, a removed success status or media type); narrowing is `info`.",
        "A new required request property that declares a `default` is a `warning`, not `breaking`: the",
        "default says the author meant it to be optional, but a strict server may still reject clients",
        "that omit it (rule `*-required-property-added-with-default`).",
        "",
        f"{len(rules)} rules. Waive one with its ID (see `apiparity.waivers`).",
        "",
    ]
    family = None
    for rule in rules:
        if rule.family != family:
            family = rule.family
            out += ["", f"## {family}", "", "| ID | severity | direction | description |", "|---|---|---|---|"]
        out.append(f"| `{rule.id}` | {rule.severity} | {rule.direction} | {rule.description} |")
    out += ["", "## noise rules", "", "Dropped before judging, counted per rule in every report; switch one off with `--disable-noise ID`.", ""]
    out += ["| ID | profile | description |", "|---|---|---|"]
    for profile, noise in PROFILES.items():
        for rule in noise:
            out.append(f"| `{rule.id}` | {profile} | {rule.description} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
