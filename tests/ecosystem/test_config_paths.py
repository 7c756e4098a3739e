"""The config file's own paths resolve from its folder; unknown keys suggest the near miss; the
`init` template only names rule IDs that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apiparity.config import load_settings
from apiparity.errors import ConfigError


def test_targets_and_hooks_in_the_config_resolve_from_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "apiparity.toml").write_text(
        'old = "legacy/app.py:app"\nnew = "pkg.modern:app"\ncontract = "openapi.yaml"\nreset = "legacy/app.py:reset"\n'
    )
    sub = tmp_path / "services" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)  # run from a subfolder: the config is found upwards
    settings = load_settings()
    root = tmp_path.resolve()
    assert settings.old == f"{root / 'legacy' / 'app.py'}:app"
    assert settings.new == "pkg.modern:app"  # a module reference: imported from app_dir
    assert settings.contract == str(root / "openapi.yaml")
    assert settings.fuzz["reset"] == (f"{root / 'legacy' / 'app.py'}:reset",)
    # with app_dir, file targets and hooks are relative to it, and it to the config file
    (tmp_path / "apiparity.toml").write_text('old = "legacy/app.py:app"\napp_dir = "src"\nreset = "legacy/app.py:reset"\n')
    settings = load_settings()
    assert settings.app_dir == str(root / "src")
    assert settings.old == "legacy/app.py:app" and settings.fuzz["reset"] == ("legacy/app.py:reset",)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("max_exampels = 3\n", "did you mean 'max_examples'?"),
        ("[fuzz]\nmax-exampels = 3\n", "did you mean 'max_examples'?"),
        ("[gates]\nmax_new_5xxx = 1\n", "did you mean 'max_new_5xx'?"),
        ("[reports]\nhtlm = 'r.html'\n", "did you mean 'html'?"),
    ],
)
def test_unknown_keys_suggest_the_near_miss(tmp_path: Path, text: str, suggestion: str) -> None:
    config = tmp_path / "apiparity.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(suggestion)):
        load_settings(config)


def test_init_template_names_only_real_rule_ids() -> None:
    from apiparity.commands import init
    from apiparity.diff.registry import RULES

    source = Path(init.__file__).read_text(encoding="utf-8")
    named = re.findall(r'rule = \\?"([a-z0-9-]+)\\?"', source)
    assert named and all(rule in RULES for rule in named), named
