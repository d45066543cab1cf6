//! The watcher: polls every watched instance in the background and writes what it saw to the
//! history store ([`crate::store`]).
//!
//! * **What it calls.** Each poll reads every page of `DescribeCloudMigrationResult` (and, every
//!   [`WatchConfig::precheck_every`] polls, `DescribeCloudMigrationPrecheckResult`) through
//!   [`crate::forward::cached_call`]: the same validation, cache, single flight, signing, retries
//!   and redaction as a dashboard's `/api/rds` call. Page 1 is asked exactly as the task table
//!   asks it, so a dashboard read and a poll in the same cache window make one upstream call.
//! * **What it writes.** One transaction per poll ([`crate::store::Store::record_poll`]): the
//!   samples and events [`diff`] finds, the poll's [`PollReport`], and the state the next poll
//!   diffs against, so a restarted proxy or a new leader carries on where the last one stopped.
//! * **Failures.** A failed poll (throttling, an upstream error, a stale answer) is recorded as a
//!   gap; that instance's next poll is put off (doubling, up to [`MAX_BACKOFF`]), so the watcher
//!   never competes with dashboards for the account's API quota. A store that fails at run time
//!   only degrades history: polls go on, live dashboards are untouched, `/readyz` says so.
//! * **Who polls.** On SQLite, the one proxy that holds the file. On PostgreSQL, the replica that
//!   holds an advisory lock on its own connection ([`leader`]); the others try every quarter
//!   interval, so one takes over within an interval of the leader's death.
//! * **What is watched.** `--watch`, `--demo`'s instances, admins' additions, and (unless
//!   `--no-auto-watch`) every instance a caller opens in the dashboard, until `--watch-idle-hours`
//!   after its last view. The set lives in the store.
//!
//! ## The per-poll hook (for alerting and anything else that reacts to polls)
//!
//! [`Watcher::subscribe`] returns a `tokio::sync::broadcast::Receiver<Arc<PollOutcome>>`. Every
//! poll the leader makes, successful or not, is sent once, after its store transaction (whether
//! or not the store took it: see [`PollOutcome::recorded`]). Only the leader sends, so a
//! subscriber on every replica acts exactly once per poll across the deployment. A subscriber
//! that falls more than [`HOOK_CAPACITY`] outcomes behind gets `RecvError::Lagged` and should
//! carry on with the next one. Subscribe before [`Watcher::start`] to see the first poll.
pub mod diff;
pub mod leader;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use migration_model::history::{HistoryEvent, PollReport, WatchEntry, WatchSource};
use migration_model::precheck::PrecheckTask;
use migration_model::replication::{HealthThresholds, ReplicationInfo};
use migration_model::task::MigrationTask;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::actions::{self, Action};
use crate::app::AppState;
use crate::cache::Outcome;
use crate::policy::Scope;
use crate::simulator::Clock;
use crate::store::{PollWrite, Store};
use diff::InstanceState;

/// Outcomes a slow subscriber may fall behind by before it skips some.
pub const HOOK_CAPACITY: usize = 1024;
/// The longest a failing instance's polls are put off.
pub const MAX_BACKOFF: Duration = Duration::from_secs(600);
/// Events are kept this long (samples: `--history-retention-days`).
pub const EVENT_RETENTION_DAYS: i64 = 365;
/// Instances polled at the same time, at most.
const CONCURRENT_POLLS: usize = 4;
/// The retention sweep runs this often (on the leader).
const SWEEP_EVERY: Duration = Duration::from_secs(3600);
/// Raw samples are packed into hourly blocks (on the leader) once they are this old: the alert
/// rules read the last minutes' raw rows (`lag_growing`'s default window is 15 minutes).
pub const RAW_SAMPLES_SECS: i64 = 1800;
/// Packing runs this often (by the watcher's clock), so the raw rows stay a short tail.
pub const COMPACT_EVERY_SECS: i64 = 300;
/// A view refreshes an auto-watch in the store at most this often per instance.
const VIEW_REFRESH: Duration = Duration::from_secs(60);
/// Instances named in `/readyz` and in `/metrics` labels, at most (labels stay bounded).
pub const MAX_REPORTED_INSTANCES: usize = 200;
/// Longest a poll waits for a refetch under way before taking the page as failed.
const REFETCH_PATIENCE: Duration = Duration::from_secs(20);
/// Pages read per action and poll, at most (100 tasks each after the first).
const MAX_PAGES: u64 = 200;

