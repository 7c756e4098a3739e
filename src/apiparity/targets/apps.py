"""App targets: import `module:attr` the way uvicorn/gunicorn do, detect the framework, and get
the document from the app itself."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from apiparity.errors import SpecError, TargetError
from apiparity.targets.documents import as_openapi3, conversion_notes, parse_document
from apiparity.targets.model import Framework, Target


def load_app_target(
    ref: str,
    *,
    module: str,
    attribute: str,
    call: bool,
    app_dir: Path | None = None,
    spec_path: str | None = None,
) -> Target:
    """Import the app named by `ref` and build its Target."""
    # Whatever the app prints while it is imported or builds its document goes to stderr: stdout
    # carries our output (`apiparity spec app:app > openapi.json` must stay a clean document).
    with contextlib.redirect_stdout(sys.stderr):
        obj = import_object(ref, module=module, attribute=attribute, app_dir=app_dir)
        if call:
            if not callable(obj):
                raise TargetError(f"{ref}: {attribute} is a {type(obj).__name__}, not a factory function")
            try:
                obj = obj()
            except SystemExit as exc:
                raise TargetError(f"{ref}: the factory called sys.exit({exc.code})") from None
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - the user's factory failed; say so in one line
                raise TargetError(f"{ref}: the factory raised {type(exc).__name__}: {_first_line(exc)}") from None
        return target_from_app(ref, obj, spec_path=spec_path)


def import_object(ref: str, *, module: str, attribute: str, app_dir: Path | None = None) -> Any:
    """Import `module` (a dotted name or a .py path) and return `attribute` (dotted) from it."""
    with _on_sys_path(app_dir or Path.cwd()):
        if module.endswith(".py") or "/" in module or "\\" in module:
            loaded = _import_file(ref, Path(module) if app_dir is None else app_dir / module)
        else:
            loaded = _import_module(ref, module)
    obj: Any = loaded
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise TargetError(f"{ref}: module {module!r} has no attribute {attribute!r}") from None
    return obj


def _import_module(ref: str, name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise TargetError(f"{ref}: no module named {name!r} (use --app-dir to add its folder)") from None
        raise TargetError(f"{ref}: importing {name!r} failed: {_first_line(exc)}") from None
    except SystemExit as exc:
        raise TargetError(f"{ref}: importing {name!r} called sys.exit({exc.code})") from None
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the user's module failed to import
        raise TargetError(f"{ref}: importing {name!r} raised {type(exc).__name__}: {_first_line(exc)}") from None


def _import_file(ref: str, path: Path) -> Any:
    path = path.resolve()
    if not path.is_file():
        raise TargetError(f"{ref}: no such file {path}")
    # A unique module name per file, so `old/app.py` and `new/app.py` can both be loaded; sibling
    # modules the file imports are dropped from sys.modules afterwards for the same reason (the
    # app keeps its references to them).
    unique = f"_apiparity_app_{path.stem}_{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
    if unique in sys.modules:
        return sys.modules[unique]
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"{ref}: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    before = set(sys.modules)
    sys.modules[unique] = module
    folder = path.parent
    try:
        with _on_sys_path(folder):
            spec.loader.exec_module(module)
    except SystemExit as exc:
        sys.modules.pop(unique, None)
        raise TargetError(f"{ref}: importing {path.name} called sys.exit({exc.code})") from None
    except KeyboardInterrupt:
        sys.modules.pop(unique, None)
        raise
    except BaseException as exc:  # noqa: BLE001 - includes BaseException subclasses apps define
        sys.modules.pop(unique, None)
        where = _user_frame(exc, path)
        raise TargetError(f"{ref}: importing {path.name} raised {type(exc).__name__}: {_first_line(exc)}{where}"
                          f"{_shared_interpreter_hint(unique)}") from None
    for name in set(sys.modules) - before - {unique}:
        if _is_local(name, getattr(sys.modules[name], "__file__", None), folder):
            del sys.modules[name]
    return module


def _shared_interpreter_hint(unique: str) -> str:
    """When another app file is already loaded in this interpreter: the two may clash on global state
    (a metrics registry, a package of the same name imported lazily), so say how to keep them apart."""
    others = [name for name in sys.modules if name.startswith("_apiparity_app_") and name != unique]
    return ("; another app is loaded in this interpreter: give --new-python PYTHON (or --old-python) to load "
            "this one in its own") if others else ""


def _is_local(name: str, mod_file: str | None, folder: Path) -> bool:
    """Module `name` is the app folder's own: a sibling file (`folder/models.py`) or in a package
    of the folder (`folder/config/db.py` as `config.db`). Dropped from sys.modules after the app
    loaded, so that OLD's `config` package is not the one NEW's `from config.db import ...` finds
    when both apps have one (the rawbeas flask-to-fastapi pair). Installed packages are kept, a
    virtualenv inside the folder included: the module's top-level name must be the folder entry."""
    if not mod_file:
        return False
    try:
        parts = Path(mod_file).resolve().relative_to(folder).parts
    except ValueError:
        return False
    top = name.split(".", 1)[0]
    return len(parts) == 1 or (len(parts) > 1 and parts[0] == top)


@contextlib.contextmanager
def _on_sys_path(folder: Path) -> Iterator[None]:
    entry = str(folder.resolve())
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(entry)


