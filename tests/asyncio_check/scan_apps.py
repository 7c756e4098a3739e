"""Small FastAPI apps for the static scan: each blocking pattern, and the correct ones next to it.

Lines that must be reported end with `# BLOCKING`; the tests find them by that marker.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
import time as clock
from time import sleep
from typing import Annotated

import anyio.to_thread
import requests
from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool

app = FastAPI()


# --- aliases resolve to the real name
@app.get("/alias-module")
async def alias_module() -> dict:
    clock.sleep(0.01)  # BLOCKING
    return {}


@app.get("/alias-function")
async def alias_function() -> dict:
    sleep(0.01)  # BLOCKING
    return {}


# --- a typed parameter, a method on a local instance, a user class's method
def open_db() -> sqlite3.Connection:
    return sqlite3.connect(":memory:")  # BLOCKING


async def get_connection() -> sqlite3.Connection:
    return open_db()


@app.get("/annotated")
async def annotated(conn: Annotated[sqlite3.Connection, Depends(get_connection)]) -> dict:
    conn.execute("select 1")  # BLOCKING
    return {}


class Repository:
    def __init__(self, name: str) -> None:
        self.name = name

    def load(self) -> str:
        return requests.get(f"http://127.0.0.1:9/{self.name}", timeout=0.1).text  # BLOCKING


@app.get("/method")
async def method() -> dict:
    repo = Repository("books")
    return {"text": repo.load()}


# --- async helper awaited: its body runs on the loop too
async def refresh_cache() -> None:
    subprocess.run(["true"], check=False)  # BLOCKING


@app.get("/awaited-helper")
async def awaited_helper() -> dict:
    await refresh_cache()
    return {}


# --- async generator dependency (runs on the loop) vs sync generator dependency (threadpool)
async def session_async():
    with open(__file__) as handle:  # BLOCKING
        yield handle.readline()


def session_sync():
    with open(__file__) as handle:
        yield handle.readline()


@app.get("/async-gen-dep")
async def async_gen_dep(line: str = Depends(session_async)) -> dict:
    return {"line": line}


@app.get("/sync-gen-dep")
async def sync_gen_dep(line: str = Depends(session_sync)) -> dict:
    return {"line": line}


# --- a callable instance with an async __call__ as a dependency
class RateLimiter:
    async def __call__(self) -> None:
        self.wait()

    def wait(self) -> None:
        time.sleep(0.01)  # BLOCKING


@app.get("/callable-dep", dependencies=[Depends(RateLimiter())])
async def callable_dep() -> dict:
    return {}


# --- correct code: nothing below may be reported
@app.get("/threadpool")
async def threadpool() -> dict:
    await run_in_threadpool(time.sleep, 0.01)
    await anyio.to_thread.run_sync(open_db)
    await asyncio.to_thread(lambda: time.sleep(0.01))
    return {}


@app.get("/sync-handler")
def sync_handler() -> dict:
    time.sleep(0.01)
    requests.get("http://127.0.0.1:9", timeout=0.1)
    return {}


def blocking_sync_dependency() -> int:
    time.sleep(0.01)
    return 1


@app.get("/sync-dependency")
async def sync_dependency(value: int = Depends(blocking_sync_dependency)) -> dict:
    return {"value": value}


@app.get("/async-sleep")
async def async_sleep() -> dict:
    await asyncio.sleep(0.01)
    return {}


def never_called_from_async() -> None:
    time.sleep(0.01)


@app.get("/defines-but-does-not-call")
async def defines_but_does_not_call() -> dict:
    def later() -> None:
        time.sleep(0.01)

    callback = never_called_from_async
    return {"later": later.__name__, "callback": callback.__name__}


def recursive(n: int) -> int:
    return recursive(n - 1) if n else 0


@app.get("/recursion")
async def recursion() -> dict:
    return {"n": recursive(3)}


# --- depth: a blocking call five levels down is beyond the default depth of 4
def level5() -> None:
    time.sleep(0.01)  # DEEP


def level4() -> None:
    level5()


def level3() -> None:
    level4()


def level2() -> None:
    level3()


def level1() -> None:
    level2()


@app.get("/deep")
async def deep() -> dict:
    level1()
    return {}


correct_app = FastAPI()


@correct_app.get("/a")
async def correct_a() -> dict:
    await asyncio.sleep(0)
    return {}


@correct_app.get("/b")
def correct_b() -> dict:
    time.sleep(0)
    return {}


# --- middleware and exception handlers run on the loop for every request / error
middleware_app = FastAPI()


@middleware_app.middleware("http")
async def audit(request, call_next):
    with open(__file__, "rb") as handle:  # MIDDLEWARE
        handle.read(1)
    return await call_next(request)


class TimingMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        started = time.perf_counter()
        await self.app(scope, receive, send)
        self.record(time.perf_counter() - started)

    def record(self, seconds: float) -> None:
        subprocess.run(["true"], check=False)  # MIDDLEWARE


middleware_app.add_middleware(TimingMiddleware)


@middleware_app.exception_handler(ValueError)
async def value_error(request, exc):
    time.sleep(0.01)  # MIDDLEWARE
    return None


@middleware_app.get("/ok")
async def ok() -> dict:
    return {}


# --- module-level objects: methods of a global instance resolve; properties are never run
class Settings:
    @property
    def token(self) -> str:
        raise AssertionError("the scan must not run properties")

    def fetch(self) -> str:
        return requests.get("http://127.0.0.1:9", timeout=0.1).text  # GLOBAL


settings = Settings()
shared_connection = sqlite3.connect(":memory:", check_same_thread=False)

globals_app = FastAPI()


@globals_app.get("/global-instance")
async def global_instance() -> dict:
    return {"text": settings.fetch(), "token": settings.token.upper()}


@globals_app.get("/global-connection")
async def global_connection() -> dict:
    shared_connection.execute("select 1")  # GLOBAL
    return {}