#[derive(Clone, Debug)]
pub struct WatchConfig {
    pub interval: Duration,
    /// An auto-watch is dropped this long after its last view.
    pub idle: Duration,
    pub auto_watch: bool,
    pub retention_days: u32,
    /// `DescribeCloudMigrationPrecheckResult` is read on every n-th poll of an instance.
    pub precheck_every: u32,
    /// Watches to add at start-up (`--watch`, `--demo`).
    pub initial: Vec<(String, String, WatchSource)>,
    /// The PostgreSQL URL, for the leader lock (None: SQLite, always the leader).
    pub database_url: Option<String>,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            interval: Duration::from_secs(30),
            idle: Duration::from_secs(72 * 3600),
            auto_watch: true,
            retention_days: 30,
            precheck_every: 10,
            initial: Vec::new(),
            database_url: None,
        }
    }
}

/// One poll, as the hook sends it.
#[derive(Debug)]
pub struct PollOutcome {
    pub region_id: String,
    pub db_instance_name: String,
    /// Poll time, Unix seconds (the `observedAt` of its events).
    pub at: i64,
    pub report: PollReport,
    /// The instance's tasks as read (redacted like every answer), each once; empty on failure.
    pub tasks: Arc<Vec<MigrationTask>>,
    /// Each task's `ReplicationInfo` as this poll parsed it (in the order of `tasks`), so what
    /// reacts to the poll need not parse it again.
    pub replication: Arc<Vec<Option<ReplicationInfo>>>,
    /// The precheck reports, on the polls that read them.
    pub prechecks: Option<Arc<Vec<PrecheckTask>>>,
    /// The events this poll found (written unless `recorded` is false).
    pub events: Vec<HistoryEvent>,
    /// Whether the store committed the poll (false: history is degraded, the poll is still real).
    pub recorded: bool,
}

/// Per-instance bookkeeping of the leader (kept in memory; the store has the durable part).
#[derive(Default)]
struct Tracked {
    state: Option<InstanceState>,
    polls: u64,
    /// Unix seconds before which the instance is not polled again (back-off after failures).
    not_before: i64,
    /// The last poll this replica made (the store's record may lag when writes fail).
    last_at: Option<i64>,
    failures: u32,
}

type Key = (String, String);

pub struct Watcher {
    config: WatchConfig,
    store: Arc<Store>,
    clock: Clock,
    thresholds: HealthThresholds,
    leader: AtomicBool,
    /// Whether this replica's last poll was committed (reads may succeed while writes fail).
    last_write_ok: AtomicBool,
    /// The last poll of each watched instance, as this replica knows it (its own polls, or the
    /// store's record of the leader's).
    status: Mutex<BTreeMap<Key, PollReport>>,
    watched: AtomicUsize,
    hook: broadcast::Sender<Arc<PollOutcome>>,
    /// Instances that left the watch set (removed, or expired), as `(region, instance)`.
    unwatched: broadcast::Sender<Key>,
    views: Mutex<HashMap<Key, tokio::time::Instant>>,
    tracked: tokio::sync::Mutex<HashMap<Key, Tracked>>,
}

impl Watcher {
    pub fn new(config: WatchConfig, store: Arc<Store>) -> Arc<Watcher> {
        Watcher::with_clock(config, store, Arc::new(chrono::Utc::now))
    }

    /// A watcher reading `clock` for poll times (tests drive it with the simulator's clock).
    pub fn with_clock(config: WatchConfig, store: Arc<Store>, clock: Clock) -> Arc<Watcher> {
        Arc::new(Watcher {
            config,
            store,
            clock,
            thresholds: HealthThresholds::default(),
            leader: AtomicBool::new(false),
            last_write_ok: AtomicBool::new(true),
            status: Mutex::new(BTreeMap::new()),
            watched: AtomicUsize::new(0),
            hook: broadcast::channel(HOOK_CAPACITY).0,
            unwatched: broadcast::channel(HOOK_CAPACITY).0,
            views: Mutex::new(HashMap::new()),
            tracked: tokio::sync::Mutex::new(HashMap::new()),
        })
    }

