#!/usr/bin/env bash
# Installs what `make run` and `make test` need, following docs/toolchain.md. Idempotent: each
# step checks the version that is there and skips when it matches. Nothing is downloaded from
# outside the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/versions.sh
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf 'setup: %s\n' "$*"; }

# apt_ensure WHY PKG...: installs the Debian packages that are not installed yet.
apt_ensure() {
  local why=$1 missing=() pkg
  shift
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  step "installing ${missing[*]} from Debian ($why)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# venv_matches DIR: DIR/.venv holds every package pinned in DIR/requirements.txt, at its pin.
venv_matches() {
  [ -x "$1/.venv/bin/python" ] || return 1
  "$1/.venv/bin/python" - "$1/requirements.txt" <<'PY' 2>/dev/null
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

# venv_ensure DIR WHAT: (re)creates DIR/.venv from DIR/requirements.txt unless it matches.
venv_ensure() {
  venv_matches "$1" && return 0
  step "installing $2 into $1/.venv"
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_ensure "Python virtual environments" python3-venv
  rm -rf "$1/.venv"
  python3 -m venv "$1/.venv"
  "$1/.venv/bin/pip" install -q --disable-pip-version-check -r "$1/requirements.txt"
}

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Debian packages: Chromium and its driver for the browser tests, brotli to precompress.
apt_ensure "browser tests, precompression" chromium chromium-driver brotli

# 3. Trunk (0.22 needs a newer rustc than this machine's).
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  step "installing trunk $TRUNK_VERSION (about 10 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# 4. wasm-bindgen CLI equal to the pin (no --locked: see docs/toolchain.md).
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
venv_ensure tests/sdk "the official Python SDKs (about 30 s)"
want_sdk=$(node -p "JSON.stringify(require('./tests/sdk/package.json').dependencies)")
have_sdk=$(node -p "const d = require('./tests/sdk/package.json').dependencies; JSON.stringify(Object.fromEntries(Object.keys(d).map((k) => { try { return [k, require('./tests/sdk/node_modules/' + k + '/package.json').version]; } catch (e) { return [k, '']; } })))")
if [ "$want_sdk" != "$have_sdk" ]; then
  step "installing the official Node SDKs into tests/sdk/node_modules"
  (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)
fi

# 8. For `make bench` only: Debian's nginx (the pass-through floor and the fixed upstream) and
#    wrk (closed-loop load). Installed when missing; no service is started (the bench starts its
#    own nginx on loopback). linux-perf (`perf`) records the cache-miss profile in BENCHMARKS.md.
apt_ensure "for make bench" nginx wrk linux-perf

# The history store's tests run the same suite on PostgreSQL: they start a private cluster of
#    Debian's PostgreSQL (initdb/pg_ctl as the postgres user, in a temporary directory).
apt_ensure "history store tests (PostgreSQL)" postgresql

# 9. schemathesis (PyPI) for scripts/api-test.sh, the OpenAPI conformance test of `make test`:
#    every package pinned in tests/api/requirements.txt, in tests/api/.venv. Checked against the
#    pins (every one, not only schemathesis) and skipped when they match.
venv_ensure tests/api "schemathesis (about 20 s)"

# 10. Alerts: the Standard Webhooks reference library (PyPI, pinned in tests/alerts/requirements.txt)
#     in tests/alerts/.venv, which judges the proxy's signed webhooks (proxy/tests/alerts.rs); and
#     Debian's prometheus package for promtool (apt_ensure installs with RUNLEVEL=1: no service is
#     started), which checks docs/prometheus/alerts.yml and a live scrape of /metrics.
venv_ensure tests/alerts "the standardwebhooks reference library (seconds)"
apt_ensure "promtool (alerting rules and /metrics checks)" prometheus
