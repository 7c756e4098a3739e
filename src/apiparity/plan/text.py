"""The plan as text: ready routes (to NEW), and for every other route what blocks it."""

from __future__ import annotations

from apiparity.plan.model import RoutingPlan


def render(plan: RoutingPlan) -> str:
    out = [f"routing plan: {len(plan.to_new)} of {len(plan.routes)} route(s) ready for NEW ({plan.source})", ""]
    if plan.to_new:
        out.append("to NEW:")
        out += [f"  {route.path}  ({', '.join(route.methods)})" for route in plan.to_new]
    else:
        out.append("to NEW: nothing yet")
    if plan.ready_prefixes:
        out.append("ready prefixes: " + ", ".join(plan.ready_prefixes))
    if plan.to_old:
        out += ["", "stay on OLD:"]
        for route in plan.to_old:
            out.append(f"  {route.path}  ({', '.join(route.methods)}; not ready: {', '.join(route.not_ready) or '-'})")
            out += [f"      - {blocker}" for blocker in route.blockers]
    out += ["", "Everything else (paths not in OLD's document) goes to OLD."]
    return "\n".join(out) + "\n"
