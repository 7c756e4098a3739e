"""apiparity's bootstrap: run by apiparity in ANOTHER Python interpreter (the app's own virtualenv),
where nothing of apiparity is installed. Standard library only, Python 3.8+ syntax.

    python bootstrap.py --ref legacy_app.py:app [--app-dir DIR] [--no-serve]

It imports the app (`pkg.module:app`, `path/to/file.py:app`, `pkg.module:create_app()`), detects the
framework by class name, extracts what apiparity needs to build the document (flask-openapi3's
api_doc, FastAPI's app.openapi(), a plain Flask app's served document route or its url_map rules),
serves the app on an ephemeral 127.0.0.1 port (werkzeug or uvicorn when installed here, else the
standard library's wsgiref), and reports on its protocol channel, one JSON object per line:

    {"event": "ready", "port": 41234, "framework": "flask", "extracted": {...}, "reset": true, ...}
    {"event": "error", "message": "..."}                      (then exit 3)

Then it reads commands on stdin, one per line: `reset` (calls the module's reset(); answers
{"event": "reset", "ok": true} or {"ok": false, "error": ...}) and `stop`. End of stdin (apiparity
stopped or died) stops it too: it never outlives apiparity. The protocol channel is the original
stdout; whatever the app prints goes to stderr (apiparity's log file for this side).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import json
import os
import re
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

PROTOCOL_VERSION = 1
_REF = re.compile(r"^(?P<module>[^:]+):(?P<attr>[A-Za-z_][\w.]*)(?P<call>\(\))?$")
SERVED_SPEC_NAMES = ("swagger.json", "openapi.json", "openapi.yaml", "apispec_1.json", "apispec.json")


class BootstrapError(Exception):
    """Reported to apiparity as {"event": "error"} and exit 3."""


class Channel:
    """The protocol: JSON lines on the original stdout (fd 1 is pointed at stderr for the app)."""

    def __init__(self) -> None:
        self._out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._lock = threading.Lock()

    def send(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._out.write(json.dumps(event, default=str) + "\n")
            self._out.flush()


# ------------------------------------------------------------------------------------ importing


def import_app(ref: str, app_dir: str) -> tuple[Any, Any]:
    """(the app object, the module it came from); the same rules as apiparity.targets.apps."""
    match = _REF.match(ref.strip())
    if match is None:
        raise BootstrapError(f"{ref}: expected module:attribute (pkg.module:app, path/to/file.py:app, pkg.module:create_app())")
    module_name, attribute, call = match.group("module"), match.group("attr"), bool(match.group("call"))
    app_dir = os.path.abspath(app_dir)
    if app_dir not in sys.path:
        sys.path.insert(0, app_dir)
    if module_name.endswith(".py") or "/" in module_name or "\\" in module_name:
        module = _import_file(ref, os.path.join(app_dir, module_name))
    else:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                raise BootstrapError(f"{ref}: no module named {module_name!r} in {app_dir} (interpreter {sys.executable})") from None
            raise BootstrapError(f"{ref}: importing {module_name!r} failed: {_first_line(exc)}") from None
        except SystemExit as exc:
            raise BootstrapError(f"{ref}: importing {module_name!r} called sys.exit({exc.code})") from None
        except BaseException as exc:  # noqa: BLE001 - the user's module failed to import
            raise BootstrapError(f"{ref}: importing {module_name!r} raised {type(exc).__name__}: {_first_line(exc)}") from None
    obj = module
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise BootstrapError(f"{ref}: module {module_name!r} has no attribute {attribute!r}") from None
    if call:
        if not callable(obj):
            raise BootstrapError(f"{ref}: {attribute} is a {type(obj).__name__}, not a factory function")
        try:
            obj = obj()
        except SystemExit as exc:
            raise BootstrapError(f"{ref}: the factory called sys.exit({exc.code})") from None
        except BaseException as exc:  # noqa: BLE001
            raise BootstrapError(f"{ref}: the factory raised {type(exc).__name__}: {_first_line(exc)}") from None
    return obj, module


def _import_file(ref: str, path: str) -> Any:
    path = os.path.realpath(path)
    if not os.path.isfile(path):
        raise BootstrapError(f"{ref}: no such file {path}")
    stem = os.path.splitext(os.path.basename(path))[0]
    unique = f"_apiparity_app_{stem}_{hashlib.sha1(path.encode()).hexdigest()[:8]}"
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise BootstrapError(f"{ref}: cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except SystemExit as exc:
        raise BootstrapError(f"{ref}: importing {os.path.basename(path)} called sys.exit({exc.code})") from None
    except BaseException as exc:  # noqa: BLE001 - includes BaseException subclasses apps define
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if os.path.realpath(tb.tb_frame.f_code.co_filename) == path:
                line = tb.tb_lineno
            tb = tb.tb_next
        where = f" (line {line})" if line else ""
        raise BootstrapError(f"{ref}: importing {os.path.basename(path)} raised {type(exc).__name__}: {_first_line(exc)}{where}") from None
    return module


# ------------------------------------------------------------------------------------ the document


def detect_framework(app: Any) -> str:
    """flask-openapi3, flask, fastapi, asgi or wsgi, by class name; BootstrapError for what is no app.
    apiparity.targets.apps uses this same function for an app imported in apiparity's interpreter."""
    for cls in type(app).__mro__:
        qualified = f"{cls.__module__}.{cls.__qualname__}"
        if qualified.startswith("flask_openapi3.") and cls.__name__ == "OpenAPI":
            return "flask-openapi3"
        if qualified == "fastapi.applications.FastAPI":
            return "fastapi"
        if qualified == "flask.app.Flask":
            return "flask"
        if qualified == "starlette.applications.Starlette":
            return "asgi"
    if inspect.isclass(app) or not callable(app):
        raise BootstrapError(f"{type(app).__name__} object is not an app (expected a Flask, FastAPI, ASGI or WSGI application)")
    # the bound __call__: a WSGI class's (self, environ, start_response) must not count `self`
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else app.__call__
    if inspect.iscoroutinefunction(call):
        return "asgi"
    try:
        params = [p for p in inspect.signature(call).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return "asgi" if len(params) == 3 else "wsgi"


def extract(ref: str, app: Any, framework: str, spec_path: str | None) -> dict[str, Any]:
    """What apiparity builds the document from: {"kind": "document", "document": {...}} (the
    framework's own), {"kind": "served", "path": "/swagger.json"} (fetched from the running server),
    {"kind": "url_map", "rules": [...]} (plain Flask: apiparity infers the skeleton), or
    {"kind": "none"} (an ASGI/WSGI app without --spec-path)."""
    if spec_path:
        return {"kind": "served", "path": spec_path}
    if framework == "flask-openapi3":
        try:
            return {"kind": "document", "document": _plain(app.api_doc)}
        except Exception as exc:  # noqa: BLE001
            raise BootstrapError(f"{ref}: flask-openapi3 could not build its document: {type(exc).__name__}: {_first_line(exc)}") from None
    if framework == "fastapi":
        try:
            return {"kind": "document", "document": _plain(app.openapi())}
        except Exception as exc:  # noqa: BLE001
            raise BootstrapError(f"{ref}: FastAPI could not build its document: {type(exc).__name__}: {_first_line(exc)}") from None
    if framework == "flask":
        rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
        for rule in rules:
            if "GET" in (rule.methods or ()) and not rule.arguments and rule.rule.rsplit("/", 1)[-1] in SERVED_SPEC_NAMES:
                return {"kind": "served", "path": rule.rule, "rules": url_map_rules(app)}
        return {"kind": "url_map", "rules": url_map_rules(app), "name": str(app.name)}
    return {"kind": "none"}


def url_map_rules(app: Any) -> list[dict[str, Any]]:
    """The url_map as plain JSON records: what the Flask skeleton is inferred from
    (apiparity.targets.flask_infer uses this same function for an app in apiparity's interpreter)."""
    records = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        doc = (view.__doc__ or "").strip() if view is not None else ""
        records.append({
            "rule": rule.rule,
            "endpoint": rule.endpoint,
            "methods": sorted(rule.methods or ()),
            "converters": {
                name: {"kind": type(converter).__name__, "signed": bool(getattr(converter, "signed", False)),
                       "min": getattr(converter, "min", None), "max": getattr(converter, "max", None),
                       "regex": str(getattr(converter, "regex", ""))}
                for name, converter in rule._converters.items()  # noqa: SLF001 - werkzeug exposes no public view
            },
            "summary": doc.splitlines()[0] if doc else None,
        })
    return records


def _plain(document: Any) -> Any:
    return json.loads(json.dumps(document, default=str))


# ------------------------------------------------------------------------------------ serving


def free_socket(host: str) -> socket.socket:
    # proto given explicitly: asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP,
    # and without it every keep-alive answer (headers, then body) waits ~40 ms for a delayed ACK
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


def _version(name: str) -> str:
    try:
        from importlib import metadata  # Python 3.8+

        return f"{name} {metadata.version(name)}"
    except Exception:  # noqa: BLE001
        return name


def make_wsgi_server(app: Any, host: str) -> tuple[int, str, Callable[[], None], Callable[[], None]]:
    """(port, server name, serve_forever, shutdown): werkzeug's threaded server, else wsgiref's."""
    server: Any
    try:
        from werkzeug.serving import make_server  # type: ignore[import-not-found]

        server = make_server(host, 0, app, threaded=True)
        name = _version("werkzeug")
    except ImportError:
        import socketserver
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
        from wsgiref.simple_server import make_server as wsgiref_server

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                sys.stderr.write(f"{self.address_string()} - {format % args}\n")

        class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
            daemon_threads = True

        server = wsgiref_server(host, 0, app, server_class=ThreadingWSGIServer, handler_class=QuietHandler)
        name = "wsgiref (standard library)"
    return server.server_port, name, server.serve_forever, server.shutdown


def make_asgi_server(app: Any, host: str) -> tuple[int, str, Callable[[], None], Callable[[], None]]:
    try:
        import uvicorn  # type: ignore[import-not-found]
    except ImportError:
        raise BootstrapError(f"an ASGI app needs an ASGI server in its interpreter ({sys.executable}): pip install uvicorn there") from None
    sock = free_socket(host)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="auto", access_log=False)
    server = uvicorn.Server(config)
    setattr(server, "install_signal_handlers", lambda: None)  # uvicorn < 0.29: apiparity stops us, not a signal  # noqa: B010

    def serve() -> None:
        server.run(sockets=[sock])

    def shutdown() -> None:
        server.should_exit = True

    return port, _version("uvicorn"), serve, shutdown


