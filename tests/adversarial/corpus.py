"""The adversarial corpus: one row per hostile input, with the behaviour the tests assert.

Rows with `argv` are run as they are by `test_table_rows.py` (in-process, through the real CLI):
exit code, a one-line `error: ...` naming the file or target when the exit code is 2, the message
pattern, and never a traceback. Rows without `argv` are implemented by exactly one test function
decorated with `@case("<id>")`. `known_defect` marks a row that fails today because of a defect in
another part of apiparity: its test is a strict xfail, and docs/robustness.md lists it as such.

`python -m tests.adversarial.make_docs` turns this table into docs/robustness.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DOCS = "tests/adversarial/documents"
APPS = "tests/adversarial/apps"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    area: str  # documents | apps | servers | security | sweep
    given: str  # the hostile input
    asserts: str  # the outcome the test asserts
    argv: tuple[str, ...] = ()  # a table-driven row: the CLI arguments (paths from the repo root)
    exit_code: int | None = None
    message: str | None = None  # regex the stderr must match
    names: str | None = None  # what a one-line error must name (default: the first path in argv)
    known_defect: str | None = None  # "<owner area>: <what is wrong>" -> strict xfail


def _doc(name: str) -> str:
    return f"{DOCS}/{name}"


def _app(ref: str) -> str:
    return f"{APPS}/{ref}"


CASES: list[Case] = [
    # ------------------------------------------------------------------ documents, via `spec`
    Case("doc-invalid-json", "documents", "JSON with a missing comma", "exit 2, the file, line 3 and column 25",
         ("spec", _doc("invalid.json")), 2, r"invalid JSON at line 3, column 25"),
    Case("doc-invalid-yaml", "documents", "YAML with a broken indentation", "exit 2, the file, line and column",
         ("spec", _doc("invalid.yaml")), 2, r"invalid YAML at line 7, column 6"),
    Case("doc-yaml-control-character", "documents", "a BEL control character inside a YAML string",
         "exit 2, one line with line and column (PyYAML's own message spans two lines)",
         ("spec", _doc("yaml-control-character.yaml")), 2, r"invalid YAML at line 4, column 15: character U\+0007"),
    Case("doc-yaml-multi-document", "documents", "two YAML documents in one stream", "exit 2 with the line of the second",
         ("spec", _doc("yaml-multi-document.yaml")), 2, r"invalid YAML at line 4, column 1"),
    Case("doc-alias-bomb-many-aliases", "documents", "20,000 aliases of one anchor", "refused: exit 2, alias limit, line and column",
         ("spec", _doc("alias-bomb-many-aliases.yaml")), 2, r"more than 10000 aliases"),
    Case("doc-alias-bomb-billion-laughs", "documents", "billion laughs: 9 levels of 9 aliases (81 aliases, 4.4e9 nodes)",
         "refused before anything expands it: exit 2, the expanded size",
         ("spec", _doc("alias-bomb-billion-laughs.yaml")), 2, r"expand the document to 4,412,961,511 nodes"),
    Case("doc-alias-bomb-binary", "documents", "64 levels of 2 aliases (128 aliases, 7e19 nodes)", "refused: exit 2",
         ("spec", _doc("alias-bomb-binary.yaml")), 2, r"refusing a possible alias bomb"),
    Case("doc-alias-bomb-bounded", "documents", "the billion-laughs file read in-process",
         "refused with a SpecError while Python allocates less than 20 MB"),
    Case("doc-alias-recursive", "documents", "an anchor that contains its own alias (`&a [1, *a]`)", "exit 2, self-reference named",
         ("spec", _doc("alias-recursive.yaml")), 2, r"refers to the node that contains it"),
    Case("doc-yaml-python-object-tag", "documents", "`!!python/object/apply:os.system`", "safe loading: exit 2, tag named, nothing runs",
         ("spec", _doc("yaml-python-object-tag.yaml")), 2, r"line 4, column 8: could not determine a constructor"),
    Case("doc-yaml-python-name-tag", "documents", "`!!python/name:os.system`", "safe loading: exit 2, tag named",
         ("spec", _doc("yaml-python-name-tag.yaml")), 2, r"line 4, column 7: could not determine a constructor"),
    Case("doc-deep-json", "documents", "JSON nested 10,000 levels deep", "exit 2, depth limit named, no RecursionError",
         ("spec", _doc("deep-10000.json")), 2, r"nested more than 256 levels deep"),
    Case("doc-deep-yaml", "documents", "YAML nested 10,000 levels deep", "exit 2, depth limit named, no RecursionError",
         ("spec", _doc("deep-10000.yaml")), 2, r"nested more than 256 levels deep"),
    Case("doc-deep-schemas", "documents", "400 nested object schemas (parses, deeper than any real document)",
         "exit 2 at load, before any engine recurses", ("spec", _doc("deep-400-schemas.json")), 2, r"nested more than 256 levels deep"),
    Case("doc-deep-valid", "documents", "120 nested object schemas (deep but within the limit)",
         "validated as valid: the validator runs on a deep stack instead of reporting a RecursionError"),
    Case("doc-empty", "documents", "an empty file", "exit 2: the document is empty", ("spec", _doc("empty.yaml")), 2, r"the document is empty"),
    Case("doc-whitespace-only", "documents", "a file of blank lines and tabs", "exit 2: the document is empty",
         ("spec", _doc("whitespace-only.json")), 2, r"the document is empty"),
    Case("doc-not-openapi", "documents", "a package.json", "exit 2: no `openapi` version field",
         ("spec", _doc("not-openapi.json")), 2, r"not an OpenAPI document \(no `openapi` version field\)"),
    Case("doc-top-level-array", "documents", "a JSON array", "exit 2: top level is not an object",
         ("spec", _doc("top-level-array.json")), 2, r"top level is list"),
    Case("doc-swagger-2", "documents", "a Swagger 2.0 document", "converted to OpenAPI 3.0.3, validated, and the conversion said: exit 0",
         ("spec", _doc("swagger-2.0.yaml")), 0, r"Swagger 2\.0 document converted to OpenAPI 3\.0\.3"),
    Case("doc-swagger-unknown-version", "documents", "`swagger: \"1.2\"`", "exit 2: the unsupported Swagger version named",
         ("spec", _doc("swagger-1.2.json")), 2, r"unsupported Swagger version '1\.2'"),
    Case("doc-unknown-version", "documents", "`openapi: 4.0.0`", "exit 2: unsupported version named",
         ("spec", _doc("unknown-version.yaml")), 2, r"unsupported OpenAPI version '4\.0\.0'"),
    Case("doc-version-not-string", "documents", "`openapi: 3.1` (a YAML float)", "read, then reported invalid: exit 1",
         ("spec", _doc("openapi-version-not-string.yaml")), 1, r"/openapi: 3\.1 is not of type [\"']string[\"']"),
    Case("doc-not-utf8", "documents", "Latin-1 bytes in a YAML file", "exit 2 with the byte offset",
         ("spec", _doc("not-utf8.yaml")), 2, r"not UTF-8 text \(byte 33\)"),
    Case("doc-utf8-bom", "documents", "a JSON document starting with a UTF-8 BOM", "read and valid: exit 0",
         ("spec", _doc("utf8-bom.json")), 0, r"valid"),
    # issue 14 item 6: clear one-line errors instead of internal errors
    Case("doc-yaml-date-example", "documents", "an unquoted YAML date `example: 2024-01-01` (common in real documents)",
         "kept as the string \"2024-01-01\" as OpenAPI means it: valid, exit 0",
         ("spec", _doc("yaml-date-example.yaml")), 0, r"valid"),
    Case("doc-yaml-duplicate-key", "documents", "`paths:` written twice at the top level", "exit 2, line and column of the second, line of the first",
         ("spec", _doc("yaml-duplicate-key.yaml")), 2, r"line 4, column 1: duplicate key 'paths' \(first at line 3\)"),
    Case("diff-yaml-duplicate-key", "documents", "`diff` of a document with `paths:` twice", "exit 2 naming the file and the line",
         ("diff", _doc("yaml-duplicate-key.yaml"), _doc("valid-small.yaml")), 2, r"line 4, column 1: duplicate key 'paths'"),
    Case("check-yaml-duplicate-key", "documents", "`check` of a document with `paths:` twice", "exit 2 naming the file and the line",
         ("check", _doc("valid-small.yaml"), _doc("yaml-duplicate-key.yaml")), 2, r"line 4, column 1: duplicate key 'paths'",
         _doc("yaml-duplicate-key.yaml")),
    Case("fuzz-yaml-duplicate-key", "documents", "`fuzz` of a document with `paths:` twice", "exit 2 naming the file and the line",
         ("fuzz", _doc("yaml-duplicate-key.yaml"), _doc("valid-small.yaml")), 2, r"line 4, column 1: duplicate key 'paths'"),
    Case("diff-ref-cycle-unused", "documents", "`diff` of A -> B -> A that no operation uses (0 operations)",
         "exit 2 naming the file and the cycle's pointer (was: exit 0 and a warning)",
         ("diff", _doc("ref-cycle-unused.yaml"), _doc("ref-cycle-unused.yaml")), 2, r"\$ref cycle at /components/schemas/A: A -> B -> A"),
    Case("check-ref-cycle-unused", "documents", "`check` of A -> B -> A that no operation uses", "exit 2 naming the file and the pointer",
         ("check", _doc("valid-small.yaml"), _doc("ref-cycle-unused.yaml")), 2, r"\$ref cycle at /components/schemas/A",
         _doc("ref-cycle-unused.yaml")),
    Case("fuzz-ref-cycle-unused", "documents", "`fuzz` of A -> B -> A that no operation uses", "exit 2 naming the file and the pointer",
         ("fuzz", _doc("ref-cycle-unused.yaml"), _doc("valid-small.yaml")), 2, r"\$ref cycle at /components/schemas/A"),
    Case("doc-yaml-binary", "documents", "a `!!binary` value", "exit 2, line and column: a JSON document holds no bytes",
         ("spec", _doc("yaml-binary.yaml")), 2, r"line 4, column 8: a !!binary value"),
    Case("doc-yaml-sequence-key", "documents", "a sequence used as a mapping key (`[1, 2]: b`)", "exit 2, line and column: keys are strings",
         ("spec", _doc("yaml-sequence-key.yaml")), 2, r"line 4, column 16: a sequence used as a mapping key"),
    Case("doc-int-5000-digits-json", "documents", "a 5000-digit integer in JSON", "exit 2 naming the digit limit",
         ("spec", _doc("int-5000-digits.json")), 2, r"invalid JSON: Exceeds the limit \(4300 digits\)"),
    Case("doc-int-5000-digits-yaml", "documents", "a 5000-digit integer in YAML", "exit 2, line and column",
         ("spec", _doc("int-5000-digits.yaml")), 2, r"line 4, column 6: an integer with 5000 digits"),
    Case("cli-timeout-inf", "documents", "`--timeout inf`", "exit 2: a finite number of seconds",
         ("fuzz", _doc("valid-small.yaml"), _doc("valid-small.yaml"), "--timeout", "inf"), 2, r"finite number of seconds", "timeout"),
    Case("cli-timeout-nan", "documents", "`--timeout nan`", "exit 2: a finite number of seconds",
         ("fuzz", _doc("valid-small.yaml"), _doc("valid-small.yaml"), "--timeout", "nan"), 2, r"finite number of seconds", "timeout"),
    Case("cli-header-crlf", "documents", "`-H` with a CR/LF in its value (a second header smuggled in)", "exit 2: one header is one line",
         ("fuzz", _doc("valid-small.yaml"), _doc("valid-small.yaml"), "-H", "X-A: b\r\nX-Injected: 1"), 2, r"line break", "X-A"),
    Case("cli-config-not-utf8", "documents", "a config file with Latin-1 bytes", "exit 2 naming the file and the byte",
         ("fuzz", _doc("valid-small.yaml"), _doc("valid-small.yaml"), "--config", "tests/adversarial/config/not-utf8.toml"), 2,
         r"not UTF-8 \(byte 0xe9", "not-utf8.toml"),
    Case("cli-output-under-a-file", "documents", "`-o` under a path that is a file (`valid-small.yaml/report.txt`)",
         "exit 2: a parent of it is a file",
         ("diff", _doc("valid-small.yaml"), _doc("valid-small.yaml"), "-o", _doc("valid-small.yaml") + "/report.txt"), 2,
         r"a parent of it is a file", "valid-small.yaml/report.txt"),
    Case("cli-output-not-a-regular-file", "documents", "`-o` onto a FIFO, onto a symlink to a FIFO, and `-o -`",
         "written through (the FIFO stays a FIFO, the reader gets the report); `-` is stdout"),
    Case("traffic-access-log-control-character", "documents", "an access log with NUL, ESC and DEL inside two of its three lines",
         "`replay` skips and counts those lines (a note), replays the clean one: exit 0",
         ("replay", "tests/adversarial/traffic/control-character.log", _app("hostile_json.py:old_app"), _app("hostile_json.py:new_app"),
          "--traffic-format", "access-log", "--include", "/fine"), 0, r"2 line\(s\) with a control character were skipped"),
    Case("cli-init-fifo", "documents", "`init` in a folder where `app.py` is a FIFO", "the FIFO is skipped (never read); the real app is found"),
    Case("doc-missing-file", "documents", "a path that does not exist", "exit 2: no such file",
         ("spec", _doc("no-such-file.yaml")), 2, r"no such file"),
    Case("doc-directory", "documents", "a directory named like a spec file", "exit 2: is a directory",
         ("spec", _doc("a-directory.yaml")), 2, r"is a directory"),
    Case("doc-duplicate-operation-ids", "documents", "two operations with operationId getThing", "reported: exit 1, the duplicate named",
         ("spec", _doc("duplicate-operation-ids.yaml")), 1, r"Operation ID 'getThing' .* is not unique"),
    Case("doc-undeclared-path-parameter", "documents", "`/users/{user_id}/posts/{post_id}` declaring only user_id",
         "reported: exit 1, post_id named", ("spec", _doc("undeclared-path-parameter.yaml")), 1, r"Path parameter 'post_id'"),
    Case("doc-wrong-types", "documents", "`info` a string, `paths` a list, `schemas` a number",
         "reported: exit 1, each pointer named; the validator's own crash is one more line, not a traceback",
         ("spec", _doc("wrong-types.json")), 1, r"/paths: \[[\"']/a[\"'], ?[\"']/b[\"']\] is not of type [\"']object[\"']"),
    Case("doc-ref-cycle-direct", "documents", "schema A = {$ref: A}", "a broken document: exit 2, the cycle and its pointer named, no hang",
         ("spec", _doc("ref-cycle-direct.json")), 2, r"\$ref cycle at /components/schemas/A: A -> A never reaches a value"),
    Case("doc-ref-cycle-indirect", "documents", "A -> B -> C -> A", "a broken document: exit 2, the whole cycle named",
         ("spec", _doc("ref-cycle-indirect.json")), 2, r"\$ref cycle at /components/schemas/A: A -> B -> C -> A"),
    Case("doc-ref-cycle-allof", "documents", "A = allOf[B, object], B = allOf[A]", "reported: exit 1, cycle through allOf named",
         ("spec", _doc("ref-cycle-allof.json")), 1, r"\$ref cycle A -> B -> A"),
    Case("doc-ref-cycle-items", "documents", "a tree: A.children.items = {$ref: A}", "a legitimate recursive schema: valid, exit 0",
         ("spec", _doc("ref-cycle-items.json")), 0, r"1 operations, valid"),
    Case("doc-ref-missing-pointer", "documents", "$ref to #/components/schemas/DoesNotExist", "reported at the $ref's pointer: exit 1",
         ("spec", _doc("ref-missing-pointer.json")), 1, r"/components/schemas/A/\$ref: \$ref '#/components/schemas/DoesNotExist' points at nothing"),
    Case("doc-ref-not-a-string", "documents", "`$ref: 42`", "reported: exit 1", ("spec", _doc("ref-not-a-string.json")), 1, r"42 is not of type 'string'"),
    Case("doc-ref-remote-not-fetched", "documents", "$refs to a loopback HTTP server (standing in for a remote host)",
         "`spec` and `diff` send it no request; `spec` reports the reference as not fetched"),
    Case("doc-ref-file-outside-not-read", "documents", "$refs to `../outside.yaml` and `file:///...` outside the document's folder",
         "`spec` never opens the file (audit hook) and reports the reference as not read"),
    Case("diff-ref-file-outside-not-read", "documents", "the same $refs through `diff`", "`diff` never opens the file (audit hook)"),
    # ------------------------------------------------------------------ documents, via `diff`
    Case("doc-ref-chain-linear", "documents", "schemas forming one chain of 1,000 `$ref`s (S0 -> S1 -> ... -> S1000)",
         "the validator gets every ref pointed at the chain's end (linear: 1,000 refs 88 s before, ~2 s now; "
         "`benchmarks/ref_chain.py`); problems at the end are still found, cycles left to the cycle check"),
    Case("fuzz-ref-policy", "documents", "the remote, `file://` and `../` $refs through `fuzz`, and a document split into a sibling file",
         "`fuzz` refuses them like `spec`/`diff` (exit 2, nothing fetched or opened; schemathesis never resolves a ref itself); "
         "the sibling file is read and fuzzed"),
    Case("diff-ref-cycle-direct", "documents", "`diff` of A = {$ref: A} against itself", "exit 1 or 2 naming the cycle; no internal error",
         ("diff", _doc("ref-cycle-direct.json"), _doc("ref-cycle-direct.json")), 2, r"cycle"),
    Case("diff-ref-cycle-indirect", "documents", "`diff` of A -> B -> C -> A against a valid document", "exit 1 or 2 naming the cycle",
         ("diff", _doc("ref-cycle-indirect.json"), f"{DOCS}/valid-small.yaml"), 2, r"cycle"),
    Case("diff-ref-missing-pointer", "documents", "`diff` with a $ref to a missing pointer", "exit 2 naming the file and the pointer",
         ("diff", _doc("ref-missing-pointer.json"), f"{DOCS}/valid-small.yaml"), 2, r"DoesNotExist"),
    Case("diff-wrong-types", "documents", "`diff` of a document whose `paths` is a list", "exit 2 naming the file",
         ("diff", _doc("wrong-types.json"), f"{DOCS}/valid-small.yaml"), 2, r"`paths` is not an object"),
    # ------------------------------------------------------------------ every document, every command
    Case("sweep-spec", "sweep", "every file in tests/adversarial/documents/ through `spec`",
         "exit 0, 1 or 2; never a traceback or an internal error; exit 2 is one line naming the file"),
    Case("sweep-diff-self", "sweep", "every corpus file through `diff FILE FILE`", "same as sweep-spec"),
    Case("sweep-diff-valid", "sweep", "every corpus file through `diff FILE valid-small.yaml` and the reverse", "same as sweep-spec"),
    Case("sweep-check", "sweep", "every corpus file through `check FILE valid-small.yaml`", "same as sweep-spec"),
    Case("sweep-console-script", "sweep", "the hostile documents and apps through the installed `apiparity` script",
         "real stderr has no traceback, exit 2 is one line"),
    # ------------------------------------------------------------------ apps
    Case("app-import-error", "apps", "a module importing a package that is not installed", "exit 2: module, exception and line",
         ("spec", _app("import_error.py:app")), 2, r"importing import_error\.py raised ModuleNotFoundError: .*apiparity_no_such_database_driver.* \(line 3\)"),
    Case("app-syntax-error", "apps", "a module that is not valid Python", "exit 2: SyntaxError with file and line",
         ("spec", _app("syntax_error.py:app")), 2, r"raised SyntaxError: .*line 6"),
    Case("app-sys-exit", "apps", "a module calling sys.exit(3) at import", "exit 2 (not 3, not silence): sys.exit named",
         ("spec", _app("sys_exit.py:app")), 2, r"called sys\.exit\(3\)"),
    Case("app-base-exception", "apps", "a module raising a BaseException subclass at import", "exit 2: the exception named",
         ("spec", _app("base_exception.py:app")), 2, r"raised ShutdownRequested: the config server asked us to stop \(line 8\)"),
    Case("app-module-not-found", "apps", "`no_such_pkg.mod:app`", "exit 2 with the --app-dir hint",
         ("spec", "no_such_pkg.mod:app"), 2, r"no module named 'no_such_pkg\.mod' \(use --app-dir"),
    Case("app-missing-attribute", "apps", "`objects.py:missing`", "exit 2: attribute named",
         ("spec", _app("objects.py:missing")), 2, r"has no attribute 'missing'"),
    Case("app-wrong-type-str", "apps", "an attribute that is a connection string", "exit 2: `str object is not an app`",
         ("spec", _app("objects.py:not_an_app")), 2, r"str object is not an app"),
    Case("app-wrong-type-dict", "apps", "an attribute that is a settings dict", "exit 2: `dict object is not an app`",
         ("spec", _app("objects.py:settings")), 2, r"dict object is not an app"),
    Case("app-wrong-type-class", "apps", "the FastAPI class instead of an instance", "exit 2: `type object is not an app`",
         ("spec", _app("objects.py:app_class")), 2, r"type object is not an app"),
    Case("app-factory-raises", "apps", "`create_app()` raising RuntimeError", "exit 2: the factory's exception",
         ("spec", _app("objects.py:failing_factory()")), 2, r"the factory raised RuntimeError: DATABASE_URL is not set"),
    Case("app-factory-returns-none", "apps", "a factory returning None", "exit 2: NoneType is not an app",
         ("spec", _app("objects.py:factory_returning_none()")), 2, r"NoneType object is not an app"),
    Case("app-factory-needs-arguments", "apps", "a factory with a required parameter", "exit 2: the TypeError named",
         ("spec", _app("objects.py:factory_needing_arguments()")), 2, r"the factory raised TypeError: .*missing 1 required positional argument"),
    Case("app-openapi-raises", "apps", "a FastAPI app whose openapi() raises", "exit 2: FastAPI could not build its document",
         ("spec", _app("objects.py:broken_openapi")), 2, r"FastAPI could not build its document: ValueError"),
    Case("app-asgi-without-spec-path", "apps", "a raw ASGI app and no --spec-path", "exit 2 with the --spec-path hint",
         ("spec", _app("objects.py:asgi_500")), 2, r"an ASGI app that apiparity cannot read a document from; pass --spec-path"),
    Case("app-spec-path-500", "apps", "--spec-path answered with HTTP 500", "exit 2: status named",
         ("spec", _app("objects.py:asgi_500"), "--spec-path", "/openapi.json"), 2, r"GET /openapi\.json answered HTTP 500"),
    Case("app-spec-path-html", "apps", "--spec-path answered with an HTML login page", "exit 2: looks like HTML",
         ("spec", _app("objects.py:wsgi_html"), "--spec-path", "/openapi.json"), 2, r"not an OpenAPI document \(it looks like HTML or XML\)"),
    Case("app-spec-path-raises", "apps", "a WSGI app raising while serving its document", "exit 2: the exception named",
         ("spec", _app("objects.py:wsgi_raising"), "--spec-path", "/openapi.json"), 2, r"GET /openapi\.json raised OSError: disk full"),
    Case("app-noisy-import", "apps", "an app printing a banner to stdout at import",
         "`spec` stdout is still exactly the JSON document; the banner goes to stderr"),
    # ------------------------------------------------------------------ apps and servers at run time
    Case("run-handler-raises", "servers", "NEW's handler raises (500)", "a status mismatch 200 vs 500 is reported and the run goes on"),
    Case("run-handler-hangs", "servers", "NEW's handler never answers", "--timeout ends it; reported as its own `timeout` group"),
    Case("run-not-json", "servers", "`application/json` that is not JSON", "reported as a body mismatch, not a crash"),
    Case("run-binary-body", "servers", "application/octet-stream bodies that differ", "reported as a body mismatch"),
    Case("run-streamed-body", "servers", "a StreamingResponse differing in one chunk", "read whole and reported as a body mismatch"),
    Case("run-huge-body", "servers", "a 40 MB JSON body", "the read is capped and the cap is reported"),
    Case("run-goes-on", "servers", "a run where NEW raises, hangs and floods", "the well-behaved operation is still compared: every operation reached"),
    Case("run-check-hostile-apps", "servers", "`check` of the well-behaved OLD against the hostile NEW",
         "NOT READY (exit 1) with the raise, hang and not-JSON groups, JSON and HTML reports written; no traceback"),
    Case("run-hostile-json-every-format", "servers",
         "NEW answers a lone surrogate (`\\ud800`), JSON nested 200,000 levels deep, and NaN/Infinity",
         "`fuzz` in every format: exit 1 with the three groups, every report written; the JSON report is strict JSON "
         "(NaN as \"NaN\", the surrogate as the text `\\ud800`, depth cut with a marker)"),
    Case("run-hostile-json-check", "servers", "the same answers through `check`",
         "HTML, Markdown, JSON, JUnit and SARIF reports all written; the JSON report is strict JSON"),
    Case("shadow-hostile-primary-and-targets", "servers",
         "`shadow` with a primary slower than --primary-timeout, an 8 MB answer with --max-body-bytes 1000, and "
         "absolute-form and `@host` request targets",
         "502 at the deadline; the 8 MB answer streamed to the client whole (only 1000 bytes kept to compare); 400 for "
         "both targets, the primary never asked, no traceback"),
    Case("run-connection-refused", "servers", "`fuzz --new-url` at a closed loopback port", "exit 2 naming the URL, or a reported finding; never a traceback"),
    Case("run-reset-mid-response", "servers", "a live server that closes the socket halfway through a response",
         "reported as a finding on that operation; the other operations are still compared"),
    Case("url-connection-refused", "servers", "`spec http://127.0.0.1:<closed>/openapi.json`", "exit 2: cannot connect, URL named"),
    Case("url-reset-mid-response", "servers", "the document server resets the connection mid-body", "exit 2: request failed, URL named"),
    Case("url-hangs", "servers", "a document server that accepts and never answers", "exit 2 after --load-timeout: no complete answer"),
    Case("url-drip-feed", "servers", "a document server sending one byte every 0.2 s", "exit 2 after --load-timeout (a whole-exchange deadline, not per read)"),
    Case("url-huge-document", "servers", "a document server streaming without end", "exit 2 once the cap is passed (cap lowered to 1 MB in the test)"),
    Case("url-redirect-other-origin", "servers", "the document URL redirects to another host:port",
         "exit 2 naming both URLs; the other server receives nothing"),
    Case("url-slow-start", "servers", "a server that starts listening 1 s after the command starts",
         "`load_target(url, wait_for=5)` retries until it answers; without wait_for: cannot connect"),
    # ------------------------------------------------------------------ verdicts that fail closed (tests beside their module)
    Case("gate-loop-starved", "trust", "NEW's loop thread in app code, kept off the CPU (pinned beside a CPU-bound process at nice 19)",
         "not a block: the stall is listed as the machine's (waiting for a CPU) and the event-loop gate passes"),
    Case("gate-loop-sleep-starved", "trust", "`time.sleep` in an `async def` handler on the same starved loop thread",
         "still a block, at the handler's line"),
    Case("run-handler-system-exit", "trust", "NEW's handler raises SystemExit (async), calls sys.exit() (sync) or raises KeyboardInterrupt",
         "a finding on NEW (`app raised SystemExit`), the next request is answered: never the end of the run nor the user's Ctrl-C"),
    Case("run-handler-blocks-loop-forever", "trust", "an `async def` handler calling `time.sleep(3600)`",
         "--timeout is a deadline: timed out, the stuck loop is left to its daemon thread and the next request gets a fresh one"),
    Case("run-process-exits", "trust", "`check` of a NEW whose handlers exit, interrupt, block the loop and never return",
         "exit 1 (NOT READY) with each one a group, the JSON report written, no traceback, and the process ends"),
    Case("run-unreachable-side", "trust", "`check` with `--new-url` at a loopback port nothing listens on",
         "exit 2 before the run, one line naming --new-url and the URL; no report, never NOT READY over transport errors"),
    Case("run-transport-errors-mid-run", "trust", "a live NEW that accepts every connection and resets it (no answer) during the run",
         "each request a transport error on NEW, shown as 'transport errors on NEW: N, on OLD: 0' and failing its own gate `no-transport-errors`; never a 5xx (`no-new-5xx` passes)"),
    Case("run-transport-errors-both-sides", "trust", "`fuzz` where both live sides reset every request (neither answers: no difference, no 5xx)",
         "exit 1 (it was exit 0: no mismatch group over a run that tested nothing), the summary names the transport errors on NEW and OLD"),
    Case("run-live-drip-feed-transport", "trust", "a live server that drip-feeds its headers (without end) or its body, one byte every 50 ms",
         "--timeout is a total deadline, not per read: timed out at 1 s in either phase, the next request answered on a fresh connection"),
    Case("run-live-drip-feed-fuzz", "trust", "`fuzz` with `--new-url` at that drip-feeding server",
         "exit 1: a `timeout` group on each dripping operation, every operation reached, the process ends"),
    Case("run-live-drip-feed-check", "trust", "`check` with `--new-url` at that drip-feeding server",
         "NOT READY (exit 1) with both timeouts as groups, the JSON report written"),
    Case("run-live-drip-feed-load", "trust", "`load` with both URLs at that drip-feeding server",
         "each dripping request is an error at --timeout (never a 200 at the deadline, never left uncounted); each side stops at its duration"),
    Case("run-wsgi-handler-never-returns", "trust", "in-process Flask (WSGI) handlers that never return (`threading.Event().wait()`, `time.sleep(1e6)`)",
         "each a `timeout` finding on NEW at --timeout; the report is written and the process exits (the app runs in a daemon thread)"),
    Case("run-internal-error-mid-run", "trust", "an internal error in the fuzz phase of `check` (the grouping raises RuntimeError, or SystemExit(0))",
         "exit 2 (it was exit 2 with no report): every requested report written, marked incomplete (`internal-error`, the phase, the error), what ran kept, never READY"),
    Case("run-reset-hook-sys-exit", "trust", "a `--reset` hook that calls `sys.exit(0)` from its third call on",
         "a reported problem of the run (`reset hook ... raised SystemExit: 0`), NOT READY with the report written (it was exit 0, no report, no output)"),
    Case("run-deadline-whole-run", "trust", "`check --max-run-time 12` of a NEW whose handlers never return, with `--timeout 600`",
         "the run stops at its deadline: exit 2, every report written, marked incomplete (`run-deadline`)"),
    Case("run-side-died", "trust", "a NEW started by `--new-cmd` that exits mid-run",
         "exit 2 (it was exit 1, NOT READY over transport errors): every report marked incomplete (`side-died`, the exit code)"),
    Case("run-live-side-died", "trust", "a live NEW (`--new-url`) that stops listening after three answers, through `check`, `fuzz` and `replay`",
         "exit 2 (it was exit 1, NOT READY over transport errors): the report marked incomplete (`side-died`, the URL that stopped accepting connections)"),
    Case("gate-loop-pass-through", "trust", "long framework work (a 6.9 MB body parsed on the loop) under a pure-async middleware's `await self.app(...)`",
         "not the app's block (kept apart); the same middleware's own `time.sleep` is a block at its line"),
    # ------------------------------------------------------------------ security
    Case("sec-redact-text", "security", "Authorization, Cookie, X-API-Key, X-Session-Token, X-Client-Secret headers; password and access_token query values",
         "no secret in the text report"),
    Case("sec-redact-json", "security", "the same secrets", "no secret in the JSON report"),
    Case("sec-redact-markdown", "security", "the same secrets", "no secret in the Markdown report"),
    Case("sec-redact-html", "security", "the same secrets", "no secret in the HTML report"),
    Case("sec-redact-junit", "security", "the same secrets", "no secret in the JUnit report"),
    Case("sec-redact-other-formats", "security", "the same secrets", "no secret in any other registered format (yaml, sarif, github)"),
    Case("sec-redact-set-cookie", "security", "OLD and NEW answer different Set-Cookie values, compared with --compare-header set-cookie",
         "the cookie values are redacted in the report"),
    Case("sec-redact-curl", "security", "the same secrets", "the curl reproducers carry `[redacted]`, not the secrets"),
    Case("sec-no-redact", "security", "the same secrets with --no-redact", "the secrets are shown"),
    Case("sec-html-escapes-document", "security", "`<script>` and `onerror=` in descriptions and enum values", "the HTML report contains them only escaped"),
    Case("sec-html-escapes-bodies", "security", "`<script>` and `onerror=` in response bodies", "the HTML report contains them only escaped"),
    Case("sec-terminal-escapes", "security", "ANSI escape sequences (ESC [2J, OSC title) in a response body",
         "the text report contains no raw ESC character"),
    Case("sec-control-characters-in-documents", "security",
         "ESC/OSC/BEL in an operationId, a parameter, a schema name and a `$ref`; CR + `# heading` + `<img>` in a path",
         "`diff` text, Markdown, GitHub and HTML output and its error lines carry no raw ESC, BEL or CR (shown as `\\x1b`); "
         "Markdown gains no heading or image line"),
    Case("sec-atomic-report", "security", "a report write that fails halfway", "the previous report is intact and no temp file is left"),
    Case("sec-servers-url-ignored", "security", "a URL target whose document declares `servers: [http://127.0.0.2:<port>]`",
         "requests go only to the URL the user gave; the servers entry receives nothing"),
    Case("sec-unsafe-method-guard", "security", "POST operations against a live server that is not loopback",
         "no POST is sent without --allow-unsafe; the skip is reported"),
    Case("sec-yaml-tag-nothing-runs", "security", "`!!python/object/apply:os.system` writing a marker file", "the marker file is never created"),
    # issue 14 item 5: one policy (apiparity.redact), every writer
    Case("sec-secrets-fuzz-every-format", "security",
         "secrets on every vector: `-H 'X-Auth-Key: ...'`, `Authorization: Bearer`, `?key=`/`?sig=`/`?api_token=`, body fields "
         "`password`/`client_secret`, userinfo of --old-url/--new-url and of a reset URL, an app echoing its request headers "
         "(JSON and text) and handing out a token",
         "`fuzz` in every format and its `--record` JSONL, stdout and stderr: zero planted values; the recording keeps names"),
    Case("sec-secrets-check-every-output", "security", "the same secrets through `check`",
         "HTML, Markdown, JSON, JUnit, SARIF, $GITHUB_STEP_SUMMARY, stdout, stderr: zero planted values"),
    Case("sec-secrets-replay", "security", "a JSONL recording that carries the secrets (headers, query, body)",
         "`replay` text, JSON and HTML reports: zero planted values"),
    Case("sec-secrets-shadow", "security", "clients sending the secrets through `shadow` to a primary reached with userinfo",
         "clients get the primary's answer untouched; the shadow report, its recording and stderr hold zero planted values"),
    # issue 14 item 3: traffic only where the user pointed (apiparity.outbound)
    Case("sec-outbound-conformance-follow-up", "security",
         "live sides whose POST answers 500 to an undeclared Content-Type (schemathesis' content-type probe then re-sends "
         "the request on its own, to http://localhost:80), and a document `servers` entry naming another loopback listener",
         "every socket the run connects (audit hook) goes to OLD's or NEW's port; the listener receives nothing; the 500 is "
         "still a conformance issue, never a `check-error: ConnectionError`"),
    Case("sec-outbound-guard", "security", "requests to an origin the user did not name (another port, scheme or host)",
         "refused before connecting by the guard every apiparity HTTP client carries; libraries get a session that sends nothing"),
    Case("sec-redact-name-option", "security", "`--redact V` (a body field `v` no built-in name covers) and `--no-redact`",
         "a field named by --redact is hidden; --no-redact shows the user's header and query values"),
]

BY_ID = {row.id: row for row in CASES}


def test_modules() -> list[Path]:
    """Every test module that may bind a row with @case: this folder's, and those beside the
    module a row is about (tests/asyncio_check/, tests/fuzz/, ...)."""
    return sorted(HERE.parent.rglob("test_*.py"))


test_modules.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def case(case_id: str) -> Callable[[F], F]:
    """Bind a test function to its row (and make it a strict xfail if the row has a known defect)."""
    row = BY_ID[case_id]

    def bind(func: F) -> F:
        if row.known_defect:
            func = pytest.mark.xfail(strict=True, reason=row.known_defect)(func)
        return func

    return bind


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def assert_no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output, output[-2000:]
        assert "internal error" not in output, output[-2000:]


def assert_one_line_error(stderr: str, names: str) -> None:
    """Exit-2 output: exactly one `error: ...` line (notes before it are allowed), naming `names`."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    assert lines[-1] == errors[0], stderr
    assert names in errors[0], f"{names!r} not named in {errors[0]!r}"


# Sweep parameters that fail today, keyed by (row id, document file name): strict xfails too.
SWEEP_DEFECTS: dict[tuple[str, str], str] = {}


def corpus_documents() -> list[Path]:
    return sorted(path for path in (HERE / "documents").iterdir() if path.is_file())
