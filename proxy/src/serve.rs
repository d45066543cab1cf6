//! `migration-proxy serve`: resolves credentials (or starts the simulator with --demo), loads
//! the app, binds, and serves until Ctrl-C or SIGTERM.
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use axum::http::HeaderName;

use crate::app::{AppState, Mode};
use crate::audit::AuditLog;
use crate::auth::Authenticator;
use crate::cache::Cache;
use crate::config::{AuthMode, ServeArgs};
use crate::credentials::{self, Credentials, Secret, Source};
use crate::policy::Policy;
use crate::retry::RetryPolicy;
use crate::simulator;
use crate::spa::Spa;
use crate::store::Store;
use crate::upstream::{check_endpoint, Upstream};
use crate::watch::{WatchConfig, Watcher};
use migration_model::history::WatchSource;
use std::sync::Arc;

/// Everything `serve` decides before it binds, split out so tests can check the refusals.
pub async fn prepare(
    args: &ServeArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<(AppState, Option<simulator::Running>)> {
    if args.auth == AuthMode::None && !args.listen.ip().is_loopback() {
        anyhow::bail!(
            "--auth none is only allowed on a loopback listener, not {}; put the proxy behind the portal's auth proxy",
            args.listen
        );
    }
    // Everything formatted into a URL or a header is checked like request values are.
    if !crate::actions::is_region_id(&args.region_id) {
        anyhow::bail!("--region-id {:?} is not a region ID such as cn-hangzhou", args.region_id);
    }
    if let Some(r) = env("ALIBABA_CLOUD_STS_REGION").filter(|r| !r.trim().is_empty()) {
        if !crate::actions::is_region_id(r.trim()) {
            anyhow::bail!("ALIBABA_CLOUD_STS_REGION {r:?} is not a region ID such as cn-hangzhou");
        }
    }
    if let Some(ops) = args.ops_listen {
        if !ops.ip().to_canonical().is_loopback() && !args.allow_remote_ops {
            anyhow::bail!(
                "--ops-listen {ops} is not a loopback address: /metrics and /readyz have no authentication; \
                 bind them to loopback, or pass --allow-remote-ops for a private network"
            );
        }
    }
    if !args.demo && args.demo_faults != simulator::cli::FaultArgs::default() {
        anyhow::bail!("the --fault-* flags shape the demo simulator; they need --demo");
    }
    simulator::Faults::from(&args.demo_faults).validate().map_err(|e| anyhow::anyhow!("--fault-*: {e}"))?;
    let timeout = Duration::from_millis(args.upstream_timeout_ms.max(1));
    let (upstream, mode, sim) = if args.demo {
        let sim = simulator::start(
            "127.0.0.1:0".parse().expect("literal address"),
            simulator::SimConfig {
                speed: args.demo_speed,
                faults: (&args.demo_faults).into(),
                ..simulator::SimConfig::default()
            },
        )
        .await
        .context("starting the embedded RDS simulator")?;
        let endpoint = check_endpoint(&format!("http://{}", sim.addr), false).map_err(anyhow::Error::msg)?;
        let creds = Credentials {
            access_key_id: simulator::DEMO_ACCESS_KEY_ID.to_string(),
            access_key_secret: Secret::new(simulator::DEMO_ACCESS_KEY_SECRET),
            security_token: None,
            source: Source::Demo,
        };
        (Upstream::new(Some(endpoint), creds, args.signature, timeout)?, Mode::Demo, Some(sim))
    } else {
        let cfg = args.credentials.chain_config(env).map_err(anyhow::Error::msg)?;
        let creds = credentials::CredentialProvider::resolve(&cfg).await?;
        tracing::info!(source = creds.source().as_str(), what = creds.describe(), "credentials");
        let endpoint = args
            .rds_endpoint
            .as_deref()
            .map(|raw| check_endpoint(raw, args.allow_insecure_endpoint))
            .transpose()
            .map_err(anyhow::Error::msg)?;
        (Upstream::new(endpoint, creds, args.signature, timeout)?, Mode::Live, None)
    };

    let spa = match Spa::load(&args.dist, &args.base_path, &args.frame_ancestors) {
        Ok(spa) => Some(spa),
        Err(e) => {
            tracing::warn!("{e:#}; serving the API only");
            None
        }
    };
    let mut state = AppState::new(upstream, mode, args.region_id.clone());
    state.base_path = args.base_path.clone();
    state.spa = spa;
    state.auth = authenticator(args)?;
    state.allowed_origins = parse_origins(&args.allowed_origins)?;
    state.limits = crate::limits::Limits::new(args.max_upstream_in_flight)
        .with_rate(args.rate_limit_per_sec, args.rate_limit_burst)
        .with_max_parses(args.max_concurrent_parses);
    state.ops_elsewhere = args.ops_listen.is_some();
    state.policy = args.policy_file.as_deref().map(Policy::load).transpose()?;
    state.alerts_config = std::sync::Arc::new(crate::alerts::config::AlertsConfig::from_args(
        args.alerts_file.as_deref(),
        args.public_url.as_deref(),
    )?);
    state.admin_group =
        args.admin_group.as_deref().map(str::trim).filter(|g| !g.is_empty()).map(str::to_string);
    state.cache = Cache::new(
        Duration::from_millis(args.cache_ttl_ms),
        Duration::from_secs(args.stale_for_secs),
        10_000,
    )
    .with_max_bytes(args.cache_max_bytes);
    state.retry = RetryPolicy {
        max_attempts: args.retry_attempts.max(1),
        deadline: Duration::from_millis(args.retry_deadline_ms),
        ..RetryPolicy::default()
    };
    state.audit = match args.audit_log.as_str() {
        "off" => None,
        target => Some(AuditLog::open(target)?),
    };
    Ok((state, sim))
}

/// Opens the history store (a corrupt or unwritable one is a start-up error, as is a SQLite file
/// another proxy holds) and makes the watcher over it, with the configured and demo watches.
pub async fn open_history(
    args: &ServeArgs,
    sim: Option<&simulator::Running>,
) -> anyhow::Result<Arc<Watcher>> {
    let store = Store::open(&args.data_dir, args.database_url.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let interval = match args.test_watch_interval_ms {
        Some(ms) => Duration::from_millis(ms.max(100)),
        None => Duration::from_secs(args.watch_interval_secs.max(crate::config::MIN_WATCH_INTERVAL_SECS)),
    };
    let mut initial: Vec<(String, String, WatchSource)> =
        args.watch.iter().map(|(r, i)| (r.clone(), i.clone(), WatchSource::Config)).collect();
    if let Some(sim) = sim {
        for inst in sim.simulator().world().instances() {
            initial.push((inst.region.to_string(), inst.id.clone(), WatchSource::Demo));
        }
    }
    let config = WatchConfig {
        interval,
        idle: Duration::from_secs(args.watch_idle_hours.saturating_mul(3600)),
        auto_watch: !args.no_auto_watch,
        retention_days: args.history_retention_days,
        initial,
        database_url: args.database_url.clone(),
        ..WatchConfig::default()
    };
    let watcher = Watcher::new(config, Arc::new(store));
    // Writes the watch set now, so a store that opens but cannot be written fails here.
    watcher.add_initial().await.map_err(|e| anyhow::anyhow!("the history store cannot be written: {e}"))?;
    Ok(watcher)
}

/// `--allowed-origins`: each one `scheme://host[:port]`, nothing more.
fn parse_origins(list: &str) -> anyhow::Result<Vec<String>> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|o| {
            let url = url::Url::parse(o)
                .map_err(|_| anyhow::anyhow!("--allowed-origins: {o:?} is not an origin"))?;
            let origin = url.origin().ascii_serialization();
            if !matches!(url.scheme(), "http" | "https") || origin != o.trim_end_matches('/') {
                anyhow::bail!("--allowed-origins: {o:?} must be scheme://host[:port] and nothing more");
            }
            Ok(origin)
        })
        .collect()
}

