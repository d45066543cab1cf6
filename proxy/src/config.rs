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
    after_help = crate::credentials::CHAIN_HELP
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, env = "MIGRATION_PROXY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the dashboard and the /api/rds proxy.
    Serve(Box<ServeArgs>),
    /// Run the RDS simulator alone (a stand-in for the RDS OpenAPI endpoint).
    Simulate(Box<crate::simulator::cli::SimulateArgs>),
    /// Read a bearer token on standard input (or make one with --generate) and print the hash to
    /// store in --tokens-file. Tokens under 128 bits of entropy are refused.
    HashToken(HashTokenArgs),
}

#[derive(Debug, Clone, Args)]
pub struct HashTokenArgs {
    /// Make a new random 256-bit token: prints the token (give it to the client, once) on the
    /// first line and its hash (for --tokens-file) on the second.
    #[arg(long, env = "MIGRATION_PROXY_HASH_TOKEN_GENERATE")]
    pub generate: bool,
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
    /// Browsers behind the portal's auth proxy: identity (and groups) from headers, accepted
    /// only from --trusted-proxies.
    TrustedHeader,
    /// Programmatic clients: `Authorization: Bearer <token>`, checked against --tokens-file.
    Bearer,
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

    /// Addresses or networks of the portal's auth proxy (comma-separated), for --auth trusted-header.
    /// Identity headers from any other peer are ignored.
    #[arg(long, env = "MIGRATION_PROXY_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,

    /// Header carrying the user's identity, for --auth trusted-header.
    #[arg(long, env = "MIGRATION_PROXY_USER_HEADER", default_value = "X-Forwarded-User")]
    pub user_header: String,

    /// Header carrying the user's groups (comma-separated), for --auth trusted-header. Off unless
    /// set: the portal's proxy must then strip it (and the user header) from client requests.
    #[arg(long, env = "MIGRATION_PROXY_GROUPS_HEADER", default_value = "")]
    pub groups_header: String,

    /// File of bearer tokens, for --auth bearer: one `<user> sha256:<hex> [group,group]` per line
    /// (make the hash with `migration-proxy hash-token`).
    #[arg(long, env = "MIGRATION_PROXY_TOKENS_FILE")]
    pub tokens_file: Option<PathBuf>,

    /// JSON file restricting which instances each user or group may see:
    /// {"users": {"alice": ["pgm-abc"]}, "groups": {"dba": ["*"], "team-a": ["pgm-a*"]}}.
    /// Without it every caller sees every instance the credentials can see.
    #[arg(long, env = "MIGRATION_PROXY_POLICY_FILE")]
    pub policy_file: Option<PathBuf>,

    /// Where the audit log goes (one JSON line per API call): a file path, `-` for stdout, or
    /// `off`.
    #[arg(long, env = "MIGRATION_PROXY_AUDIT_LOG", default_value = "-")]
    pub audit_log: String,

    /// How long an upstream answer is served from the cache, in milliseconds (0 disables the cache).
    #[arg(long, env = "MIGRATION_PROXY_CACHE_TTL_MS", default_value_t = 2_000)]
    pub cache_ttl_ms: u64,

    /// Upper bound on the bytes the cache holds (answers, keys and a per-entry overhead); the
    /// oldest entries leave first.
    #[arg(long, env = "MIGRATION_PROXY_CACHE_MAX_BYTES", default_value_t = crate::cache::DEFAULT_MAX_BYTES)]
    pub cache_max_bytes: usize,

    /// How long the last good answer may be served, marked stale, when the upstream fails (seconds).
    #[arg(long, env = "MIGRATION_PROXY_STALE_FOR_SECS", default_value_t = 300)]
    pub stale_for_secs: u64,

    /// Upstream attempts per call, the first included (retries only what may be retried).
    #[arg(long, env = "MIGRATION_PROXY_RETRY_ATTEMPTS", default_value_t = 4)]
    pub retry_attempts: u32,

    /// Total time budget of one call's attempts and waits, in milliseconds.
    #[arg(long, env = "MIGRATION_PROXY_RETRY_DEADLINE_MS", default_value_t = 15_000)]
    pub retry_deadline_ms: u64,

    /// CSP frame-ancestors sources allowed to embed the dashboard (e.g. "https://portal.example.com").
    #[arg(long, env = "MIGRATION_PROXY_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,