    /// Every poll the leader makes, once (see the module docs).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<PollOutcome>> {
        self.hook.subscribe()
    }

    /// Every instance this replica saw leave the watch set (an admin's removal on any replica,
    /// or an idle auto-watch expiring), once per replica, within a quarter interval: so what
    /// reacts to polls can forget it (the alerts: its series and open episodes).
    pub fn subscribe_unwatched(&self) -> broadcast::Receiver<Key> {
        self.unwatched.subscribe()
    }

    pub fn config(&self) -> &WatchConfig {
        &self.config
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Whether this replica is the one polling.
    pub fn is_leader(&self) -> bool {
        self.leader.load(Ordering::Relaxed)
    }

    /// Whether the store took this replica's last poll (a follower writes none: true).
    pub fn last_write_ok(&self) -> bool {
        self.last_write_ok.load(Ordering::Relaxed)
    }

    /// Instances in the watch set, as last read from the store.
    pub fn watched(&self) -> usize {
        self.watched.load(Ordering::Relaxed)
    }

    /// The last poll of each watched instance (at most [`MAX_REPORTED_INSTANCES`]).
    pub fn last_polls(&self) -> Vec<(String, String, PollReport)> {
        let status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        status
            .iter()
            .take(MAX_REPORTED_INSTANCES)
            .map(|((r, i), p)| (r.clone(), i.clone(), p.clone()))
            .collect()
    }

    /// The watcher's clock (poll times), Unix seconds.
    pub fn now(&self) -> i64 {
        (self.clock)().timestamp()
    }

    /// Adds the configured watches (`--watch`, `--demo`), after dropping those an earlier start's
    /// flags added and this start's do not name (see `Store::reconcile_flag_watches`).
    pub async fn add_initial(&self) -> Result<(), crate::store::StoreError> {
        let now = self.now();
        let keep: Vec<(String, String)> =
            self.config.initial.iter().map(|(r, i, _)| (r.clone(), i.clone())).collect();
        let dropped = self.store.reconcile_flag_watches(&keep).await?;
        if dropped > 0 {
            tracing::info!(
                watches = dropped,
                "watches no flag names any more were dropped (or left to auto-watch)"
            );
        }
        for (region, instance, source) in &self.config.initial {
            self.store.add_watch(region, instance, *source, None, now).await?;
        }
        Ok(())
    }

    /// A caller opened `instance` in the dashboard (a successful task list through `/api/rds`):
    /// starts or refreshes its auto-watch, at most once a minute per instance, in the background.
    pub fn viewed(self: &Arc<Self>, region: &str, instance: &str, user: Option<&str>) {
        if !self.config.auto_watch {
            return;
        }
        let key = (region.to_string(), instance.to_string());
        {
            let mut views = self.views.lock().unwrap_or_else(|p| p.into_inner());
            let now = tokio::time::Instant::now();
            if views.get(&key).is_some_and(|t| now.duration_since(*t) < VIEW_REFRESH) {
                return;
            }
            if views.len() >= 10_000 {
                views.clear();
            }
            views.insert(key.clone(), now);
        }
        let me = self.clone();
        let user = user.map(str::to_string);
        tokio::spawn(async move {
            let at = me.now();
            if let Err(e) = me.store.add_watch(&key.0, &key.1, WatchSource::Auto, user.as_deref(), at).await {
                tracing::warn!(error = %e, "auto-watch not recorded (history store)");
            }
        });
    }

    /// Runs the watcher until `shutdown` resolves: leadership, the watch set, polls, expiry of
    /// idle auto-watches and the retention sweep.
    pub fn start(
        self: &Arc<Self>,
        app: Arc<AppState>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let me = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = me.run(app) => {},
                _ = shutdown => {},
            }
        })
    }

    async fn run(self: Arc<Self>, app: Arc<AppState>) {
        let mut leadership = leader::Leadership::new(self.config.database_url.clone());
        // Followers try for the lock this often, so one takes over within an interval.
        let tick = (self.config.interval / 4).max(Duration::from_millis(100));
        let mut last_sweep: Option<tokio::time::Instant> = None;
        let mut last_compacted: Option<i64> = None;
        loop {
            let leading = leadership.check().await;
            if leading != self.is_leader() {
                tracing::info!(leader = leading, "watcher leadership changed");
                if !leading {
                    // Another replica may write meanwhile: read its state afresh next time.
                    self.tracked.lock().await.clear();
                }
            }
            self.leader.store(leading, Ordering::Relaxed);
            if !leading {
                self.last_write_ok.store(true, Ordering::Relaxed);
            }
            self.round(&app).await;
            if leading && last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                last_sweep = Some(tokio::time::Instant::now());
                self.sweep().await;
            }
            // Every few minutes (and at start).
            let slot = self.now().div_euclid(COMPACT_EVERY_SECS);
            if leading && last_compacted != Some(slot) && self.compact().await {
                last_compacted = Some(slot);
            }
            app.metrics.note_watcher(&self);
            tokio::time::sleep(tick).await;
        }
    }

    /// Deletes samples past `--history-retention-days` and events past a year.
    pub async fn sweep(&self) {
        let now = self.now();
        let samples = now - i64::from(self.config.retention_days) * 86_400;
        let events = now - EVENT_RETENTION_DAYS * 86_400;
        match self.store.sweep(samples, events).await {
            Ok((s, e)) if s + e > 0 => tracing::info!(samples = s, events = e, "history retention sweep"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "history retention sweep failed"),
        }
    }

    /// Packs finished hours of raw samples into blocks (see `Store::compact`); false if it
    /// failed (tried again next round).
    pub async fn compact(&self) -> bool {
        match self.store.compact(self.now() - RAW_SAMPLES_SECS).await {
            Ok(n) => {
                if n > 0 {
                    tracing::debug!(samples = n, "history samples packed");
                }
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "packing history samples failed");
                false
            }
        }
    }

    /// One round: reads the watch set (dropping idle auto-watches) and, on the leader, polls the
    /// instances that are due. Public so tests can drive rounds one by one.
    pub async fn round(self: &Arc<Self>, app: &Arc<AppState>) {
        let now = self.now();
        if self.is_leader() {
            let idle = self.config.idle.as_secs() as i64;
            if let Err(e) = self.store.expire_auto_watches(now - idle).await {
                tracing::warn!(error = %e, "cannot expire idle auto-watches (history store)");
            }
        }
        let watches = match self.store.watches().await {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the watch set (history store); polling what is known");
                let known = self.status.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect();
                return self.poll_due(app, known, &HashMap::new(), now).await;
            }
        };
        self.watched.store(watches.len(), Ordering::Relaxed);
        let stored: HashMap<Key, i64> =
            watches.iter().filter_map(|w| Some((key_of(w), w.last_poll.as_ref()?.at))).collect();
        {
            let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
            let fresh: BTreeMap<Key, PollReport> = watches
                .iter()
                .filter_map(|w| {
                    let k = key_of(w);
                    // This replica's own report when newer than the store's (which may lag a
                    // failed write).
                    let mine = status.get(&k).cloned();
                    let theirs = w.last_poll.clone();
                    let best = match (mine, theirs) {
                        (Some(m), Some(t)) => Some(if m.at >= t.at { m } else { t }),
                        (m, t) => m.or(t),
                    }?;
                    Some((k, best))
                })
                .collect();
            let listed: std::collections::HashSet<Key> = watches.iter().map(key_of).collect();
            for gone in status.keys().filter(|k| !listed.contains(*k)) {
                let _ = self.unwatched.send(gone.clone());
            }
            *status = fresh;
        }
        let keys: Vec<Key> = watches.iter().map(key_of).collect();
        self.poll_due(app, keys, &stored, now).await;
    }

    async fn poll_due(
        self: &Arc<Self>,
        app: &Arc<AppState>,
        keys: Vec<Key>,
        stored: &HashMap<Key, i64>,
        now: i64,
    ) {
        if !self.is_leader() {
            return;
        }
        let interval = self.config.interval.as_secs().max(1) as i64;
        let due: Vec<Key> = {
            let tracked = self.tracked.lock().await;
            keys.into_iter()
                .filter(|k| {
                    let mine = tracked.get(k).and_then(|t| t.last_at);
                    let last = stored.get(k).copied().max(mine);
                    let not_before = tracked.get(k).map_or(0, |t| t.not_before);
                    now >= not_before && last.is_none_or(|l| now - l >= interval || now < l)
                })
                .collect()
        };
        let limit = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_POLLS));
        let mut set = tokio::task::JoinSet::new();
        for (region, instance) in due {
            let me = self.clone();
            let app = app.clone();
            let limit = limit.clone();
            set.spawn(async move {
                let _permit = limit.acquire_owned().await;
                me.poll_instance(&app, &region, &instance).await;
            });
        }
        while set.join_next().await.is_some() {}
    }

    /// Polls one instance now and records it; public for tests and the bench.
    pub async fn poll_instance(&self, app: &Arc<AppState>, region: &str, instance: &str) -> Arc<PollOutcome> {
        let key = (region.to_string(), instance.to_string());
        let started = tokio::time::Instant::now();
        let at = self.now();
        let mut tracked = {
            let mut all = self.tracked.lock().await;
            all.remove(&key).unwrap_or_default()
        };
        tracked.last_at = Some(at);
        // Without the stored state this poll cannot tell what is new: it records its samples
        // and report, but no events and no state (the stored state stays for the next poll).
        let mut state_known = tracked.state.is_some();
        if tracked.state.is_none() {
            match self.store.poll_state(region, instance).await {
                Ok(stored) => {
                    let state = stored
                        .and_then(|(_, s)| s)
                        .and_then(|s| serde_json::from_str::<InstanceState>(&s).ok())
                        .unwrap_or_default();
                    tracked.state = Some(state);
                    state_known = true;
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the watcher's state (history store)"),
            }
        }
        let prev = tracked.state.clone().unwrap_or_default();
        let with_prechecks = tracked.polls % u64::from(self.config.precheck_every.max(1)) == 0;
        tracked.polls += 1;

        let read = read_instance(app, region, instance, with_prechecks, self.config.interval).await;
        let duration_ms = started.elapsed().as_millis() as i64;
        let interval = self.config.interval.as_secs().max(1) as i64;
        let gap = prev.last_ok_at.map(|l| at - l).filter(|g| *g * 2 > interval * 3);
        let (write, next_state, tasks, replication, prechecks, outcome_label) = match read {
            Ok(read) => {
                let seen = diff::Observed {
                    tasks: &read.tasks,
                    complete: read.complete,
                    prechecks: read.prechecks.as_deref(),
                };
                // Parsed once, for the samples and for the alerts (the hook hands it on).
                let parsed: Vec<_> = read.tasks.iter().map(|t| t.replication().ok()).collect();
                let mut d = diff::diff_parsed(&prev, at, &seen, &parsed, &self.thresholds);
                if let Some(e) = diff::recovered(&prev, at) {
                    d.events.push(e);
                }
                let report = PollReport {
                    at,
                    ok: true,
                    outcome: "ok".into(),
                    duration_ms,
                    gap_secs: gap,
                    last_ok_at: Some(at),
                };
                let write = PollWrite {
                    region_id: region.to_string(),
                    instance_name: instance.to_string(),
                    at,
                    tasks: d.samples,
                    events: d.events,
                    report: Some(report),
                    state: serde_json::to_string(&d.state).ok(),
                };
                tracked.failures = 0;
                tracked.not_before = 0;
                let tasks = Arc::new(read.tasks);
                (write, d.state, tasks, Arc::new(parsed), read.prechecks.map(Arc::new), "ok")
            }
            Err(code) => {
                let (state, event) = diff::failed(&prev, at, &code);
                let report = PollReport {
                    at,
                    ok: false,
                    outcome: code.clone(),
                    duration_ms,
                    gap_secs: prev.last_ok_at.map(|l| at - l),
                    last_ok_at: prev.last_ok_at,
                };
                tracked.failures += 1;
                let backoff = self
                    .config
                    .interval
                    .saturating_mul(1 << tracked.failures.min(6))
                    .min(MAX_BACKOFF.max(self.config.interval));
                tracked.not_before = at + backoff.as_secs() as i64;
                tracing::warn!(region, instance, outcome = %code, backoff_secs = backoff.as_secs(), "watch poll failed");
                let write = PollWrite {
                    region_id: region.to_string(),
                    instance_name: instance.to_string(),
                    at,
                    tasks: Vec::new(),
                    events: event.into_iter().collect(),
                    report: Some(report),
                    state: serde_json::to_string(&state).ok(),
                };
                let label = if code.starts_with("Throttling") {
                    "throttled"
                } else if code == STALE {
                    "stale"
                } else {
                    "failed"
                };
                (write, state, Arc::new(Vec::new()), Arc::new(Vec::new()), None, label)
            }
        };
        let mut write = write;
        if !state_known {
            write.events.clear();
            write.state = None;
        }
        let recorded = match self.store.record_poll(&write).await {
            Ok(_) => {
                // Only a committed poll moves the state on: after a failed write the next poll
                // diffs against what the store holds, so its events are not lost.
                if state_known {
                    tracked.state = Some(next_state);
                }
                true
            }
            Err(e) => {
                tracing::warn!(region, instance, error = %e, "watch poll not recorded (history store)");
                false
            }
        };
        self.last_write_ok.store(recorded, Ordering::Relaxed);
        let label = if recorded { outcome_label } else { "store_failed" };
        app.metrics.watch_polls.get_or_create(&crate::metrics::OutcomeLabel { outcome: label }).inc();
        let report = write.report.clone().unwrap_or_else(|| PollReport {
            at,
            ok: false,
            outcome: "unknown".into(),
            duration_ms,
            gap_secs: None,
            last_ok_at: None,
        });
        self.status.lock().unwrap_or_else(|p| p.into_inner()).insert(key.clone(), report.clone());
        self.tracked.lock().await.insert(key, tracked);
        let outcome = Arc::new(PollOutcome {
            region_id: region.to_string(),
            db_instance_name: instance.to_string(),
            at,
            report,
            tasks,
            replication,
            prechecks,
            events: write.events.into_iter().map(|e| e.event).collect(),
            recorded,
        });
        let _ = self.hook.send(outcome.clone());
        outcome
    }
}

