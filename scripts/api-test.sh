#!/usr/bin/env bash
# The proxy's API against its own OpenAPI document: starts target/debug/migration-proxy in demo
# mode on a free loopback port and runs schemathesis (tests/api/.venv, installed by make setup)
# against {base}/api/openapi.json with a bounded number of examples per operation. It fails on
# any 5xx, on any answer the document does not describe (status, content type, headers, body
# schema), on invalid input that is accepted and on valid input that is refused. A second, shorter
# pass runs with --auth bearer and checks that calls without the token are refused.
#
#   API_TEST_EXAMPLES=100   examples per operation in the first pass (the second uses a fifth)
#   API_TEST_SEED=N         another seed (the default is fixed, so make test is repeatable;
#                           set a random one to explore: API_TEST_SEED=$RANDOM)
#
# The proxy logs and schemathesis' record of every request and answer (HAR) are kept in
# $MIGRATION_PROXY_TEST_TRANSCRIPTS when it is set, for the suite-wide secret scan. Takes about
# 30 s on 2 cores. Stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
root=$PWD
st=$root/tests/api/.venv/bin/schemathesis
[ -x "$st" ] || { echo "api-test: schemathesis is not installed (make setup)" >&2; exit 1; }
if [ -z "${MIGRATION_PROXY_BIN:-}" ]; then
  # Cheap when up to date; a stale binary would test old code.
  cargo build -q -p migration-proxy
fi
bin=${MIGRATION_PROXY_BIN:-$(proxy_bin)}
[ -x "$bin" ] || { echo "api-test: no proxy binary at $bin" >&2; exit 1; }
examples=${API_TEST_EXAMPLES:-100}
seed=${API_TEST_SEED:-20261128}
work=$(mktemp -d -t api-test.XXXXXX)
out=${MIGRATION_PROXY_TEST_TRANSCRIPTS:-$work}
mkdir -p "$out"

proxy_pid=""
stop_proxy() {
  if [ -n "$proxy_pid" ]; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
    proxy_pid=""
  fi
}
cleanup() {
  stop_proxy
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# start_proxy NAME [serve flags...]: the proxy in demo mode on a free port; sets $base.
start_proxy() {
  local name=$1
  shift
  local port
  port=$(free_port)
  proxy_log="$out/api-test-$name-proxy.log"
  MIGRATION_PROXY_LOG="migration_proxy=debug,tower_http=debug" \
    "$bin" serve --demo --listen "127.0.0.1:$port" --audit-log off --dist "$work/no-app" --data-dir "$work/data-$name" "$@" >"$proxy_log" 2>&1 &
  proxy_pid=$!
  base="http://127.0.0.1:$port"
  wait_healthz api-test "$base" "$proxy_pid" "$proxy_log"
}

# run_schemathesis NAME EXAMPLES CHECKS [schemathesis flags...]
run_schemathesis() {
  local name=$1 n=$2 checks=$3
  shift 3
  echo "== api-test ($name): schemathesis, $n examples per operation, seed $seed"
  local status=0
  (cd "$work" && "$st" --config-file "$root/tests/api/schemathesis.toml" run "$base/api/openapi.json" --checks "$checks" --max-examples "$n" --seed "$seed" \
      --no-color --warnings off --report har --report-har-path "$out/api-test-$name.har.json" "$@") \
    >"$work/$name.out" 2>&1 || status=$?
  # The summary, not the progress lines.
  sed -n '/SUMMARY/,$p' "$work/$name.out"
  if [ "$status" -ne 0 ]; then
    cat "$work/$name.out" >&2
    echo "api-test ($name): FAILED (reproduce with API_TEST_SEED=$seed); the proxy log follows" >&2
    tail -n 40 "$proxy_log" >&2
    exit "$status"
  fi
  grep -q "passed" "$work/$name.out" || { echo "api-test ($name): schemathesis ran no test" >&2; exit 1; }
}

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,positive_data_acceptance,unsupported_method,missing_required_header

# 1. --auth none (loopback), the whole API.
start_proxy none
run_schemathesis none "$examples" "$checks"
stop_proxy

# 2. --auth bearer: the same checks with the token, and calls without it must be refused.
token="api-test-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
printf 'api-test %s\n' "$(printf '%s\n' "$token" | "$bin" hash-token)" >"$work/tokens"
chmod 600 "$work/tokens"
start_proxy bearer --auth bearer --tokens-file "$work/tokens"
run_schemathesis bearer "$(( (examples + 4) / 5 ))" "$checks,ignored_auth" -H "Authorization: Bearer $token"
stop_proxy
echo "api-test: ok"
