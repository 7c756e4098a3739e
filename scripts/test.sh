#!/usr/bin/env bash
# README's test command: set up everything (venv, apiparity with its test extra, chromium, oasdiff, the
# legacy stack's own virtualenvs) and run the lint, the type check and the test suite (two workers), then the
# fast unit tier on Python 3.10 (scripts/py310-tier.sh; skipped with a line when no 3.10 is found). Extra
# arguments go to the main pytest run: `-m "not slow"` is the fast tier, `-n 0` runs in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
# Bytecode is cached (__pycache__/, ignored by git) even where the environment says not to: otherwise
# every process the tests start compiles apiparity again, and pytest rewrites every test module's
# asserts again on each worker (~6 CPU s of the ~11 s each worker spends collecting).
unset PYTHONDONTWRITEBYTECODE
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
# worksteal: a worker that runs out takes half of the other's queue; the heaviest files come first on
# the workers (tests/cpu_weights.json, tests/conftest.py), so the run ends on short tests
python -m pytest -q -p no:cacheprovider -n 2 --dist worksteal "$@"
bash scripts/py310-tier.sh  # the fast tier again on Python 3.10 (requires-python's floor), when one is found
