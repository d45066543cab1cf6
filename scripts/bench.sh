#!/usr/bin/env bash
# `make bench`: how fast, small and scalable the project is, against floors measured in the same
# run; each goal is stated beside its figure in BENCHMARKS.md. Builds what it measures (the app, the release proxy, the benches), then
# scripts/bench/run.py starts and stops everything it needs on 127.0.0.1 and
# scripts/bench/report.py prints the table (and rewrites BENCHMARKS.md with WRITE=1).
# Not part of `make test`. Bounded: about 8 minutes after the builds on 2 cores.
#
#   WRITE=1           rewrite BENCHMARKS.md
#   BENCH_ONLY=a,b    only these sections: criterion,bundle,browser,proxy_latency,scale,faults,checks,slowloris,history,history_query,alerts
#   BENCH_QUICK=1     shorter runs (the whole suite in under 5 minutes; the figures are then rougher)
#   BENCH_ONLY=...,faults_long   also the fault load for 5 minutes (FAULT_SECS=N for N seconds);
#                     only when named, as it takes that long
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH:/usr/sbin:/sbin"
export TRUNK_SKIP_VERSION_CHECK=true

WRITE="${WRITE:-}"
ONLY="${BENCH_ONLY:-}"
QUICK="${BENCH_QUICK:-}"

missing=()
for tool in nginx wrk gzip brotli node python3 /usr/bin/chromium; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]} (make setup installs them)" >&2
  exit 1
fi

run_dir=$(mktemp -d -t migration-bench.XXXXXX)
pidfile="$run_dir/pids"
: >"$pidfile"
# run.py stops what it starts; this catches whatever is left if it is killed.
cleanup() {
  local pid
  while read -r pid; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done <"$pidfile"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wants() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

if wants bundle || wants browser; then
  echo "== bench: building the app (scripts/build-app.sh)"
  scripts/build-app.sh
fi
names_wasm=""
if wants bundle; then
  . scripts/versions.sh
  # The version is the last word (twiggy 0.8.0 prints "twiggy-opt 0.8.0").
  if [ "$(twiggy --version 2>/dev/null | awk '{print $NF}' || true)" != "$TWIGGY_VERSION" ]; then
    echo "== bench: installing twiggy $TWIGGY_VERSION (about 3 minutes on 2 cores)"
    cargo install --locked twiggy --version "$TWIGGY_VERSION"
  fi
  # The shipped wasm is stripped (no names); the same build with its name section kept, in a
  # target directory of its own, is what twiggy reads.
  echo "== bench: building the app once more with symbol names (for twiggy)"
  CARGO_PROFILE_WASM_RELEASE_STRIP=false cargo build -q -p migration-dashboard --target wasm32-unknown-unknown \
    --profile wasm-release --target-dir target/wasm-names
  names_wasm="target/wasm-names/wasm32-unknown-unknown/wasm-release/migration-dashboard.wasm"
fi
echo "== bench: building the proxy (release) and the benches"
cargo build --release -q -p migration-proxy
built=$(cargo bench -q -p migration-proxy --no-run --bench loadgen --bench signing --bench simulator --bench checks \
  --bench history --bench alerts --message-format=json)
bench_exe() {
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$1" <<<"$built"
}
loadgen=$(bench_exe loadgen)
history_bench=$(bench_exe history)
alerts_bench=$(bench_exe alerts)
target_dir=$(cargo metadata -q --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
[ -x "$loadgen" ] || { echo "bench: the load generator did not build" >&2; exit 1; }

# history_query: a 7-day history query of one task polled every 30 s, downsampled to 500 points,
# p50 and p99 per store backend (proxy/benches/history_query.rs; goal p50 <= 10 ms).
if wants history_query; then
  echo "== bench: history query per store backend (SQLite, a private PostgreSQL)"
  HISTORY_BENCH_OUT="$run_dir/history.json" BENCH_QUICK="$QUICK" \
    cargo bench -q -p migration-proxy --bench history_query
fi
# run.py measures every other section.
run_only=$(printf ',%s,' "$ONLY" | sed 's/,history_query,/,/g; s/^,*//; s/,*$//')
if [ -n "$ONLY" ] && [ -z "$run_only" ]; then
  exit 0
fi

args=(--proxy "$target_dir/release/migration-proxy" --loadgen "$loadgen" --dist dist
  --criterion-dir "$target_dir/criterion" --workdir "$run_dir" --pidfile "$pidfile" --out "$run_dir/results.json"
  --history-bench "$history_bench" --alerts-bench "$alerts_bench")
[ -n "$run_only" ] && args+=(--only "$run_only")
[ -n "$names_wasm" ] && args+=(--names-wasm "$names_wasm")
[ -n "$QUICK" ] && [ "$QUICK" != 0 ] && args+=(--quick)

echo "== bench: measuring (logs in $run_dir)"
timeout $((1800 + ${FAULT_SECS:-300})) python3 scripts/bench/run.py "${args[@]}"

report=(python3 scripts/bench/report.py "$run_dir/results.json")
[ -n "$WRITE" ] && [ "$WRITE" != 0 ] && report+=(--write)
"${report[@]}"
