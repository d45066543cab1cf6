//! The RDS simulator: a stand-in for the RDS OpenAPI endpoint that behaves like it on the wire
//! (RPC-style actions on `/` over GET or POST, parameters in the query string or a form body,
//! both signature styles verified, the service's error codes), answering from a generated demo
//! world ([`world`]). On the same listener it also stands in for STS (`AssumeRole`,
//! `AssumeRoleWithOIDC`, `GetCallerIdentity`, Version 2015-04-01) and the ECS metadata service
//! (`/latest/...`), handing out short-lived credentials that it then accepts for RDS calls
//! together with their SecurityToken ([`sts`]). Faults can be injected ([`faults`]), and with
//! [`SimConfig::control`] changed while running over `GET`/`PUT /-/faults` (`control.rs`).
//!
//! Demo credentials (documented in the README; `--access-key-id`/`--access-key-secret` replace
//! them): AccessKey ID [`DEMO_ACCESS_KEY_ID`], secret [`DEMO_ACCESS_KEY_SECRET`].
//!
//! Two clocks: the world reads [`SimConfig::clock`] (wall-clock time, or a [`ManualClock`] in
//! tests); signature checks, nonces, STS expirations and the `Date` header read the *server*
//! clock, which is that clock plus `--fault-clock-skew-secs`.
pub mod cli;
mod control;
pub mod faults;
mod handlers;
mod rng;
pub mod sts;
pub mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::signing::verify::KeyEntry;
use cli::SimulateArgs;
pub use faults::Faults;
pub use world::World;

pub const DEMO_ACCESS_KEY_ID: &str = "demo-access-key-id";
pub const DEMO_ACCESS_KEY_SECRET: &str = "demo-access-key-secret";
/// The account the demo key and the demo roles belong to.
pub const DEMO_ACCOUNT_ID: &str = "5123456789012345";

/// The clock the simulator reads; tests drive a fake one ([`ManualClock`]).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A clock tests set and advance by hand.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    /// A manual clock that starts at the real time now.
    pub fn starting_now() -> ManualClock {
        ManualClock::new(Utc::now())
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *t += by;
    }

    /// This clock as a [`Clock`] for [`SimConfig::clock`].
    pub fn clock(&self) -> Clock {
        let me = self.clone();
        Arc::new(move || me.now())
    }
}

/// The STS and ECS-metadata stand-ins.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsConfig {
    /// Smallest `DurationSeconds` accepted (the real service: 900).
    pub min_duration_secs: u64,
    /// Largest `DurationSeconds` accepted (the role's MaxSessionDuration).
    pub max_duration_secs: u64,
    /// The role the ECS metadata service serves.
    pub ecs_role_name: String,
    /// Lifetime of ECS metadata credentials; a new set is issued once half of it has passed.
    pub ecs_credential_ttl_secs: u64,
}

impl Default for StsConfig {
    fn default() -> Self {
        StsConfig {
            min_duration_secs: 900,
            max_duration_secs: 3_600,
            ecs_role_name: "migration-proxy-demo-role".to_string(),
            ecs_credential_ttl_secs: 21_600,
        }
    }
}

#[derive(Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub speed: f64,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub clock: Clock,
    pub faults: Faults,
    pub sts: StsConfig,
    /// Tasks on [`world::BENCH_INSTANCE`] (0: no such instance).
    pub bench_instance_tasks: usize,
    /// Serve `GET`/`PUT /-/faults` to read and replace the faults while running (tests; no
    /// authentication, so loopback listeners only: see [`check_control`]).
    pub control: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            speed: 1.0,
            access_key_id: DEMO_ACCESS_KEY_ID.to_string(),
            access_key_secret: DEMO_ACCESS_KEY_SECRET.to_string(),
            clock: Arc::new(Utc::now),
            faults: Faults::default(),
            sts: StsConfig::default(),
            bench_instance_tasks: 0,
            control: false,
        }
    }
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("seed", &self.seed)
            .field("speed", &self.speed)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"***")
            .field("faults", &self.faults)
            .field("sts", &self.sts)
            .field("bench_instance_tasks", &self.bench_instance_tasks)
            .field("control", &self.control)
            .finish()
    }
}

pub struct Simulator {
    keys: HashMap<String, KeyEntry>,
    /// Nonces seen, with when; a nonce may not repeat within 31 minutes.
    nonces: Mutex<HashMap<String, DateTime<Utc>>>,
    world: World,
    clock: Clock,
    faults: faults::FaultState,
    sts_config: StsConfig,
    sts: sts::StsState,
    shutdown: watch::Sender<bool>,
    /// Authenticated RDS calls received (before faults).
    rds_calls: AtomicU64,
    /// Whether `/-/faults` is served ([`SimConfig::control`]).
    control: bool,
}

impl Simulator {
    pub fn new(config: SimConfig) -> Simulator {
        let now = (config.clock)();
        let mut keys = HashMap::new();
        keys.insert(
            config.access_key_id.clone(),
            KeyEntry { secret: config.access_key_secret.clone(), security_token: None },
        );
        let options = world::WorldOptions {
            seed: config.seed,
            speed: config.speed,
            bench_instance_tasks: config.bench_instance_tasks,
        };
        Simulator {
            keys,
            nonces: Mutex::new(HashMap::new()),
            world: World::new(options, now),
            clock: config.clock,
            faults: faults::FaultState::new(config.faults),
            sts_config: config.sts,
            sts: sts::StsState::default(),
            shutdown: watch::channel(false).0,
            rds_calls: AtomicU64::new(0),
            control: config.control,
        }
    }