fn authenticator(args: &ServeArgs) -> anyhow::Result<Authenticator> {
    Ok(match args.auth {
        AuthMode::None => Authenticator::None,
        AuthMode::TrustedHeader => {
            let proxies = Authenticator::parse_networks(&args.trusted_proxies).map_err(anyhow::Error::msg)?;
            if proxies.is_empty() {
                anyhow::bail!(
                    "--auth trusted-header needs --trusted-proxies: the addresses of the portal's auth proxy"
                );
            }
            let header = |name: &str| {
                HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| anyhow::anyhow!("{name:?} is not a header name"))
            };
            Authenticator::TrustedHeader {
                proxies,
                user_header: header(&args.user_header)?,
                groups_header: if args.groups_header.trim().is_empty() {
                    None
                } else {
                    Some(header(&args.groups_header)?)
                },
            }
        }
        AuthMode::Bearer => {
            let path = args
                .tokens_file
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("--auth bearer needs --tokens-file"))?;
            Authenticator::Bearer { tokens: Authenticator::load_tokens(path)? }
        }
    })
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let env = |k: &str| std::env::var(k).ok();
    let (mut state, sim) = prepare(&args, &env).await?;
    let watcher = open_history(&args, sim.as_ref()).await?;
    state.store = Some(watcher.store().clone());
    state.watcher = Some(watcher.clone());
    // Alerts: evaluated on the watcher's polls (its leader's), episodes and outbox in its store.
    let alert_policy = args.policy_file.as_deref().map(Policy::load).transpose()?.map(Arc::new);
    let engine = Arc::new(crate::alerts::AlertEngine::new(
        (*state.alerts_config).clone(),
        watcher.store().clone(),
        alert_policy,
        Some(state.metrics.alerts.clone()),
    ));
    state.alerts = Some(engine.clone());
    let (alerting, sending) =
        crate::alerts::hook::start(engine, &watcher, crate::alerts::sender::SenderOptions::default())?;
    let state = std::sync::Arc::new(state);
    let mode = state.mode;
    let listener =
        TcpListener::bind(args.listen).await.with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr: SocketAddr = listener.local_addr()?;
    tracing::info!(mode = mode.as_str(), %addr, base_path = %args.base_path, "serving");
    // The one line a person starting `make run` needs.
    println!(
        "RDS Migration Dashboard ({} mode): http://{}{}/ (history: {} {})",
        mode.as_str(),
        addr,
        args.base_path,
        watcher.store().backend().as_str(),
        watcher.store().location()
    );
    tracing::info!(
        backend = watcher.store().backend().as_str(),
        location = watcher.store().location(),
        interval_secs = watcher.config().interval.as_secs_f64(),
        "history store open; watcher started"
    );
    let watching = watcher.start(state.clone(), std::future::pending());
    let limits = crate::listener::ConnLimits {
        header_read_timeout: Duration::from_millis(args.header_read_timeout_ms.max(1)),
        idle_timeout: Duration::from_millis(args.idle_timeout_ms.max(1)),
        max_connections: args.max_connections.max(1),
    };
    let (router, ops) = crate::ops::routers(state);
    let ops_task = match args.ops_listen {
        Some(at) => Some(crate::ops::spawn(at, ops).await?.1),
        None => None,
    };
    let loops = match args.worker_threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    crate::listener::serve_on_loops(listener, router, limits, loops, shutdown_signal())
        .await
        .context("serving")?;
    if let Some(task) = ops_task {
        task.abort();
    }
    watching.abort();
    alerting.abort();
    sending.abort();
    if let Some(sim) = sim {
        sim.stop().await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
