//! The command line. Every flag also reads a `MIGRATION_PROXY_*` environment variable, and the
//! doc comments are the `--help` text.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::telemetry::LogFormat;

#[derive(Debug, Parser)]
#[command(
    name = "migration-proxy",
    version,
    about = "Signing proxy for the ApsaraDB RDS OpenAPI (PostgreSQL cloud migration), with an embedded RDS simulator",
    long_about = None,
    after_help = CREDENTIALS_HELP
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, env = "MIGRATION_PROXY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

/// Where `serve` looks for Alibaba Cloud credentials, in order (the official SDKs' default chain).
pub const CREDENTIALS_HELP: &str = "\
Credentials (serve without --demo), tried in this order:
  1. environment: ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET
     (+ ALIBABA_CLOUD_SECURITY_TOKEN for STS credentials)
Without --demo and without credentials, serve refuses to start and names the sources it tried.
It never falls back to demo data.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard and the /api/rds proxy.
    Serve(ServeArgs),
    /// Run the RDS simulator alone (a stand-in for the RDS OpenAPI endpoint).
    Simulate(SimulateArgs),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum SignatureStyle {
    /// ACS3-HMAC-SHA256 (Alibaba's current scheme).
    #[default]
    V3,
    /// RPC HMAC-SHA1 (SignatureVersion=1.0, called "V2" in Alibaba's docs).
    Rpc,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// No caller authentication; refused unless the listener is on a loopback address.
    #[default]
    None,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "MIGRATION_PROXY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Base path the dashboard and API are served under (e.g. /migrations); empty for the root.
    #[arg(long, env = "MIGRATION_PROXY_BASE_PATH", default_value = "", value_parser = parse_base_path)]
    pub base_path: String,

    /// Directory holding the built app (Trunk's dist/).
    #[arg(long, env = "MIGRATION_PROXY_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// RDS OpenAPI endpoint URL, overriding the per-region choice. Plain http is accepted only for
    /// a loopback address unless --allow-insecure-endpoint is given.
    #[arg(long, env = "MIGRATION_PROXY_RDS_ENDPOINT")]
    pub rds_endpoint: Option<String>,

    /// Accept a plain-http --rds-endpoint that is not on loopback.
    #[arg(long, env = "MIGRATION_PROXY_ALLOW_INSECURE_ENDPOINT")]
    pub allow_insecure_endpoint: bool,

    /// Default region when a request names none.
    #[arg(long, env = "MIGRATION_PROXY_REGION_ID", default_value = "cn-hangzhou")]
    pub region_id: String,

    /// Signature scheme for upstream calls.
    #[arg(long, env = "MIGRATION_PROXY_SIGNATURE", value_enum, default_value_t = SignatureStyle::V3)]
    pub signature: SignatureStyle,

    /// Start the RDS simulator in-process on a loopback port and show its demo data (every page
    /// says so). Signed exactly as in production.
    #[arg(long, env = "MIGRATION_PROXY_DEMO")]
    pub demo: bool,

    /// Simulator speed in demo mode (see `simulate --speed`).
    #[arg(long, env = "MIGRATION_PROXY_DEMO_SPEED", default_value_t = 1.0)]
    pub demo_speed: f64,

    /// Timeout of one upstream call, in milliseconds.
    #[arg(long, env = "MIGRATION_PROXY_UPSTREAM_TIMEOUT_MS", default_value_t = 10_000)]
    pub upstream_timeout_ms: u64,

    /// How callers are authenticated.
    #[arg(long, env = "MIGRATION_PROXY_AUTH", value_enum, default_value_t = AuthMode::None)]
    pub auth: AuthMode,

    /// CSP frame-ancestors sources allowed to embed the dashboard (e.g. "https://portal.example.com").
    #[arg(long, env = "MIGRATION_PROXY_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,
}

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Address to listen on.
    #[arg(long, env = "MIGRATION_PROXY_SIM_LISTEN", default_value = "127.0.0.1:9090")]
    pub listen: SocketAddr,

    /// Seed of the generated demo world (same seed, same world).
    #[arg(long, env = "MIGRATION_PROXY_SIM_SEED", default_value_t = 1)]
    pub seed: u64,

    /// How much faster than real time tasks progress. Timestamps stay wall-clock time.
    #[arg(long, env = "MIGRATION_PROXY_SIM_SPEED", default_value_t = 1.0)]
    pub speed: f64,

    /// AccessKey ID the simulator accepts (default: the documented demo key).
    #[arg(long, env = "MIGRATION_PROXY_SIM_ACCESS_KEY_ID", default_value = crate::simulator::DEMO_ACCESS_KEY_ID)]
    pub access_key_id: String,

    /// AccessKey secret the simulator accepts (default: the documented demo secret).
    #[arg(long, env = "MIGRATION_PROXY_SIM_ACCESS_KEY_SECRET", default_value = crate::simulator::DEMO_ACCESS_KEY_SECRET, hide_default_value = true)]
    pub access_key_secret: String,
}

/// Normalises a base path to "" or "/segment[/segment...]" without a trailing slash.
pub fn parse_base_path(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    if !trimmed.starts_with('/') {
        return Err(format!("base path must start with '/': {raw:?}"));
    }
    let ok = trimmed[1..].split('/').all(|seg| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c))
    });
    if !ok {
        return Err(format!(
            "base path segments may hold only letters, digits and -_.~: {raw:?}"
        ));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_are_normalised_or_refused() {
        let cases: &[(&str, Result<&str, ()>)] = &[
            ("", Ok("")),
            ("/", Ok("")),
            ("/migrations", Ok("/migrations")),
            ("/a/b/", Ok("/a/b")),
            ("migrations", Err(())),
            ("/a//b", Err(())),
            ("/../etc", Err(())),
            ("/a b", Err(())),
            ("/<script>", Err(())),
        ];
        for (raw, want) in cases {
            let got = parse_base_path(raw);
            match want {
                Ok(w) => assert_eq!(got.as_deref(), Ok(*w), "{raw:?}"),
                Err(()) => assert!(got.is_err(), "{raw:?} should be refused"),
            }
        }
    }

    #[test]
    fn every_flag_has_an_environment_fallback() {
        use clap::CommandFactory;
        let cmd = Cli::command();
        for sub in cmd.get_subcommands() {
            for arg in sub.get_arguments() {
                if arg.get_id() == "help" || arg.get_id() == "version" {
                    continue;
                }
                let env = arg.get_env().map(|e| e.to_string_lossy().to_string());
                assert!(
                    env.as_deref().is_some_and(|e| e.starts_with("MIGRATION_PROXY_")),
                    "{} --{} has no MIGRATION_PROXY_* variable",
                    sub.get_name(),
                    arg.get_id()
                );
            }
        }
    }
}
