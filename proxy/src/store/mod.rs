//! The history store: samples, events and the watch set, in SQLite (a file under `--data-dir`,
//! WAL mode, one proxy per file) or PostgreSQL (`--database-url postgres://...`, shared by
//! replicas). One code path serves both: sqlx's `Any` driver, with one migration directory per
//! SQL dialect (`proxy/migrations/{sqlite,postgres}`) and queries written in the SQL both speak
//! (`$n` parameters, `ON CONFLICT DO NOTHING`). Times are Unix seconds.
//!
//! A poll's writes go in one transaction ([`Store::record_poll`]); unique keys (a sample per task
//! and poll time, an event's `dedup` name by its hash) make a second writer's copy a no-op, so
//! even two leaders for a moment cannot write a duplicate. The leader packs raw samples into
//! hourly blocks in the background (`compact.rs`, `blocks.rs`).
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use migration_model::history::{EventKind, HistoryEvent, HistorySample, PollReport, WatchEntry, WatchSource};
use migration_model::Lsn;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

mod blocks;
mod compact;
mod read;
pub use blocks::BLOCK_SECS;
pub use read::{Downsampled, StoredTask};

/// Where the store lives when neither `--data-dir` nor `--database-url` is given.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// The SQLite file's name under `--data-dir`.
pub const SQLITE_FILE: &str = "history.sqlite3";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// For the start-up line and /readyz: the file, or the PostgreSQL URL without its password.
    location: String,
    healthy: AtomicBool,
    last_error: Mutex<Option<String>>,
    /// SQLite only: the lock file held for the process's life (one proxy per store file).
    _lock: Option<File>,
    /// Task rows this process has written, per instance: task ID → (row id, name). A row id
    /// never changes (task rows are never deleted), so a poll updates known tasks' `last_seen`
    /// by id instead of upserting every task and reading its id back. Cleared on any failed
    /// poll, in case a row went missing behind our back.
    task_refs: Mutex<TaskRefs>,
}

type TaskRefs =
    std::collections::HashMap<(String, String), std::collections::HashMap<u64, (i64, Option<String>)>>;

/// Ids per `UPDATE ... WHERE id IN (...)`.
const IDS_PER_STATEMENT: usize = 1000;

/// One task's sample to write.
#[derive(Clone, Debug)]
pub struct TaskSample {
    pub task_id: u64,
    pub task_name: Option<String>,
    /// `None`: seen, but nothing to record (unchanged and heartbeat not due).
    pub sample: Option<HistorySample>,
}

/// An event to write, with its dedup name (unique per instance).
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub event: HistoryEvent,
    pub dedup: String,
}

/// Everything one poll of one instance writes, committed together.
#[derive(Clone, Debug, Default)]
pub struct PollWrite {
    pub region_id: String,
    pub instance_name: String,
    pub at: i64,
    pub tasks: Vec<TaskSample>,
    pub events: Vec<NewEvent>,
    /// The poll's report, kept per instance so every replica can show the last poll.
    pub report: Option<PollReport>,
    /// The watcher's state after this poll (opaque JSON); `None` keeps the stored one.
    pub state: Option<String>,
}

/// Rows per multi-row statement (13 parameters a sample: well under both backends' limits).
const ROWS_PER_STATEMENT: usize = 200;

/// Whether a statement written for `n` rows (or ids), in batches of `full`, is kept prepared on
/// its connection. Only a full batch's text comes back poll after poll; a shorter one's text
/// depends on how many rows were left over, so it is nearly always new. sqlx keeps up to 100
/// prepared statements per pooled connection, and SQLite's compiled program grows with the
/// parameters (tens of KB for a few dozen rows, more for hundreds): caching every leftover
/// size made the store's memory grow poll after poll until each connection's cache was full.
pub(crate) fn keep_prepared(n: usize, full: usize) -> bool {
    n == full
}

/// Appends `(p, p, ...)`: `n` parameters numbered from `first + 1` (PostgreSQL) or anonymous.
fn push_list(sql: &mut String, backend: Backend, first: usize, n: usize) {
    use std::fmt::Write;
    sql.push('(');
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        match backend {
            Backend::Sqlite => sql.push('?'),
            Backend::Postgres => {
                let _ = write!(sql, "${}", first + i + 1);
            }
        }
    }
    sql.push(')');
}

