#!/usr/bin/env bash
# The stub third-party service (200 ms per answer), loopback only.
set -euo pipefail
cd "$(dirname "$0")"
exec python -m uvicorn stub_service:app --host 127.0.0.1 --port "${STUB_PORT:-18300}" --log-level warning --no-access-log --backlog 4096
