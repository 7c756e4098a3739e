"""Document rows that need more than a command line: memory bounds, deep-but-valid documents,
references that must never be fetched or read, code that must never run."""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

import pytest

from apiparity.errors import SpecError
from apiparity.targets.documents import read_document_file
from tests.adversarial.corpus import DOCS, ROOT, assert_no_traceback, case
from tests.adversarial.servers import http_server, send_json
from tests.conftest import run_cli

VALID_SMALL = str(ROOT / DOCS / "valid-small.yaml")


@case("doc-alias-bomb-bounded")
def test_alias_bomb_refused_within_a_memory_bound() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(SpecError, match="refusing a possible alias bomb"):
            read_document_file(ROOT / DOCS / "alias-bomb-billion-laughs.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.1f} MB"


@case("doc-deep-valid")
def test_deep_but_legitimate_document_is_validated(tmp_path: Path) -> None:
    schema: dict = {"type": "string"}
    for _ in range(120):
        schema = {"type": "object", "properties": {"n": schema}}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"Deep": schema}}}))
    result = run_cli("spec", str(path))
    assert_no_traceback(result.stdout, result.stderr)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().endswith("valid")


def _document_with_refs(*refs: str) -> str:
    schemas = {f"S{index}": {"$ref": ref} for index, ref in enumerate(refs)}
    return json.dumps({
        "openapi": "3.1.0",
        "info": {"title": "refs", "version": "1"},
        "paths": {"/things": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}}}}},
        "components": {"schemas": schemas},
    })


@case("doc-ref-remote-not-fetched")
def test_remote_refs_are_never_fetched(tmp_path: Path) -> None:
    thing = json.dumps({"Thing": {"type": "object"}}).encode()
    with http_server(lambda handler: send_json(handler, 200, thing)) as server:
        path = tmp_path / "openapi.json"
        path.write_text(_document_with_refs(f"{server.url}/schemas.json#/Thing", f"{server.url}/other.yaml"))
        spec = run_cli("spec", str(path))
        diff = run_cli("diff", str(path), VALID_SMALL)
        diff_reverse = run_cli("diff", VALID_SMALL, str(path))
        assert server.hits == []
    assert_no_traceback(spec.stdout, spec.stderr, diff.stdout, diff.stderr, diff_reverse.stdout, diff_reverse.stderr)
    assert spec.exit_code == 1
    assert f"$ref '{server.url}/schemas.json#/Thing' is a remote reference; apiparity does not fetch" in spec.stderr
    assert diff.exit_code in (1, 2) and diff_reverse.exit_code in (1, 2)


_opened: list[str] = []
_watching: set[str] = set()


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watching and args and isinstance(args[0], (str, Path)) and str(args[0]) in _watching:
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one only looks at the watched paths


def _outside_ref_document(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside.yaml"
    outside.write_text("Thing: {type: object}\n")
    folder = tmp_path / "specs"
    folder.mkdir()
    path = folder / "openapi.json"
    path.write_text(_document_with_refs("../outside.yaml#/Thing", f"{outside.as_uri()}#/Thing"))
    return path, outside


def _run_watching(outside: Path, *args: str):
    _opened.clear()
    _watching.update({str(outside), str(outside.resolve())})
    try:
        result = run_cli(*args)
    finally:
        _watching.clear()
    assert_no_traceback(result.stdout, result.stderr)
    return result


@case("doc-ref-file-outside-not-read")
def test_spec_never_reads_file_refs_outside_the_folder(tmp_path: Path) -> None:
    path, outside = _outside_ref_document(tmp_path)
    result = _run_watching(outside, "spec", str(path))
    assert _opened == []
    assert result.exit_code == 1
    assert "$ref '../outside.yaml#/Thing'" in result.stderr
    assert f"$ref '{outside.as_uri()}#/Thing'" in result.stderr


@case("diff-ref-file-outside-not-read")
def test_diff_never_reads_file_refs_outside_the_folder(tmp_path: Path) -> None:
    path, outside = _outside_ref_document(tmp_path)
    result = _run_watching(outside, "diff", str(path), VALID_SMALL)
    assert _opened == []
    assert result.exit_code in (1, 2)


@case("app-noisy-import")
def test_app_output_at_import_never_reaches_stdout() -> None:
    result = run_cli("spec", "tests/adversarial/apps/noisy_import.py:app")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)  # stdout is the document and nothing else
    assert "/ping" in document["paths"]
    assert "starting up the payments service" in result.stderr


