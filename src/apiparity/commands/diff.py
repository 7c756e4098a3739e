"""`apiparity diff OLD NEW`: normalized, direction-aware breaking-change detection."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Literal

import click

from apiparity.commands._common import (
    document_problems,
    echo_target_notes,
    load_side,
    side_info,
    target_options,
    warn_invalid_documents,
)

_FAIL_ON = ("breaking", "warning", "info")


def _format_choices() -> list[str]:
    from apiparity.report import available_formats

    return available_formats()


# the OpenAPI schema validator takes minutes on documents of tens of thousands of operations (about
# 20 min at 50,000): by default only documents a person would still read are validated
VALIDATE_MAX_OPERATIONS = 2000


def _validates(target: Any, validate: bool | None) -> bool:
    from apiparity.commands._common import count_operations

    if validate is not None:
        return validate
    operations = count_operations(target.document)
    if operations > VALIDATE_MAX_OPERATIONS:
        click.echo(f"note: {target.ref}: not validated against the OpenAPI schema ({operations} operations; "
                   "pass --validate to)", err=True)
        return False
    return True


@click.command("diff")
@click.argument("old")
@click.argument("new")
@target_options
@click.option("--format", "fmt", default="text", show_default=True, help="Output format: one of the report formats (`apiparity report --help` lists them).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the report here instead of stdout.")
@click.option("--fail-on", type=click.Choice(_FAIL_ON), default=None, help="Exit 1 when an unwaived change at or above this severity exists.  [default: breaking]")
@click.option("--waivers", "waivers_file", type=click.Path(dir_okay=False), default=None, help="Waivers file (TOML/YAML/JSON): rule + method + path glob, reason, optional expires.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None, help="Config file (apiparity.toml or pyproject.toml). Default: found from the current folder up.")
@click.option("--profile", type=click.Choice(["flask-fastapi", "none"]), default=None, help="Framework noise profile. [default: flask-fastapi]")
@click.option("--disable-noise", "disabled_noise", multiple=True, metavar="RULE_ID", help="Switch off one noise rule (repeatable); see `apiparity rules`.")
@click.option("--allow-remote-refs", is_flag=True, help="Fetch $refs that point at http(s) URLs (never fetched otherwise).")
@click.option("--seed", type=int, default=None, help="Seed of the witness search (same seed, same witnesses).  [default: 0]")
@click.option("--witness-budget", type=click.IntRange(min=0), default=None, metavar="INSTANCES",
              help="Instances the witness search may validate, for the whole run (a count, so a seed repeats a run).  [default: 1500]")
@click.option("--no-witness", is_flag=True, help="Judge schema changes by structure only (no witness search).")
@click.option("--validate/--no-validate", "validate", default=None,
              help=f"Check both documents against the OpenAPI schema and warn about problems.  "
                   f"[default: for documents of up to {VALIDATE_MAX_OPERATIONS} operations]")
def command(
    old: str,
    new: str,
    app_dir: str | None,
    spec_path: str | None,
    load_timeout: float,
    fmt: str,
    output: str | None,
    fail_on: str | None,
    waivers_file: str | None,
    config_file: str | None,
    profile: str | None,
    disabled_noise: tuple[str, ...],
    allow_remote_refs: bool,
    seed: int | None,
    witness_budget: int | None,
    no_witness: bool,
    validate: bool | None,
) -> None:
    """Compare the OpenAPI documents of OLD and NEW and judge every change by rule.

    OLD and NEW are targets: spec files, URLs, or apps (legacy_app.py:app). Framework noise between a
    flask-openapi3 and a FastAPI document is ignored by named rules and counted.

    \b
    Config ([tool.apiparity] in pyproject.toml, or apiparity.toml):
      [tool.apiparity.diff]  profile = "flask-fastapi", disabled_noise_rules = [...], allow_remote_refs = false
      [[tool.apiparity.waivers]]  rule = "RULE-ID or glob", method = "GET", path = "/books/*",
                                  reason = "why (required)", expires = 2026-12-31
    Rule IDs: `apiparity rules` and docs/rules.md.

    Each breaking schema finding is checked by meaning: an instance OLD accepted that NEW rejects
    (request) or NEW may return that OLD's schema rejects (response) is printed with it; a finding
    proved harmless by the subschema check becomes info; one with no witness after a bounded search
    is marked possibly breaking.

    Exit 0 nothing unwaived at or above --fail-on, 1 some, 2 bad input.
    """
    from datetime import date

    from apiparity.config import load_config
    from apiparity.diff.engine import DiffOptions, check_options, diff_normalized, gc_paused
    from apiparity.errors import ConfigError
    from apiparity.model import SEVERITY_ORDER, Report
    from apiparity.report import available_formats, render, write_atomic
    from apiparity.waivers import apply_waivers, load_waivers

    formats = available_formats()
    if fmt not in formats:
        raise ConfigError(f"unknown --format {fmt!r}; choose one of {', '.join(formats)}")
    config = load_config(config_file)
    # [diff] holds DiffOptions fields, the same table `check` reads.
    diff_config = config.section("diff") if config.data else {}
    known = {"profile", "disabled_noise_rules", "allow_remote_refs", "noise_examples", "witness", "seed", "witness_instances", "witness_seconds"}
    unknown = sorted(set(diff_config) - known)
    if unknown:
        raise ConfigError(f"{config.path}: [diff] unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")
    fail_on = fail_on or "breaking"
    disabled = set(disabled_noise) | set(diff_config.get("disabled_noise_rules", []))
    options = DiffOptions(
        profile=profile or diff_config.get("profile", "flask-fastapi"),
        disabled_noise_rules=disabled,
        allow_remote_refs=allow_remote_refs or bool(diff_config.get("allow_remote_refs", False)),
        noise_examples=int(diff_config.get("noise_examples", 3)),
        witness=not no_witness and bool(diff_config.get("witness", True)),
        seed=seed if seed is not None else int(diff_config.get("seed", 0)),
        witness_instances=witness_budget if witness_budget is not None else int(diff_config.get("witness_instances", 1500)),
        witness_seconds=float(diff_config.get("witness_seconds", 300.0)),
    )
    check_options(options)
    # One side at a time: read, normalize, validate, then release the raw document (a spec file is
    # read again only if a finding's pointer must be checked against it), so a big diff never holds
    # both raw documents (issue 19: ~320 MB each at 50,000 operations).
    with gc_paused() as paused:
        old_target, old_side, old_info = _read_side(old, "old", options, validate, app_dir=app_dir,
                                                    spec_path=spec_path, load_timeout=load_timeout)
        new_target, new_side, new_info = _read_side(new, "new", options, validate, app_dir=app_dir,
                                                    spec_path=spec_path, load_timeout=load_timeout)
        echo_target_notes(old_target, new_target)
        result = diff_normalized(old_side, new_side, options, paused=paused)
    result.waivers = apply_waivers(result.changes, load_waivers(config, waivers_file), date.today())
    warn_invalid_documents(("OLD", old_target, old_info.validation_errors), ("NEW", new_target, new_info.validation_errors))
    if result.witness_incomplete:
        click.echo(f"warning: incomplete: {result.witness_incomplete}", err=True)
    report = Report(command="diff", old=old_info, new=new_info, diff=result)
    # Spec files let SARIF/GitHub renderers map each JSON pointer to a line.
    if getattr(old_target, "source_path", None):
        report.old_source_file = str(old_target.source_path)
    if getattr(new_target, "source_path", None):
        report.new_source_file = str(new_target.source_path)
    from apiparity.targets.handlers import attach_handlers

    attach_handlers(report, old_target, new_target)  # app targets: changes point at their handlers
    _stamp(report)
    text = render(report, fmt)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    threshold = SEVERITY_ORDER[fail_on]
    failing = [c for c in result.changes if not c.waived_by and SEVERITY_ORDER[c.severity] >= threshold]
    for status in result.waivers:
        if status.expired:
            click.echo(f"warning: waiver for {status.rule_id} {status.method} {status.path} expired on {status.expires}; it no longer waives", err=True)
        elif status.used == 0:
            click.echo(f"note: waiver for {status.rule_id} {status.method} {status.path} matched nothing", err=True)
    if failing:
        raise click.exceptions.Exit(1)


def _read_side(ref: str, side: Literal["old", "new"], options: Any, validate: bool | None, *, app_dir: str | None,
               spec_path: str | None, load_timeout: float) -> tuple[Any, Any, Any]:
    """Load one side, normalize it (its base folder and label set on `options`), validate it, and
    release a spec file's raw document: (target, its DiffSide, its SideInfo)."""
    import gc

    from apiparity.diff.engine import DiffSide, normalize_side
    from apiparity.spec.refs import RefusedRef

    # the diff only reads the document: equal leaf objects may be one (about half a big file's memory)
    target = load_side(ref, app_dir=app_dir, spec_path=spec_path, load_timeout=load_timeout, share_equal=True)
    source = getattr(target, "source_path", None)
    base_dir = Path(source).parent if source else None
    if side == "old":
        options.old_base_dir, options.old_label = base_dir, target.ref
    else:
        options.new_base_dir, options.new_label = base_dir, target.ref
    # a spec file can be read again: its raw document is released (and never needed after this)
    file = Path(source) if source is not None and target.kind == "file" else None
    validating = _validates(target, validate)
    if file is not None and not validating:
        info = side_info(target, [])
        try:  # each path item is freed once normalized: the raw document is not needed again
            normalized = normalize_side(target.document, options, side, consume_paths=True)
        except RefusedRef:  # a $ref into `paths`, whose items may be gone: a fresh read, normalized whole
            target.document = _reread(file, target.ref)
            normalized = normalize_side(target.document, options, side)
    else:
        normalized = normalize_side(target.document, options, side)
        problems: list[str] = []
        if validating:
            paused = not gc.isenabled()
            gc.enable()  # the validator makes garbage cycles (and takes minutes on a big document)
            try:
                problems = document_problems(target, allow_remote_refs=options.allow_remote_refs)
            finally:
                if paused:
                    gc.disable()
        info = side_info(target, problems)
    if file is None:
        document = target.document
        return target, DiffSide(normalized, lambda: document), info
    target.document = {}
    return target, DiffSide(normalized, partial(_reread, file, target.ref), rereads=True), info


def _reread(path: Path, ref: str) -> Any:
    """The file's document again, read only (equal leaf objects shared, as when it was first read)."""
    from apiparity.targets.documents import as_openapi3, read_document_file

    document = read_document_file(path, share_equal=True)
    if "swagger" in document and "openapi" not in document:
        document = read_document_file(path)  # the conversion rewrites nodes in place
    return as_openapi3(document, ref)


def _stamp(report: object) -> None:
    from datetime import datetime, timezone

    from apiparity import __version__

    report.tool_version = __version__  # type: ignore[attr-defined]
    report.generated_at = datetime.now(timezone.utc).isoformat(timespec="seconds")  # type: ignore[attr-defined]
