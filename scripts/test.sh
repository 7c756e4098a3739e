#!/usr/bin/env bash
# README's test command: set up everything (venv, apiparity with its test extra, chromium, oasdiff)
# and run the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  . .venv/bin/activate
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q -e ".[test]"
python -m pytest -q -p no:cacheprovider "$@"
