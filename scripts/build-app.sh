#!/usr/bin/env bash
# Builds the wasm app in release mode (wasm-opt on) into dist/ and precompresses the assets.
# index.html is not precompressed: the proxy rewrites it at start-up for its base path.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
wasm-opt --version | grep -q "version 132" || { echo "wasm-opt 132 is not first on PATH (run make setup)" >&2; exit 1; }
trunk build --release
shopt -s nullglob
for f in dist/*.js dist/*.wasm dist/*.css; do
  gzip -9 -k -f -n "$f"
  brotli -q 11 -k -f "$f"
done
echo "build-app: dist/ built and precompressed"