def target_from_app(ref: str, app: Any, *, spec_path: str | None = None) -> Target:
    """Detect the framework of `app` and get its document."""
    try:
        framework = detect_framework(app)
    except TargetError as exc:
        raise TargetError(f"{ref}: {exc}") from None
    if framework == "flask-openapi3" and not spec_path:
        return Target(ref=ref, kind="app", framework=framework, document=flask_openapi3_document(ref, app), app=app)
    if framework == "fastapi" and not spec_path:
        try:
            document = app.openapi()
        except Exception as exc:  # noqa: BLE001
            raise TargetError(f"{ref}: FastAPI could not build its document: {type(exc).__name__}: {_first_line(exc)}") from None
        return Target(ref=ref, kind="app", framework=framework, document=_plain(document), app=app)
    if framework == "flask" and not spec_path:
        served = served_spec_path(app)
        if served:  # flask-restx, flasgger, apispec...: the app's own document beats a skeleton
            try:
                document = fetch_document_in_process(ref, app, framework, served)
            except (TargetError, SpecError) as exc:
                fallback = f"GET {served} gave no usable document ({exc}); "
            else:
                return Target(ref=ref, kind="app", framework="flask", document=document, app=app,
                              notes=[f"plain Flask app: the document it serves at {served}", *conversion_notes(document)])
        else:
            fallback = ""
        from apiparity.targets.flask_infer import infer_flask_document

        document = infer_flask_document(app)
        return Target(
            ref=ref,
            kind="app",
            framework="flask",
            document=document,
            app=app,
            inferred=True,
            notes=[f"plain Flask app: {fallback}document inferred from url_map (paths, methods, typed path parameters)"],
        )
    if not spec_path:
        raise TargetError(
            f"{ref}: an {framework.upper()} app that apiparity cannot read a document from; "
            "pass --spec-path /openapi.json (where the app serves it) or --contract FILE"
        )
    document = fetch_document_in_process(ref, app, framework, spec_path)
    return Target(ref=ref, kind="app", framework=framework, document=document, app=app,  # type: ignore[arg-type]
                  notes=conversion_notes(document))


# Where Flask extensions serve their document: flask-restx, flasgger, apispec/flask-smorest, by hand.
SERVED_SPEC_NAMES = ("swagger.json", "openapi.json", "openapi.yaml", "apispec_1.json", "apispec.json")


def served_spec_path(app: Any) -> str | None:
    """The url_map rule of a plain Flask app that serves its OpenAPI/Swagger document, if any."""
    try:
        rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
    except Exception:  # noqa: BLE001 - a broken url_map: inference will say what is wrong
        return None
    for rule in rules:
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.rule.rsplit("/", 1)[-1] in SERVED_SPEC_NAMES:
            return rule.rule
    return None


def detect_framework(app: Any) -> Framework:
    """flask-openapi3, flask, fastapi, asgi or wsgi; TargetError for what is no app at all. The same
    detection as an app in its own interpreter gets (apiparity.sides.bootstrap, stdlib only)."""
    from apiparity.sides.bootstrap import BootstrapError
    from apiparity.sides.bootstrap import detect_framework as detect

    try:
        return cast(Framework, detect(app))
    except BootstrapError as exc:
        raise TargetError(str(exc)) from None


def flask_openapi3_document(ref: str, app: Any) -> dict[str, Any]:
    try:
        document = _plain(app.api_doc)
    except Exception as exc:  # noqa: BLE001
        raise TargetError(f"{ref}: flask-openapi3 could not build its document: {type(exc).__name__}: {_first_line(exc)}") from None
    return repair_flask_openapi3_document(document)


def repair_flask_openapi3_document(document: dict[str, Any]) -> dict[str, Any]:
    """flask-openapi3's document made valid (also for one extracted in another interpreter)."""
    components = document.get("components")
    # flask-openapi3 emits `securitySchemes: null` when none are configured: an invalid document.
    if isinstance(components, dict) and components.get("securitySchemes", {}) is None:
        del components["securitySchemes"]
    return document


def fetch_document_in_process(ref: str, app: Any, interface: str, spec_path: str) -> dict[str, Any]:
    """GET `spec_path` from the app without a server (WSGI via werkzeug, ASGI via httpx)."""
    if interface in ("flask", "flask-openapi3", "wsgi"):
        from werkzeug.test import Client

        try:
            response = Client(app).get(spec_path)
        except Exception as exc:  # noqa: BLE001
            raise TargetError(f"{ref}: GET {spec_path} raised {type(exc).__name__}: {_first_line(exc)}") from None
        status, text = response.status_code, response.get_data(as_text=True)
    else:
        import asyncio

        import httpx

        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
                return await client.get(spec_path)

        try:
            async_response = asyncio.run(fetch())
        except Exception as exc:  # noqa: BLE001
            raise TargetError(f"{ref}: GET {spec_path} raised {type(exc).__name__}: {_first_line(exc)}") from None
        status, text = async_response.status_code, async_response.text
    if status != 200:
        raise TargetError(f"{ref}: GET {spec_path} answered HTTP {status}, expected 200 with an OpenAPI document")
    return as_openapi3(parse_document(text, source=f"{ref} {spec_path}"), f"{ref} {spec_path}")


def _plain(document: Any) -> dict[str, Any]:
    """A deep copy made of plain JSON types, so later edits never touch the framework's cache."""
    import json

    return json.loads(json.dumps(document, default=str))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _user_frame(exc: BaseException, path: Path) -> str:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" (line {line})" if line else ""