# ------------------------------------------------------------------------------------ main


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _reset_function(module: Any) -> Callable[[], Any] | None:
    hook = getattr(module, "reset", None)
    return hook if callable(hook) and not inspect.isclass(hook) else None


def control_loop(channel: Channel, reset: Callable[[], Any] | None, shutdown: Callable[[], None]) -> None:
    """Commands from apiparity on stdin; EOF or `stop` ends the process."""
    for line in sys.stdin:
        command = line.strip()
        if command == "reset":
            if reset is None:
                channel.send({"event": "reset", "ok": False, "error": "the app's module has no reset()"})
                continue
            try:
                reset()
            except Exception as exc:  # noqa: BLE001 - reported to apiparity, which names it in the run
                channel.send({"event": "reset", "ok": False, "error": f"{type(exc).__name__}: {_first_line(exc)}"})
            else:
                channel.send({"event": "reset", "ok": True})
        elif command == "stop":
            break
    try:
        shutdown()
    finally:
        sys.stderr.flush()
        os._exit(0)


def parse_args(argv: list[str]) -> dict[str, Any]:
    import argparse

    parser = argparse.ArgumentParser(prog="apiparity-bootstrap")
    parser.add_argument("--ref", required=True)
    parser.add_argument("--app-dir", default=os.getcwd())
    parser.add_argument("--spec-path", default=None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-serve", action="store_true", help="extract the document and exit")
    return vars(parser.parse_args(argv))


def main(argv: list[str]) -> int:
    # this script's own folder is not the app's: never import from it
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    args = parse_args(argv)
    channel = Channel()
    try:
        app, module = import_app(args["ref"], args["app_dir"])
        framework = detect_framework(app)
        extracted = extract(args["ref"], app, framework, args["spec_path"])
        reset = _reset_function(module)
        info: dict[str, Any] = {
            "event": "ready", "protocol": PROTOCOL_VERSION, "framework": framework, "extracted": extracted,
            "reset": reset is not None, "python": sys.version.split()[0], "executable": sys.executable, "pid": os.getpid(),
        }
        if args["no_serve"]:
            channel.send(info)
            return 0
        if framework in ("fastapi", "asgi"):
            port, server_name, serve, shutdown = make_asgi_server(app, args["host"])
        else:
            port, server_name, serve, shutdown = make_wsgi_server(app, args["host"])
    except BootstrapError as exc:
        channel.send({"event": "error", "message": str(exc)})
        return 3
    except BaseException as exc:  # noqa: BLE001 - anything else: one line to apiparity, the traceback to the log
        traceback.print_exc()
        channel.send({"event": "error", "message": "{}: {}: {}".format(args["ref"], type(exc).__name__, _first_line(exc))})
        return 3
    info.update(port=port, server=server_name)
    threading.Thread(target=control_loop, args=(channel, reset, shutdown), name="apiparity-control", daemon=True).start()
    if framework in ("fastapi", "asgi"):
        # uvicorn answers once its socket is served; the ready line goes out when it is started
        def announce() -> None:
            import time

            while True:
                try:
                    with socket.create_connection((args["host"], port), timeout=1.0):
                        break
                except OSError:
                    time.sleep(0.02)
            channel.send(info)

        threading.Thread(target=announce, name="apiparity-announce", daemon=True).start()
    else:
        channel.send(info)  # the listening socket is bound: connections queue until serve_forever runs
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
