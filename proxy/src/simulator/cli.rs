//! The simulator's command line (`migration-proxy simulate`). [`FaultArgs`] is meant to be
//! flattened into `serve`'s arguments too, for demo mode: its field names, flags and
//! `MIGRATION_PROXY_SIM_FAULT_*` variables are stable.
use std::net::SocketAddr;

use clap::Args;

use super::faults::Faults;
use super::{SimConfig, StsConfig};

#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// Address to listen on (RDS and STS on /, the ECS metadata service under /latest/).
    #[arg(long, env = "MIGRATION_PROXY_SIM_LISTEN", default_value = "127.0.0.1:9090")]
    pub listen: SocketAddr,

    /// Seed of the generated demo world (same seed, same world).
    #[arg(long, env = "MIGRATION_PROXY_SIM_SEED", default_value_t = 1)]
    pub seed: u64,

    /// How much faster than real time tasks progress (e.g. 60: a simulated hour per minute).
    /// Timestamps stay wall-clock time.
    #[arg(long, env = "MIGRATION_PROXY_SIM_SPEED", default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,

    /// AccessKey ID the simulator accepts (default: the documented demo key).
    #[arg(long, env = "MIGRATION_PROXY_SIM_ACCESS_KEY_ID", default_value = super::DEMO_ACCESS_KEY_ID)]
    pub access_key_id: String,

    /// AccessKey secret the simulator accepts (default: the documented demo secret).
    #[arg(long, env = "MIGRATION_PROXY_SIM_ACCESS_KEY_SECRET", default_value = super::DEMO_ACCESS_KEY_SECRET, hide_default_value = true, hide_env_values = true)]
    pub access_key_secret: String,

    /// Add an instance (pgm-bp1scalebenchdemo, cn-hangzhou) holding this many tasks, for scale
    /// tests; 0 leaves it out.
    #[arg(long, env = "MIGRATION_PROXY_SIM_BENCH_INSTANCE_TASKS", default_value_t = 0)]
    pub bench_instance_tasks: usize,

    /// Serve GET/PUT /-/faults to change faults while running (tests; loopback listeners only).
    #[arg(long, env = "MIGRATION_PROXY_SIM_CONTROL")]
    pub control: bool,

    #[command(flatten)]
    pub sts: StsArgs,

    #[command(flatten)]
    pub faults: FaultArgs,
}

/// The STS and ECS-metadata stand-ins.
#[derive(Debug, Clone, Args)]
pub struct StsArgs {
    /// Smallest DurationSeconds STS AssumeRole/AssumeRoleWithOIDC accept (the real service: 900).
    /// Set it low (e.g. 2) to test credential refresh in seconds.
    #[arg(long, env = "MIGRATION_PROXY_SIM_STS_MIN_DURATION_SECS", default_value_t = 900)]
    pub sts_min_duration_secs: u64,

    /// Largest DurationSeconds STS accepts (the role's MaxSessionDuration; the default role's is 3600).
    #[arg(long, env = "MIGRATION_PROXY_SIM_STS_MAX_DURATION_SECS", default_value_t = 3600)]
    pub sts_max_duration_secs: u64,

    /// The RAM role the ECS metadata service hands out credentials for.
    #[arg(long, env = "MIGRATION_PROXY_SIM_ECS_ROLE_NAME", default_value = "migration-proxy-demo-role")]
    pub ecs_role_name: String,

    /// Lifetime of the credentials the ECS metadata service hands out, in seconds (the real
    /// service's are about 6 hours); a new set is issued once half of it has passed.
    #[arg(long, env = "MIGRATION_PROXY_SIM_ECS_CREDENTIAL_TTL_SECS", default_value_t = 21_600)]
    pub ecs_credential_ttl_secs: u64,
}

impl Default for StsArgs {
    fn default() -> Self {
        let c = StsConfig::default();
        StsArgs {
            sts_min_duration_secs: c.min_duration_secs,
            sts_max_duration_secs: c.max_duration_secs,
            ecs_role_name: c.ecs_role_name,
            ecs_credential_ttl_secs: c.ecs_credential_ttl_secs,
        }
    }
}

impl From<&StsArgs> for StsConfig {
    fn from(a: &StsArgs) -> StsConfig {
        StsConfig {
            min_duration_secs: a.sts_min_duration_secs,
            max_duration_secs: a.sts_max_duration_secs,
            ecs_role_name: a.ecs_role_name.clone(),
            ecs_credential_ttl_secs: a.ecs_credential_ttl_secs,
        }
    }
}

