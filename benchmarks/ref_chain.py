"""Seconds `validate_document` takes for documents whose schemas form one chain of n `$ref`s
(issue 14: it was quadratic, 1,000 refs 88 s; run `python benchmarks/ref_chain.py`)."""

from __future__ import annotations

import time

from apiparity.spec.validate import validate_document


def chain(n: int) -> dict:
    schemas: dict = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(n)}
    schemas[f"S{n}"] = {"type": "string"}
    return {"openapi": "3.1.0", "info": {"title": "chain", "version": "1"},
            "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}}}}},
            "components": {"schemas": schemas}}


if __name__ == "__main__":
    validate_document(chain(10))  # imports and validator warm-up out of the timings
    previous = None
    for n in (500, 1000, 2000, 4000):
        started = time.perf_counter()
        validate_document(chain(n))
        seconds = time.perf_counter() - started
        ratio = f" ({seconds / previous:.1f}x the previous, for 2x the refs)" if previous else ""
        print(f"{n:5} chained refs: {seconds:6.2f} s{ratio}")
        previous = seconds
