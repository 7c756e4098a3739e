"""From the history's readiness to a `RoutingPlan`."""

from __future__ import annotations

from apiparity.history.readiness import OperationReadiness, ready_prefixes, routes
from apiparity.plan.model import PlanRoute, RoutingPlan, Side, Upstream, writable

MAX_BLOCKERS = 3


def build_plan(readiness: dict[str, OperationReadiness], *, old: Upstream, new: Upstream, source: str,
               use_prefixes: bool = False) -> RoutingPlan:
    plan_routes = []
    for route in routes(readiness):
        blockers = [f"{c.operation}: {c.title}" for c in route.blockers(MAX_BLOCKERS)]
        side = Side.NEW if route.ready else Side.OLD
        if side is Side.NEW and not writable(route.path):
            side, blockers = Side.OLD, [f"{route.path}: the path cannot be written safely into a proxy config"]
        if side is Side.OLD and not blockers:
            blockers = [f"{op}: not ready in every run of the readiness window" for op in route.not_ready()][:MAX_BLOCKERS]
        plan_routes.append(PlanRoute(path=route.path, side=side, methods=route.methods,
                                     blockers=blockers if side is Side.OLD else [], not_ready=route.not_ready()))
    return RoutingPlan(old=old, new=new, routes=plan_routes, source=source,
                       ready_prefixes=[p for p in ready_prefixes(readiness) if writable(p)], use_prefixes=use_prefixes)
