"""`apiparity load OLD_URL NEW_URL`: the same request mix against both live services, compared."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from apiparity.model_sections import LoadSection


@click.command("load")
@click.argument("old_url")
@click.argument("new_url")
@click.option("--spec", "spec_ref", default=None, metavar="TARGET",
              help="Document to generate the mix from (file, URL or module:app). Default: OLD_URL's own document.")
@click.option("--spec-path", default=None, metavar="PATH", help="Where OLD serves its document, e.g. /openapi.json.")
@click.option("--requests", "requests_file", type=click.Path(dir_okay=False), default=None,
              help="Replay recorded requests instead: JSONL ({method, path, query, headers, body} per line) or HAR.")
@click.option("-u", "--users", type=int, default=10, show_default=True, help="Concurrent users (closed loop, no think time).")
@click.option("-r", "--spawn-rate", type=float, default=None, help="Users started per second. Default: all at once.")
@click.option("-t", "--duration", type=float, default=10.0, show_default=True, help="Seconds of load per side (upper bound).")
@click.option("-n", "--max-requests", type=int, default=None, help="Requests per side (upper bound); the first bound reached ends a side.")
@click.option("--per-operation", type=int, default=10, show_default=True, help="Generated requests per operation in the mix.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated mix: the same seed sends the same requests.")
@click.option("--allow-unsafe", is_flag=True, help="Also send POST/PUT/PATCH/DELETE (repeated many times: use resettable services).")
@click.option("-H", "--header", "headers", multiple=True, metavar="'NAME: VALUE'", help="Header added to every request on both sides.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for one answer.")
@click.option("-w", "--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Locust worker processes on this machine (Locust's distributed mode; users spread over them). 0: one process.")
@click.option("--max-p95-ratio", type=float, default=None,
              help="Gate: exit 1 when NEW's overall p95 exceeds this multiple of OLD's (or NEW's error rate rises by over 1 point).")
@click.option("--capacity", is_flag=True,
              help="Capacity mode: step the users up on each side until its p95 misses --p95-target or errors exceed "
                   "--max-error-rate; report each side's maximum sustained req/s and the NEW/OLD ratio.")
@click.option("--p95-target", type=float, default=None, metavar="MS", help="Capacity mode: the p95 a step must stay within.")
@click.option("--start-users", type=int, default=2, show_default=True, help="Capacity mode: users of the first step.")
@click.option("--step-users", type=int, default=2, show_default=True, help="Capacity mode: users added per step.")
@click.option("--max-users", type=int, default=64, show_default=True, help="Capacity mode: users of the last step.")
@click.option("--step-duration", type=float, default=5.0, show_default=True, help="Capacity mode: seconds per step.")
@click.option("--max-error-rate", type=float, default=0.01, show_default=True, help="Capacity mode: errors a step may have (share).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write the output here instead of stdout.")
@click.option("--chart", type=click.Path(dir_okay=False), default=None, help="Also write an SVG latency chart here.")
@click.option("--write-locustfile", type=click.Path(dir_okay=False), default=None,
              help="Write the scenario as a self-contained locustfile (for Locust's master/worker mode) and exit without load.")
def command(
    old_url: str,
    new_url: str,
    spec_ref: str | None,
    spec_path: str | None,
    requests_file: str | None,
    users: int,
    spawn_rate: float | None,
    duration: float,
    max_requests: int | None,
    per_operation: int,
    seed: int,
    allow_unsafe: bool,
    headers: tuple[str, ...],
    timeout: float,
    workers: int,
    capacity: bool,
    p95_target: float | None,
    start_users: int,
    step_users: int,
    max_users: int,
    step_duration: float,
    max_error_rate: float,
    max_p95_ratio: float | None,
    fmt: str,
    output: str | None,
    chart: str | None,
    write_locustfile: str | None,
) -> None:
    """Send the same request mix to OLD_URL, then to NEW_URL, and compare req/s, p50/p95/p99 and
    error rate per operation, side by side with the NEW/OLD ratio.

    OLD_URL and NEW_URL are the roots of running services (http://127.0.0.1:8000). Only they are
    contacted. The mix is valid GET/HEAD requests generated from OLD's document (--seed), or
    recorded requests (--requests). Locust runs in a subprocess.

    Exit 0 done (and the --max-p95-ratio gate passed), 1 gate failed, 2 bad input or unreachable URL.
    """
    from apiparity.errors import ApiparityError
    from apiparity.load import (
        LoadSettings,
        check_base_url,
        check_methods,
        check_reachable,
        load_section,
    )

    if per_operation < 1:
        raise ApiparityError(f"--per-operation must be at least 1, got {per_operation}")
    settings = LoadSettings(users=users, spawn_rate=spawn_rate, duration=duration, max_requests=max_requests,
                            timeout=timeout, headers=_parse_headers(headers), workers=workers)
    settings.validate()
    old_base = check_base_url(old_url, label="OLD_URL")
    new_base = check_base_url(new_url, label="NEW_URL")
    requests, source, document = _build_mix(old_base, spec_ref, spec_path, requests_file, per_operation, seed,
                                            allow_unsafe, timeout)
    check_methods(requests, allow_unsafe=allow_unsafe, source=source)
    if write_locustfile:
        from apiparity.load.locustfile import locustfile_source
        from apiparity.report import write_atomic

        write_atomic(write_locustfile, locustfile_source(requests, host=old_base, headers=settings.headers,
                                                         max_requests=max_requests, timeout=timeout))
        click.echo(f"wrote {write_locustfile}: {len(requests)} requests from {source}; "
                   f"run it with: locust -f {write_locustfile} --host {old_base} (then --host {new_base})", err=True)
        return
    from apiparity.extras import require_extra

    require_extra("load", command="apiparity load")
    check_reachable(old_base, label="OLD_URL", timeout=min(timeout, 10.0))
    check_reachable(new_base, label="NEW_URL", timeout=min(timeout, 10.0))
    if capacity:
        _run_capacity(old_base, new_base, requests, settings, fmt, output,
                      p95_target=p95_target, start_users=start_users, step_users=step_users, max_users=max_users,
                      step_duration=step_duration, max_error_rate=max_error_rate, source=source)
        return
    load = load_section(old_base, new_base, requests, settings, source=source,
                        seed=seed if requests_file is None else None, allow_unsafe=allow_unsafe)
    gate = None
    if max_p95_ratio is not None:
        from apiparity.load import latency_gate
        from apiparity.model_sections import LoadGateResult

        gate = latency_gate(load, max_p95_ratio=max_p95_ratio)
        load.gate = LoadGateResult(name=gate.name, threshold=gate.threshold, measured=gate.measured, passed=gate.passed,
                                   details=list(gate.details))
    text = _render(load, fmt, old_base, new_base, document, gate)
    if output:
        from apiparity.report import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)
    if chart:
        from apiparity.load import latency_svg
        from apiparity.report import write_atomic

        write_atomic(chart, latency_svg(load))
    if gate is not None and not gate.passed:
        raise click.exceptions.Exit(1)


def _run_capacity(old_base: str, new_base: str, requests: list, settings: object, fmt: str, output: str | None, *,  # type: ignore[type-arg]
                  p95_target: float | None, source: str, **plan_values: float) -> None:
    from apiparity.errors import ApiparityError
    from apiparity.load.capacity import CapacityPlan, capacity_section, render_capacity

    if p95_target is None:
        raise ApiparityError("--capacity: give the latency a step must hold, --p95-target MS")
    plan = CapacityPlan(p95_target_ms=p95_target, start_users=int(plan_values["start_users"]), step_users=int(plan_values["step_users"]),
                        max_users=int(plan_values["max_users"]), step_duration=float(plan_values["step_duration"]),
                        max_error_rate=float(plan_values["max_error_rate"]))
    plan.validate()

    def show(label: str, step: object) -> None:
        click.echo(f"capacity {label}: {step.users} users, {step.rps:.1f} req/s, p95 {step.p95_ms:.1f} ms"  # type: ignore[attr-defined]
                   f"{'' if step.held else ' -> ' + step.reason}", err=True)  # type: ignore[attr-defined]

    section = capacity_section(old_base, new_base, requests, settings, plan, on_step=show)  # type: ignore[arg-type]
    section.source = source
    if fmt == "text":
        text = render_capacity(section)
    else:
        import json
        from datetime import datetime, timezone

        from apiparity import __version__
        from apiparity.model import Report, SideInfo

        report = Report(command="load", old=SideInfo(ref=old_base, framework="url", interface="http"),
                        new=SideInfo(ref=new_base, framework="url", interface="http"),
                        load_capacity=section,
                        tool_version=__version__, generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        text = json.dumps(report.to_dict(), indent=2) + "\n"
    if output:
        from apiparity.report import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


def _parse_headers(values: tuple[str, ...]) -> dict[str, str]:
    from apiparity.errors import ApiparityError

    headers: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise ApiparityError(f"--header {value!r}: expected 'Name: value'")
        headers[name.strip()] = content.strip()
    return headers


def _build_mix(old_base: str, spec_ref: str | None, spec_path: str | None, requests_file: str | None,
               per_operation: int, seed: int, allow_unsafe: bool, timeout: float):  # type: ignore[no-untyped-def]
    """(requests, description of the source, the document used or None)."""
    from apiparity.commands._common import load_side
    from apiparity.load import from_document, from_file

    document = None
    if spec_ref:
        document = load_side(spec_ref, app_dir=None, spec_path=spec_path, load_timeout=timeout).document
    if requests_file:
        return from_file(requests_file, document=document), requests_file, document
    if document is None:
        # OLD's own document; fetched from OLD_URL, the only place we are allowed to ask.
        from apiparity.targets.url import load_url_target

        target = load_url_target(old_base, spec_path=spec_path, timeout=min(timeout, 10.0))
        document = target.document
        source = f"OLD's document ({old_base})"
    else:
        source = f"the document of {spec_ref}"
    return from_document(document, seed=seed, per_operation=per_operation, allow_unsafe=allow_unsafe,
                         source=source), source, document


def _render(load: LoadSection, fmt: str, old_base: str, new_base: str, document: dict | None, gate) -> str:  # type: ignore[no-untyped-def]
    if fmt == "text":
        from apiparity.load import render_text

        text = render_text(load)
        if gate is not None:
            text += f"\ngate {gate.name}: {'PASS' if gate.passed else 'FAIL'} ({gate.measured}; threshold {gate.threshold})\n"
            text += "".join(f"  {line}\n" for line in gate.details)
        return text
    import json
    from datetime import datetime, timezone

    from apiparity import __version__
    from apiparity.model import Report, SideInfo, Verdict

    report = Report(
        command="load",
        old=SideInfo(ref=old_base, framework="url", interface="http"),
        new=SideInfo(ref=new_base, framework="url", interface="http"),
        verdict=Verdict(ready=gate.passed, gates=[gate]) if gate is not None else None,
        load=load,
        tool_version=__version__,
        generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    return json.dumps(report.to_dict(), indent=2) + "\n"
