#!/usr/bin/env bash
# `make screenshots`: builds the app and the proxy, starts the proxy in demo mode on a free
# loopback port, and saves a PNG of each page (light, dark, Indonesian, and 360 px wide) under
# docs/screenshots/ with Playwright in Debian's Chromium. Stops the proxy whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
scripts/build-app.sh
cargo build -p migration-proxy
mkdir -p docs/screenshots

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp -t migration-proxy-shots.XXXXXX.log)
target/debug/migration-proxy serve --demo --listen "127.0.0.1:$port" --dist dist --audit-log off >"$log" 2>&1 &
proxy_pid=$!
cleanup() {
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$proxy_pid" 2>/dev/null; then echo "screenshots: the proxy exited:" >&2; cat "$log" >&2; exit 1; fi
  sleep 0.1
done

export BASE_URL="http://127.0.0.1:$port"
export SHOTS_DIR="$PWD/docs/screenshots"
(cd tests/e2e && npx --no-install playwright test -c playwright.screenshots.config.ts)
echo "screenshots: $(ls docs/screenshots/*.png | wc -l) PNGs in docs/screenshots/"
