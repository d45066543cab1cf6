#!/usr/bin/env bash
# Alibaba Cloud's official SDKs judge the RDS simulator: tests/sdk/sdk_test.py (PyPI SDKs) and
# tests/sdk/sdk_test.js (npm SDKs) call every implemented action in both signature styles, STS
# AssumeRole, and check errors and throttling. Starts two simulators on free loopback ports (one
# clean, one with --fault-throttle-rate 1) and always stops them. The SDKs are installed by
# scripts/setup.sh (step 7).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

echo "== official Alibaba Cloud SDKs against the RDS simulator"
venv=tests/sdk/.venv
if [ ! -x "$venv/bin/python" ] || [ ! -d tests/sdk/node_modules/@alicloud/rds20140815 ]; then
  echo "sdk-test: the SDKs are not installed; run scripts/setup.sh (or make setup) first" >&2
  exit 1
fi

bin=$(proxy_bin)
# Cheap when up to date; a stale binary would test old code.
cargo build -q -p migration-proxy

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Starts a simulator on a free loopback port (chosen by the OS, read from its first line) and
# sets $addr to its host:port. Not run in a subshell, so that cleanup knows its pid.
start_sim() {
  local name=$1
  shift
  "$bin" simulate --listen 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  local pid=$!
  pids+=("$pid")
  addr=""
  for _ in $(seq 300); do
    addr=$(sed -n 's|^RDS simulator listening on http://\([0-9.:]*\)/.*|\1|p' "$tmp/$name.out")
    [ -n "$addr" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$addr" ]; then
    echo "sdk-test: the $name simulator did not start:" >&2
    cat "$tmp/$name.err" >&2
    exit 1
  fi
}

# The simulator's defaults (demo credentials, seed 1, no faults): ignore any
# MIGRATION_PROXY_SIM_* variable set for other runs.
for var in $(compgen -e | grep '^MIGRATION_PROXY_SIM_' || true); do
  unset "$var"
done
start_sim clean
clean=$addr
start_sim throttled --fault-throttle-rate 1
throttled=$addr
echo "sdk-test: simulators on $clean and $throttled (throttling)"

# Loopback only: no proxy in between, and no credentials from the environment.
export NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy
unset ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET ALIBABA_CLOUD_SECURITY_TOKEN

status=0
echo "== official Python SDKs (tests/sdk/sdk_test.py)"
# Checks must hold under PYTHONOPTIMIZE (which compiles bare asserts away): run optimised, and
# refuse a bare assert outright.
if grep -nE '^[[:space:]]*assert[[:space:](]' tests/sdk/sdk_test.py; then
  echo "sdk-test: use require(...) in tests/sdk/sdk_test.py, not assert (PYTHONOPTIMIZE removes it)" >&2
  status=1
fi
PYTHONOPTIMIZE=2 "$venv/bin/python" tests/sdk/sdk_test.py "$clean" "$throttled" || status=1
echo "== official Node SDKs (tests/sdk/sdk_test.js)"
(cd tests/sdk && node sdk_test.js "$clean" "$throttled") || status=1
exit $status
