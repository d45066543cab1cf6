//! `migration-proxy`: thin entry point; everything lives in the library so tests can drive it.
use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = migration_proxy::config::Cli::parse();
    migration_proxy::run(cli)
}