fn key_of(w: &WatchEntry) -> Key {
    (w.region_id.clone(), w.db_instance_name.clone())
}

/// The code a poll records when the cache could only give a saved answer (the upstream failed).
pub const STALE: &str = "Proxy.Stale";

struct Read {
    tasks: Vec<MigrationTask>,
    complete: bool,
    prechecks: Option<Vec<PrecheckTask>>,
}

/// Reads an instance's task list (every page) and, if asked, its precheck reports. `Err` holds
/// the error code of the first failed call.
async fn read_instance(
    app: &Arc<AppState>,
    region: &str,
    instance: &str,
    with_prechecks: bool,
    interval: Duration,
) -> Result<Read, String> {
    let (items, complete) =
        read_all(app, Action::DescribeCloudMigrationResult, region, instance, interval).await?;
    let mut tasks: Vec<MigrationTask> = Vec::with_capacity(items.len());
    let mut seen = std::collections::HashSet::new();
    for item in items {
        let Ok(task) = serde_json::from_value::<MigrationTask>(item) else { continue };
        // A task that moved between pages while they were read is kept once.
        if task.task_id.is_some_and(|id| seen.insert(id)) {
            tasks.push(task);
        }
    }
    let prechecks = if with_prechecks {
        let (items, _) =
            read_all(app, Action::DescribeCloudMigrationPrecheckResult, region, instance, interval).await?;
        Some(items.into_iter().filter_map(|i| serde_json::from_value::<PrecheckTask>(i).ok()).collect())
    } else {
        None
    };
    Ok(Read { tasks, complete, prechecks })
}

