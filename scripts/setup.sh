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

# 7. Alibaba Cloud's official SDKs for scripts/sdk-test.sh: Python ones (PyPI, every package
#    pinned in tests/sdk/requirements.txt) in tests/sdk/.venv, Node ones from
#    tests/sdk/package-lock.json. Each is checked against its pins and skipped when they match.
sdk_python_matches() {
  [ -x tests/sdk/.venv/bin/python ] || return 1
  tests/sdk/.venv/bin/python - tests/sdk/requirements.txt <<'PY' 2>/dev/null
import sys
from importlib.metadata import PackageNotFoundError, version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, want = line.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
}
if ! sdk_python_matches; then
  step "installing the official Python SDKs into tests/sdk/.venv (about 30 s)"
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf tests/sdk/.venv
  python3 -m venv tests/sdk/.venv
  tests/sdk/.venv/bin/pip install -q --disable-pip-version-check -r tests/sdk/requirements.txt
fi
want_sdk=$(node -p "JSON.stringify(require('./tests/sdk/package.json').dependencies)")
have_sdk=$(node -p "const d = require('./tests/sdk/package.json').dependencies; JSON.stringify(Object.fromEntries(Object.keys(d).map((k) => { try { return [k, require('./tests/sdk/node_modules/' + k + '/package.json').version]; } catch (e) { return [k, '']; } })))")
if [ "$want_sdk" != "$have_sdk" ]; then
  step "installing the official Node SDKs into tests/sdk/node_modules"
  (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)
fi

# 8. For `make bench` only: Debian's nginx (the pass-through floor and the fixed upstream) and
#    wrk (closed-loop load). Installed when missing; no service is started (the bench starts its
#    own nginx on loopback).
bench_missing=()
for pkg in nginx wrk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || bench_missing+=("$pkg")
done
if [ ${#bench_missing[@]} -gt 0 ]; then
  step "installing ${bench_missing[*]} from Debian (for make bench)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${bench_missing[@]}" >/dev/null
fi

# 9. schemathesis (PyPI) for scripts/api-test.sh, the OpenAPI conformance test of `make test`:
#    every package pinned in tests/api/requirements.txt, in tests/api/.venv. Checked against the
#    pins (every one, not only schemathesis) and skipped when they match.
api_python_matches() {
  [ -x tests/api/.venv/bin/python ] || return 1
  tests/api/.venv/bin/python - tests/api/requirements.txt <<'PY' 2>/dev/null
import sys
from importlib.metadata import PackageNotFoundError, version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, want = line.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
}
if ! api_python_matches; then
  step "installing schemathesis into tests/api/.venv (about 20 s)"
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf tests/api/.venv
  python3 -m venv tests/api/.venv
  tests/api/.venv/bin/pip install -q --disable-pip-version-check -r tests/api/requirements.txt
fi