/// Appends `rows` parenthesised rows of `cols` parameters each to a multi-row `VALUES`. SQLite
/// gets anonymous `?`: sqlx looks up every numbered parameter's name, and SQLite finds a name by
/// walking the statement's list of them, so `$n` costs time in the square of a statement's
/// parameters (it was most of a 5,000-task poll's CPU). PostgreSQL only takes `$n`.
fn push_rows(sql: &mut String, backend: Backend, rows: usize, cols: usize) {
    use std::fmt::Write;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    let _ = write!(sql, "${}", r * cols + c + 1);
                }
            }
        }
        sql.push(')');
    }
}

/// A sample's stored columns, in the order `row_of` reads them (see the migration
/// `0004_narrow_samples.sql`: stage and state as codes, the two LSNs that the lags give left
/// out, the service times as ages).
pub(crate) const SAMPLE_COLUMNS: &str =
    "t, stage, state, replay_lsn, not_yet_replayed, behind_source_report, \
     received_lsn, latest_end_lsn, replay_lag, send_age, receipt_age, modified_age, stage_other, state_other";

/// Event kind codes, from 1 (fixed: they are stored data; the migration `0006_narrow_events.sql`
/// lists the same).
const EVENT_KINDS: [&str; 11] = [
    "task_appeared",
    "task_vanished",
    "stage_changed",
    "state_changed",
    "disconnect_began",
    "disconnect_ended",
    "detail_line",
    "precheck_report",
    "readiness_changed",
    "poll_failing",
    "poll_recovered",
];

/// An event kind's stored code.
pub fn kind_code(kind: EventKind) -> i16 {
    EVENT_KINDS.iter().position(|k| *k == kind.as_str()).map_or(0, |i| i as i16 + 1)
}

/// An event's dedup name as stored: the first 8 bytes of its SHA-256, big-endian (what the
/// PostgreSQL migration computes for the names stored before).
pub fn dedup_key(dedup: &str) -> i64 {
    use sha2::Digest;
    let d = sha2::Sha256::digest(dedup.as_bytes());
    i64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// The instance's row id in `instances` (events name their instance by it), made if new.
async fn instance_ref(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    region: &str,
    instance: &str,
) -> Result<i64, sqlx::Error> {
    let find = "SELECT id FROM instances WHERE region_id = $1 AND instance_name = $2";
    if let Some(id) = sqlx::query_scalar(find).bind(region).bind(instance).fetch_optional(&mut **tx).await? {
        return Ok(id);
    }
    sqlx::query("INSERT INTO instances (region_id, instance_name) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(region)
        .bind(instance)
        .execute(&mut **tx)
        .await?;
    sqlx::query_scalar(find).bind(region).bind(instance).fetch_one(&mut **tx).await
}

/// Stage and state codes (fixed: they are stored data; the migration lists the same).
const STAGES: [&str; 6] = ["precheck", "basebackup", "startup", "increment", "switch", "success"];
const STATES: [&str; 5] = ["unstarted", "catchup", "streaming", "disconnect", "finish"];

/// A value's code, and its text when it is not in the list (code 0).
fn encode_label(list: &[&str], v: &Option<String>) -> (Option<i16>, Option<String>) {
    match v {
        None => (None, None),
        Some(v) => match list.iter().position(|l| l == v) {
            Some(i) => (Some(i as i16 + 1), None),
            None => (Some(0), Some(v.clone())),
        },
    }
}

fn decode_label(list: &[&str], code: Option<i64>, other: Option<String>) -> Option<String> {
    let code = code?;
    match usize::try_from(code).ok().filter(|c| (1..=list.len()).contains(c)) {
        Some(c) => Some(list[c - 1].to_string()),
        None => Some(other.unwrap_or_default()),
    }
}

/// What a sample stores beyond its figures (wrapping arithmetic, so every value comes back).
struct NarrowSample {
    stage: Option<i16>,
    state: Option<i16>,
    stage_other: Option<String>,
    state_other: Option<String>,
    replay_lsn: Option<i64>,
    /// `None` when `replay_lsn + not_yet_replayed` gives it.
    received_lsn: Option<i64>,
    latest_end_lsn: Option<i64>,
    send_age: Option<i64>,
    receipt_age: Option<i64>,
    modified_age: Option<i64>,
}

impl NarrowSample {
    fn of(s: &HistorySample) -> NarrowSample {
        let lsn =
            |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<Lsn>().ok()).map(|l| l.as_u64() as i64);
        let replay = lsn(&s.replay_lsn);
        // Stored only when the lag does not give it back exactly.
        let unless_derived = |v: Option<i64>, lag: Option<i64>| match (v, replay, lag) {
            (Some(v), Some(r), Some(l)) if r.wrapping_add(l) == v => None,
            (v, _, _) => v,
        };
        let (stage, stage_other) = encode_label(&STAGES, &s.stage);
        let (state, state_other) = encode_label(&STATES, &s.state);
        let age = |v: Option<i64>| v.map(|v| s.t.wrapping_sub(v));
        NarrowSample {
            stage,
            state,
            stage_other,
            state_other,
            replay_lsn: replay,
            received_lsn: unless_derived(lsn(&s.received_lsn), s.not_yet_replayed_bytes),
            latest_end_lsn: unless_derived(lsn(&s.latest_end_lsn), s.behind_source_report_bytes),
            send_age: age(s.last_msg_send_time),
            receipt_age: age(s.last_msg_receipt_time),
            modified_age: age(s.gmt_modified),
        }
    }
}

/// Rows a poll wrote (a second writer's duplicates are not counted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub samples: u64,
    pub events: u64,
}

