#!/usr/bin/env bash
# FastAPI on uvicorn with 4 worker processes.
set -euo pipefail
cd "$(dirname "$0")"
exec python -m uvicorn fastapi_app:app --workers 4 --host 127.0.0.1 --port "${PORT:-18303}" \
    --log-level warning --no-access-log --backlog 4096
