//! `migration-proxy`: thin entry point; everything lives in the library so tests can drive it.
use clap::Parser;

/// jemalloc rather than glibc's malloc: under a steady load the proxy's memory levels off instead
/// of creeping up (BENCHMARKS.md, "Load under faults").
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let cli = migration_proxy::config::Cli::parse();
    migration_proxy::run(cli)
}