/// Every page of a list action: page 1 exactly as the dashboard asks it (the default page size,
/// so the cache shares it), then, if there is more, pages of 100. Returns the items and whether
/// they add up to the total.
async fn read_all(
    app: &Arc<AppState>,
    action: Action,
    region: &str,
    instance: &str,
    interval: Duration,
) -> Result<(Vec<Value>, bool), String> {
    let first = read_page(app, action, region, instance, 1, None, interval).await?;
    let total = first.get("TotalSize").and_then(Value::as_u64);
    let mut items = items_of(&first);
    let n = items.len() as u64;
    match total {
        Some(t) if n >= t => return Ok((items, true)),
        None if n < u64::from(migration_model::contract::DEFAULT_PAGE_SIZE) => return Ok((items, true)),
        _ => {}
    }
    items.clear();
    let mut short_page = false;
    for page in 1..=MAX_PAGES {
        let body = read_page(app, action, region, instance, page, Some(100), interval).await?;
        let got = items_of(&body);
        let n = got.len();
        items.extend(got);
        if n < 100 || total.is_some_and(|t| page * 100 >= t) {
            short_page = n < 100;
            break;
        }
    }
    let complete = total.map_or(short_page, |t| items.len() as u64 >= t);
    Ok((items, complete))
}

fn items_of(body: &Value) -> Vec<Value> {
    body.pointer("/Items").and_then(Value::as_array).cloned().unwrap_or_default()
}

