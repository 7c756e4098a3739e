"""The routing plan and its proxy configs: exactly the ready routes to NEW, checked by the proxies
themselves where they are installed (`nginx -t`, and a real NGINX routing real requests)."""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from apiparity.errors import ConfigError
from apiparity.history.extract import run_record
from apiparity.history.readiness import operation_readiness, snapshots
from apiparity.plan import envoy, nginx, traefik
from apiparity.plan.build import build_plan
from apiparity.plan.model import RoutingPlan, Side, Upstream, parse_upstream
from tests.history.factory import report

NGINX = shutil.which("nginx")
ENVOY = shutil.which("envoy")
OPERATIONS = ("GET /books", "POST /books", "GET /books/search", "GET /books/{book_id}", "PUT /books/{book_id}",
              "GET /authors", "GET /authors/{author_id}", "GET /authors/{author_id}/books", "GET /files/{name}.json",
              "GET /health", "GET /weird path")
BLOCKED = {"PUT /books/{book_id}", "GET /books"}
# a concrete request for each route, and the side it must reach
EXPECTED = {"/books": "old", "/books/search": "new", "/books/7": "old", "/authors": "new", "/authors/3": "new",
            "/authors/3/books": "new", "/files/report.json": "new", "/health": "new", "/metrics": "old", "/": "old",
            "/books/7/extra": "old", "/authors/3/books/9": "old"}


def make_plan(old: Upstream | None = None, new: Upstream | None = None, *, unexercised: tuple[str, ...] = ()) -> RoutingPlan:
    rep = report(operations=OPERATIONS, groups=[(op, "status 200 != 422") for op in sorted(BLOCKED)], unexercised=unexercised)
    record = run_record(rep)
    record.id = 1
    readiness = operation_readiness(snapshots([record]))
    return build_plan(readiness, old=old or parse_upstream("http://127.0.0.1:5000", "--old-url"),
                      new=new or parse_upstream("http://127.0.0.1:8000", "--new-url"), source="test run #1")


def test_ready_routes_go_to_new_and_blocked_ones_name_their_causes() -> None:
    plan = make_plan()
    sides = {route.path: route.side for route in plan.routes}
    assert {path for path, side in sides.items() if side is Side.NEW} == {
        "/books/search", "/authors", "/authors/{author_id}", "/authors/{author_id}/books", "/files/{name}.json", "/health"}
    books = next(r for r in plan.routes if r.path == "/books/{book_id}")
    assert books.side is Side.OLD and books.not_ready == ["PUT /books/{book_id}"]
    assert books.blockers == ["PUT /books/{book_id}: status 200 != 422"]
    weird = next(r for r in plan.routes if r.path == "/weird path")
    assert weird.side is Side.OLD and "cannot be written safely" in weird.blockers[0]
    assert plan.ready_prefixes == ["/authors", "/books/search", "/files", "/health"]


def test_an_operation_that_was_not_exercised_is_never_routed_to_new() -> None:
    plan = make_plan(unexercised=("GET /authors/{author_id}/books",))
    route = next(r for r in plan.routes if r.path == "/authors/{author_id}/books")
    assert route.side is Side.OLD and "not exercised" in route.blockers[0]


def test_urls_with_a_path_or_no_host_are_refused() -> None:
    with pytest.raises(ConfigError, match="has a path"):
        parse_upstream("http://127.0.0.1:8000/api", "--new-url")
    with pytest.raises(ConfigError, match="not an http"):
        parse_upstream("127.0.0.1:8000", "--new-url")


# ------------------------------------------------------------------ what each proxy would do, simulated


def nginx_side(config: str, path: str) -> str:
    """NGINX's matching: an exact `location =` wins, else the first regex in order, else `location /`."""
    exact = dict(re.findall(r'location = "([^"]+)" \{\s+proxy_pass \w+://apiparity_(\w+);', config))
    if path in exact:
        return exact[path]
    stops = re.findall(r'location \^~ "([^"]+)" \{\s+proxy_pass \w+://apiparity_(\w+);', config)
    longest = max((p for p in stops if path.startswith(p[0])), key=lambda p: len(p[0]), default=None)
    if longest is not None:
        return longest[1]
    for regex, side in re.findall(r'location ~ "([^"]+)" \{\s+proxy_pass \w+://apiparity_(\w+);', config):
        if re.search(regex, path):
            return side
    return re.findall(r"location / \{\s+proxy_pass \w+://apiparity_(\w+);", config)[0]


def envoy_side(config: dict, path: str) -> str:
    (manager,) = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"]
    for route in manager["typed_config"]["route_config"]["virtual_hosts"][0]["routes"]:
        match = route["match"]
        if ("path" in match and match["path"] == path) or ("safe_regex" in match and re.fullmatch(match["safe_regex"]["regex"], path)) \
                or ("prefix" in match and path.startswith(match["prefix"])):
            return route["route"]["cluster"].removeprefix("apiparity_")
    raise AssertionError(f"no route for {path}")


def traefik_side(config: dict, path: str) -> str:
    routers = sorted(config["http"]["routers"].values(), key=lambda r: -r["priority"])
    for router in routers:
        for rule in router["rule"].split(" || "):
            kind, value = re.fullmatch(r"(\w+)\(`(.*)`\)", rule).groups()
            if (kind == "Path" and value == path) or (kind == "PathRegexp" and re.search(value, path)) \
                    or (kind == "PathPrefix" and path.startswith(value)):
                return router["service"].removeprefix("apiparity-")
    raise AssertionError(f"no router for {path}")


