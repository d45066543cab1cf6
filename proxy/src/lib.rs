//! The signing proxy between the dashboard and the ApsaraDB RDS OpenAPI, and the RDS simulator
//! that stands in for the real endpoint in demo mode and in tests.

pub mod actions;
pub mod alerts;
pub mod api_guard;
pub mod app;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
pub mod credentials;
pub mod error;
pub mod forward;
pub mod history_api;
pub mod limits;
pub mod listener;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod panic_hook;
pub mod policy;
pub mod redact;
pub mod retry;
pub mod serve;
pub mod signing;
pub mod simulator;
pub mod spa;
pub mod store;
pub mod telemetry;
pub mod upstream;
pub mod upstream_error;
pub mod watch;

use std::process::ExitCode;

pub use app::{app, AppState};
pub use error::ProxyError;

/// Runs the chosen sub-command and maps failures to an exit code, on a runtime of one thread
/// per core (`serve` answers requests on threads of its own: `--worker-threads`).
pub fn run(cli: config::Cli) -> ExitCode {
    telemetry::init(cli.log_format);
    panic_hook::install();
    let runtime = match runtime(0) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("migration-proxy: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            config::Command::Serve(args) => serve::serve(*args).await,
            config::Command::Simulate(args) => simulator::run_standalone(*args).await,
            config::Command::HashToken(args) => {
                if args.generate {
                    let token = auth::generate_token()?;
                    println!("{token}");
                    println!("{}", auth::hash_token(&token));
                    return Ok(());
                }
                let mut token = String::new();
                std::io::stdin().read_line(&mut token)?;
                if token.trim().is_empty() {
                    anyhow::bail!("no token on standard input");
                }
                auth::check_token_strength(token.trim()).map_err(anyhow::Error::msg)?;
                println!("{}", auth::hash_token(&token));
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("migration-proxy: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A runtime with `threads` threads serving tasks (0: one per core). One thread is a
/// current-thread runtime: every task, and every wake-up, stays on it.
pub fn runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    match threads {
        0 => tokio::runtime::Runtime::new(),
        1 => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        n => tokio::runtime::Builder::new_multi_thread().worker_threads(n).enable_all().build(),
    }
}