@case("sec-yaml-tag-nothing-runs")
def test_yaml_tags_never_construct_objects(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "openapi.yaml"
    path.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        f"x-run: !!python/object/apply:os.system ['touch {marker}']\n"
        f"x-new: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n"
    )
    for args in (("spec", str(path)), ("diff", str(path), VALID_SMALL)):
        result = run_cli(*args)
        assert_no_traceback(result.stdout, result.stderr)
        assert result.exit_code == 2
        assert "could not determine a constructor" in result.stderr
    assert not marker.exists()


@case("fuzz-ref-policy")
def test_fuzz_reads_refs_under_the_same_policy_as_spec_and_diff(tmp_path: Path) -> None:
    """`fuzz` hands schemathesis a document whose refs are all local: remote, `file:` and `../`
    refs are refused like `spec`/`diff` refuse them (nothing fetched or opened), and a sibling file
    is read and bundled."""
    thing = json.dumps({"Thing": {"type": "object"}}).encode()
    with http_server(lambda handler: send_json(handler, 200, b"{}")) as side:
        with http_server(lambda handler: send_json(handler, 200, thing)) as remote:
            path = tmp_path / "remote.json"
            path.write_text(_document_with_refs(f"{remote.url}/schemas.json#/Thing"))
            result = run_cli("fuzz", str(path), str(path), "--old-url", side.url, "--new-url", side.url, "--phases", "examples")
            assert remote.hits == []
            assert_no_traceback(result.stdout, result.stderr)
            assert result.exit_code == 2 and "is not fetched; pass --allow-remote-refs" in result.stderr, result.stderr
        outside_path, outside = _outside_ref_document(tmp_path)
        result = _run_watching(outside, "fuzz", str(outside_path), str(outside_path), "--old-url", side.url, "--new-url", side.url,
                               "--phases", "examples")
        assert _opened == []
        assert result.exit_code == 2 and "not read" in result.stderr, result.stderr
        # a document split into files beside it is read (by apiparity, under the policy) and fuzzed
        folder = tmp_path / "split"
        folder.mkdir()
        (folder / "schemas.yaml").write_text("Thing: {type: object, properties: {next: {$ref: '#/Thing'}}}\n")
        split = folder / "openapi.json"
        split.write_text(_document_with_refs("schemas.yaml#/Thing"))
        side.hits.clear()
        result = run_cli("fuzz", str(split), str(split), "--old-url", side.url, "--new-url", side.url, "--phases", "examples")
        assert_no_traceback(result.stdout, result.stderr)
        assert result.exit_code == 0, result.stderr
        assert any(hit.startswith("GET /things") for hit in side.hits)


def _chain(n: int, end: dict) -> dict:
    schemas: dict = {f"S{i}": {"$ref": f"#/components/schemas/S{i + 1}"} for i in range(n)}
    schemas[f"S{n}"] = end
    return {"openapi": "3.1.0", "info": {"title": "chain", "version": "1"},
            "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/S0", "description": "kept"}}}}}}}},
            "components": {"schemas": schemas}}


@case("doc-ref-chain-linear")
def test_ref_chains_reach_the_validator_one_hop_long() -> None:
    """The validator resolves every $ref from scratch: a chain of n refs cost it n^2 lookups (1,000:
    88 s). Chains are pointed straight at their end first; timings in benchmarks/ref_chain.py."""
    import copy

    from apiparity.spec.validate import compress_ref_chains, validate_document

    document = _chain(1000, {"type": "string"})
    before = copy.deepcopy(document)
    compressed = compress_ref_chains(document)
    assert document == before  # the caller's document is not touched
    schemas = compressed["components"]["schemas"]
    assert all(schemas[f"S{i}"] == {"$ref": "#/components/schemas/S1000"} for i in range(1000))
    operation = compressed["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert operation == {"$ref": "#/components/schemas/S1000", "description": "kept"}
    cyclic = {"components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"$ref": "#/components/schemas/A"}}}}
    assert compress_ref_chains(cyclic) is cyclic
    # what the validator finds at the end of a chain is still found
    problems = validate_document(_chain(300, {"type": 5}))
    assert any("5 is not one of" in problem.message for problem in problems), problems
