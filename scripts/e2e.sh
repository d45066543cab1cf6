#!/usr/bin/env bash
# Starts the real proxy in demo mode on free loopback ports, serving the built dist/, and runs
# Playwright in Debian's Chromium against it. Besides the plain demo proxy (BASE_URL) it starts a
# few more, each with the simulator's fault flags or another setting a test needs:
#   FAST_URL      --demo-speed 40: tasks change stage within seconds (refresh in place)
#   FAILING_URL   every RDS call answered 500/503, no retries (error panel)
#   THROTTLED_URL every RDS call answered Throttling.User, no retries (plain-language errors)
#   FLAKY_URL     half the RDS calls fail, no retries, 1 ms cache: stale answers (stale badge)
#   PREFIX_URL    --base-path /migrations (the app under a base path)
# The fault tests (tests/e2e/tests/faults.spec.ts) start their own simulator and proxy per test
# (tests/e2e/tests/stack.ts) from PROXY_BIN and DIST_DIR, logging into the same directory.
# Stops every proxy it started, whatever happens.
# Expects the proxy's debug build and dist/ to be built (scripts/test.sh does both).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
bin=$(proxy_bin)
[ -x "$bin" ] || { echo "e2e: build the proxy first (cargo build -p migration-proxy)" >&2; exit 1; }
[ -f dist/index.html ] || { echo "e2e: build the app first (scripts/build-app.sh)" >&2; exit 1; }

logdir=$(mktemp -d -t migration-proxy-e2e.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# start VAR [extra serve flags...]: starts a demo proxy and sets VAR to its address.
start() {
  local var=$1
  shift
  local port
  port=$(free_port)
  # Each proxy its own history store (SQLite serves one proxy per directory).
  "$bin" serve --demo --listen "127.0.0.1:$port" --dist dist --audit-log off --data-dir "$logdir/$var-data" "$@" \
    >"$logdir/$var.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  printf -v "$var" '%s' "http://127.0.0.1:$port"
  wait_healthz "e2e ($var)" "http://127.0.0.1:$port" "$pid" "$logdir/$var.log" 150
}

start BASE_URL
start FAST_URL --demo-speed 40
start FAILING_URL --fault-5xx-rate 1 --retry-attempts 1
start THROTTLED_URL --fault-throttle-rate 1 --retry-attempts 1
start FLAKY_URL --fault-5xx-rate 0.5 --retry-attempts 1 --cache-ttl-ms 1 --fault-seed 7
start PREFIX_URL --base-path /migrations
PREFIX_URL="$PREFIX_URL/migrations"

export BASE_URL FAST_URL FAILING_URL THROTTLED_URL FLAKY_URL PREFIX_URL
export PROXY_BIN="$bin" DIST_DIR="$PWD/dist" E2E_LOG_DIR="$logdir"
export PROXY_LOG="$logdir/BASE_URL.log"
cd tests/e2e
status=0
npx --no-install playwright test "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "e2e: proxy logs follow" >&2
  tail -n 30 "$logdir"/*.log >&2
fi
# Every proxy's log joins the suite-wide secret scan (scripts/secret-scan.sh).
if [ -n "${MIGRATION_PROXY_TEST_TRANSCRIPTS:-}" ]; then
  cat "$logdir"/*.log >"$MIGRATION_PROXY_TEST_TRANSCRIPTS/e2e-proxy.log"
fi
rm -rf "$logdir"
exit "$status"
