//! Alerts: rules and destinations from `--alerts-file` ([`config`]), a pure evaluation of each
//! poll ([`engine`]), episodes and an outbox in the history store ([`store`]), the messages and
//! each destination's format and signature ([`message`]), the outbox sender ([`sender`]), the
//! per-task Prometheus gauges ([`metrics`]) and the read-only API ([`api`]). See
//! docs/alerts.md.
//!
//! The watcher's leader calls [`AlertEngine::on_poll`] after each poll of an instance (through
//! its per-poll hook: [`hook::start`]); the leader also runs the [`sender::Sender`]. Episodes and the outbox live in the store, so a
//! restart or a change of leader neither repeats nor loses a message.
pub mod api;
pub mod config;
pub mod engine;
pub mod hook;
pub mod message;
pub mod metrics;
pub mod sender;
pub mod store;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use migration_model::replication::ReplicationInfo;
use migration_model::task::MigrationTask;
use tokio::sync::Notify;

use crate::policy::Policy;
use crate::store::{Store, StoreError};
use config::{AlertsConfig, Rule, RuleKind};
use engine::{PollOutcome, TaskInput};

pub use store::Committed;

/// A successful poll's tasks, and their `ReplicationInfo` as the caller parsed it (in the same
/// order), if it did.
#[derive(Clone, Copy, Debug)]
pub struct Polled<'a> {
    pub tasks: &'a [MigrationTask],
    pub replication: Option<&'a [Option<ReplicationInfo>]>,
}

/// Evaluates the rules on each poll and queues the messages.
pub struct AlertEngine {
    config: AlertsConfig,
    store: Arc<Store>,
    policy: Option<Arc<Policy>>,
    metrics: Option<Arc<metrics::AlertMetrics>>,
    wake: Arc<Notify>,
    /// Per watched instance (region, instance), the tasks' parsed fields from its last poll, so
    /// an unchanged `Detail` or `ReplicationInfo` is not parsed again; dropped when the instance
    /// is forgotten.
    parsed: Mutex<HashMap<(String, String), engine::EvalCache>>,
}

impl AlertEngine {
    /// `policy` resolves the rules' `groups` scope; `metrics` gets the per-task gauges.
    pub fn new(
        config: AlertsConfig,
        store: Arc<Store>,
        policy: Option<Arc<Policy>>,
        metrics: Option<Arc<metrics::AlertMetrics>>,
    ) -> AlertEngine {
        AlertEngine {
            config,
            store,
            policy,
            metrics,
            wake: Arc::new(Notify::new()),
            parsed: Mutex::default(),
        }
    }

