//! Wires the alerts to the watcher: every poll the watcher's leader makes reaches
//! [`AlertEngine::on_poll`] through the watcher's per-poll hook, and the outbox sender runs
//! while this replica is the leader (a replica that takes over finds the outbox in the store). An
//! instance that leaves the watch set is forgotten ([`AlertEngine::forget_instance`]), and so is
//! one that left it while no proxy ran ([`AlertEngine::forget_unwatched`]).
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::sender::SenderOptions;
use super::AlertEngine;
use crate::watch::Watcher;

/// Subscribes `engine` to `watcher`'s polls and starts the sender. Call before
/// [`Watcher::start`], so the first poll is seen. Both tasks run until aborted.
pub fn start(
    engine: Arc<AlertEngine>,
    watcher: &Arc<Watcher>,
    options: SenderOptions,
) -> anyhow::Result<(JoinHandle<()>, JoinHandle<()>)> {
    let mut polls = watcher.subscribe();
    let mut unwatched = watcher.subscribe_unwatched();
    let e = engine.clone();
    let w = watcher.clone();
    // The leader also looks, once a watch interval, for instances that left the watch set
    // without this replica seeing them go (while no proxy ran, or another one led).
    let mut sweep = tokio::time::interval(watcher.config().interval.max(Duration::from_secs(1)));
    sweep.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let evaluating = tokio::spawn(async move {
        loop {
            let polled = tokio::select! {
                p = polls.recv() => p,
                _ = sweep.tick() => {
                    if w.is_leader() {
                        match e.forget_unwatched(w.now()).await {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(instances = n, "alerts: instances no longer watched were forgotten"),
                            Err(err) => tracing::warn!("alerts: unwatched instances were not looked for: {err}"),
                        }
                    }
                    continue;
                }
                gone = unwatched.recv() => {
                    if let Ok((region, instance)) = gone {
                        // Gauges go on every replica; episodes are resolved by the leader only.
                        if let Err(err) = e.forget_instance(&region, &instance, w.now(), w.is_leader()).await {
                            tracing::warn!(region, instance, "alerts: an unwatched instance was not forgotten: {err}");
                        }
                    }
                    continue;
                }
            };
            match polled {
                Ok(p) => {
                    let poll = if p.report.ok {
                        Ok(super::Polled { tasks: &p.tasks[..], replication: Some(&p.replication[..]) })
                    } else {
                        Err(p.report.outcome.as_str())
                    };
                    if let Err(err) = e.on_watched_poll(&p.region_id, &p.db_instance_name, poll, p.at).await {
                        tracing::warn!(
                            region = p.region_id,
                            instance = p.db_instance_name,
                            "alerts: this poll was not evaluated: {err}"
                        );
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(skipped = n, "alerts: evaluation fell behind the watcher; skipped polls")
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
    let sender = engine.sender(options)?;
    let w = watcher.clone();
    let sending = tokio::spawn(async move { sender.run(move || w.is_leader(), || false).await });
    Ok((evaluating, sending))
}
