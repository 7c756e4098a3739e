"""Rule documentation generated from the registry: `python -m apiparity.diff.docs > docs/rules.md`."""

from __future__ import annotations

import json

from apiparity.diff.registry import all_rules
from apiparity.diff.rules.schemas import CONSTRAINTS
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
        for label in _labels():
            lines.append(f"label:{label.id:<56} {'harmless' if label.harmless else 'labelled':<8} {'runtime':<9} {label.title}")
            lines += [f"      requires: {name}" for name in (p.name for p in label.requires)]
    return "\n".join(lines) + "\n"


def _labels() -> list:
    """The known Flask/FastAPI runtime divergences (fuzz labels) with their preconditions."""
    from apiparity.fuzz.divergences import CATALOG

    return list(CATALOG)


def rules_json(severity: str | None = None) -> str:
    data = {
        "rules": [{"id": r.id, "severity": r.severity, "direction": r.direction, "family": r.family, "description": r.description} for r in _rules(severity)],
        "noise_rules": [
            {"id": rule.id, "profile": profile, "switchable": rule.switchable, "description": rule.description}
            for profile, rules in PROFILES.items()
            for rule in rules
        ],
        "labels": [
            {"id": label.id, "title": label.title, "harmless": label.harmless, "preconditions": [p.name for p in label.requires],
             "fix_hint": label.fix_hint}
            for label in _labels()
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
        "A new required request property is `breaking` even when it declares a `default`: required wins",
        "over default, a body without it is invalid (rule `*-required-property-added-with-default`).",
        "",
        "**Judged by meaning.** For a request, a change is breaking when some instance OLD accepted is",
        "rejected by NEW; for a response, when NEW may return an instance OLD's schema rejects. Each",
        "breaking schema finding is checked: jsonschema-rs' subschema check may *prove* NEW accepts",
        "everything OLD did (the finding becomes `info`, with the proof's text); otherwise instances are",
        "generated (first from `OLD - NEW` as jsonschema-rs computes it, then at the edges of OLD's bounds,",
        "then OLD itself) and validated with `jsonschema`; the first one rejected for the finding's",
        "keyword is the **witness**, printed with the finding (`OLD accepted [\"a\"] at `tags`, NEW rejects",
        "it: contains ...`). No witness within the bound (60 instances a generator, `--seed`; `--witness-budget` counts the run's instances) leaves",
        "the finding breaking, marked *possibly breaking* with the reason. `*-one-of-overlap` is reported",
        "only with a witness: in a request, NEW's oneOf branches both match a value OLD accepted; in a",
        "response, OLD's oneOf branches both matched a value NEW may return (`oneOf [integer, number]` ->",
        "`number`: OLD rejected 3). Kinds that are not about what a validator accepts keep their",
        "structural verdict: defaults, readOnly and writeOnly, contentMediaType/contentSchema, XML, and",
        "discriminators: an annotation validators ignore, so never `breaking` without a witness; a",
        "`warning` where tools that dispatch on it (pydantic discriminated unions, generated clients)",
        "may reject or misread a body (a discriminator added to a request, a mapping value removed from",
        "one or added to a response, its property changed).",
        "",
        "Constraint keywords follow one table (below, \"Constraint keywords\"): tightening is `breaking` in",
        "a request and `info` in a response; relaxing, *removing the keyword included* (removal is",
        "relaxing all the way), is `info` in a request and `breaking` in a response, each judged by the",
        "witness search: NEW may return what OLD's schema rejected, and strict clients (those that",
        "validate, or parse by format, or size storage by a bound) fail on it. The one departure is",
        "unknown object properties in a response (more additional or unevaluated properties, a property",
        "added where OLD allowed none): a `warning`, since tolerant readers ignore them. With the",
        "flask-fastapi profile, a length, bound, pattern, multipleOf, item-count or uniqueItems",
        "constraint removed from a response property that NEW's request bodies still validate with the",
        "same value is the `output-model-constraints` noise rule (an output model documents none; the",
        "values were validated on the way in); `--profile none` judges it like any relaxation.",
        "",
        "A property added is judged by what OLD allowed under its name. In a request: OLD allowed any",
        "value (`additionalProperties` absent or `true`): `*-property-added`, `breaking` when NEW's schema",
        "for it rejects some value (witnessed: OLD accepted `{\"b\": 0}`, NEW rejects it; proved harmless",
        "and `info` when it accepts anything); OLD allowed none (`additionalProperties: false`):",
        "`*-property-added-to-closed-object`, `info`; OLD allowed its additionalProperties (or a matching",
        "patternProperties) schema: `*-additional-property-changed`, judged both ways by the witness",
        "search. A *required* new request property is `breaking` whatever OLD allowed (OLD's bodies",
        "without it are rejected). In a response the same three kinds apply, required or not: `info`,",
        "`warning` (tolerant reader) and judged by the witness search. oasdiff reports every added",
        "optional request property as `info`, ignoring what OLD's `additionalProperties` accepted.",
        "",
        "Other deliberate severities: a removed response property is `breaking` even when optional (framework documents",
        "mark fields with a default optional though every response carries them); a removed request",
        "body is a `warning` (servers ignore an undeclared body); a changed parameter default is a",
        "`warning` (omitting it now means something else, nothing is rejected); `x-extensible-enum` is an",
        "enum in a request (a removed value is `breaking`) and open in a response (an added value is",
        "`info`); a keyword of another type (`exclusiveMinimum` beside `type: object`) is no change;",
        "`pattern: ''` is no pattern; a repeated `anyOf`/`allOf` branch is no branch (a repeated `oneOf`",
        "branch is: every value it matches is rejected).",
        "",
        "OpenAPI 3.1 `webhooks` are matched by method and name and compared like operations with the",
        "directions reversed (the `webhooks` family): the provider sends a webhook's request, so a change",
        "to its body or headers is judged like a response change (widening is `breaking`), and consumers",
        "answer it, so a change to its responses is judged like a request change (narrowing is",
        "`breaking`). Each finding takes the `webhook-` twin of the operation rule; a removed webhook is",
        "`breaking`, an added one `info`; a webhook's `security` is not compared.",
        "",
        "What is compared as the same thing (so only its real changes are reported):",
        "",
        "- **Status ranges.** A status present on one side only is paired with the range that covers it",
        "  on the other side: `200` -> `2XX` is `response-status-became-range` and `2XX` -> `200`, `201` is",
        "  `response-status-range-became-specific` (both `info`), and the pair's bodies and headers are",
        "  compared like one response. A range documents every code in it, so a range replacing a code",
        "  documents that code too; a client coded for `200` only may meet another 2xx, which the",
        "  fuzzer (not the spec diff) shows. A range removed with no code of its family left is",
        "  `response-success-status-removed`.",
        "- **Schemas without `type`.** `properties` (or other object-only keywords) and no `type` is",
        "  `type: object`; `items` and no `type` is `type: array` (only when no keyword of another type",
        "  or combinator is present).",
        "- **Header aliases.** `x_y` and `x-y` are always one parameter, so their required flag and",
        "  schema are compared; the rename itself is `request-header-parameter-alias-renamed`, a",
        "  `warning` with `--profile none` (ASGI servers keep the raw name, many proxies drop",
        "  underscore headers) and framework noise (`header-alias`) with `--profile flask-fastapi`.",
        "- **Security scheme names.** A scheme on one side only is paired with the one scheme on the",
        "  other side that asks for the same credentials (API key location and name, HTTP scheme,",
        "  OAuth2 flows and URLs, OpenID URL): `security-scheme-renamed` (`info`), and operation",
        "  requirements are compared under the new name (FastAPI names schemes after classes).",
        "- **One root cause, one finding.** A type changed to an unrelated one (`integer` -> `string`)",
        "  is reported alone, not with the old type's format, bounds and default.",
        "- **Inferred skeletons.** A plain Flask app has no spec; its skeleton is inferred from the",
        "  url_map and marked `x-apiparity-inferred: true`. When either side is inferred, only what a",
        "  url_map knows is judged (paths, methods, path parameter types and explicit converter bounds):",
        "  its `default` \"any response\", the responses, query/header/cookie parameters, bodies and security",
        "  it never saw, and the converter defaults `minimum: 0` / `pattern: ^[^/]+$` are the",
        "  `inferred-skeleton` noise rule (`--profile flask-fastapi`); the fuzzer compares behaviour.",
        "",
        f"{len(rules)} rules. Waive one with its ID (see `apiparity.waivers`).",
        "",
    ]
    out += ["## Constraint keywords", "",
            "Each row's tightening kinds are `breaking` in a request and `info` in a response; its relaxing kinds",
            "(removal included) `info` in a request and `breaking` in a response, unless the row says otherwise.", "",
            "| keyword | tightening | relaxing | a relaxed response breaks |", "|---|---|---|---|"]
    for constraint in CONSTRAINTS:
        why = constraint.reason + (f" — **{constraint.deviation}**" if constraint.deviation else "")
        out.append(f"| {constraint.keywords} | {', '.join(f'`{k}`' for k in constraint.tightening)} | "
                   f"{', '.join(f'`{k}`' for k in constraint.relaxing)} | {why} |")
    out.append("")
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
    out += ["", "## known divergence labels (fuzz)", "",
            "A mismatch group is labelled with a known Flask/FastAPI divergence only when every precondition",
            "holds on each of its cases and the label explains every root difference of the case; otherwise",
            "it stays unlabelled. `harmless` labels put their groups in the `harmless` tier (shown, not",
            "failing the gate; `[gates] fail_on_tiers` changes that). See docs/grouping.md.", "",
            "| ID | tier | title | preconditions |", "|---|---|---|---|"]
    for label in _labels():
        conditions = "; ".join(p.name for p in label.requires).replace("|", "\\|")
        out.append(f"| `{label.id}` | {'harmless' if label.harmless else 'regression'} | {label.title.replace('|', chr(92) + '|')} | {conditions} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
