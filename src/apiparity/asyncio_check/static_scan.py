"""Static scan: blocking calls reachable from the async handlers and dependencies of a FastAPI app.

FastAPI awaits `async def` endpoints and dependencies on the event loop and runs plain `def` ones in
its threadpool. So the scan starts at every *async* endpoint and every async dependency of every
route (sub-dependencies included), reads the function's source with `ast`, and follows the calls it
makes into user code (functions, classes and methods of the app's own package, resolved through the
function's globals, up to `max_depth` calls deep). A call that matches the catalog of known blocking
calls (`blocking_calls.py`) and is made without an `await` is a finding. Calls handed to a
threadpool (`run_in_threadpool(fn, ...)`, `asyncio.to_thread(fn, ...)`) never show up as calls of
`fn` in the AST, so they are not followed, which is the point; lambdas and nested functions are
followed only when they are called right there.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiparity.asyncio_check._code import default_roots, endpoint_routes, under_roots
from apiparity.asyncio_check.blocking_calls import FAMILIES, match_blocking_call, returns_type
from apiparity.model_sections import StaticBlockingCall

__all__ = ["StaticFinding", "ScanResult", "scan_app", "DEFAULT_MAX_DEPTH"]

DEFAULT_MAX_DEPTH = 4


@dataclass(slots=True)
class StaticFinding:
    """One blocking call reachable from an async handler or dependency of one operation."""

    operation: str  # "GET /orders/{order_id}"
    chain: list[str]  # ["list_orders (async handler)", "get_repo (async dependency)", "load", "read_rows"]
    file: str  # absolute path of the file with the blocking call
    line: int
    call: str  # source text of the call, shortened: "time.sleep(0.2)"
    resolved: str  # the qualified name that matched the catalog: "time.sleep"
    family: str  # catalog family: sleep, http, database, aws, subprocess, file, socket, wait
    fix_hint: str
    # further blocking calls in the same function on the same chain: ["37: connection.execute(...)"]
    also: list[str] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"

    def to_call(self) -> StaticBlockingCall:
        """The report's row of this finding (`Report.event_loop.static`)."""
        return StaticBlockingCall(operation=self.operation, chain=list(self.chain), file=self.file, line=self.line,
                                  call=self.call, resolved=self.resolved, family=self.family, fix_hint=self.fix_hint,
                                  also=list(self.also))

    def to_dict(self) -> dict[str, Any]:
        return self.to_call().to_dict()


@dataclass(slots=True)
class ScanResult:
    findings: list[StaticFinding] = field(default_factory=list)
    operations: int = 0  # operations (method + path) looked at
    async_entry_points: int = 0  # async endpoints and dependencies scanned
    max_depth: int = DEFAULT_MAX_DEPTH
    notes: list[str] = field(default_factory=list)  # what could not be read, and why

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "operations": self.operations,
            "async_entry_points": self.async_entry_points,
            "max_depth": self.max_depth,
            "notes": list(self.notes),
        }


def scan_app(app: Any, *, max_depth: int = DEFAULT_MAX_DEPTH, roots: list[Path] | None = None) -> ScanResult:
    """Scan every route of a FastAPI (or APIRouter-based Starlette) app.

    `roots` are the folders whose code counts as the user's (followed into); by default the folder
    (package root) of every endpoint's module.
    """
    routes = [(path, route) for path, route in endpoint_routes(app) if getattr(route, "dependant", None) is not None]
    if roots is None:
        roots = default_roots(route for _, route in routes)
    scanner = _Scanner(roots=roots, max_depth=max_depth)
    result = ScanResult(max_depth=max_depth)
    for path, route in routes:
        dependant = route.dependant
        operations = _operations(route, path)
        result.operations += len(operations)
        hits: list[_Hit] = []
        for chain, call in _async_entry_points(dependant, scanner):
            result.async_entry_points += 1
            hits.extend(_Hit(chain + hit.chain, *hit[1:]) for hit in scanner.scan_safely(call, entry=True))
        # One finding per function on a chain: its first blocking call, the others listed as `also`.
        grouped: dict[tuple[tuple[str, ...], str], list[_Hit]] = {}
        for hit in hits:
            same_place = grouped.setdefault((tuple(hit.chain), hit.file), [])
            if all((h.line, h.resolved) != (hit.line, hit.resolved) for h in same_place):
                same_place.append(hit)
        for group in grouped.values():
            group.sort(key=lambda h: h.line)
            for operation in operations:
                finding = _finding(operation, group[0])
                finding.also = [f"{h.line}: {h.call}" for h in group[1:]]
                result.findings.append(finding)
    # Middleware and exception handlers run on the loop too, for every request (or every error).
    for operation, chain, call, self_type in _app_wide_entry_points(app, scanner):
        result.async_entry_points += 1
        seen: set[tuple[int, str]] = set()
        for hit in scanner.scan_safely(call, entry=False, self_type=self_type):
            if (hit.line, hit.resolved) not in seen:
                seen.add((hit.line, hit.resolved))
                result.findings.append(_finding(operation, _Hit(chain + hit.chain, *hit[1:])))
    result.notes = sorted(set(scanner.notes))
    result.findings.sort(key=lambda f: (f.file, f.line, f.operation))
    return result