/// A store error: the message names what failed, never a password (the URL is redacted).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError(format!("history store: {e}"))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(a database URL that does not parse)".to_string(),
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite store under `data_dir`. Refuses a file another
    /// process holds, an unwritable directory and a corrupt file, each saying so.
    pub async fn open_sqlite(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError(format!("cannot create the data directory {}: {e}", data_dir.display()))
        })?;
        let file = data_dir.join(SQLITE_FILE);
        let lock = lock_file(&file)?;
        let url = format!("sqlite://{}?mode=rwc", file.display());
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| StoreError(format!("cannot open the history store {}: {e}", file.display())))?;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode = WAL")
            .fetch_one(&pool)
            .await
            .map_err(|e| StoreError(format!("the history store {} is not usable: {e}", file.display())))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError(format!(
                "the history store {} cannot use WAL mode (it answered {mode:?})",
                file.display()
            )));
        }
        let check: String = sqlx::query_scalar("PRAGMA quick_check")
            .fetch_one(&pool)
            .await
            .map_err(|e| StoreError(format!("the history store {} is not usable: {e}", file.display())))?;
        if check != "ok" {
            return Err(StoreError(format!("the history store {} is corrupt: {check}", file.display())));
        }
        let store = Store::new(pool, Backend::Sqlite, file.display().to_string(), Some(lock));
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the PostgreSQL store at `url` and brings its schema up to date.
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let shown = redact_url(url);
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|e| StoreError(format!("cannot open the history store {shown}: {}", scrub(&e, url))))?;
        let store = Store::new(pool, Backend::Postgres, shown, None);
        store.migrate().await?;
        Ok(store)
    }

    /// `--database-url` if given (postgres:// only), else SQLite under `data_dir`.
    pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<Store, StoreError> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Store::open_postgres(url).await
            }
            Some(_) => Err(StoreError("--database-url must be a postgres:// URL".into())),
            None => Store::open_sqlite(data_dir).await,
        }
    }

    fn new(pool: AnyPool, backend: Backend, location: String, lock: Option<File>) -> Store {
        Store {
            pool,
            backend,
            location,
            healthy: AtomicBool::new(true),
            last_error: Mutex::new(None),
            _lock: lock,
            task_refs: Mutex::new(TaskRefs::new()),
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.map_err(|e| {
            StoreError(format!("cannot bring the history store {} up to date: {e}", self.location))
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn location(&self) -> &str {
        &self.location
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// False after a failed operation, until one succeeds again.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Notes an operation's outcome for /readyz and the history routes.
    fn note<T>(&self, r: Result<T, sqlx::Error>) -> Result<T, StoreError> {
        match r {
            Ok(v) => {
                self.healthy.store(true, Ordering::Relaxed);
                Ok(v)
            }
            Err(e) => {
                let e = StoreError::from(e);
                self.healthy.store(false, Ordering::Relaxed);
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.0.clone());
                Err(e)
            }
        }
    }

    /// Writes one poll in one transaction.
    pub async fn record_poll(&self, w: &PollWrite) -> Result<Written, StoreError> {
        let r = async {
            let mut conn = self.pool.acquire().await?;
            let key = (w.region_id.clone(), w.instance_name.clone());
            let known = self
                .task_refs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&key)
                .cloned()
                .unwrap_or_default();
            let r = Self::record_poll_tx(&mut conn, self.backend, w, &known).await;
            let mut refs = self.task_refs.lock().unwrap_or_else(|p| p.into_inner());
            match &r {
                Ok((_, new)) if !new.is_empty() => refs.entry(key).or_default().extend(new.iter().cloned()),
                Ok(_) => {}
                Err(_) => refs.clear(),
            }
            drop(refs);
            let r = r.map(|(written, _)| written);
            if r.is_err() {
                // A COMMIT that failed (a full disk) can leave the transaction open, holding
                // SQLite's write lock: this connection is closed, not returned to the pool, so the
                // transaction ends with it and the next poll can write.
                drop(conn.detach());
            }
            r
        }
        .await;
        self.note(r)
    }

    /// The poll's transaction; also returns the task rows it created or renamed (for the cache).
    async fn record_poll_tx(
        conn: &mut sqlx::AnyConnection,
        backend: Backend,
        w: &PollWrite,
        known: &std::collections::HashMap<u64, (i64, Option<String>)>,
    ) -> Result<(Written, Vec<(u64, (i64, Option<String>))>), sqlx::Error> {
        use sqlx::Connection;
        // One row per key, whatever the caller passed: a task listed twice (it moved between
        // pages while they were read) is one task row, a (task, time) sample and an event's
        // dedup name are written once, the first copy kept (what the store's keys would keep).
        // PostgreSQL refuses an upsert that touches one row twice in a statement, so this is
        // what keeps a repeated task from failing the whole poll.
        let mut seen_tasks = std::collections::HashSet::new();
        let tasks: Vec<&TaskSample> = w.tasks.iter().filter(|t| seen_tasks.insert(t.task_id)).collect();
        let mut seen_samples = std::collections::HashSet::new();
        let samples: Vec<(u64, &HistorySample)> = w
            .tasks
            .iter()
            .filter_map(|t| Some((t.task_id, t.sample.as_ref()?)))
            .filter(|(id, s)| seen_samples.insert((*id, s.t)))
            .collect();
        let mut seen_events = std::collections::HashSet::new();
        let events: Vec<&NewEvent> =
            w.events.iter().filter(|e| seen_events.insert(e.dedup.as_str())).collect();

        let mut tx = conn.begin().await?;
        let mut written = Written::default();
        // Batched: a 5,000-task poll is a few dozen statements, not fifteen thousand. Tasks this
        // process has written before (same name) only get their last_seen moved, by row id.
        let mut refs: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        let mut unknown: Vec<&TaskSample> = Vec::new();
        let mut seen_ids: Vec<i64> = Vec::new();
        for t in &tasks {
            match known.get(&t.task_id) {
                Some((id, name)) if *name == t.task_name => {
                    refs.insert(t.task_id as i64, *id);
                    seen_ids.push(*id);
                }
                _ => unknown.push(t),
            }
        }
        for chunk in seen_ids.chunks(IDS_PER_STATEMENT) {
            let mut sql = String::from("UPDATE tasks SET last_seen = ");
            sql.push_str(match backend {
                Backend::Sqlite => "?",
                Backend::Postgres => "$1",
            });
            sql.push_str(" WHERE id IN ");
            push_list(&mut sql, backend, 1, chunk.len());
            let mut q =
                sqlx::query(&sql).persistent(keep_prepared(chunk.len(), IDS_PER_STATEMENT)).bind(w.at);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        let mut created = Vec::new();
        for chunk in unknown.chunks(ROWS_PER_STATEMENT) {
            let mut sql = String::from(
                "INSERT INTO tasks (region_id, instance_name, task_id, task_name, first_seen, last_seen) VALUES ",
            );
            push_rows(&mut sql, backend, chunk.len(), 6);
            sql.push_str(
                " ON CONFLICT (region_id, instance_name, task_id) DO UPDATE SET last_seen = excluded.last_seen, \
                 task_name = excluded.task_name RETURNING id, task_id",
            );
            let mut q = sqlx::query(&sql).persistent(keep_prepared(chunk.len(), ROWS_PER_STATEMENT));
            for t in chunk {
                q = q
                    .bind(&w.region_id)
                    .bind(&w.instance_name)
                    .bind(t.task_id as i64)
                    .bind(t.task_name.clone())
                    .bind(w.at)
                    .bind(w.at);
            }
            let names: std::collections::HashMap<u64, &Option<String>> =
                chunk.iter().map(|t| (t.task_id, &t.task_name)).collect();
            for row in q.fetch_all(&mut *tx).await? {
                let (id, task_id) = (row.try_get::<i64, _>(0)?, row.try_get::<i64, _>(1)?);
                refs.insert(task_id, id);
                if let Some(name) = names.get(&(task_id as u64)) {
                    created.push((task_id as u64, (id, (*name).clone())));
                }
            }
        }
        let with_sample: Vec<(i64, &HistorySample)> =
            samples.iter().filter_map(|(id, s)| Some((*refs.get(&(*id as i64))?, *s))).collect();
        for chunk in with_sample.chunks(ROWS_PER_STATEMENT) {
            let mut sql = String::from("INSERT INTO samples (");
            sql.push_str(SAMPLE_COLUMNS);
            sql.push_str(", task_ref) VALUES ");
            push_rows(&mut sql, backend, chunk.len(), 15);
            sql.push_str(" ON CONFLICT (task_ref, t) DO NOTHING");
            let mut q = sqlx::query(&sql).persistent(keep_prepared(chunk.len(), ROWS_PER_STATEMENT));
            for (task_ref, s) in chunk {
                let n = NarrowSample::of(s);
                q = q
                    .bind(s.t)
                    .bind(n.stage)
                    .bind(n.state)
                    .bind(n.replay_lsn)
                    .bind(s.not_yet_replayed_bytes)
                    .bind(s.behind_source_report_bytes)
                    .bind(n.received_lsn)
                    .bind(n.latest_end_lsn)
                    .bind(s.replay_lag.clone())
                    .bind(n.send_age)
                    .bind(n.receipt_age)
                    .bind(n.modified_age)
                    .bind(n.stage_other)
                    .bind(n.state_other)
                    .bind(*task_ref);
            }
            written.samples += q.execute(&mut *tx).await?.rows_affected();
        }
        let instance_ref = match events.is_empty() {
            true => 0,
            false => instance_ref(&mut tx, &w.region_id, &w.instance_name).await?,
        };
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let mut sql = String::from(
                "INSERT INTO events (instance_ref, task_id, kind, observed_after, observed_at, at, \
                 from_value, to_value, text, duration_min, duration_max, dedup) VALUES ",
            );
            push_rows(&mut sql, backend, chunk.len(), 12);
            sql.push_str(" ON CONFLICT (instance_ref, dedup) DO NOTHING");
            let mut q = sqlx::query(&sql).persistent(keep_prepared(chunk.len(), ROWS_PER_STATEMENT));
            for e in chunk {
                let ev = &e.event;
                q = q
                    .bind(instance_ref)
                    .bind(ev.task_id.map(|t| t as i64))
                    .bind(kind_code(ev.kind))
                    .bind(ev.observed_after)
                    .bind(ev.observed_at)
                    .bind(ev.at)
                    .bind(ev.from.clone())
                    .bind(ev.to.clone())
                    .bind(ev.text.clone())
                    .bind(ev.duration_min_secs)
                    .bind(ev.duration_max_secs)
                    .bind(dedup_key(&e.dedup));
            }
            written.events += q.execute(&mut *tx).await?.rows_affected();
        }
        if let Some(report) = &w.report {
            let report = serde_json::to_string(report).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            // An older poll (a second leader for a moment) never overwrites a newer one's memory.
            sqlx::query(
                "INSERT INTO watch_polls (region_id, instance_name, at, report, state) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (region_id, instance_name) DO UPDATE SET at = excluded.at, report = excluded.report, \
                 state = COALESCE(excluded.state, watch_polls.state) WHERE watch_polls.at <= excluded.at",
            )
            .bind(&w.region_id)
            .bind(&w.instance_name)
            .bind(w.at)
            .bind(report)
            .bind(w.state.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok((written, created))
    }

    /// The watcher's memory of an instance: the last poll's time and the state it left (JSON,
    /// owned by the watcher), if any poll was recorded.
    pub async fn poll_state(
        &self,
        region: &str,
        instance: &str,
    ) -> Result<Option<(i64, Option<String>)>, StoreError> {
        let r = sqlx::query("SELECT at, state FROM watch_polls WHERE region_id = $1 AND instance_name = $2")
            .bind(region)
            .bind(instance)
            .fetch_optional(&self.pool)
            .await;
        let row = self.note(r)?;
        row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).transpose().map_err(|e: sqlx::Error| e.into())
    }

    /// A task's samples with `from <= t <= to`, oldest first.
    pub async fn samples(
        &self,
        region: &str,
        instance: &str,
        task_id: u64,
        from: i64,
        to: i64,
    ) -> Result<Vec<HistorySample>, StoreError> {
        let r = self.stored_rows(region, instance, Some(task_id), from, to).await;
        let (rows, texts) = self.note(r)?;
        Ok(rows.iter().map(|(_, r)| sample_from(r, &texts)).collect())
    }

    /// Events of an instance (or of one task) with `from <= observedAt <= to`, oldest first.
    pub async fn events(
        &self,
        region: &str,
        instance: &str,
        task_id: Option<u64>,
        from: i64,
        to: i64,
    ) -> Result<Vec<HistoryEvent>, StoreError> {
        let r = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM events e JOIN instances i ON i.id = e.instance_ref \
             WHERE i.region_id = $1 AND i.instance_name = $2 \
             AND ($3 < 0 OR e.task_id = $3 OR e.task_id IS NULL) AND e.observed_at >= $4 AND e.observed_at <= $5 \
             ORDER BY e.observed_at, e.id"
        ))
        .bind(region)
        .bind(instance)
        .bind(task_id.map_or(-1, |t| t as i64))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await;
        let rows = self.note(r)?;
        rows.iter().map(event_of).collect::<Result<_, _>>().map_err(StoreError::from)
    }

    /// A task's `task_appeared` and `stage_changed` events with `observedAt <= to`, oldest first
    /// (its stages over its whole history), by the partial index that holds only those: a busy
    /// task's other events (readiness turns twice per lag cycle) are not read.
    pub async fn stage_events(
        &self,
        region: &str,
        instance: &str,
        task_id: u64,
        to: i64,
    ) -> Result<Vec<HistoryEvent>, StoreError> {
        let r = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM events e JOIN instances i ON i.id = e.instance_ref \
             WHERE i.region_id = $1 AND i.instance_name = $2 AND e.task_id = $3 AND e.kind IN (1, 3) \
             AND e.observed_at <= $4 ORDER BY e.observed_at, e.id"
        ))
        .bind(region)
        .bind(instance)
        .bind(task_id as i64)
        .bind(to)
        .fetch_all(&self.pool)
        .await;
        let rows = self.note(r)?;
        rows.iter().map(event_of).collect::<Result<_, _>>().map_err(StoreError::from)
    }

    /// Deletes samples older than `samples_before` (a packed hour once all of it is) and events
    /// older than `events_before`. Returns the samples and events deleted.
    pub async fn sweep(&self, samples_before: i64, events_before: i64) -> Result<(u64, u64), StoreError> {
        let r = async {
            // By the primary key, task by task (SQLite has no index on time alone).
            let s = sqlx::query("DELETE FROM samples WHERE task_ref IN (SELECT id FROM tasks) AND t < $1")
                .bind(samples_before)
                .execute(&self.pool)
                .await?;
            // A packed hour goes once all of it is past the cut-off.
            let packed: i64 = sqlx::query(
                "DELETE FROM sample_blocks WHERE task_ref IN (SELECT id FROM tasks) AND t0 <= $1 RETURNING n",
            )
            .bind(samples_before.saturating_sub(BLOCK_SECS))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .sum::<Result<i64, _>>()?;
            let e = sqlx::query("DELETE FROM events WHERE observed_at < $1")
                .bind(events_before)
                .execute(&self.pool)
                .await?;
            Ok((s.rows_affected() + packed.max(0) as u64, e.rows_affected()))
        }
        .await;
        self.note(r)
    }

    /// Adds a watch, or refreshes its last view (an existing watch keeps its source unless an
    /// admin or the configuration claims it).
    pub async fn add_watch(
        &self,
        region: &str,
        instance: &str,
        source: WatchSource,
        by: Option<&str>,
        at: i64,
    ) -> Result<(), StoreError> {
        let r = sqlx::query(
            "INSERT INTO watches (region_id, instance_name, source, added_by, added_at, last_viewed_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (region_id, instance_name) DO UPDATE SET \
             last_viewed_at = CASE WHEN $3 = 'auto' THEN $5 ELSE watches.last_viewed_at END, \
             source = CASE WHEN watches.source = 'auto' OR $3 = 'admin' THEN $3 ELSE watches.source END",
        )
        .bind(region)
        .bind(instance)
        .bind(source.as_str())
        .bind(by.map(str::to_string))
        .bind(at)
        .bind((source == WatchSource::Auto).then_some(at))
        .execute(&self.pool)
        .await;
        self.note(r).map(|_| ())
    }

    /// Brings the watches that flags made (`--watch`: config, `--demo`: demo) in line with this
    /// start's flags, `keep`: an instance no flag names any more is no longer watched for the
    /// flag's sake. If someone opened it in the dashboard it stays as an auto-watch (expiring
    /// `--watch-idle-hours` after that view); otherwise it goes. Admins' and auto-watches are not
    /// touched. Returns how many watches were dropped or demoted.
    pub async fn reconcile_flag_watches(&self, keep: &[(String, String)]) -> Result<u64, StoreError> {
        let r = async {
            let rows = sqlx::query(
                "SELECT region_id, instance_name, last_viewed_at FROM watches WHERE source IN ('config', 'demo')",
            )
            .fetch_all(&self.pool)
            .await?;
            let mut changed = 0;
            for row in rows {
                let (region, instance): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                if keep.iter().any(|(r, i)| *r == region && *i == instance) {
                    continue;
                }
                let viewed = row.try_get::<Option<i64>, _>(2)?.is_some();
                let sql = if viewed {
                    "UPDATE watches SET source = 'auto' WHERE region_id = $1 AND instance_name = $2 \
                     AND source IN ('config', 'demo')"
                } else {
                    "DELETE FROM watches WHERE region_id = $1 AND instance_name = $2 AND source IN ('config', 'demo')"
                };
                changed += sqlx::query(sql).bind(&region).bind(&instance).execute(&self.pool).await?.rows_affected();
            }
            Ok(changed)
        }
        .await;
        self.note(r)
    }

    pub async fn remove_watch(&self, region: &str, instance: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM watches WHERE region_id = $1 AND instance_name = $2")
            .bind(region)
            .bind(instance)
            .execute(&self.pool)
            .await;
        self.note(r).map(|r| r.rows_affected() > 0)
    }

    /// Drops auto-watches not viewed since `viewed_before`.
    pub async fn expire_auto_watches(&self, viewed_before: i64) -> Result<u64, StoreError> {
        let r = sqlx::query("DELETE FROM watches WHERE source = 'auto' AND last_viewed_at < $1")
            .bind(viewed_before)
            .execute(&self.pool)
            .await;
        self.note(r).map(|r| r.rows_affected())
    }

    pub async fn watches(&self) -> Result<Vec<WatchEntry>, StoreError> {
        let r = sqlx::query(
            "SELECT w.region_id, w.instance_name, w.source, w.added_by, w.added_at, w.last_viewed_at, p.report \
             FROM watches w LEFT JOIN watch_polls p ON p.region_id = w.region_id AND p.instance_name = w.instance_name \
             ORDER BY w.region_id, w.instance_name",
        )
        .fetch_all(&self.pool)
        .await;
        let rows = self.note(r)?;
        rows.iter()
            .map(|row| -> Result<WatchEntry, sqlx::Error> {
                let source: String = row.try_get(2)?;
                Ok(WatchEntry {
                    region_id: row.try_get(0)?,
                    db_instance_name: row.try_get(1)?,
                    source: WatchSource::parse(&source).unwrap_or(WatchSource::Auto),
                    added_by: row.try_get(3)?,
                    added_at: row.try_get(4)?,
                    last_viewed_at: row.try_get(5)?,
                    last_poll: row
                        .try_get::<Option<String>, _>(6)?
                        .and_then(|r| serde_json::from_str::<PollReport>(&r).ok()),
                    last_data_at: None,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)
    }

    /// A cheap round trip, for readiness after a failure.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let r = sqlx::query("SELECT 1").execute(&self.pool).await;
        self.note(r).map(|_| ())
    }
}

/// A stored row from the columns of [`SAMPLE_COLUMNS`], from column 0, its texts kept in `texts`.
fn row_of(row: &AnyRow, texts: &mut blocks::Texts) -> Result<blocks::Row, sqlx::Error> {
    let int = |i: usize| row.try_get::<Option<i64>, _>(i);
    let text = |i: usize| row.try_get::<Option<String>, _>(i);
    Ok(blocks::Row {
        t: row.try_get(0)?,
        stage: int(1)?,
        state: int(2)?,
        replay_lsn: int(3)?,
        not_yet_replayed: int(4)?,
        behind_source_report: int(5)?,
        received_lsn: int(6)?,
        latest_end_lsn: int(7)?,
        replay_lag: texts.intern(text(8)?.as_deref()),
        send_age: int(9)?,
        receipt_age: int(10)?,
        modified_age: int(11)?,
        stage_other: texts.intern(text(12)?.as_deref()),
        state_other: texts.intern(text(13)?.as_deref()),
    })
}

/// The sample a stored row holds (the LSNs the lags give, the times from their ages).
fn sample_from(r: &blocks::Row, texts: &blocks::Texts) -> HistorySample {
    let t = r.t;
    let lsn = |v: Option<i64>| v.map(|v| Lsn::new(v as u64).to_pg_string());
    let replay = r.replay_lsn;
    let (nyr, bsr) = (r.not_yet_replayed, r.behind_source_report);
    let derived = |stored: Option<i64>, lag: Option<i64>| stored.or_else(|| Some(replay?.wrapping_add(lag?)));
    let at = |age: Option<i64>| age.map(|a| t.wrapping_sub(a));
    let text = |k: u32| texts.get(k).map(str::to_string);
    HistorySample {
        t,
        stage: decode_label(&STAGES, r.stage, text(r.stage_other)),
        state: decode_label(&STATES, r.state, text(r.state_other)),
        received_lsn: lsn(derived(r.received_lsn, nyr)),
        latest_end_lsn: lsn(derived(r.latest_end_lsn, bsr)),
        replay_lsn: lsn(replay),
        not_yet_replayed_bytes: nyr,
        behind_source_report_bytes: bsr,
        replay_lag: text(r.replay_lag),
        last_msg_send_time: at(r.send_age),
        last_msg_receipt_time: at(r.receipt_age),
        gmt_modified: at(r.modified_age),
        count: 1,
        ..HistorySample::default()
    }
}

/// The event columns [`event_of`] reads, in its order (`e` is the events table).
const EVENT_COLUMNS: &str =
    "e.kind, e.task_id, e.observed_after, e.observed_at, e.at, e.from_value, e.to_value, \
     e.text, e.duration_min, e.duration_max";

fn event_of(row: &AnyRow) -> Result<HistoryEvent, sqlx::Error> {
    let code: i64 = row.try_get(0)?;
    let kind = usize::try_from(code)
        .ok()
        .and_then(|c| EVENT_KINDS.get(c.wrapping_sub(1)))
        .and_then(|k| EventKind::parse(k))
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown event kind {code}").into()))?;
    Ok(HistoryEvent {
        kind,
        task_id: row.try_get::<Option<i64>, _>(1)?.map(|t| t as u64),
        observed_after: row.try_get(2)?,
        observed_at: row.try_get(3)?,
        at: row.try_get(4)?,
        from: row.try_get(5)?,
        to: row.try_get(6)?,
        text: row.try_get(7)?,
        duration_min_secs: row.try_get(8)?,
        duration_max_secs: row.try_get(9)?,
    })
}

/// A connection error's text with the URL's password taken out, in case the driver echoes it.
fn scrub(e: &sqlx::Error, url: &str) -> String {
    let text = e.to_string();
    match url::Url::parse(url).ok().and_then(|u| u.password().map(str::to_string)) {
        Some(p) if !p.is_empty() => text.replace(&p, "***"),
        _ => text,
    }
}

/// Takes the store file's lock (`<file>.lock`, with our pid in it): a second proxy on the same
/// file is refused, saying which process holds it.
fn lock_file(file: &Path) -> Result<File, StoreError> {
    use std::io::{Read, Seek, Write};
    let path: PathBuf = file.with_extension("sqlite3.lock");
    let mut f =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(
            |e| StoreError(format!("cannot write in the data directory ({}): {e}", path.display())),
        )?;
    match try_lock(&f) {
        Ok(true) => {}
        Ok(false) => {
            let mut holder = String::new();
            let _ = f.read_to_string(&mut holder);
            return Err(StoreError(format!(
                "the history store {} is in use by another migration-proxy (pid {}); SQLite serves one proxy \
                 per file: give this one its own --data-dir, or share a PostgreSQL store with --database-url",
                file.display(),
                holder.trim().parse::<u32>().map_or("unknown".to_string(), |p| p.to_string())
            )));
        }
        Err(e) => {
            return Err(StoreError(format!("cannot lock {}: {e}", path.display())));
        }
    }
    let _ = f.set_len(0);
    let _ = f.rewind();
    let _ = write!(f, "{}", std::process::id());
    let _ = f.flush();
    Ok(f)
}

/// An exclusive, non-blocking `flock` on `f` (released by the kernel when the process ends,
/// kill -9 included): `Ok(false)` when another process holds it.
#[cfg(unix)]
fn try_lock(f: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor we own and keep open; no memory is shared.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e)
    }
}

#[cfg(not(unix))]
fn try_lock(_f: &File) -> std::io::Result<bool> {
    Ok(true)
}
