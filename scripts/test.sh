#!/usr/bin/env bash
# README's test command: set up everything (venv, apiparity with its test extra, chromium, oasdiff, the
# legacy stack's own virtualenvs) and run the lint, the type check and the test suite (two workers), then the
# fast unit tier on Python 3.10 (scripts/py310-tier.sh; skipped with a line when no 3.10 is found). Extra
# arguments go to the main pytest run: `-m "not slow"` is the fast tier, `-n 0` runs in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  . .venv/bin/activate
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q -e ".[test]"
bash scripts/legacy-venvs.sh >/dev/null  # examples/legacy_stack's own virtualenvs (cached in .venv-legacy/)
python -m ruff check src tests benchmarks examples
python -m mypy src/apiparity  # [tool.mypy] in pyproject.toml: 0 errors
python -m pytest -q -p no:cacheprovider -n 2 "$@"
bash scripts/py310-tier.sh  # the fast tier again on Python 3.10 (requires-python's floor), when one is found
