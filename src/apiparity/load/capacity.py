"""Capacity mode (`apiparity load --capacity`): can NEW take OLD's peak?

Each side in turn is loaded in steps of more concurrent users (closed loop, the same mix), each
step measured on its own; a step *holds* when its overall p95 is within the target and its error
rate within the limit. The side's maximum sustained throughput is the best requests/s of a step
that held; the search stops at the first step that does not hold (or at the user limit). The
result compares both maxima: NEW/OLD ratio >= 1 means NEW sustains at least OLD's peak.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apiparity.errors import ApiparityError
from apiparity.load.runner import LoadSettings, run_side
from apiparity.load.scenario import LoadRequest
from apiparity.model_sections import CapacityPlanSection, CapacitySection, CapacitySide, CapacityStep


@dataclass(slots=True)
class CapacityPlan:
    p95_target_ms: float
    start_users: int = 2
    step_users: int = 2
    max_users: int = 64
    step_duration: float = 5.0
    max_error_rate: float = 0.01

    def validate(self) -> None:
        if self.p95_target_ms <= 0:
            raise ApiparityError(f"--p95-target must be positive, got {self.p95_target_ms:g}")
        if self.start_users < 1 or self.step_users < 1 or self.max_users < self.start_users:
            raise ApiparityError("--start-users and --step-users must be at least 1, and --max-users at least --start-users")
        if self.step_duration <= 0:
            raise ApiparityError(f"--step-duration must be positive, got {self.step_duration:g}")
        if not 0 <= self.max_error_rate < 1:
            raise ApiparityError(f"--max-error-rate must be in [0, 1), got {self.max_error_rate:g}")

    def users(self) -> list[int]:
        return list(range(self.start_users, self.max_users + 1, self.step_users))


Step = CapacityStep  # one stepped run of a side: the report's row itself


@dataclass(slots=True)
class SideCapacity:
    url: str
    steps: list[Step] = field(default_factory=list)

    @property
    def best(self) -> Step | None:
        held = [step for step in self.steps if step.held]
        return max(held, key=lambda step: step.rps) if held else None

    @property
    def limit(self) -> str:
        failed = next((step for step in self.steps if not step.held), None)
        if failed is not None:
            return f"{failed.users} users: {failed.reason}"
        return "every step held up to --max-users (raise it to find the limit)"

    def to_side(self) -> CapacitySide:
        """The report's numbers of this side (`Report.load_capacity.old`/`.new`)."""
        best = self.best
        return CapacitySide(url=self.url, max_sustained_rps=best.rps if best else 0.0, at_users=best.users if best else None,
                            p95_at_max_ms=best.p95_ms if best else None, limit=self.limit,
                            steps=[dataclasses.replace(s) for s in self.steps])

    def to_dict(self) -> dict[str, Any]:
        return self.to_side().to_dict()


Runner = Callable[[str, list[LoadRequest], LoadSettings], dict[str, Any]]


def measure_side(url: str, requests: list[LoadRequest], settings: LoadSettings, plan: CapacityPlan, *, label: str,
                 runner: Runner | None = None, on_step: Callable[[str, Step], None] | None = None) -> SideCapacity:
    from apiparity.load.stats import OVERALL, side_stats

    def default_runner(base: str, mix: list[LoadRequest], step_settings: LoadSettings) -> dict[str, Any]:
        return run_side(base, mix, step_settings, label=label)

    run = runner or default_runner
    side = SideCapacity(url=url)
    for users in plan.users():
        step_settings = dataclasses.replace(settings, users=users, duration=plan.step_duration, max_requests=None)
        overall = side_stats(run(url, requests, step_settings))[OVERALL]
        reasons = []
        if overall.requests == 0:
            reasons.append("no request completed")
        if overall.p95_ms > plan.p95_target_ms:
            reasons.append(f"p95 {overall.p95_ms:g} ms > target {plan.p95_target_ms:g} ms")
        if overall.error_rate > plan.max_error_rate:
            reasons.append(f"error rate {overall.error_rate:.1%} > {plan.max_error_rate:.1%}")
        step = Step(users=users, rps=overall.rps, p95_ms=overall.p95_ms, error_rate=overall.error_rate,
                    requests=overall.requests, held=not reasons, reason="; ".join(reasons))
        side.steps.append(step)
        if on_step is not None:
            on_step(label, step)
        if not step.held:
            break
    return side


def compare_capacity(old_url: str, new_url: str, requests: list[LoadRequest], settings: LoadSettings, plan: CapacityPlan, *,
                     runner: Runner | None = None, on_step: Callable[[str, Step], None] | None = None) -> dict[str, Any]:
    """`capacity_section` as JSON data (the JSON report's extras.load_capacity)."""
    return capacity_section(old_url, new_url, requests, settings, plan, runner=runner, on_step=on_step).to_dict()


def capacity_section(old_url: str, new_url: str, requests: list[LoadRequest], settings: LoadSettings, plan: CapacityPlan, *,
                     runner: Runner | None = None, on_step: Callable[[str, Step], None] | None = None) -> CapacitySection:
    """`Report.load_capacity`: both sides' stepped runs, maxima and the NEW/OLD ratio."""
    plan.validate()
    settings.validate()
    old = measure_side(old_url, requests, settings, plan, label="OLD", runner=runner, on_step=on_step)
    new = measure_side(new_url, requests, settings, plan, label="NEW", runner=runner, on_step=on_step)
    old_max = old.best.rps if old.best else 0.0
    new_max = new.best.rps if new.best else 0.0
    ratio = round(new_max / old_max, 3) if old_max else None
    return CapacitySection(
        plan=CapacityPlanSection(**dataclasses.asdict(plan)),
        old=old.to_side(),
        new=new.to_side(),
        ratio=ratio,
        new_takes_old_peak=bool(old_max) and new_max >= old_max,
    )


def render_capacity(capacity: CapacitySection | dict[str, Any]) -> str:
    section = capacity if isinstance(capacity, CapacitySection) else CapacitySection.from_dict(capacity)
    plan = section.plan
    lines = [f"capacity: users stepped {plan.start_users}, +{plan.step_users} up to {plan.max_users}, "
             f"{plan.step_duration:g} s per step; a step holds with p95 <= {plan.p95_target_ms:g} ms and "
             f"errors <= {plan.max_error_rate:.1%}", ""]
    for side, data in (("old", section.old), ("new", section.new)):
        lines.append(f"{side.upper()} {data.url}")
        for step in data.steps:
            mark = "held" if step.held else f"MISSED: {step.reason}"
            lines.append(f"  {step.users:>4} users  {step.rps:>9.1f} req/s  p95 {step.p95_ms:>8.1f} ms  "
                         f"errors {step.error_rate:.1%}  {mark}")
        best = f"{data.max_sustained_rps:.1f} req/s at {data.at_users} users" if data.at_users else "no step held"
        lines.append(f"  max sustained: {best} (limit: {data.limit})")
        lines.append("")
    ratio = section.ratio
    verdict = ("yes" if section.new_takes_old_peak else "NO") if ratio is not None else "unknown (OLD held no step)"
    lines.append(f"NEW/OLD max sustained throughput: {ratio if ratio is not None else 'n/a'}; can NEW take OLD's peak? {verdict}")
    return "\n".join(lines) + "\n"