# ------------------------------------------------------------------------------ routes


def _operations(route: Any, path: str) -> list[str]:
    methods = sorted(getattr(route, "methods", None) or [])
    if not methods:
        return [f"WEBSOCKET {path}"]
    return [f"{method} {path}" for method in methods]


def _async_entry_points(
    dependant: Any, scanner: _Scanner, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[list[str], Callable[..., Any]]]:
    """(chain, callable) for every async callable FastAPI awaits on the loop for one route.

    The chain says how the request reaches the callable: ``["show (handler)", "get_repo (async
    dependency)"]``. Sub-dependencies come first, as FastAPI solves them before their dependant.
    """
    call = dependant.call
    name = _callable_name(call)
    is_endpoint = not prefix
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield from _async_entry_points(sub, scanner, (*prefix, f"{name} ({'handler' if is_endpoint else 'dependency'})"))
    target = _async_target(call) if call is not None else None
    if target is not None and scanner.is_user_code(target):
        yield [*prefix, f"{name} ({'async handler' if is_endpoint else 'async dependency'})"], target


def _app_wide_entry_points(app: Any, scanner: _Scanner) -> Iterator[tuple[str, list[str], Any, Any]]:
    """(operation label, chain, async callable, class of `self`) of user middleware and exception handlers."""
    for middleware in getattr(app, "user_middleware", None) or []:
        cls = getattr(middleware, "cls", None)
        kwargs = getattr(middleware, "kwargs", None) or {}
        dispatch = kwargs.get("dispatch")  # @app.middleware("http") functions
        if dispatch is not None:
            target = _async_target(dispatch)
            if target is not None and scanner.is_user_code(target):
                yield "(every request)", [f"{_callable_name(dispatch)} (async middleware)"], target, None
        if inspect.isclass(cls):
            for method in ("__call__", "dispatch"):
                func = cls.__dict__.get(method) or next((c.__dict__[method] for c in cls.__mro__ if method in c.__dict__), None)
                if func is not None and inspect.iscoroutinefunction(func) and scanner.is_user_code(func):
                    yield "(every request)", [f"{cls.__name__}.{method} (async middleware)"], func, cls
    for key, handler in (getattr(app, "exception_handlers", None) or {}).items():
        target = _async_target(handler)
        if target is not None and scanner.is_user_code(target):
            name = getattr(key, "__name__", str(key))
            yield f"(error handler: {name})", [f"{_callable_name(handler)} (async exception handler)"], target, None


def _async_target(call: Any) -> Any:
    """The function FastAPI awaits for `call` (a function, partial, or instance with async __call__), else None."""
    while isinstance(call, functools.partial):
        call = call.func
    if inspect.isclass(call):
        return None  # a class dependency is instantiated in the threadpool
    unwrapped = inspect.unwrap(call)
    if inspect.iscoroutinefunction(unwrapped) or inspect.isasyncgenfunction(unwrapped):
        return unwrapped
    dunder = getattr(call, "__call__", None)  # noqa: B004 - the method itself, not callability
    if dunder is not None and not inspect.isfunction(call):
        func = inspect.unwrap(getattr(dunder, "__func__", dunder))
        if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
            return dunder  # bound method: scanned with `self` typed as the instance's class
    return None


def _callable_name(call: Any) -> str:
    while isinstance(call, functools.partial):
        call = call.func
    name = getattr(call, "__name__", None)
    if name is None:
        name = type(call).__name__
    return name


# ------------------------------------------------------------------------------ the scanner


