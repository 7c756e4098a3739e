#!/usr/bin/env bash
# Flask on gunicorn with 4 gevent workers: blocking calls yield to other requests.
set -euo pipefail
cd "$(dirname "$0")"
exec python -m gunicorn --workers 4 --worker-class gevent --worker-connections 1000 \
    --bind "127.0.0.1:${PORT:-18302}" --backlog 4096 --timeout 60 --log-level warning flask_app:app
