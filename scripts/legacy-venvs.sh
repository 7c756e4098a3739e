#!/usr/bin/env bash
# Build the virtualenvs of examples/legacy_stack (one per app stack, nothing of apiparity in them),
# cached under .venv-legacy/: a venv is rebuilt only when its requirements file changed.
# Prints one "name=python" line per venv. Used by scripts/test.sh and tests/examples/test_legacy_stack.py.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
root=.venv-legacy
mkdir -p "$root"
exec 9>"$root/.lock" && flock 9  # one builder at a time (pytest workers may call this together)
for name in legacy legacy-flask2 modern; do
  requirements="examples/legacy_stack/requirements-$name.txt"
  venv="$root/$name"
  stamp="$venv/.requirements.sha256"
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    "$PYTHON" -m venv "$venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q -r "$requirements" >&2
    echo "$want" > "$stamp"
  fi
  echo "$name=$PWD/$venv/bin/python"
done
