"""The routing plan (`apiparity plan`): ready routes to NEW, everything else to OLD, as proxy config.

`WRITERS` maps `--format` to the module whose `render(plan, **options) -> str` writes it, so a
format cannot be offered without a writer.
"""

from __future__ import annotations

WRITERS: dict[str, str] = {
    "nginx": "apiparity.plan.nginx",
    "envoy": "apiparity.plan.envoy",
    "traefik": "apiparity.plan.traefik",
}
