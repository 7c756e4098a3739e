"""Every `[fuzz]` key of the config reaches FuzzSettings; command-line flags win over it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from apiparity.commands._fuzz_options import settings_from_options
from apiparity.config import RawConfig, settings_from_raw
from apiparity.errors import ConfigError
from apiparity.fuzz.settings import FuzzSettings
from tests.conftest import run_cli

# a value other than the default for every field a config may set (app_dir comes from the top level)
NON_DEFAULT = {
    "spec": "both", "phases": ["examples"], "mode": "all", "max_examples": 7, "seed": 42, "include": ["GET"],
    "exclude": ["/x"], "timeout": 3.5, "workers": 2, "headers": {"X-A": "1"}, "old_headers": {"X-O": "2"},
    "new_headers": {"X-N": "3"}, "old_url": "http://127.0.0.1:1", "new_url": "http://127.0.0.1:2",
    "old_base_path": "/o", "new_base_path": "/n", "reset": ["m:r"], "reset_old": ["m:o"], "reset_new": ["m:n"],
    "compare_headers": ["etag"], "ignore": ["$.a"], "unordered": ["$.b"], "equivalent_status": ["400=422"],
    "allow_unsafe": True, "redact": False, "noise_calls": False, "conformance": False, "max_body_chars": 10,
    "max_body_bytes": 1000, "examples_per_group": 2, "auto_reset": False, "contract": "c.yaml", "old_auth": "m:a",
    "new_auth": "m:b", "map_ids": False, "stateful_sequences": 1, "record_path": "cases.jsonl", "probes": ["head"],
    "no_probe": ["options"], "redact_names": ["x-secret"], "value_pool": False,
    "old_python": "/opt/legacy/bin/python", "new_python": "/opt/new/bin/python", "old_cmd": "gunicorn -b 127.0.0.1:{port} a:app",
    "new_cmd": "uvicorn --port {port} b:app", "allow_remote_refs": True,
}


def test_the_table_covers_every_field() -> None:
    assert set(NON_DEFAULT) == {f.name for f in dataclasses.fields(FuzzSettings)} - {"app_dir"}


def test_every_fuzz_key_of_the_config_is_read() -> None:
    project = settings_from_raw(RawConfig(data={"fuzz": NON_DEFAULT}))
    settings = settings_from_options(project.fuzz)
    defaults = FuzzSettings()
    for name in NON_DEFAULT:
        got = getattr(settings, name)
        assert got != getattr(defaults, name), name
    assert (settings.noise_calls, settings.conformance, settings.auto_reset, settings.redact, settings.map_ids) == (False,) * 5
    assert (settings.max_body_bytes, settings.max_body_chars, settings.examples_per_group) == (1000, 10, 2)
    assert settings.equivalent_status == ((400, 422),) and settings.phases == ("examples",)


def test_flags_on_the_command_line_win_and_the_default_stays_without_either() -> None:
    assert settings_from_options({"noise_calls": True}, no_noise=True).noise_calls is False
    assert settings_from_options({"conformance": True}, no_conformance=True).conformance is False
    assert settings_from_options({}).noise_calls is True
    assert settings_from_options({"noise-calls": False}).noise_calls is False  # dashed spelling, as TOML users write it


def test_a_flag_that_is_not_a_boolean_is_bad_input() -> None:
    with pytest.raises(ConfigError, match=r"\[fuzz\] noise_calls: expected true or false"):
        settings_from_options({"noise_calls": "no"})


def test_fuzz_command_reads_the_flags_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "apiparity.toml"
    config.write_text("[fuzz]\nnoise_calls = false\nconformance = false\nauto_reset = false\nmax_body_bytes = 4096\n")
    out = tmp_path / "r.json"
    app = "tests/apps/divergence_fastapi.py:app"  # has a module-level reset() that auto_reset would call
    result = run_cli("fuzz", app, app, "--config", str(config), "--phases", "examples", "--include", "GET",
                     "--format", "json", "-o", str(out))
    assert result.exit_code in (0, 1), result.stderr
    used = json.loads(out.read_text())["fuzz"]["settings"]
    assert (used["noise_calls"], used["conformance"], used["max_body_bytes"]) == (False, False, 4096)
    assert used["auto_reset"] == {} and "calling" not in result.stderr
    # and without the config, the reset() found next to the app is used (announced)
    (tmp_path / "empty.toml").write_text("")
    default = run_cli("fuzz", app, app, "--phases", "examples", "--include", "GET", "--format", "json", "-o", str(out),
                      "--config", str(tmp_path / "empty.toml"))
    assert "note: calling" in default.stderr
