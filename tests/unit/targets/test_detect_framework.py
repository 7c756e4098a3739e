"""One framework detection for an app imported in apiparity's interpreter and one run by the
bootstrap in the app's own interpreter: both must answer the same for every kind of app."""

from __future__ import annotations

from typing import Any

import pytest

from apiparity.errors import TargetError
from apiparity.sides import bootstrap
from apiparity.targets.apps import detect_framework


class WsgiCallable:
    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b""]


class AsgiCallable:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


class SyncAsgiShape:  # a 3-argument sync callable is taken for ASGI (a wrapped ASGI app's __call__)
    def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


def wsgi_function(environ: Any, start_response: Any) -> list[bytes]:
    return []


async def asgi_function(scope: Any, receive: Any, send: Any) -> None:
    return None


def _flask() -> Any:
    import flask

    return flask.Flask("t")


def _fastapi() -> Any:
    import fastapi

    return fastapi.FastAPI()


def _starlette() -> Any:
    from starlette.applications import Starlette

    return Starlette()


@pytest.mark.parametrize(("make", "expected"), [
    (WsgiCallable, "wsgi"),
    (AsgiCallable, "asgi"),
    (SyncAsgiShape, "asgi"),
    (lambda: wsgi_function, "wsgi"),
    (lambda: asgi_function, "asgi"),
    (_flask, "flask"),
    (_fastapi, "fastapi"),
    (_starlette, "asgi"),
])
def test_both_interpreters_detect_the_same_framework(make: Any, expected: str) -> None:
    app = make()
    assert detect_framework(app) == expected
    assert bootstrap.detect_framework(app) == expected


@pytest.mark.parametrize("not_an_app", [42, "app", WsgiCallable])
def test_what_is_no_app_is_one_error_in_each_interpreter(not_an_app: Any) -> None:
    with pytest.raises(TargetError, match="is not an app"):
        detect_framework(not_an_app)
    with pytest.raises(bootstrap.BootstrapError, match="is not an app"):
        bootstrap.detect_framework(not_an_app)


def test_url_map_records_are_one_function() -> None:
    import flask

    from apiparity.targets.flask_infer import url_map_rules

    app = flask.Flask("t")

    @app.get("/items/<int(signed=True):item_id>")
    def item(item_id: int) -> str:
        """One item."""
        return ""

    records = {record["rule"]: record for record in url_map_rules(app)}
    assert records == {record["rule"]: record for record in bootstrap.url_map_rules(app)}
    assert records["/items/<int(signed=True):item_id>"]["converters"]["item_id"]["signed"] is True
    assert records["/items/<int(signed=True):item_id>"]["summary"] == "One item."