class _Hit(tuple):  # a NamedTuple-like record kept as a tuple so chains can be re-prefixed cheaply
    __slots__ = ()

    def __new__(cls, chain: list[str], file: str, line: int, call: str, resolved: str, family: str, hint_scope: str) -> _Hit:
        return tuple.__new__(cls, (chain, file, line, call, resolved, family, hint_scope))

    chain = property(lambda self: self[0])
    file = property(lambda self: self[1])
    line = property(lambda self: self[2])
    call = property(lambda self: self[3])
    resolved = property(lambda self: self[4])
    family = property(lambda self: self[5])
    # How to move the blocking part off the loop: "def:<name>" (the async entry point itself can
    # become `def`), "thread:<name>" (a sync helper called directly from async code), or "" .
    hint_scope = property(lambda self: self[6])


@dataclass(slots=True)
class _Unit:
    """One function body to scan: its AST node, globals, file, and what `self` is (for methods)."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    globals: dict[str, Any]
    file: str
    source: str
    name: str
    self_type: Any = None


class _Scanner:
    def __init__(self, *, roots: list[Path], max_depth: int) -> None:
        self.roots = list(roots)
        self.max_depth = max_depth
        self.notes: list[str] = []
        self._trees: dict[str, tuple[ast.Module, str] | None] = {}
        self._memo: dict[tuple[Any, ...], list[_Hit]] = {}
        self._active: set[tuple[Any, ...]] = set()

    # -- user code

    def is_user_code(self, func: Any) -> bool:
        code = getattr(_plain_function(func), "__code__", None)
        if code is None:
            return False
        return under_roots(code.co_filename, self.roots)

    # -- entry

    def scan(self, func: Any, *, entry: bool, self_type: Any = None) -> list[_Hit]:
        unit = self._unit_for(func, self_type=self_type)
        if unit is None:
            return []
        return self._scan_unit(unit, depth=0, entry=entry)

    def scan_safely(self, func: Any, *, entry: bool, self_type: Any = None) -> list[_Hit]:
        """`scan`, with an unexpected failure on odd user code turned into a note, not a crash."""
        try:
            return self.scan(func, entry=entry, self_type=self_type)
        except RecursionError:
            self.notes.append(f"{_callable_name(func)}: code nested too deeply to scan")
        except Exception as exc:  # noqa: BLE001
            self.notes.append(f"{_callable_name(func)}: not scanned ({type(exc).__name__}: {exc})")
        return []

    def _unit_for(self, func: Any, self_type: Any = None) -> _Unit | None:
        if isinstance(func, types.MethodType) and self_type is None:
            self_type = type(func.__self__) if not inspect.isclass(func.__self__) else None
        plain = _plain_function(func)
        code = getattr(plain, "__code__", None)
        if code is None:
            return None
        parsed = self._parse(code.co_filename)
        if parsed is None:
            return None
        tree, source = parsed
        node = _find_function_node(tree, code)
        if node is None:
            self.notes.append(f"{code.co_filename}:{code.co_firstlineno}: source of {code.co_name} not found")
            return None
        return _Unit(node=node, globals=plain.__globals__, file=code.co_filename, source=source, name=code.co_name, self_type=self_type)

    def _parse(self, filename: str) -> tuple[ast.Module, str] | None:
        if filename not in self._trees:
            try:
                source = Path(filename).read_text(encoding="utf-8")
                self._trees[filename] = (ast.parse(source, filename=filename), source)
            except (OSError, SyntaxError, ValueError) as exc:
                self.notes.append(f"{filename}: cannot read source ({type(exc).__name__})")
                self._trees[filename] = None
        return self._trees[filename]

    # -- one function body

    def _scan_unit(self, unit: _Unit, *, depth: int, entry: bool) -> list[_Hit]:
        key = (unit.file, unit.node.lineno, unit.node.col_offset, id(unit.self_type), depth, entry)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return []  # recursion: the first visit reports it
        self._active.add(key)
        try:
            hits = self._scan_body(unit, depth=depth, entry=entry)
        finally:
            self._active.discard(key)
        self._memo[key] = hits
        return hits

    def _scan_body(self, unit: _Unit, *, depth: int, entry: bool) -> list[_Hit]:
        scope = _Scope.build(unit)
        is_async = isinstance(unit.node, ast.AsyncFunctionDef)
        own_label = unit.name
        hits: list[_Hit] = []
        for call in _calls_in(unit.node):
            if id(call) in scope.awaited:
                resolved = scope.resolve_call(call.func)
                # An awaited call returns a coroutine: never a blocking call itself, but its body
                # runs on the loop, so follow it.
                hits.extend(self._follow(unit, resolved, depth=depth, scope=scope))
                continue
            resolved = scope.resolve_call(call.func)
            entry_match = match_blocking_call(resolved.names)
            if entry_match is not None:
                if entry and is_async:
                    hint_scope = f"def:{own_label}"
                elif not is_async:
                    hint_scope = f"thread:{own_label}"
                else:
                    hint_scope = ""
                matched = next((n for n in resolved.names if match_blocking_call([n]) is entry_match), resolved.names[0])
                hits.append(_Hit([], unit.file, call.lineno, _call_text(unit.source, call), matched, entry_match.family, hint_scope))
                continue
            hits.extend(self._follow(unit, resolved, depth=depth, scope=scope))
        return hits

    def _follow(self, unit: _Unit, resolved: _Resolved, *, depth: int, scope: _Scope) -> list[_Hit]:
        if depth >= self.max_depth:
            return []
        child: _Unit | None = None
        if resolved.local_node is not None:
            child = _Unit(node=resolved.local_node, globals=unit.globals, file=unit.file, source=unit.source,
                          name=getattr(resolved.local_node, "name", "<lambda>"), self_type=unit.self_type)
        elif resolved.target is not None and self.is_user_code(resolved.target):
            self_type = resolved.target if inspect.isclass(resolved.target) else resolved.self_type
            child = self._unit_for(resolved.target, self_type=self_type)
        if child is None:
            return []
        caller_is_async = isinstance(unit.node, ast.AsyncFunctionDef)
        results = []
        for hit in self._scan_unit(child, depth=depth + 1, entry=False):
            hint_scope = hit.hint_scope
            # The outermost sync helper called straight from async code is what to push to a thread.
            if caller_is_async and not isinstance(child.node, ast.AsyncFunctionDef):
                hint_scope = f"thread:{child.name}"
            results.append(_Hit([child.name, *hit.chain], hit.file, hit.line, hit.call, hit.resolved, hit.family, hint_scope))
        return results


# ------------------------------------------------------------------------------ name resolution


@dataclass(slots=True)
class _Resolved:
    names: list[str] = field(default_factory=list)  # qualified names for catalog matching
    target: Any = None  # the Python object called, when known (to follow into user code)
    self_type: Any = None  # the class of `self` when target is a method reached through an instance
    local_node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None = None


_UNKNOWN = object()


@dataclass(slots=True)
class _Scope:
    unit: _Unit
    types: dict[str, Any]  # local name -> class object, or a pseudo class name (str) from the catalog
    local_defs: dict[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda]
    locals: set[str]  # every name bound locally (parameters, assignments): never a global
    awaited: set[int]  # id() of Call nodes that are directly awaited

    @classmethod
    def build(cls, unit: _Unit) -> _Scope:
        scope = cls(unit=unit, types={}, local_defs={}, locals=set(), awaited=set())
        node = unit.node
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        for index, arg in enumerate([*positional, *args.kwonlyargs, *filter(None, [args.vararg, args.kwarg])]):
            scope.locals.add(arg.arg)
            if index == 0 and unit.self_type is not None and arg in positional:
                scope.types[arg.arg] = unit.self_type
            elif arg.annotation is not None:
                annotated = scope.annotation_type(arg.annotation)
                if annotated is not None:
                    scope.types[arg.arg] = annotated
        for child in _walk_scope(node):
            if isinstance(child, ast.Await) and isinstance(child.value, ast.Call):
                scope.awaited.add(id(child.value))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope.local_defs[child.name] = child
                scope.locals.add(child.name)
            elif isinstance(child, ast.Assign):
                value_type = scope.value_type(child.value)
                for target in child.targets:
                    if isinstance(target, ast.Name):
                        scope.locals.add(target.id)
                        if isinstance(child.value, ast.Lambda):
                            scope.local_defs[target.id] = child.value
                        elif value_type is not None:
                            scope.types[target.id] = value_type
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                scope.locals.add(child.target.id)
                annotated = scope.annotation_type(child.annotation)
                value_type = annotated or (scope.value_type(child.value) if child.value is not None else None)
                if value_type is not None:
                    scope.types[child.target.id] = value_type
            elif isinstance(child, (ast.With, ast.AsyncWith)):
                for item in child.items:
                    if isinstance(item.optional_vars, ast.Name):
                        scope.locals.add(item.optional_vars.id)
                        value_type = scope.value_type(item.context_expr)
                        if value_type is not None:
                            scope.types[item.optional_vars.id] = value_type
            elif isinstance(child, (ast.For, ast.AsyncFor)) and isinstance(child.target, ast.Name):
                scope.locals.add(child.target.id)
        return scope

    # -- objects behind expressions

    def lookup(self, name: str) -> Any:
        if name in self.locals:
            return _UNKNOWN
        if name in self.unit.globals:
            return self.unit.globals[name]
        return getattr(builtins, name, _UNKNOWN)

    def object_of(self, expr: ast.expr) -> Any:
        """The runtime object a Name/Attribute chain of globals evaluates to, without calling anything."""
        if isinstance(expr, ast.Name):
            return self.lookup(expr.id)
        if isinstance(expr, ast.Attribute):
            base = self.object_of(expr.value)
            if base is _UNKNOWN:
                return _UNKNOWN
            try:
                # Statically for everything but modules: reading an attribute must never run the
                # user's properties (they may do the very I/O we are looking for).
                return getattr(base, expr.attr) if inspect.ismodule(base) else inspect.getattr_static(base, expr.attr)
            except Exception:  # noqa: BLE001 - a module __getattr__ may raise anything; unknown is fine
                return _UNKNOWN
        return _UNKNOWN

    def annotation_type(self, annotation: ast.expr) -> Any:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        if isinstance(annotation, ast.Subscript):
            base = self.object_of(annotation.value)
            if getattr(base, "__name__", "") == "Annotated" or getattr(base, "_name", "") == "Annotated":
                first = annotation.slice.elts[0] if isinstance(annotation.slice, ast.Tuple) else annotation.slice
                return self.annotation_type(first)
            return None
        obj = self.object_of(annotation)
        return obj if inspect.isclass(obj) else None

    def value_type(self, expr: ast.expr) -> Any:
        """The class (or catalog pseudo class) of the value `expr` produces, when it can be told."""
        if isinstance(expr, ast.Await):
            return None
        if isinstance(expr, ast.Call):
            resolved = self.resolve_call(expr.func)
            pseudo = returns_type(resolved.names)
            if pseudo is not None:
                return pseudo
            if inspect.isclass(resolved.target):
                return resolved.target
            if resolved.target is not None:
                func = _plain_function(resolved.target)
                hints = getattr(func, "__annotations__", {}) or {}
                ret = hints.get("return")
                if inspect.isclass(ret):
                    return ret
            return None
        if isinstance(expr, ast.Name) and expr.id in self.types:
            return self.types[expr.id]
        obj = self.object_of(expr)
        if obj is _UNKNOWN or inspect.ismodule(obj) or inspect.isclass(obj) or callable(obj) and not hasattr(obj, "__dict__"):
            return None
        return type(obj) if obj is not None else None

    def resolve_call(self, func: ast.expr) -> _Resolved:
        if isinstance(func, ast.Name):
            if func.id in self.local_defs:
                return _Resolved(names=[func.id], local_node=self.local_defs[func.id])
            obj = self.lookup(func.id)
            if obj is _UNKNOWN:
                return _Resolved(names=[func.id])
            names = _object_names(obj)
            if obj is getattr(builtins, func.id, None) and func.id not in self.unit.globals:
                names.insert(0, f"builtins.{func.id}")
            return _Resolved(names=names or [func.id], target=obj)
        if isinstance(func, ast.Attribute):
            attr = func.attr
            base = func.value
            base_type = None
            if isinstance(base, ast.Name) and base.id in self.types:
                base_type = self.types[base.id]
            elif isinstance(base, ast.Call):
                base_type = self.value_type(base)
            if base_type is not None:
                names = _method_names(base_type, attr)
                target = None
                if inspect.isclass(base_type):
                    try:
                        target = inspect.getattr_static(base_type, attr)
                    except AttributeError:
                        target = None
                    if isinstance(target, (staticmethod, classmethod)):
                        target = target.__func__
                return _Resolved(names=names, target=target, self_type=base_type if inspect.isclass(base_type) else None)
            text = _dotted(func)
            base_obj = self.object_of(base)
            if base_obj is _UNKNOWN:
                return _Resolved(names=[text] if text else [attr])
            names = []
            if inspect.ismodule(base_obj):
                names.append(f"{base_obj.__name__}.{attr}")
            elif inspect.isclass(base_obj):
                names.append(f"{base_obj.__module__}.{base_obj.__qualname__}.{attr}")
            else:
                names.extend(_method_names(type(base_obj), attr))
            obj = self.object_of(func)
            if obj is not _UNKNOWN:
                names.extend(n for n in _object_names(obj) if n not in names)
            self_type = None
            if not inspect.ismodule(base_obj) and not inspect.isclass(base_obj):
                self_type = type(base_obj)
            if isinstance(obj, (staticmethod, classmethod)):
                obj = obj.__func__
            return _Resolved(names=names, target=None if obj is _UNKNOWN else obj, self_type=self_type)
        if isinstance(func, ast.Lambda):
            return _Resolved(names=["<lambda>"], local_node=func)
        return _Resolved(names=[])


def _object_names(obj: Any) -> list[str]:
    """Qualified names under which the catalog may know `obj`."""
    if inspect.ismodule(obj):
        return [obj.__name__]
    if isinstance(obj, types.MethodType) and not inspect.isclass(obj.__self__):
        return _method_names(type(obj.__self__), obj.__name__)
    if isinstance(obj, types.BuiltinMethodType) and getattr(obj, "__self__", None) is not None and not inspect.ismodule(obj.__self__):
        return _method_names(type(obj.__self__), obj.__name__)
    objclass = getattr(obj, "__objclass__", None)
    if objclass is not None:
        return [f"{objclass.__module__}.{objclass.__qualname__}.{getattr(obj, '__name__', '')}"]
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if module and qualname:
        return [f"{module}.{qualname}"]
    return []


def _method_names(owner: Any, attr: str) -> list[str]:
    if isinstance(owner, str):
        return [f"{owner}.{attr}"]
    names = []
    for cls in getattr(owner, "__mro__", (owner,)):
        if cls is object:
            continue
        names.append(f"{cls.__module__}.{cls.__qualname__}.{attr}")
    return names


def _dotted(expr: ast.expr) -> str:
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, ast.Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return ""


def _plain_function(func: Any) -> Any:
    while isinstance(func, functools.partial):
        func = func.func
    if isinstance(func, (staticmethod, classmethod)):
        func = func.__func__
    if isinstance(func, types.MethodType):
        func = func.__func__
    if inspect.isclass(func):
        # instantiating a class runs the first __init__ of its MRO
        func = next((cls.__dict__["__init__"] for cls in func.__mro__ if "__init__" in cls.__dict__), None)
    try:
        return inspect.unwrap(func) if func is not None else None
    except ValueError:
        return func


# ------------------------------------------------------------------------------ AST helpers


def _find_function_node(tree: ast.Module, code: types.CodeType) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if code.co_firstlineno in (first, node.lineno):
                return node
        elif isinstance(node, ast.Lambda) and code.co_name == "<lambda>" and node.lineno == code.co_firstlineno:
            return node
    return None


def _walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function body, not descending into nested functions, lambdas or classes (they
    run when called, which the scan follows separately), but yielding the nested defs themselves."""
    body = node.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else [node.body]  # type: ignore[list-item,attr-defined]
    stack: list[ast.AST] = list(reversed(body))  # defaults and decorators ran at definition time
    while stack:
        child = stack.pop()
        yield child
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(child))))


def _calls_in(node: ast.AST) -> Iterator[ast.Call]:
    for child in _walk_scope(node):
        if isinstance(child, ast.Call):
            yield child


def _call_text(source: str, call: ast.Call, limit: int = 70) -> str:
    text = ast.get_source_segment(source, call) or ast.unparse(call)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 4] + "...)"


# ------------------------------------------------------------------------------ findings


def _finding(operation: str, hit: _Hit) -> StaticFinding:
    return StaticFinding(
        operation=operation,
        chain=list(hit.chain),
        file=hit.file,
        line=hit.line,
        call=hit.call,
        resolved=hit.resolved,
        family=hit.family,
        fix_hint=_fix_hint(hit),
    )


def _fix_hint(hit: _Hit) -> str:
    what, instead = FAMILIES.get(hit.family, (hit.family, "move it off the event loop"))
    kind, _, name = hit.hint_scope.partition(":")
    if kind == "def":
        return f"{what} in async code: declare `{name}` with plain `def` so FastAPI runs it in its threadpool, or {instead}"
    if kind == "thread":
        return f"{what} called from async code: `await run_in_threadpool({name}, ...)` (or `anyio.to_thread.run_sync`), or {instead}"
    return f"{what} in async code: {instead}"
