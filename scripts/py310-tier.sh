#!/usr/bin/env bash
# The fast tier on Python 3.10, the oldest Python `requires-python` allows, in its own virtualenv
# (.venv-py310/, rebuilt only when pyproject.toml changed). Skipped, with a line saying so, when no
# 3.10 interpreter runs here (pyenv's or on PATH). Used by scripts/test.sh; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY310="${PYTHON310:-}"
if [ -z "$PY310" ]; then
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 python3.10; do
    # runs, not just found: pyenv's shim exists on PATH even where it refuses to run
    if "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      PY310="$(command -v "$candidate")"; break
    fi
  done
fi
if [ -z "$PY310" ]; then
  echo "Python 3.10 tier skipped: no python3.10 found (pyenv or PATH); set PYTHON310=/path/to/python3.10"
  exit 0
fi
venv=.venv-py310
stamp="$venv/.pyproject.sha256"
want="$( (cat pyproject.toml; "$PY310" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  rm -rf "$venv"
  "$PY310" -m venv "$venv"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q -e ".[test]" >&2
  echo "$want" > "$stamp"
fi
echo "Python 3.10 tier ($("$venv/bin/python" -V)):"
# quick tests that reach what differs before 3.11 (tomllib, ExceptionGroup, typing): config and
# waivers files, the verdict and every renderer, short fuzz/check/diff runs with conformance checks
"$venv/bin/python" -m pytest -q -p no:cacheprovider -p no:xdist -m "not slow" \
  tests/unit tests/check/test_config_and_verdict.py tests/check/test_gate_status.py \
  tests/fuzz/test_settings_from_config.py tests/diff/test_cli.py tests/cli/test_papercuts.py tests/report/test_renderers.py "$@"
