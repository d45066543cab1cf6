# The two commands a newcomer needs: `make run` and `make test`. Both set up what is missing
# first (idempotent: a warm machine spends no time on it). See scripts/ for the steps.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

LISTEN ?= 127.0.0.1:8080
# wasm-opt 132 from npm must come before Debian's (108 breaks the app, see docs/toolchain.md).
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CARGO_TERM_COLOR ?= never

.PHONY: help setup app proxy run test test-rust test-e2e screenshots clean

help:
	@echo "make run    build the app and start the demo at http://$(LISTEN) (LISTEN=addr to change)"
	@echo "make test   every test: Rust unit and integration tests, and browser tests in Chromium"
	@echo "make setup  install what is missing (run by both of the above)"
	@echo "make screenshots  PNGs of every page (light, dark, Indonesian, 360 px) in docs/screenshots/"

setup:
	@scripts/setup.sh

# The wasm app, release build with wasm-opt, precompressed (gzip and brotli).
app: setup
	@scripts/build-app.sh

proxy:
	cargo build --release -p migration-proxy

run: app proxy
	@echo "Starting the demo (Ctrl-C stops it)"
	exec target/release/migration-proxy serve --demo --listen "$(LISTEN)" --dist dist

test: setup
	@scripts/test.sh

# PNGs of each page (light, dark, Indonesian, 360 px) in docs/screenshots/, for the README.
screenshots: setup
	@scripts/screenshots.sh

clean:
	cargo clean
	rm -rf dist

# Benchmarks (not part of `make test`): bundle size, browser timings, proxy latency against
# nginx, scale, load under faults, signing and simulator, all on loopback. WRITE=1 rewrites
# BENCHMARKS.md; BENCH_ONLY=section,... and BENCH_QUICK=1 are for trying it out.
.PHONY: bench
bench: setup
	@WRITE="$(WRITE)" scripts/bench.sh

# Fuzzing (not part of `make test`, needs the nightly toolchain): every cargo-fuzz target in
# fuzz/ for FUZZ_SECONDS each (default 60; about 5 minutes in all plus a first build of ~5).
.PHONY: fuzz
fuzz:
	@FUZZ_SECONDS="$(or $(FUZZ_SECONDS),60)" scripts/fuzz.sh
