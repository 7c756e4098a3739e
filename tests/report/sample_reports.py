"""Hand-built reports for renderer tests: every section filled, hostile strings included."""

from __future__ import annotations

from apiparity.model import (
    Change,
    ConformanceIssue,
    DiffResult,
    FuzzResult,
    Gate,
    HttpRequest,
    HttpResponse,
    IgnoredNoise,
    MismatchExample,
    MismatchGroup,
    NoiseCancelled,
    OperationStats,
    Report,
    SideInfo,
    Verdict,
    WaiverStatus,
)

HOSTILE_SCRIPT = "<script>document.title='pwned'</script>"
HOSTILE_IMG = "<img src=x onerror=\"document.title='pwned'\">"


def diff_result() -> DiffResult:
    return DiffResult(
        changes=[
            Change(
                rule_id="response-property-removed",
                severity="breaking",
                message="response property 'isbn' removed from 200 (application/json)",
                method="GET",
                path="/books/{book_id}",
                direction="response",
                old_pointer="/paths/~1books~1{book_id}/get/responses/200",
                new_pointer="/paths/~1books~1{book_id}/get/responses/200",
                old_value={"type": "string"},
            ),
            Change(
                rule_id="request-parameter-enum-value-removed",
                severity="breaking",
                message=f"enum value {HOSTILE_SCRIPT} removed from query parameter 'sort'",
                method="GET",
                path="/books",
                direction="request",
                old_pointer="/paths/~1books/get/parameters/0",
                old_value=["title", HOSTILE_SCRIPT],
                new_value=["title"],
            ),
            Change(
                rule_id="response-status-added",
                severity="warning",
                message="new response status 409 | conflict",
                method="POST",
                path="/books",
                direction="response",
            ),
            Change(
                rule_id="description-changed",
                severity="info",
                message=f"description changed to {HOSTILE_IMG}",
                method="GET",
                path="/books",
            ),
            Change(
                rule_id="operation-removed",
                severity="breaking",
                message="operation DELETE /legacy removed",
                method="DELETE",
                path="/legacy",
                waived_by="retired on purpose (JIRA-12)",
            ),
            Change(rule_id="info-version-changed", severity="info", message="info.version 1.0 -> 2.0", method="", path=""),
        ],
        ignored_noise=[
            IgnoredNoise("flask-fastapi/operation-id", "operationId naming differs by framework", 24, ["GET /books"]),
            IgnoredNoise("flask-fastapi/422-shape", "framework validation error response", 20),
            IgnoredNoise("flask-fastapi/operation-id", "operationId naming differs by framework", 2),
        ],
        renamed_paths=[("/books/{id}", "/books/{book_id}")],
        waivers=[
            WaiverStatus("operation-removed", "DELETE", "/legacy", "retired on purpose (JIRA-12)", "2099-01-01", used=1),
            WaiverStatus("response-status-added", "*", "*", "old waiver", "2020-01-01", used=0, expired=True),
        ],
        operations_old=4,
        operations_new=3,
    )


def example(status_old: int = 200, status_new: int = 200, body_new: object = None) -> MismatchExample:
    return MismatchExample(
        request=HttpRequest(
            method="GET",
            path="/books/1",
            query=[("q", HOSTILE_SCRIPT)],
            headers={"accept": "application/json"},
        ),
        old=HttpResponse(status=status_old, headers={"content-type": "application/json"}, body={"id": 1, "title": "Dune", "isbn": "123"}, body_is_json=True, elapsed_ms=3.2),
        new=HttpResponse(
            status=status_new,
            headers={"content-type": "application/json"},
            body=body_new if body_new is not None else {"id": 1, "title": HOSTILE_IMG},
            body_is_json=True,
            elapsed_ms=2.1,
        ),
        curl_old="curl -X GET 'http://old.test/books/1?q=%3Cscript%3E'",
        curl_new="curl -X GET 'http://new.test/books/1?q=%3Cscript%3E'",
        differences=["$.isbn: '123' != (missing)", f"$.title: 'Dune' != '{HOSTILE_IMG}'"],
    )


def fuzz_result() -> FuzzResult:
    return FuzzResult(
        seed=42,
        cases=57,
        operations_total=4,
        groups=[
            MismatchGroup(
                operation="GET /books/{book_id}",
                signature="body $.isbn missing in NEW",
                kind="body",
                count=12,
                examples=[example()],
                divergence="response-model-drops-fields",
                explanation="FastAPI's response_model drops keys the model does not declare.",
                fix_hint="Declare the field on the response model.",
            ),
            MismatchGroup(
                operation="POST /books",
                signature="status 400 != 422",
                kind="status",
                count=5,
                examples=[example(400, 422, {"detail": [{"loc": ["body", "title"], "msg": "Field required"}]})],
                divergence="validation-status",
                explanation="Flask answers 400 for invalid input, FastAPI 422.",
                fix_hint="Add a RequestValidationError handler that returns 400.",
            ),
            MismatchGroup(
                operation="GET /books",
                signature="header content-type differs",
                kind="header",
                count=2,
                examples=[example()],
                waived_by="known: charset parameter",
            ),
        ],
        noise=[NoiseCancelled("GET /books", "$.generated_at", 9)],
        conformance=[
            ConformanceIssue("new-vs-old-spec", "GET /books/{book_id}", "response_schema_conformance", "required property 'isbn' missing", 12),
        ],
        operations=[
            OperationStats("GET /books", cases=20, mismatches=2, old_latency_ms=[1, 2, 3], new_latency_ms=[1, 2, 2]),
            OperationStats("GET /books/{book_id}", cases=20, mismatches=12, old_latency_ms=[3.0], new_latency_ms=[2.0]),
            OperationStats("POST /books", cases=17, mismatches=5, new_5xx=1, new_5xx_where_old_ok=1),
            OperationStats("DELETE /legacy", cases=0, skipped_reason="writes not enabled (--allow-writes)"),
        ],
        settings={"max_examples": 20, "phases": ["examples", "fuzzing"]},
        errors=["DELETE /legacy: writes not enabled"],
    )


