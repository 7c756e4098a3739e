"""The catalog of calls known to block the thread that makes them, with how to fix each.

A call is matched by its *resolved* qualified name, never by the text the user wrote: `import time
as t; t.sleep(1)` and `from time import sleep; sleep(1)` both resolve to ``time.sleep``; a method
called on a value of a known class resolves to ``<module>.<Class>.<method>`` for every class in its
MRO (``sqlite3.Connection.execute``, ``requests.sessions.Session.get``). Patterns are `fnmatch`
globs over those names. Each entry belongs to a family whose fix hint says what to use instead.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

__all__ = ["BlockingCall", "FAMILIES", "CATALOG", "match_blocking_call", "returns_type"]


@dataclass(frozen=True, slots=True)
class BlockingCall:
    pattern: str  # fnmatch glob over a resolved qualified name
    family: str  # key of FAMILIES
    # For constructors and factories whose result is then used through methods the scan cannot
    # type on its own (``s3 = boto3.client("s3"); s3.get_object(...)``): the pseudo class name the
    # result gets, so those method calls match the ``<returns>.*`` entries.
    returns: str | None = None


# family -> (what it is, how to stop blocking the loop with it)
FAMILIES: dict[str, tuple[str, str]] = {
    "sleep": ("time.sleep", "use `await asyncio.sleep(...)` (or `await anyio.sleep(...)`)"),
    "http": (
        "synchronous HTTP client",
        "use an async client (`async with httpx.AsyncClient() as client: await client.get(...)`)",
    ),
    "database": (
        "synchronous database driver",
        "use an async driver (asyncpg, psycopg's AsyncConnection, aiomysql, aiosqlite, SQLAlchemy AsyncSession)",
    ),
    "aws": ("boto3/botocore (synchronous AWS SDK)", "use aioboto3/aiobotocore"),
    "subprocess": ("subprocess without asyncio", "use `await asyncio.create_subprocess_exec(...)`"),
    "file": ("blocking file I/O", "use `aiofiles` / `anyio.Path`, or read the file once at startup"),
    "socket": ("blocking socket / DNS call", "use `asyncio.open_connection` / `loop.getaddrinfo`"),
    "wait": ("blocking wait on a thread primitive", "await an asyncio primitive, or `await asyncio.to_thread(...)`"),
}

_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream")
_SQLA_SESSION_IO = ("execute", "scalar", "scalars", "query", "get", "commit", "flush", "refresh", "rollback", "merge", "connection")


def _entries() -> list[BlockingCall]:
    entries = [BlockingCall("time.sleep", "sleep")]
    # --- HTTP
    for verb in _HTTP_VERBS:
        entries += [
            BlockingCall(f"requests.{verb}", "http"),
            BlockingCall(f"requests.api.{verb}", "http"),
            BlockingCall(f"requests.sessions.Session.{verb}", "http"),
            BlockingCall(f"httpx.{verb}", "http"),
            BlockingCall(f"httpx._api.{verb}", "http"),
            BlockingCall(f"httpx._client.Client.{verb}", "http"),
            BlockingCall(f"urllib3.PoolManager.{verb}", "http"),
            BlockingCall(f"urllib3.poolmanager.PoolManager.{verb}", "http"),
            BlockingCall(f"urllib3._request_methods.RequestMethods.{verb}", "http"),
        ]
    entries += [
        BlockingCall("requests.Session.*", "http"),
        BlockingCall("httpx.Client.*", "http"),
        BlockingCall("urllib3.request", "http"),
        BlockingCall("urllib.request.urlopen", "http"),
        BlockingCall("urllib.request.urlretrieve", "http"),
        BlockingCall("urllib.request.OpenerDirector.open", "http"),
        BlockingCall("http.client.HTTPConnection.request", "http"),
        BlockingCall("http.client.HTTPConnection.getresponse", "http"),
        BlockingCall("http.client.HTTPConnection.connect", "http"),
        BlockingCall("http.client.HTTPResponse.read", "http"),
        BlockingCall("smtplib.SMTP", "http"),
        BlockingCall("smtplib.SMTP.*", "http"),
    ]
    # --- databases: connecting and every call on a connection/cursor does I/O
    for module, connect, classes in (
        ("sqlite3", "connect", ("sqlite3.Connection", "sqlite3.Cursor")),
        ("_sqlite3", "connect", ()),
        ("psycopg2", "connect", ("psycopg2.extensions.connection", "psycopg2.extensions.cursor")),
        ("psycopg", "connect", ("psycopg.Connection", "psycopg.Cursor", "psycopg.connection.Connection", "psycopg.cursor.Cursor")),
        ("pymysql", "connect", ("pymysql.connections.Connection", "pymysql.cursors.Cursor")),
        ("MySQLdb", "connect", ("MySQLdb.connections.Connection",)),
        ("mysql.connector", "connect", ()),
    ):
        entries.append(BlockingCall(f"{module}.{connect}", "database", returns=f"{module}.<connection>"))
        entries.append(BlockingCall(f"{module}.<connection>.*", "database"))
        entries += [BlockingCall(f"{cls}.*", "database") for cls in classes]
    # clients whose constructor does not connect, but every method call is a round trip
    for cls in ("pymongo.collection.Collection", "pymongo.database.Database", "redis.Redis", "redis.client.Redis"):
        entries.append(BlockingCall(f"{cls}.*", "database"))
    for cls in ("sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlalchemy.orm.scoping.scoped_session"):
        entries += [BlockingCall(f"{cls}.{method}", "database") for method in _SQLA_SESSION_IO]
    entries += [
        BlockingCall("sqlalchemy.engine.base.Engine.connect", "database"),
        BlockingCall("sqlalchemy.engine.base.Engine.begin", "database"),
        BlockingCall("sqlalchemy.engine.base.Connection.execute", "database"),
        BlockingCall("sqlalchemy.engine.base.Connection.commit", "database"),
    ]
    # --- AWS: creating a client loads service models from disk; every client call is HTTP
    entries += [
        BlockingCall("boto3.client", "aws", returns="botocore.client.BaseClient"),
        BlockingCall("boto3.resource", "aws", returns="boto3.resources.base.ServiceResource"),
        BlockingCall("boto3.session.Session.client", "aws", returns="botocore.client.BaseClient"),
        BlockingCall("boto3.session.Session.resource", "aws", returns="boto3.resources.base.ServiceResource"),
        BlockingCall("botocore.client.BaseClient.*", "aws"),
        BlockingCall("boto3.resources.base.ServiceResource.*", "aws"),
    ]
    # --- processes
    for name in ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput", "Popen"):
        entries.append(BlockingCall(f"subprocess.{name}", "subprocess"))
    entries += [
        BlockingCall("subprocess.Popen.wait", "subprocess"),
        BlockingCall("subprocess.Popen.communicate", "subprocess"),
        BlockingCall("os.system", "subprocess"),
        BlockingCall("os.popen", "subprocess"),
        BlockingCall("os.wait", "subprocess"),
        BlockingCall("os.waitpid", "subprocess"),
    ]
    # --- files
    entries += [
        BlockingCall("builtins.open", "file"),
        BlockingCall("io.open", "file"),
        BlockingCall("_io.open", "file"),
        BlockingCall("os.read", "file"),
        BlockingCall("os.write", "file"),
        BlockingCall("shutil.copy*", "file"),
        BlockingCall("shutil.move", "file"),
        BlockingCall("shutil.rmtree", "file"),
    ]
    for method in ("read_text", "read_bytes", "write_text", "write_bytes", "open"):
        entries.append(BlockingCall(f"pathlib.Path.{method}", "file"))
        entries.append(BlockingCall(f"pathlib.PosixPath.{method}", "file"))
    # --- sockets and waits
    entries += [
        BlockingCall("socket.create_connection", "socket"),
        BlockingCall("socket.getaddrinfo", "socket"),
        BlockingCall("socket.gethostbyname", "socket"),
        BlockingCall("socket.socket.connect", "socket"),
        BlockingCall("socket.socket.recv", "socket"),
        BlockingCall("socket.socket.accept", "socket"),
        BlockingCall("threading.Event.wait", "wait"),
        BlockingCall("threading.Thread.join", "wait"),
        BlockingCall("queue.Queue.get", "wait"),
        BlockingCall("concurrent.futures._base.Future.result", "wait"),
        BlockingCall("concurrent.futures.Future.result", "wait"),
    ]
    return entries


CATALOG: tuple[BlockingCall, ...] = tuple(_entries())
_EXACT: dict[str, BlockingCall] = {e.pattern: e for e in CATALOG if not any(ch in e.pattern for ch in "*?[")}
_GLOBS: tuple[BlockingCall, ...] = tuple(e for e in CATALOG if e.pattern not in _EXACT)


def match_blocking_call(names: list[str] | tuple[str, ...]) -> BlockingCall | None:
    """The catalog entry matching any of the qualified `names` a call resolved to, else None."""
    for name in names:
        entry = _EXACT.get(name)
        if entry is not None:
            return entry
    for name in names:
        for entry in _GLOBS:
            if fnmatch.fnmatchcase(name, entry.pattern):
                return entry
    return None


def returns_type(names: list[str] | tuple[str, ...]) -> str | None:
    """The pseudo class name a matched factory call returns (see `BlockingCall.returns`)."""
    entry = match_blocking_call(names)
    return entry.returns if entry is not None else None
