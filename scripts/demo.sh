#!/usr/bin/env bash
# README's first command: set up apiparity in .venv and run the cutover check on the bundled
# bookstore migration (legacy Flask vs its faithful FastAPI port, then vs a regressed port).
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  . .venv/bin/activate
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q -e ".[examples]" || exit 2
mkdir -p reports
echo "== faithful port: expect READY (exit 0)"
apiparity check examples/bookstore/legacy_app.py:app examples/bookstore/modern_app.py:app \
  --reset-old examples/bookstore/legacy_app.py:reset --reset-new examples/bookstore/modern_app.py:reset \
  --seed 1 --html reports/bookstore-ready.html --json reports/bookstore-ready.json
ready=$?
echo "== regressed port: expect NOT READY (exit 1)"
apiparity check examples/bookstore/legacy_app.py:app examples/bookstore/regressed_app.py:app \
  --reset-old examples/bookstore/legacy_app.py:reset --reset-new examples/bookstore/regressed_app.py:reset \
  --seed 1 --html reports/bookstore-regressed.html --json reports/bookstore-regressed.json
regressed=$?
echo "faithful port: exit $ready (READY is 0); regressed port: exit $regressed (NOT READY is 1)"
echo "reports: reports/bookstore-ready.html reports/bookstore-regressed.html"
[ "$ready" -eq 0 ] && [ "$regressed" -eq 1 ]