def verdict(ready: bool = False) -> Verdict:
    return Verdict(
        ready=ready,
        gates=[
            Gate("no-breaking-changes", "No unwaived breaking change in the spec diff", "0", "2", False, ["GET /books/{book_id}: response-property-removed"]),
            Gate("no-mismatch-groups", "No unwaived mismatch group", "0", "2", False, ["GET /books/{book_id} | body $.isbn missing in NEW"]),
            Gate("operations-exercised", "Every OLD operation exercised", ">= 100% with >= 1 case", "75% (3/4)", False, ["DELETE /legacy: 0 cases"]),
            Gate("new-conforms-to-old-spec", "NEW conforms to OLD's document", "0 issues", "12", False),
            Gate("no-new-5xx", "No 5xx from NEW where OLD answered below 500", "0", "1", False),
        ],
    )


def side(ref: str, framework: str, interface: str = "wsgi") -> SideInfo:
    return SideInfo(ref=ref, framework=framework, interface=interface, title=f"Bookstore {HOSTILE_SCRIPT}", version="1.0", operations=4)


def check_report(ready: bool = False) -> Report:
    return Report(
        command="check",
        old=side("examples/bookstore/legacy_app.py:app", "flask-openapi3"),
        new=side("examples/bookstore/regressed_app.py:app", "fastapi", "asgi"),
        diff=diff_result(),
        fuzz=fuzz_result(),
        verdict=verdict(ready),
        tool_version="0.1.0",
        generated_at="2025-01-01T00:00:00Z",
    )


def diff_report() -> Report:
    return Report(command="diff", old=side("old.yaml", "spec", "none"), new=side("new.yaml", "spec", "none"), diff=diff_result(), tool_version="0.1.0")


def fuzz_report() -> Report:
    return Report(command="fuzz", old=side("old:app", "flask"), new=side("new:app", "fastapi", "asgi"), fuzz=fuzz_result(), tool_version="0.1.0")


def empty_check_report() -> Report:
    """A clean, READY run: nothing found."""
    return Report(
        command="check",
        old=SideInfo("old:app", "flask-openapi3", "wsgi", operations=1),
        new=SideInfo("new:app", "fastapi", "asgi", operations=1),
        diff=DiffResult(operations_old=1, operations_new=1),
        fuzz=FuzzResult(seed=1, cases=10, operations_total=1, operations=[OperationStats("GET /ping", cases=10)]),
        verdict=Verdict(ready=True, gates=[Gate("no-breaking-changes", "No unwaived breaking change", "0", "0", True)]),
    )


ALL_REPORTS = {
    "check": check_report,
    "diff": diff_report,
    "fuzz": fuzz_report,
    "empty": empty_check_report,
}


# ------------------------------------------------------------------ sections of later features (extras)

HOSTILE_OPERATION = "GET /books/<script>alert(1)</script>"


def _raw_side(base_url: str, elapsed_s: float, operations: dict[str, tuple[list[float], int, dict[str, int]]], samples: list[str]) -> dict:
    """What one Locust worker returns (`apiparity.load.worker`): raw latencies per operation."""
    return {
        "base_url": base_url,
        "elapsed_s": elapsed_s,
        "operations": {
            name: {"latencies_ms": latencies, "errors": errors, "statuses": statuses}
            for name, (latencies, errors, statuses) in operations.items()
        },
        "error_samples": samples,
    }


