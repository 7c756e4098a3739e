"""`apiparity.options.fuzz_settings`: the one loader of FuzzSettings for the commands (config table,
then command-line options) and the pytest plugin (config table, then ini keys and parity() keyword
arguments)."""

from __future__ import annotations

import dataclasses

import pytest

from apiparity.config import RawConfig, settings_from_raw
from apiparity.errors import ConfigError
from apiparity.fuzz.settings import FuzzSettings
from apiparity.options import _OFF_FLAGS, _OPTION_FIELDS, FuzzOptions, GateOptions, HistoryOptions, ReportPaths, fuzz_settings


def test_every_fuzz_setting_has_one_row() -> None:
    fields = {f.name for f in dataclasses.fields(FuzzSettings)} - {"app_dir"}
    assert set(_OPTION_FIELDS) | set(_OFF_FLAGS) == fields and not set(_OPTION_FIELDS) & set(_OFF_FLAGS)
    options = {f.name for f in dataclasses.fields(FuzzOptions)}
    assert {option for option, _ in _OPTION_FIELDS.values() if option} | set(_OFF_FLAGS.values()) <= options


def test_command_line_over_config_and_conversions() -> None:
    table = settings_from_raw(RawConfig(data={"fuzz": {"seed": 3, "max_examples": 7, "noise_calls": True, "phases": ["examples"]}})).fuzz
    settings = fuzz_settings(table, options=FuzzOptions(seed=9, header=("X-A: 1",), phases="examples, fuzzing",
                                                        equivalent_status=("400=422",), no_noise=True, probes="none"))
    assert (settings.seed, settings.max_examples) == (9, 7)
    assert settings.headers == {"X-A": "1"} and settings.phases == ("examples", "fuzzing")
    assert settings.equivalent_status == ((400, 422),) and settings.noise_calls is False and settings.probes == ()


def test_pytest_overrides_over_config_with_one_or_many_references() -> None:
    table = settings_from_raw(RawConfig(data={"fuzz": {"seed": 3, "equivalent_status": ["400=422"]}})).fuzz
    settings = fuzz_settings(table, overrides={"seed": 5, "reset": "app.py:reset", "include": ["GET"]}, app_dir="/tmp", source="parity()")
    assert settings.seed == 5 and settings.reset == ("app.py:reset",) and settings.include == ("GET",)
    assert settings.equivalent_status == ((400, 422),) and settings.app_dir == "/tmp"
    with pytest.raises(ConfigError, match=r"parity\(\): unknown fuzz setting 'sed'.*seed"):
        fuzz_settings(table, overrides={"sed": 1}, source="parity()")


def test_bad_values_name_where_they_come_from() -> None:
    with pytest.raises(ConfigError, match=r"--max-examples 0: give at least 1"):
        fuzz_settings({}, options=FuzzOptions(max_examples=0))
    with pytest.raises(ConfigError, match=r"\[fuzz\] max_examples = 0"):
        fuzz_settings({"max_examples": 0})
    with pytest.raises(ConfigError, match=r"\[fuzz\] unknown key 'sede'"):
        fuzz_settings({"sede": 1})


def test_option_groups_read_click_parameters() -> None:
    params = {"html_path": "r.html", "sarif_path": None, "min_operations_share": 0.5, "no_history": True,
              "history_label": "x", "include": ["GET"], "unrelated": 1}
    assert ReportPaths.from_mapping(params).given() == {"html": "r.html"}
    assert GateOptions.from_mapping(params) == GateOptions(min_operations_share=0.5)
    assert HistoryOptions.from_mapping(params) == HistoryOptions(no_history=True, history_label="x")
    assert FuzzOptions.from_mapping(params).given() == {"include": ("GET",)}