/// Faults the simulator injects into RDS calls (all off by default). Random choices are
/// seeded: the same requests meet the same faults on every run.
#[derive(Debug, Clone, PartialEq, Args)]
pub struct FaultArgs {
    /// Fraction (0-1) of RDS calls answered 400 Throttling.User, with x-ratelimit-user-api,
    /// x-ratelimit-user and x-acs-retry-after headers.
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_THROTTLE_RATE", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_throttle_rate: f64,

    /// RDS calls per second allowed per AccessKey; more are answered 400 Throttling.User
    /// (0: no limit).
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_QPS_LIMIT", default_value_t = 0)]
    pub fault_qps_limit: u32,

    /// The wait, in ms, that randomly throttled answers ask for (TimeLeft, x-acs-retry-after).
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_THROTTLE_TIME_LEFT_MS", default_value_t = 1_000)]
    pub fault_throttle_time_left_ms: u64,

    /// Fraction (0-1) of RDS calls answered 500 InternalError or 503 ServiceUnavailable.
    #[arg(long = "fault-5xx-rate", env = "MIGRATION_PROXY_SIM_FAULT_5XX_RATE", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_5xx_rate: f64,

    /// Latency, in ms, added to every call on / (RDS and STS).
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_LATENCY_MS", default_value_t = 0)]
    pub fault_latency_ms: u64,

    /// Up to this many more ms of latency, drawn per call.
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_LATENCY_JITTER_MS", default_value_t = 0)]
    pub fault_latency_jitter_ms: u64,

    /// Fraction (0-1) of RDS calls that hang (see --fault-timeout-ms), so the client times out.
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_TIMEOUT_RATE", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_timeout_rate: f64,

    /// How long a hanging call hangs, in ms, before it is answered 503 ServiceUnavailable.
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_TIMEOUT_MS", default_value_t = 60_000)]
    pub fault_timeout_ms: u64,

    /// Fraction (0-1) of RDS calls answered 200 with a truncated, unparseable JSON body.
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_MALFORMED_RATE", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_malformed_rate: f64,

    /// Seconds the simulator's clock is ahead of the real one (negative: behind). Moves the
    /// timestamp check (15-minute window), STS expirations and the Date header; the demo
    /// world's timestamps stay wall-clock time.
    #[arg(
        long,
        env = "MIGRATION_PROXY_SIM_FAULT_CLOCK_SKEW_SECS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    pub fault_clock_skew_secs: i64,

    /// Make the STS stand-in (AssumeRole, AssumeRoleWithOIDC, GetCallerIdentity on /) and the
    /// ECS metadata service (/latest/...) answer 503 ServiceUnavailable; RDS calls still work.
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_STS_UNAVAILABLE")]
    pub fault_sts_unavailable: bool,

    /// Seed of the fault generator (same seed, same faults for the same requests).
    #[arg(long, env = "MIGRATION_PROXY_SIM_FAULT_SEED", default_value_t = 1)]
    pub fault_seed: u64,
}

impl Default for FaultArgs {
    fn default() -> Self {
        FaultArgs::from(&Faults::default())
    }
}

impl From<&FaultArgs> for Faults {
    fn from(a: &FaultArgs) -> Faults {
        Faults {
            throttle_rate: a.fault_throttle_rate,
            qps_limit: a.fault_qps_limit,
            throttle_time_left_ms: a.fault_throttle_time_left_ms,
            server_error_rate: a.fault_5xx_rate,
            latency_ms: a.fault_latency_ms,
            latency_jitter_ms: a.fault_latency_jitter_ms,
            timeout_rate: a.fault_timeout_rate,
            timeout_ms: a.fault_timeout_ms,
            malformed_rate: a.fault_malformed_rate,
            clock_skew_secs: a.fault_clock_skew_secs,
            sts_unavailable: a.fault_sts_unavailable,
            seed: a.fault_seed,
        }
    }
}

impl From<&Faults> for FaultArgs {
    fn from(f: &Faults) -> FaultArgs {
        FaultArgs {
            fault_throttle_rate: f.throttle_rate,
            fault_qps_limit: f.qps_limit,
            fault_throttle_time_left_ms: f.throttle_time_left_ms,
            fault_5xx_rate: f.server_error_rate,
            fault_latency_ms: f.latency_ms,
            fault_latency_jitter_ms: f.latency_jitter_ms,
            fault_timeout_rate: f.timeout_rate,
            fault_timeout_ms: f.timeout_ms,
            fault_malformed_rate: f.malformed_rate,
            fault_clock_skew_secs: f.clock_skew_secs,
            fault_sts_unavailable: f.sts_unavailable,
            fault_seed: f.seed,
        }
    }
}

