//! The RDS simulator: a stand-in for the RDS OpenAPI endpoint that behaves like it on the wire
//! (RPC-style actions on `/`, parameters in the query string or a form body, both signature
//! styles verified, the service's error codes), answering from a generated demo world.
//!
//! Demo credentials (documented in the README; `--access-key-id`/`--access-key-secret` replace
//! them): AccessKey ID [`DEMO_ACCESS_KEY_ID`], secret [`DEMO_ACCESS_KEY_SECRET`].
mod handlers;
mod rng;
pub mod world;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::SimulateArgs;
use crate::signing::verify::KeyEntry;
pub use world::World;

pub const DEMO_ACCESS_KEY_ID: &str = "demo-access-key-id";
pub const DEMO_ACCESS_KEY_SECRET: &str = "demo-access-key-secret";

/// The clock the simulator reads; tests drive a fake one.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Clone)]
pub struct SimConfig {
    pub seed: u64,
    pub speed: f64,
    pub access_key_id: String,
    pub access_key_secret: String,
    pub clock: Clock,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            speed: 1.0,
            access_key_id: DEMO_ACCESS_KEY_ID.to_string(),
            access_key_secret: DEMO_ACCESS_KEY_SECRET.to_string(),
            clock: Arc::new(Utc::now),
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
            .finish()
    }
}

pub struct Simulator {
    keys: HashMap<String, KeyEntry>,
    /// Nonces seen, with when; a nonce may not repeat within 31 minutes.
    nonces: Mutex<HashMap<String, DateTime<Utc>>>,
    world: World,
    clock: Clock,
}

impl Simulator {
    pub fn new(config: SimConfig) -> Simulator {
        let now = (config.clock)();
        let mut keys = HashMap::new();
        keys.insert(config.access_key_id.clone(), KeyEntry { secret: config.access_key_secret.clone(), security_token: None });
        Simulator { keys, nonces: Mutex::new(HashMap::new()), world: World::demo(config.seed, now, config.speed), clock: config.clock }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    fn key(&self, id: &str) -> Option<KeyEntry> {
        self.keys.get(id).cloned()
    }

    /// Records a nonce; false if it was used within the window.
    fn fresh_nonce(&self, nonce: &str, now: DateTime<Utc>) -> bool {
        let window = chrono::Duration::minutes(31);
        let mut seen = self.nonces.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, at| now - *at < window);
        }
        match seen.get(nonce) {
            Some(at) if now - *at < window => false,
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
    shutdown: oneshot::Sender<()>,
    handle: JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.handle.await;
    }
}

pub async fn start(addr: SocketAddr, config: SimConfig) -> std::io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let sim = Arc::new(Simulator::new(config));
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, router(sim))
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Running { addr, shutdown: tx, handle })
}

pub async fn run_standalone(args: SimulateArgs) -> anyhow::Result<()> {
    let config = SimConfig {
        seed: args.seed,
        speed: args.speed,
        access_key_id: args.access_key_id,
        access_key_secret: args.access_key_secret,
        ..SimConfig::default()
    };
    let listener = TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    println!("RDS simulator listening on http://{addr}/ (seed {}, speed {})", config.seed, config.speed);
    let sim = Arc::new(Simulator::new(config));
    axum::serve(listener, router(sim)).with_graceful_shutdown(crate::serve::shutdown_signal()).await?;
    Ok(())
}