def load_section(*, with_gate: bool = True) -> dict:
    """`extras["load"]` made by the load module's own `compare_sides` over fake worker results
    (no Locust, no servers): NEW is faster on one operation, slower with errors on the other."""
    from unittest import mock

    from apiparity.load import LoadSettings, compare_sides, latency_gate
    from apiparity.load.scenario import LoadRequest

    fast = [2.0 + (i % 10) * 0.5 for i in range(200)]
    slow = [3.0 + (i % 20) * 2.0 for i in range(150)]
    raws = {
        "OLD": _raw_side("http://127.0.0.1:8001", 10.0, {
            "GET /books": (fast, 0, {"200": 200}),
            "GET /books/{book_id}": (fast[:150], 0, {"200": 120, "404": 30}),
            HOSTILE_OPERATION: (fast[:20], 0, {"404": 20}),
        }, []),
        "NEW": _raw_side("http://127.0.0.1:8002", 10.0, {
            "GET /books": ([v * 0.6 for v in fast], 0, {"200": 200}),
            "GET /books/{book_id}": (slow, 6, {"200": 114, "404": 30, "500": 6}),
            HOSTILE_OPERATION: ([v * 0.6 for v in fast[:20]], 0, {"404": 20}),
        }, ["GET /books/7: 500 Internal Server Error <b>boom</b>"]),
    }

    def fake_run_side(base_url: str, requests: list, settings: LoadSettings, *, label: str) -> dict:
        return raws[label]

    requests = [LoadRequest(method="GET", path="/books", operation="GET /books")]
    with mock.patch("apiparity.load.runner.run_side", fake_run_side):
        load = compare_sides("http://127.0.0.1:8001", "http://127.0.0.1:8002", requests, LoadSettings(users=10, duration=10),
                             source="OLD's document (http://127.0.0.1:8001)", seed=0)
    if with_gate:
        gate = latency_gate(load)
        load["gate"] = {"name": gate.name, "threshold": gate.threshold, "measured": gate.measured, "passed": gate.passed, "details": gate.details}
    return load


APP_FILE = "/srv/bookstore/app/routes.py"  # absolute, outside the working folder: shown as is


def event_loop_section() -> dict:
    """`extras["event_loop"]` as `LoopBlockMonitor.to_extras()` + the static scan write it (fixed numbers)."""
    return {
        "source": "runtime",
        "threshold_ms": 20.0,
        "monitored_seconds": 4.25,
        "events_dropped": 0,
        "blocks": [
            {
                "operation": "GET /books/{book_id}",
                "count": 3,
                "max_ms": 52.3,
                "p95_ms": 51.0,
                "total_ms": 150.2,
                "where": f"{APP_FILE}:57",
                "function": "load_cover",
                "stack": [f"{APP_FILE}:40 in get_book", f"{APP_FILE}:57 in load_cover"],
                "example_request": "case 3: GET /books/7?q=<script>",
                "locations": [f"{APP_FILE}:57 (3x)"],
                "attributed": True,
            },
            {
                "operation": HOSTILE_OPERATION,
                "count": 1,
                "max_ms": 25.0,
                "p95_ms": 25.0,
                "total_ms": 25.0,
                "where": f"{APP_FILE}:90",
                "function": "search",
                "stack": [f"{APP_FILE}:90 in search"],
                "example_request": None,
                "locations": [f"{APP_FILE}:90 (1x)"],
                "attributed": True,
            },
        ],
        "unattributed": [
            {
                "operation": "(no request)",
                "count": 2,
                "max_ms": 31.0,
                "p95_ms": 31.0,
                "total_ms": 55.0,
                "where": None,
                "function": None,
                "stack": [],
                "example_request": None,
                "locations": [],
                "attributed": False,
            }
        ],
        "static": [
            {
                "operation": "GET /books/{book_id}",
                "chain": ["get_book (async handler)", "load_cover"],
                "file": APP_FILE,
                "line": 57,
                "call": "time.sleep(0.05)",
                "resolved": "time.sleep",
                "family": "sleep",
                "fix_hint": "time.sleep in async code: use `await asyncio.sleep(...)` (or `await anyio.sleep(...)`)",
                "also": [],
            }
        ],
    }


def undocumented_section() -> list[dict]:
    return [
        {"method": "GET", "path": "/v1/books/{n}", "reason": "path not in OLD's document", "count": 12},
        {"method": "GET", "path": "/books", "reason": "undocumented query parameter <b>legacy</b>|x", "count": 3},
    ]


def extras_report() -> Report:
    """A check report with every later feature's section: load, event loop, undocumented traffic."""
    report = check_report()
    report.extras["load"] = load_section()
    report.extras["event_loop"] = event_loop_section()
    report.extras["undocumented_traffic"] = undocumented_section()
    report.fuzz.errors.append("undocumented traffic: GET /v1/books/{n} (12 request(s)): path not in OLD's document")
    report.verdict.gates.append(
        Gate("no-event-loop-blocking", "no blocking of the event loop over the threshold", "<= 0 block(s) over 20 ms",
             "4 block(s) in 2 operation(s), longest 52.3 ms", False)
    )
    return report


def load_report() -> Report:
    """What `apiparity load --format json` writes: only the load section (and its gate as the verdict)."""
    load = load_section()
    gate = load["gate"]
    return Report(
        command="load",
        old=SideInfo(ref="http://127.0.0.1:8001", framework="url", interface="http"),
        new=SideInfo(ref="http://127.0.0.1:8002", framework="url", interface="http"),
        verdict=Verdict(ready=gate["passed"], gates=[Gate(gate["name"], "NEW answers at least as fast as OLD under the same load",
                                                          gate["threshold"], gate["measured"], gate["passed"], gate["details"])]),
        extras={"load": load},
        tool_version="0.1.0",
    )


ALL_REPORTS["extras"] = extras_report
ALL_REPORTS["load"] = load_report
