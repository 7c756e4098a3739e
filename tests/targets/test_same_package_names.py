"""Two apps with the same top-level package names (fresh24a item 5, the rawbeas flask-to-fastapi
pair: both have `config/` and `services/`): OLD's `config` stayed in sys.modules, so NEW's
`from config.db import check_connection` found OLD's `config.db` and failed. Each app's own
packages are dropped from sys.modules once it is loaded (it keeps its references), so NEW imports
its own; what two apps still cannot share in one interpreter is named with the way out."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

OLD_APP = '''
from flask import Flask, jsonify
from config.db import connect
from services.names import NAME
app = Flask(__name__)

@app.get("/health")
def health():
    return jsonify(db=connect(), name=NAME)
'''
NEW_APP = '''
from fastapi import FastAPI
from config.db import check_connection
from services.names import NAME
app = FastAPI()

@app.get("/health")
def health() -> dict:
    return {"db": check_connection(), "name": NAME}
'''


def _pair(tmp_path: Path, old_app: str = OLD_APP, new_app: str = NEW_APP) -> tuple[str, str]:
    for side, app, function in (("flask-app", old_app, "connect"), ("fastapi-app", new_app, "check_connection")):
        folder = tmp_path / side
        for package in ("config", "services"):
            (folder / package).mkdir(parents=True)
            (folder / package / "__init__.py").write_text("")
        (folder / "config" / "db.py").write_text(f"def {function}():\n    return 'ok'\n")
        (folder / "services" / "names.py").write_text(f"NAME = {side!r}\n")
        (folder / "app.py").write_text(app)
    return f"{tmp_path / 'flask-app' / 'app.py'}:app", f"{tmp_path / 'fastapi-app' / 'app.py'}:app"


def test_two_apps_with_the_same_package_names_load_side_by_side(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    result = run_cli("diff", old, new)
    assert result.exit_code == 0, result.stderr  # was exit 2: cannot import name 'check_connection' from 'config.db'
    fuzz = run_cli("fuzz", old, new, "--seed", "1", "--max-examples", "2", "--no-history", "--probes", "head")
    # each app answers with its own services.names: the body differs by the name only
    assert "cannot import" not in fuzz.stderr and "body $.name value changed" in fuzz.stdout, fuzz.stdout + fuzz.stderr


def test_a_clash_on_shared_global_state_names_the_way_out(tmp_path: Path) -> None:
    registering = "import builtins\nif getattr(builtins, '_apiparity_test_metric', False):\n" \
                  "    raise ValueError('Duplicated timeseries in CollectorRegistry')\nbuiltins._apiparity_test_metric = True\n"
    old, new = _pair(tmp_path, registering + OLD_APP, registering + NEW_APP)
    try:
        result = run_cli("diff", old, new)
    finally:
        import builtins

        vars(builtins).pop("_apiparity_test_metric", None)
    assert result.exit_code == 2
    assert "Duplicated timeseries" in result.stderr and "give --new-python PYTHON" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