    pub fn config(&self) -> &AlertsConfig {
        &self.config
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Woken after every commit that queued a message.
    pub fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The sender for this engine's destinations.
    pub fn sender(&self, options: sender::SenderOptions) -> anyhow::Result<sender::Sender> {
        sender::Sender::new(
            self.store.clone(),
            &self.config.destinations,
            options,
            self.wake.clone(),
            self.metrics.clone(),
        )
    }

    /// The rules that apply to `instance` in `region`.
    pub fn rules_for(&self, region: &str, instance: &str) -> Vec<&Rule> {
        let in_group = |g: &str, i: &str| self.policy.as_ref().is_some_and(|p| p.group_allows(g, i));
        self.config.rules.iter().filter(|r| r.scope.applies(region, instance, &in_group)).collect()
    }

    /// The per-poll hook: call it once after every poll of a watched instance, on the
    /// watcher's leader only, with the instance's tasks as the model parsed them (`Ok`) or the
    /// poll's error (`Err`, with no secret in it), and the poll's time (Unix seconds).
    ///
    /// It updates the task gauges, evaluates the rules against the instance's state in the
    /// store, and commits the episode changes and their outbox rows in one transaction, wakes
    /// the sender, and says what it did. Calling it twice for the same poll (a retry, a second
    /// replica) is harmless: the second call finds the state moved on, or no change to make.
    /// The catch-up rate (`lag_growing`) reads the task's recent samples from the history
    /// store.
    pub async fn on_poll(
        &self,
        region: &str,
        instance: &str,
        poll: Result<&[MigrationTask], &str>,
        now: i64,
    ) -> Result<Committed, StoreError> {
        let poll = poll.map(|tasks| Polled { tasks, replication: None });
        self.on_parsed_poll(region, instance, poll, now).await
    }

    /// [`AlertEngine::on_poll`], with the tasks' `ReplicationInfo` as the caller already parsed
    /// it (the watcher, for its history samples), so that one poll parses it once.
    pub async fn on_parsed_poll(
        &self,
        region: &str,
        instance: &str,
        poll: Result<Polled<'_>, &str>,
        now: i64,
    ) -> Result<Committed, StoreError> {
        let rules = self.rules_for(region, instance);
        if let (Some(m), Ok(p)) = (&self.metrics, &poll) {
            let refs: Vec<&MigrationTask> = p.tasks.iter().collect();
            let at = chrono::DateTime::<chrono::Utc>::from_timestamp(now, 0).unwrap_or_default();
            m.observe_parsed_poll(region, instance, &refs, p.replication, at);
        }
        let growing =
            rules.iter().filter(|r| r.kind == RuleKind::LagGrowing).filter_map(|r| r.window_secs).max();
        let mut samples: Vec<Vec<(i64, i64)>> = Vec::new();
        if let (Some(window), Ok(p)) = (growing, &poll) {
            let mut all = store::lag_samples(&self.store, region, instance, now - window, now).await?;
            for t in p.tasks.iter() {
                samples.push(t.task_id.and_then(|id| all.remove(&id)).unwrap_or_default());
            }
        }
        let outcome = match poll {
            Ok(p) => PollOutcome::Tasks(
                p.tasks
                    .iter()
                    .enumerate()
                    .map(|(i, task)| TaskInput {
                        task,
                        // A parse list that does not match the tasks is not used.
                        replication: p.replication.filter(|r| r.len() == p.tasks.len()).map(|r| &r[i]),
                        lag_samples: samples.get(i).map_or(&[][..], |v| &v[..]),
                    })
                    .collect(),
            ),
            Err(error) => PollOutcome::Failed { error: error.to_string() },
        };
        let loaded = store::load(&self.store, region, instance).await?;
        let eval = {
            let mut parsed = self.parsed.lock().unwrap_or_else(|p| p.into_inner());
            let cache = parsed.entry((region.to_string(), instance.to_string())).or_default();
            engine::evaluate_cached(&rules, &outcome, &loaded.state, now, cache)
        };
        if eval.transitions.is_empty() && eval.state == loaded.state {
            return Ok(Committed { applied: true, ..Committed::default() });
        }
        let ctx = store::CommitContext {
            region,
            instance,
            rules: &self.config.rules,
            public_url: self.config.public_url.as_deref(),
            now,
        };
        let done = store::commit(&self.store, &ctx, loaded.version, eval).await?;
        if done.messages > 0 {
            self.wake.notify_one();
        }
        Ok(done)
    }

    /// [`AlertEngine::on_parsed_poll`] for a poll of the watcher's, evaluated only if its instance
    /// is still watched (`None` if not). A poll under way when its instance left the watch set
    /// can arrive after the instance was forgotten; evaluated, it would set the instance's gauges
    /// again and, its rule state being cleared, fire a new episode for an instance no one watches
    /// (a firing message, then an "unwatched" resolution at the next sweep).
    pub async fn on_watched_poll(
        &self,
        region: &str,
        instance: &str,
        poll: Result<Polled<'_>, &str>,
        now: i64,
    ) -> Result<Option<Committed>, StoreError> {
        if !self.store.is_watched(region, instance).await? {
            return Ok(None);
        }
        self.on_parsed_poll(region, instance, poll, now).await.map(Some)
    }

    /// Forgets, as [`AlertEngine::forget_instance`] does on the leader, every instance that has
    /// a rule state but is no longer in the watch set, however it left: removed or expired while
    /// no proxy ran, dropped from `--watch` at this start, or while this replica did not lead.
    /// Call it on the leader only; an instance already forgotten costs one read. Says how many
    /// instances it forgot.
    pub async fn forget_unwatched(&self, now: i64) -> Result<usize, StoreError> {
        let watched: std::collections::HashSet<(String, String)> =
            self.store.watches().await?.into_iter().map(|w| (w.region_id, w.db_instance_name)).collect();
        let mut forgot = 0;
        for (region, instance) in store::instances(&self.store).await? {
            if !watched.contains(&(region.clone(), instance.clone())) {
                let done = self.forget_instance(&region, &instance, now, true).await?;
                forgot += usize::from(done.episodes_resolved > 0 || done.messages > 0);
            }
        }
        Ok(forgot)
    }

    /// An instance is no longer watched: its gauges go and, on the leader (`resolve`), its firing
    /// episodes resolve ("no longer watched", a message to each of their rule's destinations) and
    /// its rule state is cleared, in one commit under the instance's version like a poll's.
    pub async fn forget_instance(
        &self,
        region: &str,
        instance: &str,
        now: i64,
        resolve: bool,
    ) -> Result<Committed, StoreError> {
        if let Some(m) = &self.metrics {
            m.forget_instance(region, instance);
        }
        self.parsed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&(region.to_string(), instance.to_string()));
        if !resolve {
            return Ok(Committed::default());
        }
        let loaded = store::load(&self.store, region, instance).await?;
        if loaded.version == 0 || loaded.state == engine::InstanceState::default() {
            return Ok(Committed { applied: true, ..Committed::default() });
        }
        let rules = self.rules_for(region, instance);
        let eval = engine::unwatched(&rules, &loaded.state, now);
        let ctx = store::CommitContext {
            region,
            instance,
            rules: &self.config.rules,
            public_url: self.config.public_url.as_deref(),
            now,
        };
        let done = store::commit(&self.store, &ctx, loaded.version, eval).await?;
        if done.messages > 0 {
            self.wake.notify_one();
        }
        Ok(done)
    }
}
