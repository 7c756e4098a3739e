"""Load comparison: the same request mix sent to OLD and then NEW with Locust (in a subprocess),
compared per operation and overall (req/s, p50/p95/p99, error rate, NEW/OLD ratios).

Public API (the CLI and `check` call these; none imports Locust into the calling process):
"""

from __future__ import annotations

from apiparity.load.chart import latency_svg
from apiparity.load.gate import latency_gate
from apiparity.load.render import render_text
from apiparity.load.runner import LoadSettings, check_base_url, check_reachable, compare_sides, load_section
from apiparity.load.scenario import LoadRequest, UnsafeMethodError, check_methods, from_document, from_file

__all__ = [
    "LoadRequest",
    "LoadSettings",
    "UnsafeMethodError",
    "check_base_url",
    "check_methods",
    "check_reachable",
    "compare_sides",
    "from_document",
    "from_file",
    "latency_gate",
    "latency_svg",
    "load_section",
    "render_text",
]
