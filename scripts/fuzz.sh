#!/usr/bin/env bash
# `make fuzz`: runs every cargo-fuzz target in fuzz/ for a bounded time (FUZZ_SECONDS each,
# default 60), one after the other. Needs the nightly toolchain, which cannot be downloaded here:
# without it this says so and fails. cargo-fuzz itself is installed from crates.io if missing
# (the one download this script makes). The stable proptest properties covering the same ground
# run in `make test`.
#
#   FUZZ_SECONDS=60           time per target
#   FUZZ_TARGETS="lsn ..."    only these targets (default: all of fuzz/Cargo.toml's)
#   FUZZ_SANITIZER=none       cargo fuzz --sanitizer (none|address); none: the code is safe Rust
#   FUZZ_JOBS=1               parallel fuzzing jobs per target
#
# A crash leaves its input in fuzz/artifacts/<target>/ and fails the run; reproduce it with
# `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`. The corpus grows in
# fuzz/corpus/<target>/ (not committed), so each run starts where the last one stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTUP_AUTO_INSTALL=0

CARGO_FUZZ_VERSION=0.13.2
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SANITIZER=${FUZZ_SANITIZER:-none}
FUZZ_JOBS=${FUZZ_JOBS:-1}

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: no nightly Rust toolchain on this machine (rustup toolchain list shows none)." >&2
  echo "fuzz: cargo-fuzz needs one and it cannot be downloaded here; the proptest properties in 'make test' cover the same ground." >&2
  exit 1
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain is listed but 'cargo +nightly' does not run." >&2
  exit 1
fi
if [ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io (about 2 minutes)"
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

targets=${FUZZ_TARGETS:-$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^migration-fuzz$')}
[ -n "$targets" ] || { echo "fuzz: no targets found in fuzz/Cargo.toml" >&2; exit 1; }

# The fuzz crate's own lock starts from the workspace's, so shared crates keep their versions.
[ -f fuzz/Cargo.lock ] || cp Cargo.lock fuzz/Cargo.lock

echo "fuzz: building $(echo $targets | wc -w) targets with $(rustc +nightly --version) (sanitizer: $FUZZ_SANITIZER)"
for t in $targets; do
  (cd fuzz && cargo +nightly fuzz build --sanitizer "$FUZZ_SANITIZER" "$t")
done

status=0
summary=()
for t in $targets; do
  mkdir -p "fuzz/corpus/$t"
  log=$(mktemp -t "fuzz-$t.XXXXXX.log")
  echo "fuzz: $t for ${FUZZ_SECONDS}s"
  if (cd fuzz && cargo +nightly fuzz run --sanitizer "$FUZZ_SANITIZER" --jobs "$FUZZ_JOBS" "$t" -- \
        -max_total_time="$FUZZ_SECONDS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1; then
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
    summary+=("$t: ok, ${execs:-?} runs, ${cov:-cov: ?}, corpus $(ls "fuzz/corpus/$t" | wc -l) inputs")
  else
    status=1
    summary+=("$t: FAILED (log: $log; crash inputs in fuzz/artifacts/$t/)")
    tail -n 40 "$log" >&2
  fi
done
printf 'fuzz: %s\n' "${summary[@]}"
exit "$status"
