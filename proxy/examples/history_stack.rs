//! The proxy with a history store filled in advance, for the browser tests of the history views
//! (tests/e2e/tests/history.spec.ts) and for looking at those views by hand. It runs exactly
//! what `serve` runs (`serve::prepare`, `app()`, the same listener), with a SQLite store in
//! `--data-dir` that it first fills through `Store::record_poll`, as the watcher would: two days
//! of the demo seed task polled every minute (a stage change, a disconnect, a shrinking lag, a
//! `Detail` line holding a planted password), after two polls on the seed's own day that saw it
//! leave precheck for the full backup (a stage its `Detail` log gives no time for).
//!
//!     cargo run -p migration-proxy --example history_stack -- --data-dir DIR [--store MODE] -- SERVE-FLAGS...
//!
//! `--store seeded` (default): the history above, the demo instance watched. `--store empty`: a
//! store with nothing in it (nothing watched). `--store down`: seeded, then closed, so every read
//! fails (503). `--store none`: no store at all (404).
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use migration_model::contract::{DEMO_INSTANCE, DEMO_REGION};
use migration_model::history::{EventKind, HistoryEvent, HistorySample, WatchSource};
use migration_proxy::config::{Cli, Command};
use migration_proxy::store::{NewEvent, PollWrite, Store, TaskSample};

/// The seed example's task, on page 1 of the demo instance.
pub const TASK: u64 = 440437220;
/// Planted in a stored `Detail` line: it must never reach a browser.
pub const PLANTED_PASSWORD: &str = "HistPlanted-7c7c7c";

fn event(kind: EventKind, at: i64, from: Option<&str>, to: Option<&str>, text: Option<String>) -> NewEvent {
    NewEvent {
        event: HistoryEvent {
            kind,
            task_id: Some(TASK),
            observed_after: Some(at - 60),
            observed_at: at,
            at: None,
            from: from.map(Into::into),
            to: to.map(Into::into),
            text,
            duration_min_secs: None,
            duration_max_secs: None,
        },
        dedup: format!("{}-{at}", kind.as_str()),
    }
}

/// Two days, one poll a minute, ending now. Base backup until 30 h ago, then increment; a
/// disconnect from 3 h to 2 h 50 min ago; switch since 40 min ago; the lag shrinks over the last
/// two hours (1 MiB a minute).
async fn seed(store: &Store, now: i64) -> anyhow::Result<()> {
    // The seed task was created at 2022-02-25 08:53:13 UTC and its log starts link setup at
    // 09:00:29: the watcher saw it in precheck at 08:54 and in the full backup at 08:56.
    let created_day = chrono::DateTime::parse_from_rfc3339("2022-02-25T08:54:00Z")?.timestamp();
    let early = [
        event(EventKind::TaskAppeared, created_day, None, Some("precheck"), None),
        event(EventKind::StageChanged, created_day + 120, Some("precheck"), Some("basebackup"), None),
    ];
    for e in early {
        let at = e.event.observed_at;
        let mut e = e;
        if e.event.kind == EventKind::TaskAppeared {
            e.event.observed_after = None;
        }
        let write = PollWrite {
            region_id: DEMO_REGION.into(),
            instance_name: DEMO_INSTANCE.into(),
            at,
            tasks: vec![TaskSample { task_id: TASK, task_name: None, sample: None }],
            events: vec![e],
            report: None,
            state: None,
        };
        store.record_poll(&write).await?;
    }
    let start = now - 2 * 86_400;
    let mib = 1_048_576;
    let mut at = start;
    while at <= now {
        let age = now - at;
        let stage = if age > 30 * 3600 {
            "basebackup"
        } else if age > 40 * 60 {
            "increment"
        } else {
            "switch"
        };
        let disconnected = age <= 3 * 3600 && age > 2 * 3600 + 50 * 60;
        let lag = if age > 30 * 3600 { 0 } else { (age.min(2 * 3600) / 60 + 1) * mib };
        let mut events = Vec::new();
        let step = |a: i64| age <= a && age + 60 > a;
        if step(30 * 3600) {
            events.push(event(EventKind::StageChanged, at, Some("basebackup"), Some("increment"), None));
            events.push(event(
                EventKind::DetailLine,
                at,
                None,
                None,
                Some(format!("error:cannot connect to source database by admin:{PLANTED_PASSWORD}")),
            ));
        }
        if step(3 * 3600) {
            events.push(event(EventKind::DisconnectBegan, at, Some("streaming"), Some("disconnect"), None));
        }
        if step(2 * 3600 + 50 * 60) {
            events.push(event(EventKind::DisconnectEnded, at, Some("disconnect"), Some("streaming"), None));
        }
        if step(40 * 60) {
            events.push(event(EventKind::StageChanged, at, Some("increment"), Some("switch"), None));
        }
        let sample = HistorySample {
            t: at,
            stage: Some(stage.into()),
            state: Some(if disconnected { "disconnect" } else { "streaming" }.into()),
            not_yet_replayed_bytes: Some(lag),
            behind_source_report_bytes: Some(lag),
            replay_lag: Some("0".into()),
            count: 1,
            ..HistorySample::default()
        };
        let write = PollWrite {
            region_id: DEMO_REGION.into(),
            instance_name: DEMO_INSTANCE.into(),
            at,
            tasks: vec![TaskSample { task_id: TASK, task_name: None, sample: Some(sample) }],
            events,
            report: None,
            state: None,
        };
        store.record_poll(&write).await?;
        at += 60;
    }
    store.add_watch(DEMO_REGION, DEMO_INSTANCE, WatchSource::Demo, None, start).await?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let serve_args: Vec<String> = args.split_off(split).into_iter().skip(1).collect();
    let mut data_dir: Option<PathBuf> = None;
    let mut mode = "seeded".to_string();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data-dir" => data_dir = it.next().map(PathBuf::from),
            "--store" => mode = it.next().unwrap_or_default(),
            other => anyhow::bail!("history_stack: unknown flag {other:?}"),
        }
    }
    if !matches!(mode.as_str(), "seeded" | "empty" | "down" | "none") {
        anyhow::bail!("--store must be seeded, empty, down or none");
    }
    let cli =
        Cli::parse_from(["migration-proxy".to_string(), "serve".to_string()].into_iter().chain(serve_args));
    let Command::Serve(serve) = cli.command else { unreachable!("parsed as serve") };
    migration_proxy::telemetry::init(cli.log_format);
    tokio::runtime::Runtime::new()?.block_on(async move {
        let env = |k: &str| std::env::var(k).ok();
        let (mut state, sim) = migration_proxy::serve::prepare(&serve, &env).await?;
        if mode != "none" {
            let dir = data_dir.context("--data-dir is needed with a store")?;
            let store = Store::open_sqlite(&dir).await?;
            if mode != "empty" {
                seed(&store, chrono::Utc::now().timestamp()).await?;
            }
            if mode == "down" {
                store.pool().close().await;
            }
            state.store = Some(Arc::new(store));
        }
        let listener = tokio::net::TcpListener::bind(serve.listen).await?;
        let addr: SocketAddr = listener.local_addr()?;
        println!("history_stack ({mode}): http://{addr}{}/", serve.base_path);
        let limits = migration_proxy::listener::ConnLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
        };
        migration_proxy::listener::serve(
            listener,
            migration_proxy::app(state),
            limits,
            migration_proxy::serve::shutdown_signal(),
        )
        .await?;
        if let Some(sim) = sim {
            sim.stop().await;
        }
        Ok(())
    })
}
