"""Every target kind, every framework, and the ways loading fails."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from apiparity.errors import SpecError, TargetError
from apiparity.spec.validate import validate_document
from apiparity.targets import load_target
from tests.conftest import ROOT, run_cli

APPS = "tests/apps/small_apps.py"

OPENAPI_30 = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


# ------------------------------------------------------------------ spec files


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".yml"])
def test_spec_file_of_each_suffix(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"openapi{suffix}"
    path.write_text(json.dumps(OPENAPI_30) if suffix == ".json" else yaml.safe_dump(OPENAPI_30))
    target = load_target(str(path))
    assert (target.kind, target.framework, target.interface) == ("file", "spec", "none")
    assert target.document["paths"]["/a"]["get"]["responses"]["200"]["description"] == "ok"
    assert target.source_path == path.resolve()


def test_yaml_status_code_keys_stay_strings(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n")
    document = load_target(str(path)).document
    assert list(document["paths"]["/a"]["get"]["responses"]) == ["200"]
    assert validate_document(document) == []


def test_swagger_2_is_converted_and_said(tmp_path: Path) -> None:
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}))
    target = load_target(str(path))
    assert target.document["openapi"] == "3.0.3"
    assert any("Swagger 2.0 document converted" in note for note in target.notes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ('{"openapi": "3.1.0",\n "info": }', r"invalid JSON at line 2, column 10"),
        ("[1, 2]", "not an OpenAPI document"),
        ('{"openapi": "4.0.0", "info": {}, "paths": {}}', "unsupported OpenAPI version '4.0.0'"),
        ('{"info": {}}', "no `openapi` version field"),
    ],
)
def test_broken_json_documents(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text(content)
    with pytest.raises(SpecError, match=message):
        load_target(str(path))


def test_invalid_yaml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 3.1.0\ninfo:\n  title: [unclosed\n")
    with pytest.raises(SpecError, match=r"spec.yaml: invalid YAML at line \d+, column \d+"):
        load_target(str(path))


def test_yaml_python_tags_are_not_constructed(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(SpecError, match="invalid YAML"):
        load_target(str(path))


def test_missing_file() -> None:
    with pytest.raises(SpecError, match="missing.yaml: no such file"):
        load_target("missing.yaml")


# ------------------------------------------------------------------ URLs


class _SpecHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        routes = {
            "/openapi.json": (200, json.dumps(OPENAPI_30)),
            "/api/openapi.json": (200, json.dumps(OPENAPI_30)),
            "/not-json": (200, "<html>hello</html>"),
        }
        status, body = routes.get(self.path, (404, "not found"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def spec_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SpecHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_target_keeps_the_base_url(spec_server: str) -> None:
    target = load_target(f"{spec_server}/api/openapi.json")
    assert (target.kind, target.interface) == ("url", "http")
    assert target.base_url == f"{spec_server}/api"
    assert target.document["info"]["title"] == "t"


def test_url_root_finds_the_usual_document_path(spec_server: str) -> None:
    assert load_target(spec_server).base_url == spec_server


def test_url_404_and_non_json(spec_server: str) -> None:
    with pytest.raises(TargetError, match="HTTP 404"):
        load_target(f"{spec_server}/missing.json")
    with pytest.raises(SpecError, match="not-json: invalid YAML|not-json: not an OpenAPI document"):
        load_target(f"{spec_server}/not-json")


def test_url_connection_refused() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TargetError, match="cannot connect"):
        load_target(f"http://127.0.0.1:{port}/openapi.json", timeout=2)


# ------------------------------------------------------------------ apps


def test_flask_openapi3_app_null_security_schemes_repaired() -> None:
    target = load_target(f"{APPS}:openapi3_app")
    assert (target.framework, target.interface) == ("flask-openapi3", "wsgi")
    assert "securitySchemes" not in target.document.get("components", {})
    assert validate_document(target.document) == []
    assert target.app is not None


def test_fastapi_app() -> None:
    target = load_target(f"{APPS}:fastapi_app")
    assert (target.framework, target.interface) == ("fastapi", "asgi")
    assert "/items/{item_id}" in target.document["paths"]
    assert validate_document(target.document) == []


def test_plain_flask_app_is_inferred_with_typed_path_parameters() -> None:
    target = load_target(f"{APPS}:plain_flask_app")
    assert target.framework == "flask" and target.inferred
    assert target.document["x-apiparity-inferred"] is True
    operations = target.document["paths"]["/users/{user_id}"]
    assert set(operations) == {"get", "put"}
    (parameter,) = operations["get"]["parameters"]
    assert parameter["schema"]["type"] == "integer"
    assert validate_document(target.document) == []


def test_dotted_module_and_factory() -> None:
    target = load_target("tests.apps.small_apps:create_app()")
    assert target.framework == "fastapi"


def test_app_dir(tmp_path: Path) -> None:
    target = load_target("small_apps:fastapi_app", app_dir=ROOT / "tests" / "apps")
    assert target.framework == "fastapi"


@pytest.mark.parametrize("attribute", ["raw_asgi_app", "raw_wsgi_app"])
def test_generic_apps_with_spec_path(attribute: str) -> None:
    target = load_target(f"{APPS}:{attribute}", spec_path="/spec.json")
    assert target.interface == attribute.split("_")[1]
    assert target.document["info"]["title"] == "raw"


def test_generic_app_without_spec_path_says_what_to_do() -> None:
    with pytest.raises(TargetError, match="--spec-path"):
        load_target(f"{APPS}:raw_asgi_app")


def test_same_file_name_in_two_folders_loads_two_apps(tmp_path: Path) -> None:
    for side, route in (("old", "/old"), ("new", "/new")):
        folder = tmp_path / side
        folder.mkdir()
        (folder / "routes.py").write_text(f"ROUTE = {route!r}\n")
        (folder / "app.py").write_text(
            "from fastapi import FastAPI\nfrom routes import ROUTE\napp = FastAPI()\n"
            "@app.get(ROUTE)\ndef handler():\n    return {}\n"
        )
    old = load_target(str(tmp_path / "old" / "app.py") + ":app")
    new = load_target(str(tmp_path / "new" / "app.py") + ":app")
    assert list(old.document["paths"]) == ["/old"]
    assert list(new.document["paths"]) == ["/new"]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no_such_module:app", "no module named 'no_such_module'"),
        (f"{APPS}:missing", "has no attribute 'missing'"),
        (f"{APPS}:not_an_app", "int object is not an app"),
        (f"{APPS}:failing_factory()", "the factory raised RuntimeError: database not configured"),
        ("tests/apps/broken_import.py:app", r"importing broken_import.py raised ImportError: cannot import name 'engine'.*\(line 1\)"),
        ("tests/apps/nope.py:app", "no such file"),
        ("just-a-word", "not a target"),
    ],
)
def test_app_loading_failures(ref: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        load_target(ref)


# ------------------------------------------------------------------ the spec command


def test_spec_command_prints_a_valid_document() -> None:
    result = run_cli("spec", f"{APPS}:fastapi_app")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["paths"]
    assert "valid" in result.stderr


def test_spec_command_yaml_output_file(tmp_path: Path) -> None:
    out = tmp_path / "doc.yaml"
    result = run_cli("spec", f"{APPS}:openapi3_app", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(out.read_text())["openapi"].startswith("3.")


def test_spec_command_invalid_document_lists_pointers(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    bad = dict(OPENAPI_30, info={"title": "t"})
    bad["paths"] = {"/a": {"get": {"responses": {"200": {"description": 5}}}}}
    path.write_text(json.dumps(bad))
    result = run_cli("spec", str(path))
    assert result.exit_code == 1
    assert "/info: 'version' is a required property" in result.stderr.replace('"', "'")
    assert "/paths/~1a/get/responses/200" in result.stderr


def test_spec_command_missing_file_is_one_line_exit_2() -> None:
    result = run_cli("spec", "missing.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["error: missing.yaml: no such file"]


def test_spec_plain_flask_says_inferred() -> None:
    result = run_cli("spec", f"{APPS}:plain_flask_app")
    assert result.exit_code == 0
    assert "inferred" in result.stderr


def test_spec_command_reads_relative_file_refs_in_the_documents_folder(tmp_path: Path) -> None:
    (tmp_path / "schemas.yaml").write_text("Item:\n  type: object\n  properties: {id: {type: integer}}\n")
    (tmp_path / "openapi.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: 'schemas.yaml#/Item'}\n"
    )
    result = run_cli("spec", str(tmp_path / "openapi.yaml"))
    assert result.exit_code == 0, result.stderr
    (tmp_path / "schemas.yaml").write_text("Other: {type: string}\n")
    result = run_cli("spec", str(tmp_path / "openapi.yaml"))
    assert result.exit_code == 1
    assert "schemas.yaml#/Item" in result.stderr
