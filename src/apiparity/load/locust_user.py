"""The Locust user that replays a load mix.

This module imports only the standard library and Locust on purpose: `apiparity load
--write-locustfile` copies its source verbatim into a self-contained locustfile, so a run that
outgrows one machine uses the exact same user under Locust's own master/worker mode, on machines
where apiparity is not installed. Importing it monkey-patches the process (gevent, via Locust):
only the load worker subprocess and locustfiles import it, never the apiparity CLI process.
"""

from __future__ import annotations

import itertools
import time
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser


class ParityUser(FastHttpUser):
    """Sends the mix in order, shared by all users of the process: user A takes request 0, user B
    request 1, ... so every side receives the same prefix of the same list. Subclasses set
    `requests` (dicts: method, path, operation, query, headers, body) and optionally `max_requests`."""

    abstract = True
    wait_time = constant(0)  # closed-loop load: a user sends its next request as soon as one returns
    requests: list[dict[str, Any]] = []
    max_requests: int | None = None
    network_timeout = 30.0
    connection_timeout = 10.0
    # One counter per process for all users: itertools.count is atomic under gevent (no yield inside).
    cursor = itertools.count()

    @task
    def send_next(self) -> None:
        index = next(type(self).cursor)
        if self.max_requests is not None and index >= self.max_requests:
            raise StopUser()
        request = self.requests[index % len(self.requests)]
        url = request["path"]
        if request.get("query"):
            url += "?" + urlencode([(k, v) for k, v in request["query"]])
        kwargs: dict[str, Any] = {
            "name": request["operation"],
            "headers": request.get("headers") or None,
            "catch_response": True,
            # Redirects are measured, never followed: traffic goes only to the host under test.
            "allow_redirects": False,
        }
        body = request.get("body")
        if isinstance(body, str):
            kwargs["data"] = body
        elif body is not None:
            kwargs["json"] = body
        started = time.perf_counter()
        # network_timeout bounds each read; this bounds the whole exchange, so a server that
        # drip-feeds its headers or body is an error at the timeout, never an answer left uncounted
        deadline = gevent.Timeout(self.network_timeout)
        try:
            with deadline, self.client.request(request["method"], url, **kwargs) as response:
                # 4xx answers to generated or recorded requests are legitimate results, compared like
                # any other; only server errors and transport failures count as errors.
                if not deadline.pending:  # Locust caught the deadline itself: headers or body cut short
                    self.client.client.close()  # the half-read connection is never reused
                    response.failure(f"no complete answer within {self.network_timeout:g} s")
                elif response.status_code == 0:
                    response.failure(f"transport error: {response.error!r}")
                elif response.status_code >= 500:
                    response.failure(f"HTTP {response.status_code}")
                else:
                    response.success()
        except gevent.Timeout as expired:  # the same, where Locust let it through
            if expired is not deadline:
                raise
            self.client.client.close()  # the half-read connection is never reused
            self.environment.events.request.fire(
                request_type=request["method"], name=request["operation"], response=None, context={}, response_length=0,
                response_time=(time.perf_counter() - started) * 1000,
                exception=TimeoutError(f"no complete answer within {self.network_timeout:g} s"),
            )
