#!/usr/bin/env bash
# Installs what `make run` and `make test` need, following shared/TOOLCHAIN.md. Idempotent: each
# step checks the version that is there and skips when it matches. Nothing is downloaded from
# outside the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/versions.sh
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf 'setup: %s\n' "$*"; }

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Debian packages: Chromium and its driver for the browser tests, brotli to precompress.
missing=()
for pkg in chromium chromium-driver brotli; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} from Debian"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 3. Trunk (0.22 needs a newer rustc than this machine's).
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  step "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# 4. wasm-bindgen CLI equal to the pin (no --locked: see TOOLCHAIN.md).
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 5. wasm-opt 132 from npm (tools/package-lock.json), first on PATH via the Makefile.
if ! tools/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  step "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi

# 6. Browser-test packages from tests/e2e/package-lock.json (never `playwright install`).
want_pw=$(node -p "require('./tests/e2e/package.json').devDependencies['@playwright/test']")
have_pw=$(node -p "try { require('./tests/e2e/node_modules/@playwright/test/package.json').version } catch (e) { '' }")
if [ "$want_pw" != "$have_pw" ]; then
  step "installing the browser-test packages"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
