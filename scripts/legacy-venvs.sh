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
# The Flask 1.1 legacy side runs on the oldest Python the bootstrap supports (3.8) when this machine
# has one (pyenv's or on PATH), as a legacy service would: the bootstrap is then run, not just parsed, there.
OLDEST="${LEGACY_PYTHON:-}"
if [ -z "$OLDEST" ]; then
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.8*/bin/python3.8 python3.8; do
    # runs, not just found: pyenv's shim exists on PATH even where it refuses to run
    if "$candidate" -c 'import venv' >/dev/null 2>&1; then OLDEST="$(command -v "$candidate")"; break; fi
  done
fi
for name in legacy legacy-flask2 modern; do
  requirements="examples/legacy_stack/requirements-$name.txt"
  venv="$root/$name"
  python="$PYTHON"
  if [ "$name" = legacy ] && [ -n "$OLDEST" ]; then python="$OLDEST"; fi
  stamp="$venv/.requirements.sha256"
  # the venv's own path too: its scripts' shebangs are absolute, so a moved or copied venv is rebuilt
  want="$( (cat "$requirements"; "$python" -c 'import sys; print(sys.version)'; echo "$PWD/$venv") | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/python" -m pip install -q -r "$requirements" >&2
    echo "$want" > "$stamp"
  fi
  echo "$name=$PWD/$venv/bin/python"
done