    /// The world's clock: what the demo world's timestamps are written from.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The server's clock: the world's plus the configured skew.
    pub fn server_now(&self) -> DateTime<Utc> {
        self.now() + chrono::Duration::seconds(self.faults.faults().clock_skew_secs)
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// The current faults (a copy: with [`SimConfig::control`] they may change at any time).
    pub fn faults(&self) -> Faults {
        self.faults.faults()
    }

    /// How many authenticated RDS calls arrived so far (faulted ones included): lets tests see
    /// a client's retries.
    pub fn rds_calls(&self) -> u64 {
        self.rds_calls.load(Ordering::Relaxed)
    }

    /// Makes calls that hang (`--fault-timeout-rate`) return at once; called on shutdown.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once [`begin_shutdown`](Self::begin_shutdown) has been called.
    async fn shutting_down(&self) {
        let mut rx = self.shutdown.subscribe();
        let _ = rx.wait_for(|down| *down).await;
    }

    /// A long-term key, or an issued STS key (expired ones too: the caller checks expiry).
    fn key(&self, id: &str) -> Option<KeyEntry> {
        self.keys.get(id).cloned().or_else(|| self.sts.key(id))
    }

    /// Records a nonce; false if it was used within the window.
    fn fresh_nonce(&self, nonce: &str, now: DateTime<Utc>) -> bool {
        let window = chrono::Duration::minutes(31);
        let mut seen = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, at| (now - *at).abs() < window);
        }
        match seen.get(nonce) {
            Some(at) if (now - *at).abs() < window => false,
            _ => {
                seen.insert(nonce.to_string(), now);
                true
            }
        }
    }
}

pub fn router(sim: Arc<Simulator>) -> Router {
    handlers::router(sim)
}

/// A simulator serving on a loopback port, stopped by [`Running::stop`].
pub struct Running {
    pub addr: SocketAddr,
    sim: Arc<Simulator>,
    shutdown: oneshot::Sender<()>,
    handle: JoinHandle<()>,
}

impl Running {
    /// The running simulator (its world, clocks and faults).
    pub fn simulator(&self) -> &Arc<Simulator> {
        &self.sim
    }

    /// `http://{addr}`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(self) {
        self.sim.begin_shutdown();
        let _ = self.shutdown.send(());
        let _ = self.handle.await;
    }
}

pub async fn start(addr: SocketAddr, config: SimConfig) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let sim = Arc::new(Simulator::new(config));
    let (tx, rx) = oneshot::channel::<()>();
    let app = router(sim.clone());
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Running { addr, sim, shutdown: tx, handle })
}

/// `/-/faults` has no authentication: `--control` is refused unless `listen` is a loopback
/// address.
pub fn check_control(listen: SocketAddr, control: bool) -> anyhow::Result<()> {
    if control && !listen.ip().is_loopback() {
        anyhow::bail!(
            "--control serves /-/faults without authentication; it is only allowed on a loopback listener, not {listen}"
        );
    }
    Ok(())
}

pub async fn run_standalone(args: SimulateArgs) -> anyhow::Result<()> {
    let config = args.to_config();
    check_control(args.listen, config.control)?;
    config.faults.validate().map_err(|e| anyhow::anyhow!("--fault-*: {e}"))?;
    let listener = TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    let faults_on = config.faults != Faults::default();
    println!(
        "RDS simulator listening on http://{addr}/ (seed {}, speed {}{}); STS on /, ECS metadata under /latest/{}",
        config.seed,
        config.speed,
        if faults_on { ", faults on" } else { "" },
        if config.control { ", fault control on /-/faults" } else { "" }
    );
    tracing::info!(%addr, seed = config.seed, speed = config.speed, faults = ?config.faults, control = config.control, "simulator started");
    let sim = Arc::new(Simulator::new(config));
    let app = router(sim.clone());
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            crate::serve::shutdown_signal().await;
            sim.begin_shutdown();
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_is_refused_off_loopback() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        for listen in ["127.0.0.1:9090", "127.0.0.1:0", "[::1]:9090"] {
            assert!(check_control(at(listen), true).is_ok(), "{listen}");
        }
        for listen in ["0.0.0.0:0", "0.0.0.0:9090", "[::]:9090", "192.168.1.5:9090"] {
            let e = check_control(at(listen), true).unwrap_err().to_string();
            assert!(e.contains("--control") && e.contains("loopback") && e.contains(listen), "{e}");
            assert!(
                check_control(at(listen), false).is_ok(),
                "without --control any address is fine: {listen}"
            );
        }
    }

    #[tokio::test]
    async fn run_standalone_refuses_control_on_a_non_loopback_address_before_binding() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: SimulateArgs,
        }
        let cli = Cli::try_parse_from(["x", "--listen", "0.0.0.0:0", "--control"]).unwrap();
        let refused = tokio::time::timeout(std::time::Duration::from_secs(5), run_standalone(cli.args));
        let e = refused.await.expect("refused at once, not served").unwrap_err().to_string();
        assert!(e.contains("--control") && e.contains("0.0.0.0:0"), "{e}");
    }
}
