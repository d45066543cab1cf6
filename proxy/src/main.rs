//! `migration-proxy`: thin entry point; everything lives in the library so tests can drive it.
use clap::Parser;

/// jemalloc rather than glibc's malloc: under a steady load the proxy's memory levels off instead
/// of creeping up (BENCHMARKS.md, "Load under faults"). It is built unprefixed, so the C code in
/// the process (SQLite) allocates here too: in glibc's arenas beside jemalloc, SQLite's memory
/// grew for as long as the history store was written to.
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let cli = migration_proxy::config::Cli::parse();
    migration_proxy::run(cli)
}

#[cfg(test)]
mod tests {
    #[test]
    fn c_code_allocates_through_jemalloc() {
        // Unprefixed, jemalloc's `malloc` and `free` are the process's: the ones SQLite calls.
        assert_eq!(libc::malloc as *const () as usize, tikv_jemalloc_sys::malloc as *const () as usize);
        assert_eq!(libc::free as *const () as usize, tikv_jemalloc_sys::free as *const () as usize);
    }
}
