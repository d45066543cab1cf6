#!/usr/bin/env bash
# `make screenshots`: builds the app and the proxy, starts the proxy in demo mode on a free
# loopback port, and saves a PNG of each page (light, dark, Indonesian, and 360 px wide) under
# docs/screenshots/ with Playwright in Debian's Chromium. Stops the proxy whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
scripts/build-app.sh
cargo build -p migration-proxy
mkdir -p docs/screenshots

port=$(free_port)
log=$(mktemp -t migration-proxy-shots.XXXXXX.log)
data=$(mktemp -d -t migration-proxy-shots-data.XXXXXX)
"$(proxy_bin)" serve --demo --listen "127.0.0.1:$port" --dist dist --audit-log off --data-dir "$data" >"$log" 2>&1 &
proxy_pid=$!
cleanup() {
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  rm -f "$log"
  rm -rf "$data"
}
trap cleanup EXIT INT TERM

wait_healthz screenshots "http://127.0.0.1:$port" "$proxy_pid" "$log"

export BASE_URL="http://127.0.0.1:$port"
export SHOTS_DIR="$PWD/docs/screenshots"
(cd tests/e2e && npx --no-install playwright test -c playwright.screenshots.config.ts)
echo "screenshots: $(ls docs/screenshots/*.png | wc -l) PNGs in docs/screenshots/"
