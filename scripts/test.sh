#!/usr/bin/env bash
# Every test: Rust unit and integration tests of the native crates, the model on wasm32, then the
# browser tests against the real built app served by the real proxy in demo mode.
# Any failure exits non-zero; every process started here is stopped on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Every proxy test's transcript (answers, log lines, panic messages) is kept here; the last step
# scans them all for secrets (scripts/secret-scan.sh).
export MIGRATION_PROXY_TEST_TRANSCRIPTS="$(target_dir)/test-transcripts"
rm -rf "$MIGRATION_PROXY_TEST_TRANSCRIPTS" && mkdir -p "$MIGRATION_PROXY_TEST_TRANSCRIPTS"

echo "== cargo fmt --check and clippy (-D warnings)"
cargo fmt --all -- --check
cargo clippy -q --workspace --all-targets -- -D warnings

echo "== cargo test (native crates)"
# The alerts tests must use the standardwebhooks reference library and promtool, not skip them.
MIGRATION_PROXY_REQUIRE_ALERT_TOOLS=1 cargo test --workspace

echo "== promtool check rules (docs/prometheus/alerts.yml)"
promtool check rules docs/prometheus/alerts.yml

echo "== migration-model builds for wasm32"
cargo build -q -p migration-model --target wasm32-unknown-unknown

echo "== app (release build)"
scripts/build-app.sh

scripts/sdk-test.sh

scripts/api-test.sh

echo "== browser tests"
# The history views' tests run the proxy with a pre-filled store (proxy/examples/history_stack.rs).
cargo build -q -p migration-proxy --bins --example history_stack
scripts/e2e.sh

scripts/secret-scan.sh