async fn read_page(
    app: &Arc<AppState>,
    action: Action,
    region: &str,
    instance: &str,
    page: u64,
    size: Option<u32>,
    interval: Duration,
) -> Result<Value, String> {
    let mut pairs = vec![
        ("DBInstanceName".to_string(), instance.to_string()),
        ("RegionId".to_string(), region.to_string()),
        ("PageNumber".to_string(), page.to_string()),
    ];
    if let Some(size) = size {
        pairs.push(("PageSize".to_string(), size.to_string()));
    }
    let call =
        actions::validate(action.name(), &pairs, &app.default_region).map_err(|e| e.code().to_string())?;
    let started = tokio::time::Instant::now();
    let served = loop {
        let served = crate::forward::cached_call(app, call.clone(), Scope::All, None).await;
        // A saved copy served while its refetch runs (a dashboard would show it) is not an
        // observation of now: wait for the refetch, which this call has joined.
        let saved = served.outcome == Outcome::Revalidating
            && served.result.as_ref().is_ok_and(|a| a.fetched_at.elapsed() > interval / 2);
        if saved && started.elapsed() < REFETCH_PATIENCE {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        break served;
    };
    let answer = served.result.map_err(|e| e.code().to_string())?;
    let body: Value =
        serde_json::from_slice(&answer.body).map_err(|_| "Proxy.UpstreamUnavailable".to_string())?;
    if !answer.is_success() {
        return Err(body
            .get("Code")
            .and_then(Value::as_str)
            .unwrap_or("Proxy.UpstreamUnavailable")
            .to_string());
    }
    // A saved answer is not an observation of now: the upstream is failing.
    let old = answer.fetched_at.elapsed() > interval / 2;
    if served.outcome == Outcome::Stale || (served.outcome == Outcome::Revalidating && old) {
        return Err(STALE.to_string());
    }
    Ok(body)
}

/// Parses a `--watch` value, `REGION/INSTANCE`.
pub fn parse_watch(raw: &str) -> Result<(String, String), String> {
    let (region, instance) = raw.trim().split_once('/').ok_or_else(|| {
        format!("--watch {raw:?}: expected REGION/INSTANCE, e.g. cn-hangzhou/pgm-bp1example")
    })?;
    if !actions::is_region_id(region) {
        return Err(format!("--watch {raw:?}: {region:?} is not a region ID such as cn-hangzhou"));
    }
    let ok = !instance.is_empty()
        && instance.len() <= actions::INSTANCE_ID_MAX_LEN
        && instance.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(format!("--watch {raw:?}: {instance:?} is not an instance ID such as pgm-bp1example"));
    }
    Ok((region.to_string(), instance.to_string()))
}
