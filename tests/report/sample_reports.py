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