impl FaultArgs {
    /// The [`Faults`] these flags describe (for [`SimConfig::faults`]).
    pub fn to_faults(&self) -> Faults {
        Faults::from(self)
    }
}

impl SimulateArgs {
    /// The simulator's configuration from these flags (real clock).
    pub fn to_config(&self) -> SimConfig {
        SimConfig {
            seed: self.seed,
            speed: self.speed,
            access_key_id: self.access_key_id.clone(),
            access_key_secret: self.access_key_secret.clone(),
            bench_instance_tasks: self.bench_instance_tasks,
            sts: StsConfig::from(&self.sts),
            faults: self.faults.to_faults(),
            control: self.control,
            ..SimConfig::default()
        }
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!("{s:?} is not a fraction between 0 and 1")),
    }
}

fn parse_speed(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= 1_000_000.0 => Ok(v),
        _ => Err(format!("{s:?} is not a speed above 0 (1 is real time)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SimulateArgs,
    }

    #[test]
    fn defaults_are_the_documented_ones_and_no_faults() {
        let cli = Cli::try_parse_from(["x"]).unwrap();
        let c = cli.args.to_config();
        assert_eq!(c.faults, Faults::default());
        assert_eq!(cli.args.faults, FaultArgs::default());
        assert_eq!(c.access_key_id, crate::simulator::DEMO_ACCESS_KEY_ID);
        assert_eq!(c.sts, StsConfig::default());
        assert_eq!(c.bench_instance_tasks, 0);
        assert!(!c.control && !cli.args.control, "no control endpoint unless asked for");
    }

    #[test]
    fn fault_flags_parse_and_reach_the_config() {
        let cli = Cli::try_parse_from([
            "x",
            "--fault-throttle-rate",
            "0.25",
            "--fault-qps-limit",
            "5",
            "--fault-5xx-rate",
            "1",
            "--fault-latency-ms",
            "20",
            "--fault-timeout-rate",
            "0.5",
            "--fault-malformed-rate",
            "0.1",
            "--fault-clock-skew-secs",
            "-1200",
            "--fault-seed",
            "9",
            "--speed",
            "60",
            "--sts-min-duration-secs",
            "2",
        ])
        .unwrap();
        let f = cli.args.to_config().faults;
        assert_eq!(
            (
                f.throttle_rate,
                f.qps_limit,
                f.server_error_rate,
                f.latency_ms,
                f.timeout_rate,
                f.malformed_rate,
                f.clock_skew_secs,
                f.seed
            ),
            (0.25, 5, 1.0, 20, 0.5, 0.1, -1200, 9)
        );
        assert_eq!(cli.args.to_config().sts.min_duration_secs, 2);
        assert_eq!(FaultArgs::from(&f), cli.args.faults);
        assert!(!f.sts_unavailable);
        assert!(Cli::try_parse_from(["x", "--fault-5xx-rate", "1.5"]).is_err());
        assert!(Cli::try_parse_from(["x", "--speed", "0"]).is_err());
    }

    #[test]
    fn control_and_sts_unavailable_parse_and_reach_the_config() {
        let cli = Cli::try_parse_from(["x", "--control", "--fault-sts-unavailable"]).unwrap();
        assert!(cli.args.control && cli.args.faults.fault_sts_unavailable);
        let c = cli.args.to_config();
        assert!(c.control);
        assert_eq!(c.faults, Faults { sts_unavailable: true, ..Faults::default() });
        assert_eq!(FaultArgs::from(&c.faults), cli.args.faults, "the conversion goes both ways");
        assert!(Cli::try_parse_from(["x", "--control=yes"]).is_err(), "a plain flag takes no value");
    }

    #[test]
    fn every_flag_has_a_sim_environment_variable_and_help() {
        for arg in Cli::command().get_arguments() {
            if arg.get_id() == "help" {
                continue;
            }
            let env = arg.get_env().map(|e| e.to_string_lossy().to_string()).unwrap_or_default();
            assert!(
                env.starts_with("MIGRATION_PROXY_SIM_"),
                "--{} has no MIGRATION_PROXY_SIM_* variable",
                arg.get_id()
            );
            assert!(arg.get_help().is_some(), "--{} has no help", arg.get_id());
        }
    }
}
