#!/usr/bin/env bash
# System packages the tests use: Debian's chromium (HTML report tests), nginx (`apiparity plan`'s
# config checked by `nginx -t` and a real nginx routing requests) and the oasdiff peer (npm).
# Idempotent; skips what is already there. Never fails the run for an optional tool.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "warning: could not install chromium; browser tests will be skipped" >&2
fi
if ! command -v nginx >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
    || echo "warning: could not install nginx; nginx plan tests will be skipped" >&2
fi
if command -v npm >/dev/null 2>&1 && [ ! -x node_modules/.bin/oasdiff ] && [ -f package.json ]; then
  npm install --no-audit --no-fund --silent >/dev/null 2>&1 || echo "warning: could not install oasdiff (npm)" >&2
fi
exit 0