    /// Origins (comma-separated, e.g. "https://portal.example.com") besides the proxy's own that a
    /// browser may call /api/* from; any other cross-origin call is refused with 403.
    #[arg(long, env = "MIGRATION_PROXY_ALLOWED_ORIGINS", default_value = "")]
    pub allowed_origins: String,

    /// Longest a client may take to send a request's headers, and (HTTP/1) an idle keep-alive
    /// connection may wait for its next request, in milliseconds (slow clients are closed).
    #[arg(long, env = "MIGRATION_PROXY_HEADER_READ_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_read_timeout_ms: u64,

    /// HTTP/2 keep-alive: a connection that does not answer pings within this time is closed (ms).
    #[arg(long, env = "MIGRATION_PROXY_IDLE_TIMEOUT_MS", default_value_t = 60_000)]
    pub idle_timeout_ms: u64,

    /// Upstream fetches in flight at most; above it calls get 503 Proxy.Busy with Retry-After.
    #[arg(long, env = "MIGRATION_PROXY_MAX_UPSTREAM_IN_FLIGHT", default_value_t = crate::limits::DEFAULT_MAX_UPSTREAM_IN_FLIGHT)]
    pub max_upstream_in_flight: usize,

    /// Open client connections at most; more wait in the listen backlog.
    #[arg(long, env = "MIGRATION_PROXY_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Calls a second each caller may make to /api/*, sustained (per user, or per address without
    /// authentication); above it, 429 Proxy.RateLimited with Retry-After. 0 turns the limit off.
    #[arg(long, env = "MIGRATION_PROXY_RATE_LIMIT_PER_SEC", default_value_t = crate::limits::DEFAULT_RATE_PER_SEC)]
    pub rate_limit_per_sec: u32,

    /// Calls a caller may make at once before --rate-limit-per-sec applies.
    #[arg(long, env = "MIGRATION_PROXY_RATE_LIMIT_BURST", default_value_t = crate::limits::DEFAULT_RATE_BURST)]
    pub rate_limit_burst: u32,

    /// Upstream answers parsed at once at most (a parsed answer costs several times its size).
    #[arg(long, env = "MIGRATION_PROXY_MAX_CONCURRENT_PARSES", default_value_t = crate::limits::DEFAULT_MAX_CONCURRENT_PARSES)]
    pub max_concurrent_parses: usize,

    /// Serve /metrics and /readyz on this address instead of --listen (e.g. 127.0.0.1:9464), for
    /// the monitoring system alone; /healthz stays on both. Must be a loopback address unless
    /// --allow-remote-ops is given: the probes have no authentication.
    #[arg(long, env = "MIGRATION_PROXY_OPS_LISTEN")]
    pub ops_listen: Option<SocketAddr>,

    /// Accept an --ops-listen address that is not loopback (bind it to a private network only).
    #[arg(long, env = "MIGRATION_PROXY_ALLOW_REMOTE_OPS")]
    pub allow_remote_ops: bool,

    /// Where the history store lives (SQLite, `history.sqlite3` in this directory, WAL mode; one
    /// proxy per directory). Ignored with --database-url.
    #[arg(long, env = "MIGRATION_PROXY_DATA_DIR", default_value = crate::store::DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,

    /// A PostgreSQL history store shared by several replicas (postgres://user:password@host/db);
    /// one replica polls at a time. Without it, SQLite under --data-dir.
    #[arg(long, env = "MIGRATION_PROXY_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Watch an instance from start-up (REGION/INSTANCE, e.g. cn-hangzhou/pgm-bp1example);
    /// repeatable. The environment variable takes a comma-separated list.
    #[arg(long = "watch", env = "MIGRATION_PROXY_WATCH", value_delimiter = ',', value_parser = parse_watch_arg)]
    pub watch: Vec<(String, String)>,

    /// Seconds between two polls of a watched instance (at least 10).
    #[arg(long, env = "MIGRATION_PROXY_WATCH_INTERVAL_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(MIN_WATCH_INTERVAL_SECS..))]
    pub watch_interval_secs: u64,

    /// Test only: the poll interval in milliseconds, below the 10 s floor (fault tests).
    #[arg(long, env = "MIGRATION_PROXY_TEST_WATCH_INTERVAL_MS", hide = true)]
    pub test_watch_interval_ms: Option<u64>,

