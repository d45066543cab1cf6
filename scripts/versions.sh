# Tool versions, one place. Sourced by the other scripts.
TRUNK_VERSION=0.21.14
# The wasm-bindgen CLI must equal the library pinned in Cargo.toml ("=0.2.X").
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' "$(dirname "${BASH_SOURCE[0]}")/../Cargo.toml")
BINARYEN_VERSION=132
# twiggy (crates.io) lists the largest contributors to the wasm in `make bench`.
TWIGGY_VERSION=0.8.0
