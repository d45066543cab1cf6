#!/usr/bin/env bash
# Every test: Rust unit and integration tests of the native crates, the model on wasm32, then the
# browser tests against the real built app served by the real proxy in demo mode.
# Any failure exits non-zero; every process started here is stopped on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "== cargo test (native crates)"
cargo test --workspace

echo "== migration-model builds for wasm32"
cargo build -q -p migration-model --target wasm32-unknown-unknown

echo "== app (release build)"
scripts/build-app.sh

scripts/sdk-test.sh

echo "== browser tests"
cargo build -q -p migration-proxy
scripts/e2e.sh
