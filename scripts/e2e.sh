#!/usr/bin/env bash
# Starts the real proxy in demo mode on a free loopback port, serving the built dist/, and runs
# Playwright in Debian's Chromium against it. Stops the proxy whatever happens.
# Expects target/debug/migration-proxy and dist/ to be built (scripts/test.sh does both).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x target/debug/migration-proxy ] || { echo "e2e: build the proxy first (cargo build -p migration-proxy)" >&2; exit 1; }
[ -f dist/index.html ] || { echo "e2e: build the app first (scripts/build-app.sh)" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp -t migration-proxy-e2e.XXXXXX.log)
target/debug/migration-proxy serve --demo --listen "127.0.0.1:$port" --dist dist >"$log" 2>&1 &
proxy_pid=$!
cleanup() {
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  # For the suite-wide secret scan (scripts/secret-scan.sh).
  if [ -n "${MIGRATION_PROXY_TEST_TRANSCRIPTS:-}" ]; then cp "$log" "$MIGRATION_PROXY_TEST_TRANSCRIPTS/e2e-proxy.log"; fi
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$proxy_pid" 2>/dev/null; then echo "e2e: the proxy exited:" >&2; cat "$log" >&2; exit 1; fi
  sleep 0.1
done

export BASE_URL="http://127.0.0.1:$port"
export PROXY_LOG="$log"
cd tests/e2e
status=0
npx --no-install playwright test || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: proxy log follows" >&2
  tail -n 50 "$log" >&2
fi
exit "$status"