    /// An instance watched because someone opened it is dropped this many hours after its last view.
    #[arg(long, env = "MIGRATION_PROXY_WATCH_IDLE_HOURS", default_value_t = 72,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub watch_idle_hours: u64,

    /// Do not watch instances because someone opened them in the dashboard.
    #[arg(long, env = "MIGRATION_PROXY_NO_AUTO_WATCH")]
    pub no_auto_watch: bool,

    /// Days history samples are kept (events are kept for a year).
    #[arg(long, env = "MIGRATION_PROXY_HISTORY_RETENTION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub history_retention_days: u32,

    /// Alert rules and destinations (TOML; docs/alerts.md). Refused if group or others can
    /// write it. Without it no alert is sent.
    #[arg(long, env = "MIGRATION_PROXY_ALERTS_FILE")]
    pub alerts_file: Option<PathBuf>,

    /// The dashboard's address as its users reach it (e.g. https://portal.example.com/migrations),
    /// for the links in alert messages.
    #[arg(long, env = "MIGRATION_PROXY_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Threads that serve requests, each a single-threaded event loop accepting from the one
    /// listening socket; 0 (the default) means one per CPU core. A request, its upstream call
    /// and its answer run on one thread, with no hand-off between threads; the watcher and the
    /// alert sender run on threads of their own (BENCHMARKS.md).
    #[arg(long, env = "MIGRATION_PROXY_WORKER_THREADS", default_value_t = 0)]
    pub worker_threads: usize,

    /// Members of this group (from --groups-header or the tokens file) may add and remove
    /// watched instances over the API. Without it, nobody can.
    #[arg(long, env = "MIGRATION_PROXY_ADMIN_GROUP")]
    pub admin_group: Option<String>,

    #[command(flatten)]
    pub credentials: crate::credentials::CredentialArgs,

    /// Faults the in-process simulator injects (only with --demo; see `simulate --help`).
    #[command(flatten, next_help_heading = "Demo simulator faults (only with --demo)")]
    pub demo_faults: crate::simulator::cli::FaultArgs,
}

/// The shortest poll interval `--watch-interval-secs` accepts.
pub const MIN_WATCH_INTERVAL_SECS: u64 = 10;

fn parse_watch_arg(raw: &str) -> Result<(String, String), String> {
    crate::watch::parse_watch(raw)
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
        return Err(format!("base path segments may hold only letters, digits and -_.~: {raw:?}"));
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

    fn serve(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        let mut argv = vec!["migration-proxy", "serve"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).map(|cli| match cli.command {
            Command::Serve(a) => *a,
            _ => unreachable!("serve was asked for"),
        })
    }

    #[test]
    fn history_flags_have_their_defaults_and_are_checked() {
        let a = serve(&[]).unwrap();
        assert_eq!(a.data_dir, PathBuf::from("./data"));
        assert_eq!((a.watch_interval_secs, a.watch_idle_hours, a.history_retention_days), (30, 72, 30));
        assert!(a.watch.is_empty() && a.database_url.is_none() && !a.no_auto_watch);
        let a =
            serve(&["--watch", "cn-hangzhou/pgm-a", "--watch", "ap-southeast-5/pgm-b", "--no-auto-watch"])
                .unwrap();
        assert_eq!(
            a.watch,
            [
                ("cn-hangzhou".to_string(), "pgm-a".to_string()),
                ("ap-southeast-5".to_string(), "pgm-b".to_string())
            ]
        );
        assert!(a.no_auto_watch);
        assert_eq!(serve(&["--watch-interval-secs", "10"]).unwrap().watch_interval_secs, 10);
        for bad in [
            &["--watch-interval-secs", "9"][..],
            &["--watch", "pgm-a"],
            &["--watch", "CN/pgm-a"],
            &["--watch", "cn-hangzhou/pgm a"],
            &["--watch-idle-hours", "0"],
            &["--history-retention-days", "0"],
        ] {
            assert!(serve(bad).is_err(), "{bad:?} should be refused");
        }
        let e = serve(&["--watch", "nonsense"]).unwrap_err().to_string();
        assert!(e.contains("REGION/INSTANCE"), "{e}");
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