def test_each_format_sends_each_request_where_the_plan_says() -> None:
    plan = make_plan()
    nginx_conf = nginx.render(plan)
    envoy_conf = yaml.safe_load(envoy.render(plan))  # a YAML round trip
    traefik_conf = yaml.safe_load(traefik.render(plan))
    for path, side in EXPECTED.items():
        assert nginx_side(nginx_conf, path) == side, f"nginx: {path}"
        assert envoy_side(envoy_conf, path) == side, f"envoy: {path}"
        assert traefik_side(traefik_conf, path) == side, f"traefik: {path}"
    assert set(traefik_conf["http"]["services"]) == {"apiparity-old", "apiparity-new"}
    assert traefik_conf["http"]["services"]["apiparity-new"]["loadBalancer"]["servers"] == [{"url": "http://127.0.0.1:8000"}]
    clusters = {c["name"]: c for c in envoy_conf["static_resources"]["clusters"]}
    endpoint = clusters["apiparity_old"]["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    assert endpoint["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": 5000}


def test_prefix_rules_send_a_whole_ready_prefix_and_only_it() -> None:
    plan = make_plan()
    plan.use_prefixes = True
    assert plan.prefix_rules == ["/authors", "/books/search", "/files", "/health"]
    assert {r.path for r in plan.rules()} == {"/books", "/books/{book_id}", "/weird path"}
    nginx_conf = nginx.render(plan)
    assert 'location ^~ "/authors/" {' in nginx_conf and "^/authors/[^/]+$" not in nginx_conf
    envoy_conf = yaml.safe_load(envoy.render(plan))
    traefik_conf = yaml.safe_load(traefik.render(plan))
    # undocumented paths under a ready prefix go to NEW too (that is what --prefixes means)
    expected = {**EXPECTED, "/authors/3/books/9": "new", "/health/live": "new"}
    for path, side in expected.items():
        assert nginx_side(nginx_conf, path) == side, f"nginx: {path}"
        assert envoy_side(envoy_conf, path) == side, f"envoy: {path}"
        assert traefik_side(traefik_conf, path) == side, f"traefik: {path}"


@pytest.mark.skipif(ENVOY is None, reason="envoy is not installed (the YAML round trip above still runs)")
def test_envoy_validates_its_config(tmp_path: Path) -> None:
    config = tmp_path / "envoy.yaml"
    config.write_text(envoy.render(make_plan()))
    result = subprocess.run([str(ENVOY), "--mode", "validate", "-c", str(config)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


# ------------------------------------------------------------------------------------------ real NGINX


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_main_config(tmp_path: Path, include: Path) -> Path:
    (tmp_path / "logs").mkdir(exist_ok=True)
    main = tmp_path / "nginx.conf"
    main.write_text(f"user root;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\nevents {{ worker_connections 64; }}\n"
                    f"http {{\n    access_log off;\n    include {include};\n}}\n")
    return main


def nginx_test(tmp_path: Path, include: Path) -> subprocess.CompletedProcess[str]:
    main = nginx_main_config(tmp_path, include)
    return subprocess.run([str(NGINX), "-t", "-p", str(tmp_path), "-e", "stderr", "-c", str(main)],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/install-test-deps.sh installs it)")
@pytest.mark.parametrize("prefixes", [False, True])
def test_nginx_accepts_the_config(tmp_path: Path, prefixes: bool) -> None:
    plan = make_plan()
    plan.use_prefixes = prefixes
    conf = tmp_path / "apiparity.conf"
    conf.write_text(nginx.render(plan, listen=free_port()))
    result = nginx_test(tmp_path, conf)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


class _Backend(http.server.BaseHTTPRequestHandler):
    side = "?"

    def do_GET(self) -> None:
        body = self.side.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def backend(side: str) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = type(f"{side}Backend", (_Backend,), {"side": side})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


@pytest.fixture
def running_nginx(tmp_path: Path) -> Iterator[int]:
    old, old_port = backend("old")
    new, new_port = backend("new")
    listen = free_port()
    plan = make_plan(parse_upstream(f"http://127.0.0.1:{old_port}", "--old-url"), parse_upstream(f"http://127.0.0.1:{new_port}", "--new-url"))
    conf = tmp_path / "apiparity.conf"
    conf.write_text(nginx.render(plan, listen=listen))
    main = nginx_main_config(tmp_path, conf)
    process = subprocess.Popen([str(NGINX), "-p", str(tmp_path), "-e", "stderr", "-c", str(main), "-g", "daemon off;"],
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not start: {process.stderr.read() if process.stderr else ''}") from None
                time.sleep(0.1)
        yield listen
    finally:
        process.terminate()
        process.wait(timeout=30)
        old.shutdown()
        new.shutdown()


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/install-test-deps.sh installs it)")
def test_a_real_nginx_sends_each_request_where_the_plan_says(running_nginx: int) -> None:
    for path, side in EXPECTED.items():
        with urllib.request.urlopen(f"http://127.0.0.1:{running_nginx}{path}?page=2", timeout=30) as answer:
            assert answer.read().decode() == side, path
            assert answer.headers["X-Apiparity-Side"] == side
