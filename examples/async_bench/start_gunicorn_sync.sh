#!/usr/bin/env bash
# Flask on gunicorn with 4 sync workers: one request at a time per worker.
set -euo pipefail
cd "$(dirname "$0")"
exec python -m gunicorn --workers 4 --worker-class sync --bind "127.0.0.1:${PORT:-18301}" \
    --backlog 4096 --timeout 60 --log-level warning flask_app:app
